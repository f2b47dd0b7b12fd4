// Which members and prefix a command runs on: `--member URL` (repeatable), else the `members` of
// `--config FILE`, else REDIS_URLS; `--prefix`, else the config file's, else the store's default.
import { readFileSync } from 'node:fs';
import { describe } from '../describe.js';
import { memberEntry, type MemberEntry } from '../members/connect.js';
import { CliError } from './fail.js';
import { parseMemberUrl, splitUrlList } from './urls.js';

export const DEFAULT_PREFIX = 'session';

/** One member as configured: what to connect, and what to compare to tell members apart. */
export interface ConfiguredMember {
  readonly entry: MemberEntry;
  /** `host:port` of the nodes it names; empty when unknown (a config object with a socket path…). */
  readonly endpoints: readonly string[];
  readonly database: number;
}

export interface Sources {
  readonly members?: readonly string[] | undefined;
  readonly config?: string | undefined;
  readonly prefix?: string | undefined;
  readonly env: NodeJS.ProcessEnv;
}

/** A URL or a clients entry → a configured member; `name` says where it came from in errors. */
export function configuredMember(value: unknown, name: string): ConfiguredMember {
  if (typeof value === 'string') {
    const parsed = parseMemberUrl(value);
    return { entry: toEntry(parsed.entry, name), endpoints: parsed.endpoints, database: parsed.database };
  }
  const entry = toEntry(value, name);
  const options = entry.kind === 'owned' ? (entry.options as Record<string, unknown>) : {};
  const database = typeof options.database === 'number' ? options.database : 0;
  return { entry, endpoints: entry.label.includes(':') ? [entry.label.toLowerCase().replace(/^localhost:/, '127.0.0.1:')] : [entry.label], database };
}

function toEntry(value: unknown, name: string): MemberEntry {
  try {
    return memberEntry(value, name);
  } catch (error) {
    throw new CliError((error as Error).message);
  }
}

export function resolveMembers(sources: Sources): { members: ConfiguredMember[]; prefix: string } {
  const file = sources.config === undefined ? undefined : readConfig(sources.config);
  if (sources.members?.length && file?.members) throw new CliError('give members either with --member or in the --config file, not both');
  let members: ConfiguredMember[];
  if (sources.members?.length) members = sources.members.map((url, i) => configuredMember(url, `--member #${i + 1}`));
  else if (file?.members) members = file.members.map((value, i) => configuredMember(value, `${sources.config}: members[${i}]`));
  else if (sources.env.REDIS_URLS?.trim()) members = splitUrlList(sources.env.REDIS_URLS).map((url, i) => configuredMember(url, `REDIS_URLS #${i + 1}`));
  else throw new CliError('no members: give --member URL (repeatable), --config FILE, or set REDIS_URLS');
  const prefix = sources.prefix ?? file?.prefix ?? DEFAULT_PREFIX;
  if (prefix === '') throw new CliError('--prefix must not be empty (it would match every key)');
  return { members, prefix };
}

interface ConfigFile {
  members?: unknown[];
  prefix?: string;
}

function readConfig(path: string): ConfigFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new CliError(`--config ${path}: cannot read it (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new CliError(`--config ${path}: not valid JSON (${(error as Error).message.split('\n')[0]})`);
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) throw new CliError(`--config ${path}: must be a JSON object { "members": [...], "prefix": "..." }`);
  const raw = json as Record<string, unknown>;
  for (const key of Object.keys(raw)) {
    if (key !== 'members' && key !== 'prefix') throw new CliError(`--config ${path}: unknown key ${JSON.stringify(key)} (it takes "members" and "prefix")`);
  }
  if (raw.members !== undefined && (!Array.isArray(raw.members) || raw.members.length === 0)) {
    throw new CliError(`--config ${path}: "members" must be a non-empty array of URLs or clients entries, got ${describe(raw.members)}`);
  }
  if (raw.prefix !== undefined && typeof raw.prefix !== 'string') throw new CliError(`--config ${path}: "prefix" must be a string, got ${describe(raw.prefix)}`);
  return raw as ConfigFile;
}
