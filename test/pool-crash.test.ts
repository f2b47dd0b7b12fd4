// Hardening defect 5, a worker that dies: a `{ module }` serializer that exits its thread,
// crashes it with an uncaught throw, or runs it out of memory, in stringify or in parse, fails
// only that operation (WorkerError, whose cause is what the worker reported), writes nothing,
// never runs again on the main thread, and the next operation gets a new worker. Each scenario
// runs in a child process: a store that re-ran the serializer inline would end the process.
import test from 'ava';
import { fixtureHref, runScript } from './helpers/codec-util.js';
import { fileServers } from './helpers/file-servers.js';

const servers = fileServers(2);

interface Described {
  name: string;
  code?: string;
  message: string;
  cause?: Described;
}
interface Outcome {
  status: 'fulfilled' | 'rejected';
  value?: { n?: number } | null;
  error?: Described;
}
interface Report {
  set: Outcome;
  victim: Outcome;
  after: Outcome;
  poison: Outcome;
  afterParse: Outcome;
  errors: Described[];
  ranOnMain: boolean;
}

const modes = {
  exit: (cause: Described | undefined) => /exited with code: 3/.test(cause?.message ?? ''),
  oom: (cause: Described | undefined) => cause?.code === 'ERR_WORKER_OUT_OF_MEMORY',
  crash: (cause: Described | undefined) => cause?.name === 'HostileCrash',
} as const;

async function scenario(mode: keyof typeof modes): Promise<Report> {
  const ports = servers.map(s => String(s.port));
  const result = await runScript('pool-crash-child', [mode, fixtureHref('pool-hostile-module'), ...ports], 60_000);
  if (result.killed || result.code !== 0) {
    throw new Error(`the child (${mode}) ${result.killed ? 'was still running after 60 s' : `exited with code ${result.code}`}: ${result.stderr}`);
  }
  return JSON.parse(result.stdout) as Report;
}

const isWorkerError = (e: Described | undefined) => e?.name === 'WorkerError' && e.code === 'ERR_EXPREDIS_WORKER';

for (const mode of ['exit', 'oom'] as const) {
  test.serial(`a serializer that ${mode === 'exit' ? 'exits its worker' : 'runs its worker out of memory'} fails only that set and that get, writes nothing, never runs inline, and the pool recovers`, async t => {
    t.timeout(90_000);
    const r = await scenario(mode);
    t.false(r.ranOnMain, 'the serializer never ran on the main thread');
    t.is(r.set.status, 'rejected');
    t.true(isWorkerError(r.set.error), JSON.stringify(r.set.error));
    t.true(modes[mode](r.set.error?.cause), `the cause says why: ${JSON.stringify(r.set.error?.cause)}`);
    t.like(r.victim, { status: 'fulfilled', value: { n: 1 } }, 'every member still holds the previous session');
    t.like(r.after, { status: 'fulfilled', value: { n: 3 } }, 'the next set and get work');
    // The get whose parse killed its worker fails too, with the same kind of error: the stored
    // value is not called bad (no DecodeError), so nobody is logged out by a worker's death.
    t.is(r.poison.status, 'rejected');
    t.true(isWorkerError(r.poison.error) && modes[mode](r.poison.error?.cause), JSON.stringify(r.poison.error));
    t.deepEqual(r.errors.filter(e => e.code === 'ERR_EXPREDIS_DECODE'), []);
    t.like(r.afterParse, { status: 'fulfilled', value: { n: 5 } });
  });
}

test.serial('a serializer that crashes its worker with an uncaught throw never takes down the process or runs inline, and the pool recovers', async t => {
  t.timeout(90_000);
  const r = await scenario('crash');
  t.false(r.ranOnMain);
  // The throw comes after stringify returned: the worker's result and its crash race, so the set
  // either fails (WorkerError caused by the throw) or completes with what stringify returned and
  // the crash is reported on `error`.
  if (r.set.status === 'rejected') {
    t.true(isWorkerError(r.set.error) && modes.crash(r.set.error?.cause), JSON.stringify(r.set.error));
    t.like(r.victim, { status: 'fulfilled', value: { n: 1 } }, 'nothing was written');
  } else {
    t.like(r.victim, { status: 'fulfilled', value: { n: 2 } }, 'stringify completed before the crash');
    t.true(r.errors.some(e => isWorkerError(e) && modes.crash(e.cause)), JSON.stringify(r.errors));
  }
  t.like(r.after, { status: 'fulfilled', value: { n: 3 } });
  if (r.poison.status === 'rejected') t.true(isWorkerError(r.poison.error), JSON.stringify(r.poison.error));
  t.like(r.afterParse, { status: 'fulfilled', value: { n: 5 } });
  t.log(`set ${r.set.status}; get of the crashing value ${JSON.stringify(r.poison.value)}`);
});
