// `{ cluster }` and `{ sentinel }` entries are validated in the constructor: each mistake is a
// TypeError naming the option path, and no message quotes a credential. A cluster or Sentinel
// client passed in directly is refused with a pointer to the config form.
import test from 'ava';
import { createCluster, createSentinel } from 'redis';
import { RedisStore } from '../src/index.js';

const SECRET = 'hunter2-secret';
const ROOT = { url: 'redis://127.0.0.1:7000' };

const cases: [string, unknown, string][] = [
  ['cluster mixed with other keys', { cluster: { rootNodes: [ROOT] }, port: 6379 }, 'options.clients[1] mixes cluster with other keys (port): options for every node go in cluster.defaults'],
  ['sentinel mixed with other keys', { sentinel: { name: 'm', sentinelRootNodes: [{ host: 'h', port: 1 }] }, password: SECRET }, 'options.clients[1] mixes sentinel with other keys (password): options for the primary and replicas go in sentinel.nodeClientOptions'],
  ['cluster that is not an object', { cluster: true }, 'options.clients[1].cluster must be an object { rootNodes: [{ url } | { socket: { host, port } }, ...], defaults?, useReplicas?, ... }, got true (boolean)'],
  ['no rootNodes', { cluster: {} }, 'options.clients[1].cluster.rootNodes must be a non-empty array of { url } or { socket: { host, port } }, got undefined'],
  ['empty rootNodes', { cluster: { rootNodes: [] } }, 'options.clients[1].cluster.rootNodes must be a non-empty array of { url } or { socket: { host, port } }, got an array of 0'],
  ['a root node that is a string', { cluster: { rootNodes: ['redis://h:1'] } }, 'options.clients[1].cluster.rootNodes[0] must be an object with url (redis://host:port) or socket: { host, port }, got "redis://h:1" (string)'],
  ['a root node with neither url nor socket', { cluster: { rootNodes: [ROOT, { host: 'h' }] } }, 'options.clients[1].cluster.rootNodes[1] must be an object with url (redis://host:port) or socket: { host, port }, got an object with keys [host]'],
  ['a root node with an http url', { cluster: { rootNodes: [{ url: `http://:${SECRET}@h:1` }] } }, 'options.clients[1].cluster.rootNodes[0].url must be a redis:// or rediss:// URL string, got "http://***@h:1" (string)'],
  ['a root node socket without a port', { cluster: { rootNodes: [{ socket: { host: 'h' } }] } }, 'options.clients[1].cluster.rootNodes[0].socket.port must be an integer port 1–65535, got undefined'],
  ['an unknown cluster option', { cluster: { rootNodes: [ROOT], bogus: 1 } }, 'options.clients[1].cluster.bogus is not a createCluster option (accepted: rootNodes, defaults, useReplicas, maxCommandRedirections, topologyRefreshOnReconnectionAttemptStrategy, nodeAddressMap, RESP, modules, functions, scripts)'],
  ['minimizeConnections', { cluster: { rootNodes: [ROOT], minimizeConnections: true } }, 'options.clients[1].cluster.minimizeConnections is not supported: the store keeps a connection to every master to know whether the member is usable'],
  ['a cluster keyPrefix', { cluster: { rootNodes: [ROOT], keyPrefix: 'x' } }, 'options.clients[1].cluster.keyPrefix is not supported: use the store option `prefix` instead: the store owns every key it writes'],
  ['cluster defaults that are not an object', { cluster: { rootNodes: [ROOT], defaults: 'x' } }, 'options.clients[1].cluster.defaults must be an object of options for every node, got "x" (string)'],
  ['useReplicas that is not a boolean', { cluster: { rootNodes: [ROOT], useReplicas: 'yes' } }, 'options.clients[1].cluster.useReplicas must be a boolean, got "yes" (string)'],
  ['a sentinel without a name', { sentinel: { sentinelRootNodes: [{ host: 'h', port: 1 }] } }, 'options.clients[1].sentinel.name must be the non-empty name the Sentinels monitor the primary under, got undefined'],
  ['a sentinel with an empty name', { sentinel: { name: '', sentinelRootNodes: [{ host: 'h', port: 1 }] } }, 'options.clients[1].sentinel.name must be the non-empty name the Sentinels monitor the primary under, got "" (string)'],
  ['no sentinelRootNodes', { sentinel: { name: 'm' } }, 'options.clients[1].sentinel.sentinelRootNodes must be a non-empty array of { host, port }, got undefined'],
  ['a Sentinel node without a host', { sentinel: { name: 'm', sentinelRootNodes: [{ port: 26379 }] } }, 'options.clients[1].sentinel.sentinelRootNodes[0].host must be a host name or address, got undefined'],
  ['a Sentinel node with a bad port', { sentinel: { name: 'm', sentinelRootNodes: [{ host: 'h', port: 26379 }, { host: 'h', port: 0 }] } }, 'options.clients[1].sentinel.sentinelRootNodes[1].port must be an integer port 1–65535, got 0 (number)'],
  ['an unknown sentinel option', { sentinel: { name: 'm', sentinelRootNodes: [{ host: 'h', port: 1 }], url: 'redis://x' } }, 'options.clients[1].sentinel.url is not a createSentinel option (accepted: name, sentinelRootNodes, maxCommandRediscovers, nodeClientOptions, sentinelClientOptions, masterPoolSize, replicaPoolSize, nodeAddressMap, scanInterval, passthroughClientErrorEvents, reserveClient, RESP, modules, functions, scripts)'],
  ['nodeClientOptions that are not an object', { sentinel: { name: 'm', sentinelRootNodes: [{ host: 'h', port: 1 }], nodeClientOptions: 5 } }, 'options.clients[1].sentinel.nodeClientOptions must be an object of node-redis client options, got 5 (number)'],
  ['a client-side cache for the primary', { sentinel: { name: 'm', sentinelRootNodes: [{ host: 'h', port: 1 }], nodeClientOptions: { clientSideCache: {} } } }, 'options.clients[1].sentinel.nodeClientOptions.clientSideCache is not supported: a client-side cache would serve reads the other members never saw'],
];

