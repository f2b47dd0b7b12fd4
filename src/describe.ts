// One wording for every option error: "`name` must be <expected>, got <value> (<type>)".

export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (typeof value === 'string') {
    const shown = maskCredentials(value);
    return `${JSON.stringify(shown.length > 40 ? shown.slice(0, 40) + '…' : shown)} (string)`;
  }
  if (typeof value === 'function') return 'a function';
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (typeof value === 'object') return `an object with keys [${Object.keys(value).slice(0, 8).join(', ')}]`;
  return `${String(value)} (${typeof value})`;
}

export function fail(name: string, expected: string, value: unknown): never {
  throw new TypeError(`${name} must be ${expected}, got ${describe(value)}`);
}

/** `redis://user:secret@host` → `redis://***@host`: option errors quote what they refuse, and a
 * member URL that fails to parse may still hold a password. */
export function maskCredentials(text: string): string {
  // Up to the last '@': an unencoded '/', '#' or '@' in a password makes the URL unparsable, and
  // would end a narrower match inside the secret.
  return text.replace(/^([a-z][a-z0-9+.-]*:\/\/)?.*@/is, '$1***@');
}

/** The kind of a bad argument, never its content (a sid is a credential). */
export function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return `a ${Object.prototype.toString.call(value).slice(8, -1)}`;
  if (typeof value === 'string') return value.length === 0 ? 'an empty string' : 'a string';
  return typeof value;
}
