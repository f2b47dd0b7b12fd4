// The command line: `expredis <status|diff|sync> [options]`, parsed strictly with util.parseArgs;
// every parse error becomes one line (values masked: they may be member URLs with passwords).
import { parseArgs } from 'node:util';
import { maskCredentials } from '../describe.js';
import { CliError } from './fail.js';
import { HELP, type Command } from './help.js';

export interface Args {
  readonly command: Command | 'help' | 'version';
  readonly help: boolean;
  readonly members: readonly string[];
  readonly config: string | undefined;
  readonly prefix: string | undefined;
  readonly timeout: number;
  readonly json: boolean;
  readonly count: number;
  readonly sample: number;
  readonly to: string | undefined;
  readonly dryRun: boolean;
  /** Keys copied per second; Infinity when unlimited. */
  readonly rate: number;
}

const OPTIONS = {
  member: { type: 'string', multiple: true },
  config: { type: 'string' },
  prefix: { type: 'string' },
  timeout: { type: 'string' },
  json: { type: 'boolean' },
  count: { type: 'string' },
  sample: { type: 'string' },
  to: { type: 'string' },
  'dry-run': { type: 'boolean' },
  rate: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean' },
} as const;

type Name = keyof typeof OPTIONS;
const COMMON: readonly Name[] = ['member', 'config', 'prefix', 'timeout', 'help'];
const ALLOWED: Record<Command, readonly Name[]> = {
  status: [...COMMON, 'json', 'count'],
  diff: [...COMMON, 'json', 'count', 'sample'],
  sync: [...COMMON, 'json', 'count', 'to', 'dry-run', 'rate'],
};

export const DEFAULTS = { timeout: 2000, count: 500, sample: 5 } as const;

function integer(name: string, text: string | undefined, fallback: number, min: number): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(n) || n < min) throw new CliError(`--${name} must be an integer ≥ ${min}, got ${JSON.stringify(maskCredentials(text))}`);
  return n;
}

function rate(text: string | undefined): number {
  if (text === undefined) return Infinity;
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n) || n <= 0) throw new CliError(`--rate must be a number of keys per second > 0, got ${JSON.stringify(maskCredentials(text))}`);
  return n;
}

/** parseArgs' messages, as one line without its advice about `--`. */
function parseError(error: Error & { code?: string }): CliError {
  const option = /'(-[^' ]*)/.exec(error.message)?.[1];
  if (error.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') return new CliError(`unknown option ${maskCredentials(option ?? '')} (see expredis --help)`);
  if (error.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    if (/does not take an argument/.test(error.message)) return new CliError(`option ${option} takes no value`);
    if (/ambiguous/.test(error.message)) return new CliError(`option ${option} needs a value (one starting with "-" goes as ${option}=-…)`);
    return new CliError(`option ${option} needs a value`);
  }
  return new CliError(maskCredentials(error.message.split('\n')[0]!));
}

export function parse(argv: readonly string[]): Args {
  let parsed: ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true; strict: true }>>;
  try {
    parsed = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    throw parseError(error as Error);
  }
  const { values, positionals } = parsed;
  const [first, ...rest] = positionals;
  if (first === undefined || first === 'help') {
    if (first === 'help' && rest.length > 0) return parse([rest[0]!, '--help']);
    if (values.version) return blank('version', false);
    if (values.help || first === 'help') return blank('help', true);
    throw new CliError('no command: expredis status | diff | sync --to URL (see expredis --help)');
  }
  if (!(first in HELP)) throw new CliError(`unknown command ${JSON.stringify(maskCredentials(first))}: expredis status | diff | sync (see expredis --help)`);
  const command = first as Command;
  if (rest.length > 0) throw new CliError(`${command} takes no argument ${JSON.stringify(maskCredentials(rest[0]!))} (member URLs go after --member)`);
  for (const name of Object.keys(values) as Name[]) {
    if (!ALLOWED[command].includes(name)) throw new CliError(`--${name} is not an option of ${command} (see expredis ${command} --help)`);
  }
  return {
    command,
    help: values.help ?? false,
    members: values.member ?? [],
    config: values.config,
    prefix: values.prefix,
    timeout: integer('timeout', values.timeout, DEFAULTS.timeout, 1),
    json: values.json ?? false,
    count: integer('count', values.count, DEFAULTS.count, 1),
    sample: integer('sample', values.sample, DEFAULTS.sample, 0),
    to: values.to,
    dryRun: values['dry-run'] ?? false,
    rate: rate(values.rate),
  };
}

function blank(command: 'help' | 'version', help: boolean): Args {
  return { command, help, members: [], config: undefined, prefix: undefined, timeout: DEFAULTS.timeout, json: false, count: DEFAULTS.count, sample: DEFAULTS.sample, to: undefined, dryRun: false, rate: Infinity };
}