for (const [what, entry, message] of cases) {
  test(`a clients entry with ${what} is a TypeError naming its path`, t => {
    const error = t.throws(() => new RedisStore({ clients: [{ port: 1 }, entry as never] }), { instanceOf: TypeError });
    t.is(error!.message, message);
    t.false(error!.message.includes(SECRET));
  });
}

test('a cluster root node URL with a password is labelled without it', t => {
  const store = new RedisStore({ clients: [{ cluster: { rootNodes: [{ url: `redis://admin:${SECRET}@127.0.0.1:1` }], defaults: { password: SECRET } } }], unref: true });
  t.teardown(() => store.close());
  const [member] = store.stats().members;
  t.is(member!.label, 'cluster 127.0.0.1:1');
  t.is(member!.kind, 'cluster');
  t.false(JSON.stringify(store.stats()).includes(SECRET));
});

test('a Sentinel member is labelled by its name and first Sentinel', t => {
  const store = new RedisStore({ clients: [{ sentinel: { name: 'mymaster', sentinelRootNodes: [{ host: '127.0.0.1', port: 1 }], nodeClientOptions: { password: SECRET } } }], unref: true });
  t.teardown(() => store.close());
  const [member] = store.stats().members;
  t.is(member!.label, 'sentinel mymaster@127.0.0.1:1');
  t.is(member!.kind, 'sentinel');
});

test('a cluster or Sentinel client passed in directly is refused: the store creates those itself', t => {
  const cluster = createCluster({ rootNodes: [ROOT] });
  const sentinel = createSentinel({ name: 'm', sentinelRootNodes: [{ host: '127.0.0.1', port: 1 }] });
  for (const client of [cluster, sentinel]) {
    const error = t.throws(() => new RedisStore({ clients: [client as never] }), { instanceOf: TypeError });
    t.regex(error!.message, /^options\.clients\[0\] is a node-redis cluster or Sentinel client: pass its options as \{ cluster: \{\.\.\.\} \} or \{ sentinel: \{\.\.\.\} \} instead/);
  }
});
