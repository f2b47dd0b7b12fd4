// Every method takes an optional node-style callback and returns a Promise without one. The
// callback is called exactly once, never synchronously, and outside the promise chain, so an
// exception it throws surfaces as it would from any callback API instead of being swallowed.

export type Callback<T> = (error: Error | null, value?: T) => void;

export function settle<T>(promise: Promise<T>, callback: Callback<T> | undefined): Promise<T> | undefined {
  if (typeof callback !== 'function') return promise;
  promise.then(
    value => process.nextTick(callback, null, value),
    (error: unknown) => process.nextTick(callback, error instanceof Error ? error : new Error(String(error))),
  );
  return undefined;
}
