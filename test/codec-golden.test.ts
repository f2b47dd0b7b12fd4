// Issue 9: the stored bytes of json, msgpack, module and tombstone values written by this
// version (test/fixtures/golden, made by its generate.ts) must read, in every configuration and
// in every later version, as the expected session (the tombstone as absent). Never regenerate
// the fixtures to make this pass.
import test from 'ava';
import { readFileSync } from 'node:fs';
import type { ExpredisOptions } from '../src/index.js';
import { moduleSerializer, openCodecStore } from './helpers/codec-util.js';
import { fileServers } from './helpers/file-servers.js';
import { directClient, uniquePrefix } from './helpers/store.js';

const servers = fileServers(2);
const DIR = new URL('../../test/fixtures/golden/', import.meta.url);
const fixture = (name: string) => readFileSync(new URL(name, DIR));
const EXPECTED = JSON.parse(fixture('expected.json').toString('utf8')) as Record<string, unknown>;

const SERIALIZERS: Record<string, () => ExpredisOptions['serializer']> = {
  json: () => 'json',
  msgpack: () => 'msgpack',
  module: () => moduleSerializer('codec-json-module'),
};

for (const [name, serializer] of Object.entries(SERIALIZERS)) {
  for (const offload of ['never', 'always', 'auto'] as const) {
    // A module's stored value needs that module to read it; the other formats are read by every configuration.
    const files = name === 'module' ? ['json', 'msgpack', 'module'] : ['json', 'msgpack'];
    test(`a store with serializer ${name} and offload '${offload}' reads the golden ${files.join(', ')} values as the expected session and the golden tombstone as absent`, async t => {
      const prefix = uniquePrefix(t);
      const store = await openCodecStore(t, servers, { serializer: serializer(), offload, prefix });
      const errors: Error[] = [];
      store.on('error', (error: Error) => errors.push(error));
      const clients = await Promise.all(servers.map(s => directClient(t, s)));
      for (const file of [...files, 'tombstone']) {
        const bytes = fixture(`${file}.bin`);
        await Promise.all(clients.map(c => c.set(`${prefix}${file}`, bytes)));
        const back = await store.get(file);
        if (file === 'tombstone') t.is(back, null, 'the tombstone reads as absent');
        else t.deepEqual(back, EXPECTED, `${file}.bin`);
      }
      t.deepEqual(errors, []);
      const proto = (await store.get('msgpack')) as Record<string, unknown>;
      t.true(Object.hasOwn(proto, '__proto__') && Object.getPrototypeOf(proto) === Object.prototype, 'the __proto__ key is an own key');
    });
  }
}
