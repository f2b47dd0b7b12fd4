// Member URLs → `clients` entries, and lists of them (REDIS_URLS).
//
//   redis://[user:pass@]host[:port][/db]        rediss:// for TLS     one server
//   redis+cluster://[user:pass@]host:port[,host:port…]               a Redis Cluster (its seed nodes)
//   redis+sentinel://[user:pass@]host:port[,host:port…]/MASTERNAME   a primary followed through Sentinel
//
// Every error names the problem and shows the URL with its credentials masked.
import { maskCredentials } from '../describe.js';
import { CliError } from './fail.js';

export type UrlEntry =
  | { readonly url: string }
  | { readonly cluster: { rootNodes: { url: string }[]; defaults?: { username?: string; password?: string; socket?: { tls: true } } } }
  | {
      readonly sentinel: {
        name: string;
        sentinelRootNodes: { host: string; port: number }[];
        nodeClientOptions?: { username?: string; password?: string };
      };
    };

export interface ParsedUrl {
  readonly entry: UrlEntry;
  /** `host:port` of every node the URL names (lower-case host), to tell two members apart. */
  readonly endpoints: readonly string[];
  /** The database index (standalone members only; 0 otherwise). */
  readonly database: number;
}

/** The URL as it may be printed: credentials masked. */
export function shownUrl(url: string): string {
  return maskCredentials(url);
}

function bad(url: string, why: string): never {
  throw new CliError(`member URL ${JSON.stringify(shownUrl(url))}: ${why}`);
}

/** A `host[:port]` list item; `defaultPort` when the port is left out. */
function hostPort(url: string, item: string, defaultPort: number | undefined): { host: string; port: number } {
  const m = /^(\[[0-9a-f:.]+\]|[^:[\]/@,\s]+)(?::(\d*))?$/i.exec(item);
  if (!m) bad(url, `${JSON.stringify(item)} is not host:port`);
  const host = m[1]!.replace(/^\[|\]$/g, '');
  if (m[2] === undefined || m[2] === '') {
    if (defaultPort === undefined) bad(url, `${JSON.stringify(item)} has no port`);
    return { host, port: defaultPort };
  }
  const port = Number(m[2]);
  if (!Number.isInteger(port) || port < 1 || port > 65535) bad(url, `port ${m[2]} is not 1–65535`);
  return { host, port };
}

function decode(url: string, part: string, what: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return bad(url, `its ${what} is not valid percent-encoding`);
  }
}

function endpoint(host: string, port: number): string {
  const h = host.toLowerCase();
  return `${h === 'localhost' ? '127.0.0.1' : h}:${port}`;
}

/** One member URL → its clients entry. Throws CliError with a one-line reason. */
export function parseMemberUrl(url: string): ParsedUrl {
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(url)?.[1]?.toLowerCase();
  if (scheme === undefined) bad(url, 'not a URL (expected redis://, rediss://, redis+cluster:// or redis+sentinel://)');
  if (scheme === 'redis' || scheme === 'rediss') return standalone(url);
  if (scheme === 'redis+cluster' || scheme === 'rediss+cluster') return cluster(url, scheme === 'rediss+cluster');
  if (scheme === 'redis+sentinel') return sentinel(url);
  return bad(url, `unknown scheme ${scheme}:// (expected redis://, rediss://, redis+cluster:// or redis+sentinel://)`);
}

function standalone(url: string): ParsedUrl {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return bad(url, 'does not parse as a URL (check the port; percent-encode / # @ and spaces in a password)');
  }
  if (parsed.hostname === '') bad(url, 'has no host');
  if (parsed.search !== '' || parsed.hash !== '') bad(url, 'has a query or fragment, which members do not take');
  const path = parsed.pathname.replace(/^\//, '');
  if (path !== '' && !/^\d+$/.test(path)) bad(url, `path /${path} is not a database number`);
  const database = path === '' ? 0 : Number(path);
  if (parsed.password !== '') decode(url, parsed.password, 'password');
  if (parsed.username !== '') decode(url, parsed.username, 'user name');
  const port = parsed.port === '' ? 6379 : Number(parsed.port);
  if (port < 1) bad(url, `port ${parsed.port} is not 1–65535`);
  return { entry: { url }, endpoints: [endpoint(parsed.hostname.replace(/^\[|\]$/g, ''), port)], database };
}

