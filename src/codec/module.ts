// A `{ module }` serializer: a file exporting `stringify` and `parse` (named, or on a default
// export). Loaded once per thread, in the workers or, with offload 'never', on the main thread.
import { Format, FLAG_MODULE_BINARY, HEADER_SIZE, readHeader } from './envelope.js';
import { enveloped } from './pack.js';
import type { Version } from './version.js';

export interface ModuleSerializer {
  stringify(session: unknown): string | Uint8Array;
  parse(data: string | Buffer): unknown;
}

const loaded = new Map<string, Promise<ModuleSerializer>>();

export function loadSerializerModule(href: string): Promise<ModuleSerializer> {
  let entry = loaded.get(href);
  if (!entry) {
    entry = import(href).then((ns: Record<string, unknown>) => {
      // A CommonJS module's named exports are guessed by a lexer that may see only some of them
      // (`module.exports = { stringify: function () {…}, parse: … }` yields `stringify` alone), so
      // the namespace counts only when it has both; else its default (`module.exports`) is used.
      const source = [ns, ns.default].find(isSerializer);
      if (!source) throw new TypeError(`serializer module ${href} must export stringify and parse functions`);
      return { stringify: source.stringify.bind(source), parse: source.parse.bind(source) };
    });
    entry.catch(() => loaded.delete(href)); // a later call may retry (the file may be fixed)
    loaded.set(href, entry);
  }
  return entry;
}

function isSerializer(value: unknown): value is ModuleSerializer {
  if (value === null || (typeof value !== 'object' && typeof value !== 'function')) return false;
  const candidate = value as Partial<ModuleSerializer>;
  return typeof candidate.stringify === 'function' && typeof candidate.parse === 'function';
}

/** What the module's stringify returned, as bytes, and whether parse should get them as text. */
export function moduleOutput(href: string, out: unknown): { bytes: Uint8Array; text: boolean } {
  if (typeof out === 'string') return { bytes: Buffer.from(out), text: true };
  if (out instanceof Uint8Array) return { bytes: out, text: false };
  throw new TypeError(`serializer module ${href}: stringify must return a string or a Uint8Array, got ${out === null ? 'null' : typeof out}`);
}

export async function packModule(href: string, tree: unknown, version: Version): Promise<Buffer> {
  const serializer = await loadSerializerModule(href);
  const { bytes, text } = moduleOutput(href, serializer.stringify(tree));
  return enveloped(Format.module, text ? 0 : FLAG_MODULE_BINARY, version, bytes);
}

/** A stored module-format value (envelope included) → what the module's parse returns. */
export async function unpackModule(href: string, stored: Uint8Array): Promise<unknown> {
  const serializer = await loadSerializerModule(href);
  const { flags } = readHeader(stored);
  const payload = Buffer.from(stored.buffer, stored.byteOffset + HEADER_SIZE, stored.byteLength - HEADER_SIZE);
  return serializer.parse((flags & FLAG_MODULE_BINARY) !== 0 ? payload : payload.toString('utf8'));
}
