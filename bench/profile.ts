// A CPU profile of the main thread around one piece of work, driven through the inspector (so
// that warm-up stays out of it): written to `<id>.cpuprofile` in the cwd, for DevTools or any
// .cpuprofile reader. Used by the paired A/B harnesses' --profile.
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';

/** Runs `work` under a 100 µs sampling profile and writes it to `${id}.cpuprofile`. */
export async function profiled<T>(id: string, work: () => Promise<T>): Promise<T> {
  const inspector = new Session();
  inspector.connect();
  await inspector.post('Profiler.enable');
  await inspector.post('Profiler.setSamplingInterval', { interval: 100 });
  await inspector.post('Profiler.start');
  const result = await work();
  const { profile } = await inspector.post('Profiler.stop');
  writeFileSync(`${id}.cpuprofile`, JSON.stringify(profile));
  inspector.disconnect();
  return result;
}
