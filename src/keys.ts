// Keys: the key of session `sid` is `prefix + sid`; SCAN matches only keys under the prefix.

/** A SCAN MATCH pattern for every key that starts with `prefix`, glob characters escaped. */
export function scanPattern(prefix: string): string {
  return prefix.replace(/[*?[\]\\]/g, '\\$&') + '*';
}
