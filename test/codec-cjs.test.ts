// Issue 9, defect 12: a CommonJS `{ module }` serializer (module.exports = { stringify, parse },
// function-expression values, exports.x = …) loads, on the main thread and in the workers.
import test from 'ava';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { asSession, jsonRoundTrip, openCodecStore } from './helpers/codec-util.js';
import { fileServers } from './helpers/file-servers.js';
import { sessionWith } from './helpers/store.js';

const servers = fileServers(1);
const dir = mkdtempSync(join(tmpdir(), 'expredis-cjs-'));
test.after.always(() => rmSync(dir, { recursive: true, force: true }));

const MODULES: Record<string, string> = {
  'module.exports = { stringify, parse }': `function stringify(s) { return JSON.stringify(s); }
function parse(t) { return JSON.parse(t); }
module.exports = { stringify, parse };`,
  'module.exports with function-expression values': `module.exports = {
  stringify: function (s) { return JSON.stringify(s); },
  parse: (t) => JSON.parse(t),
};`,
  'module.exports with a method and a built-in': `module.exports = { stringify(s) { return JSON.stringify(s); }, parse: JSON.parse };`,
  'exports.stringify = … and exports.parse = …': `exports.stringify = function (s) { return JSON.stringify(s); };
exports.parse = function (t) { return JSON.parse(t); };`,
};

Object.entries(MODULES).forEach(([name, source], i) => {
  const path = join(dir, `serializer-${i}.cjs`);
  writeFileSync(path, source);
  for (const offload of ['always', 'never'] as const) {
    test(`a .cjs serializer written as ${name} stores and reads sessions with offload '${offload}'`, async t => {
      const store = await openCodecStore(t, servers, { serializer: { module: path }, offload });
      const session = sessionWith({ user: 'ada', at: new Date(0), list: [1, 'two', null] });
      await store.set('cjs', asSession(session));
      t.deepEqual(await store.get('cjs'), jsonRoundTrip(session));
    });
  }
});