/** `scheme://[user[:pass]@]rest`: the credentials (decoded) and the rest. */
function splitCredentials(url: string): { username?: string; password?: string; rest: string } {
  const body = url.slice(url.indexOf('://') + 3);
  const at = body.lastIndexOf('@');
  if (at < 0) return { rest: body };
  const userinfo = body.slice(0, at);
  const colon = userinfo.indexOf(':');
  const username = decode(url, colon < 0 ? userinfo : userinfo.slice(0, colon), 'user name');
  const password = colon < 0 ? undefined : decode(url, userinfo.slice(colon + 1), 'password');
  return { ...(username === '' ? {} : { username }), ...(password === undefined || password === '' ? {} : { password }), rest: body.slice(at + 1) };
}

function hostList(url: string, text: string, defaultPort: number | undefined): { host: string; port: number }[] {
  if (text === '') bad(url, 'names no host');
  return text.split(',').map(item => hostPort(url, item.trim(), defaultPort));
}

function cluster(url: string, tls: boolean): ParsedUrl {
  const { username, password, rest } = splitCredentials(url);
  if (/[/?#]/.test(rest.replace(/\/$/, ''))) bad(url, 'a cluster URL is host:port[,host:port…] with no path, query or database');
  const nodes = hostList(url, rest.replace(/\/$/, ''), 6379);
  const defaults = { ...(username ? { username } : {}), ...(password ? { password } : {}), ...(tls ? { socket: { tls: true as const } } : {}) };
  const scheme = tls ? 'rediss' : 'redis';
  return {
    entry: {
      cluster: {
        rootNodes: nodes.map(n => ({ url: `${scheme}://${n.host.includes(':') ? `[${n.host}]` : n.host}:${n.port}` })),
        ...(Object.keys(defaults).length > 0 ? { defaults } : {}),
      },
    },
    endpoints: nodes.map(n => endpoint(n.host, n.port)),
    database: 0,
  };
}

function sentinel(url: string): ParsedUrl {
  const { username, password, rest } = splitCredentials(url);
  const slash = rest.indexOf('/');
  if (slash < 0) bad(url, 'names no master: redis+sentinel://host:port[,host:port…]/MASTERNAME');
  const name = decode(url, rest.slice(slash + 1), 'master name');
  if (name === '' || /[/?#]/.test(name)) bad(url, 'the part after the hosts must be the master name alone');
  const nodes = hostList(url, rest.slice(0, slash), 26379);
  const credentials = { ...(username ? { username } : {}), ...(password ? { password } : {}) };
  return {
    entry: {
      sentinel: { name, sentinelRootNodes: nodes, ...(Object.keys(credentials).length > 0 ? { nodeClientOptions: credentials } : {}) },
    },
    // The sentinels, not the data nodes; the master's identity is checked once connected.
    endpoints: nodes.map(n => `sentinel:${endpoint(n.host, n.port)}/${name}`),
    database: 0,
  };
}

/**
 * REDIS_URLS: URLs separated by whitespace, `;` or `,`. A comma followed by something that is
 * not a new URL (no `scheme://`) continues the previous URL's host list, so
 * `redis+cluster://a:1,b:2,redis://c:3` is a cluster of two seed nodes and one server.
 */
export function splitUrlList(text: string): string[] {
  const out: string[] = [];
  for (const token of text.split(/[\s;]+/).filter(Boolean)) {
    for (const part of token.split(',')) {
      if (part === '') continue;
      if (/^[a-z][a-z0-9+.-]*:\/\//i.test(part) || out.length === 0) out.push(part);
      else out[out.length - 1] += ',' + part;
    }
  }
  return out;
}
