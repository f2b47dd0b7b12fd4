// 50 kill/restart cycles of one member of three, with traffic throughout: listeners on the store
// and on each client and open handles (process.getActiveResourcesInfo() by type) come back to
// their starting counts, and heap growth after a forced GC stays under 20 MB. The cycles run in a
// child process started with --expose-gc (test/fixtures/fault-cycles-child.ts), which prints JSON.
import test from 'ava';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const CYCLES = 50;
const HEAP_LIMIT = 20 * 1024 * 1024;

interface Snapshot {
  store: Record<string, number>;
  clients: Record<string, number>[];
  resources: Record<string, number>;
  heapUsed: number;
}
interface Report {
  cycles: number;
  elapsedMs: number;
  connects: number;
  disconnects: number;
  errors: number;
  member: { healthy: boolean; operations: number; failures: number };
  before: Snapshot;
  after: Snapshot;
}

function runChild(cycles: number, timeoutMs: number): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const script = fileURLToPath(new URL('./fixtures/fault-cycles-child.js', import.meta.url));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--expose-gc', script, String(cycles)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', code => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

test(`${CYCLES} kill/restart cycles of one member leave listeners and handles at their starting counts and the heap within 20 MB`, async t => {
  t.timeout(60_000);
  const { code, stdout, stderr } = await runChild(CYCLES, 55_000);
  t.is(code, 0, stderr.slice(-2000));
  const line = stdout.trim().split('\n').at(-1) ?? '';
  const report = JSON.parse(line) as Report;
  const growth = report.after.heapUsed - report.before.heapUsed;
  t.log(`${report.cycles} cycles in ${report.elapsedMs} ms (${Math.round(report.elapsedMs / report.cycles)} ms each); connect events ${report.connects}, disconnect ${report.disconnects}, error ${report.errors}`);
  t.log(`heap after GC: ${(report.before.heapUsed / 1048576).toFixed(1)} → ${(report.after.heapUsed / 1048576).toFixed(1)} MB (${(growth / 1048576).toFixed(2)} MB)`);
  t.log(`resources before ${JSON.stringify(report.before.resources)} after ${JSON.stringify(report.after.resources)}`);
  t.log(`listeners: store ${JSON.stringify(report.after.store)}; client ${JSON.stringify(report.after.clients[1])}`);
  t.is(report.cycles, CYCLES);
  t.true(report.connects >= CYCLES + 1, 'the member rejoined after every restart');
  t.true(report.member.healthy);
  t.deepEqual(report.after.store, report.before.store, 'store listeners');
  t.deepEqual(report.after.clients, report.before.clients, 'client listeners');
  t.deepEqual(report.after.resources, report.before.resources, 'active resources by type');
  t.true(growth < HEAP_LIMIT, `heap grew ${(growth / 1048576).toFixed(1)} MB`);
});
