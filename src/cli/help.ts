// The help texts: `expredis --help` and `expredis <command> --help`.

export type Command = 'status' | 'diff' | 'sync';

const MEMBERS = `Members (one of):
  --member URL        a member; repeat it for each. URL forms:
                        redis://[user:pass@]host[:port][/db]   (rediss:// for TLS)
                        redis+cluster://[user:pass@]host:port[,host:port...]
                        redis+sentinel://[user:pass@]host:port[,host:port...]/MASTERNAME
  --config FILE       a JSON file: { "members": [URL or clients entry, ...], "prefix": "..." }
  REDIS_URLS          environment: URLs separated by spaces, ';' or ','
                      (a ',' before a bare host:port continues a cluster or sentinel URL)

Common options:
  --prefix P          the store's key prefix (default "session")
  --timeout MS        bound on every Redis command and connection (default 2000)
  -h, --help          this help`;

export const HELP: Record<Command, string> = {
  status: `Usage: expredis status [--json] [options]

Each member: reachable or not, PING latency, sessions and tombstones under the
prefix, memory used, and for a cluster any slot range no node serves.

  --json              print JSON instead of a table
  --count N           SCAN COUNT while counting keys (default 500)

Exit status: 0 every member reachable, 1 some member down (or a cluster with
uncovered slots), 2 bad arguments.

${MEMBERS}`,
  diff: `Usage: expredis diff [--json] [--sample N] [options]

Compares the members key by key: the sessions (and tombstones) missing on some
members, and those whose stored bytes differ, with counts and a sample of
hashed ids (sid#xxxxxxxx: the first 8 hex digits of the id's SHA-256).

  --json              print JSON instead of a table
  --sample N          hashed ids shown per finding (default 5)
  --count N           SCAN COUNT (default 500)

Exit status: 0 the members agree, 1 they differ, 2 bad arguments or a member
unreachable.

${MEMBERS}`,
  sync: `Usage: expredis sync --to URL [--dry-run] [--rate N] [options]

Copies every key under the prefix that the target lacks (sessions and
tombstones) from a member that holds it, with its remaining TTL. Never
overwrites: a key the target has (data or tombstone) is left as it is, so it
is safe to interrupt (Ctrl-C) and run again. The members are the sources; the
target must not be one of them.

  --to URL            the member to fill (a URL in one of the forms below)
  --dry-run           count what would be copied; write nothing
  --rate N            at most N keys copied per second (default: unlimited)
  --json              print the summary as JSON
  --count N           SCAN COUNT (default 500)

Progress goes to stderr: a bar when stderr is a terminal, else a line every
2 seconds.

Exit status: 0 done, 2 bad arguments, a member unreachable or a failure,
130 interrupted.

${MEMBERS}`,
};

export const MAIN_HELP = `Usage: expredis <command> [options]

Commands:
  status              each member's reachability, latency, sessions and memory
  diff                sessions missing on some members, or stored differently
  sync --to URL       copy the sessions a member lacks onto it

Run expredis <command> --help for its options.

${MEMBERS}
  --version           print the version`;
