// The CLI's own failure: a one-line message and the exit code it ends with. Anything else that
// reaches the top is reported by its message alone, never its stack.

/** Exit codes: 0 ok (members agree, all reachable), 1 the command ran and found a problem, 2 it could not run. */
export const EXIT = { ok: 0, found: 1, cannot: 2, interrupted: 130 } as const;

export class CliError extends Error {
  readonly exitCode: number;
  constructor(message: string, exitCode: number = EXIT.cannot) {
    super(message);
    this.exitCode = exitCode;
  }
}
Object.defineProperty(CliError.prototype, 'name', { value: 'CliError' });
