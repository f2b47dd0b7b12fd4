// A DecodeError as the store reports it: the codec's message (format and byte length, never
// content) under the name of the member that held the value, with that member's client attached.
import { DecodeError, withClient } from '../errors.js';

export function memberDecodeError(error: unknown, member: { readonly label: string; readonly client: unknown }): DecodeError & { client: unknown } {
  const what = error instanceof DecodeError ? error.message : 'stored value could not be decoded';
  return withClient(new DecodeError(`member ${member.label}: ${what}`), member.client);
}
