// Repair: write a session back to members that lack it. Only where the key is absent (SET NX),
// so a repair can never overwrite newer data or a tombstone, and with the remaining TTL the
// source member reports, so a repaired copy expires when the original does.
import type { Member } from './member.js';

/**
 * Keeps repairs from undoing clear(). A read (or touch) takes a ticket when it starts; its repair
 * is sent only if no clear() ran at any moment since: none started and none is still running.
 * The ticket is checked synchronously right before the SET is handed to the member's client, so
 * a repair that passes is queued on that connection before any SCAN of a clear() called later;
 * SCAN returns every key present for its whole walk, so that clear() deletes it. A clear counts
 * as running until every member's part has settled, not only the quorum.
 * Within one store: repairs by other processes are not fenced.
 */
export class ClearFence {
  /** Changes when a clear() starts and when one ends. */
  #epoch = 0;
  #running = 0;

  begin(): void {
    this.#epoch++;
    this.#running++;
  }

  end(): void {
    this.#epoch++;
    this.#running--;
  }

  /** A check that holds while no clear() has run since this call. */
  ticket(): () => boolean {
    const epoch = this.#epoch;
    return () => this.#running === 0 && this.#epoch === epoch;
  }
}

/** @param allowed checked right before the SETs are sent (see ClearFence) */
export async function repairFrom(source: Member, targets: readonly Member[], key: string, stored: Buffer | string, allowed: () => boolean): Promise<void> {
  const pttl = await source.call(['PTTL', key], false);
  if (!pttl.ok) return;
  const ms = Number(pttl.reply);
  if (ms === -2 || ms === 0) return; // gone (or going) on the source meanwhile
  await writeIfAbsent(targets, key, stored, ms > 0 ? ms : null, allowed);
}

/** SET NX on each target; `ttlMs` null: no expiry. Failures are counted by the member. Nothing is
 * sent unless `allowed()` holds when the SETs go out. */
export async function writeIfAbsent(targets: readonly Member[], key: string, stored: string | Buffer, ttlMs: number | null, allowed: () => boolean): Promise<void> {
  if (!allowed()) return;
  const args = ttlMs === null ? ['SET', key, stored, 'NX'] : ['SET', key, stored, 'PX', String(ttlMs), 'NX'];
  await Promise.all(
    targets.map(async target => {
      const outcome = await target.call(args, false);
      if (outcome.ok && outcome.reply !== null) target.countRepair();
    }),
  );
}
