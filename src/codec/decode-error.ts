// A DecodeError as the store reports it: the codec's message (format and byte length, never
// content) under the name of the member that held the value, with that member's client attached.
import { DecodeError, SessionTooLargeError, withClient } from '../errors.js';

export function memberDecodeError(error: unknown, member: { readonly label: string; readonly client: unknown }): DecodeError & { client: unknown } {
  const what = error instanceof DecodeError ? error.message : 'stored value could not be decoded';
  return withClient(new DecodeError(`member ${member.label}: ${what}`), member.client);
}

/** A stored value over maxSize on `member`, as the store reports it: not read, with a hash of the
 * session id, the member's label and its client. */
export function memberTooLarge(sid: string, size: number, limit: number, member: { readonly label: string; readonly client: unknown }): SessionTooLargeError & { client: unknown } {
  return withClient(new SessionTooLargeError(sid, size, limit, member.label), member.client);
}
