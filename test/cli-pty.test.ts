// sync of 100,000 sessions under a pseudo-terminal (util-linux `script`), as an operator sees it:
// a progress bar redrawn in place with carriage returns, ending at 100% with every key copied.
import test from 'ava';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { CLI } from './helpers/cli.js';
import { ownServers } from './helpers/fault-kit.js';
import { directClient } from './helpers/store.js';

const SESSIONS = 100_000;
const SCRIPT = ['/usr/bin/script', '/bin/script'].find(existsSync);

function quote(arg: string): string {
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** Runs `argv` under `script -qfec … /dev/null`: stdout and stderr are a terminal. */
function underPty(argv: string[], timeoutMs: number): Promise<{ code: number | null; output: string; ms: number }> {
  const started = Date.now();
  return new Promise(resolve => {
    const env: NodeJS.ProcessEnv = { ...process.env, COLUMNS: '120' };
    delete env.REDIS_URLS;
    const child = spawn(SCRIPT!, ['-qfec', argv.map(quote).join(' '), '/dev/null'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', code => {
      clearTimeout(timer);
      resolve({ code, output, ms: Date.now() - started });
    });
  });
}

test(`sync of ${SESSIONS.toLocaleString('en-US')} sessions on a terminal draws a bar in place and ends at 100%`, async t => {
  t.timeout(120_000);
  if (!SCRIPT) return t.fail('util-linux `script` is needed for this test (Debian: bsdutils)');
  const [source, target] = await ownServers(t, 2);
  const client = await directClient(t, source!);
  // ~300-byte session-like values, 10,000 per script call.
  const value = JSON.stringify({ cookie: { originalMaxAge: 3_600_000, httpOnly: true, path: '/' }, user: 'someone', cart: 'x'.repeat(200) });
  for (let i = 0; i < SESSIONS; i += 10_000) {
    await client.eval(`for i = ARGV[1], ARGV[2] do redis.call('SET', 'sess:' .. i, ARGV[3], 'PX', 3600000) end`, { arguments: [String(i), String(i + 9_999), value] });
  }
  t.is(await client.dbSize(), SESSIONS);

  const run = await underPty([process.execPath, CLI, 'sync', '--prefix', 'sess:', '--member', source!.url, '--to', target!.url], 100_000);
  t.is(run.code, 0, run.output.slice(-2000));
  const redraws = run.output.split('\r[').length - 1;
  t.true(redraws >= 2, `the bar was drawn ${redraws} times`);
  const frames = run.output.split(/\r\n|\r|\n/).map(line => line.replaceAll('\u001b[K', '')).filter(Boolean);
  const bars = frames.filter(line => line.startsWith('['));
  t.regex(bars[0]!, /^\[-{24}\]\s+0%/);
  t.regex(bars.at(-1)!, /^\[#{24}\] 100% {2}100,000\/100,000 keys {2}100,000 copied {2}[\d,]+ keys\/s$/);
  t.true(frames.some(line => /^100,000 keys scanned, copied 100,000 \(0 tombstones\), 0 already there/.test(line)), run.output.slice(-1000));
  t.is(await (await directClient(t, target!)).dbSize(), SESSIONS);
  t.log(`sync of ${SESSIONS} sessions under a pty: ${run.ms} ms, ${redraws} redraws`);
});
