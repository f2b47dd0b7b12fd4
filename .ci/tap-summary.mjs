// Passes `npm test -- --tap` output through and ends with "N passed, N failed[, N skipped]",
// after one "failed: <test>" line per failed test (so the names are in the log's last lines).
// A line "# check ok: <name>" or "# check failed: <name>" (the package checks .ci/run adds after
// the tests) counts as one passed or failed test.
// Exits non-zero when anything failed, when no test ran, or when the command before it failed
// (with pipefail, the caller sees that status too).
import { createInterface } from 'node:readline';

let pass = 0;
let fail = 0;
let skip = 0;
let counted = false;
let checksPassed = 0;
let checksFailed = 0;
const failedNames = [];
for await (const line of createInterface({ input: process.stdin })) {
  console.log(line);
  const check = /^# check (ok|failed): (.*)/.exec(line);
  if (check) {
    if (check[1] === 'ok') checksPassed++;
    else {
      checksFailed++;
      failedNames.push(check[2]);
    }
    continue;
  }
  const failed = /^not ok \d+ - (.*)/.exec(line);
  if (failed) failedNames.push(failed[1]);
  const m = /^# (pass|fail|skip|todo)\s+(\d+)/.exec(line);
  if (m) {
    counted = true;
    const n = Number(m[2]);
    if (m[1] === 'pass') pass = n;
    else if (m[1] === 'fail') fail = n;
    else skip += n;
  }
}
if (!counted) fail = Math.max(fail, 1);
pass += checksPassed;
fail += checksFailed;
for (const name of failedNames) console.log(`failed: ${name}`);
console.log(`${pass} passed, ${fail} failed${skip ? `, ${skip} skipped` : ''}`);
process.exit(fail > 0 || pass === 0 ? 1 : 0);
