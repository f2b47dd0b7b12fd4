// sync refuses a target that is also one of its sources: by the addresses the URLs name, before
// connecting, and by the identity of the servers (INFO run_id) once connected, which also sees
// through two names for one server.
import type { Member } from '../members/member.js';
import type { ConfiguredMember } from './config.js';
import { CliError } from './fail.js';

function refuse(target: string, source: string): never {
  throw new CliError(`the target ${target} is also a source (${source}): sync copies from the members onto a target that is not one of them; name the sources with --member, leaving out the target`);
}

/** By address and database, before connecting. */
export function checkAddresses(target: ConfiguredMember, sources: readonly ConfiguredMember[]): void {
  const mine = new Set(target.endpoints);
  for (const source of sources) {
    if (source.database === target.database && source.endpoints.some(e => mine.has(e))) refuse(target.entry.label, source.entry.label);
  }
}

async function runIds(member: Member): Promise<Set<string>> {
  const ids = new Set<string>();
  for (const { outcome } of await member.eachNode(['INFO', 'server'])) {
    const id = outcome.ok ? /^run_id:(\w+)/m.exec(String(outcome.reply))?.[1] : undefined;
    if (id) ids.add(id);
  }
  return ids;
}

/** By server identity and database, once connected. */
export async function checkIdentity(target: { member: Member; configured: ConfiguredMember }, sources: readonly { member: Member; configured: ConfiguredMember }[]): Promise<void> {
  const [mine, ...theirs] = await Promise.all([target, ...sources].map(o => runIds(o.member)));
  sources.forEach((source, i) => {
    if (source.configured.database !== target.configured.database) return;
    if ([...theirs[i]!].some(id => mine!.has(id))) refuse(target.member.label, source.member.label);
  });
}
