// Repair: write a session back to members that lack it. Only where the key is absent (SET NX),
// so a repair can never overwrite newer data or a tombstone, and with the remaining TTL the
// source member reports, so a repaired copy expires when the original does.
import type { Member } from './member.js';

export async function repairFrom(source: Member, targets: readonly Member[], key: string, stored: Buffer | string): Promise<void> {
  const pttl = await source.call(['PTTL', key], false);
  if (!pttl.ok) return;
  const ms = Number(pttl.reply);
  if (ms === -2 || ms === 0) return; // gone (or going) on the source meanwhile
  await writeIfAbsent(targets, key, stored, ms > 0 ? ms : null);
}

/** SET NX on each target; `ttlMs` null: no expiry. Failures are counted by the member. */
export async function writeIfAbsent(targets: readonly Member[], key: string, stored: string | Buffer, ttlMs: number | null): Promise<void> {
  const args = ttlMs === null ? ['SET', key, stored, 'NX'] : ['SET', key, stored, 'PX', String(ttlMs), 'NX'];
  await Promise.all(
    targets.map(async target => {
      const outcome = await target.call(args, false);
      if (outcome.ok && outcome.reply !== null) target.countRepair();
    }),
  );
}
