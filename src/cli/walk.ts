// The walk diff and sync share: every member's keys under the prefix, one SCAN page at a time,
// each page probed on every member (and on `extra` members, such as sync's target, which are not
// walked). A key is decided on the page of the first member (in order) that holds it, so a key on
// several members counts once; memory stays a few pages' worth, however many keys there are.
import { ScanFailure, settlePages } from '../members/fan-out.js';
import type { Member } from '../members/member.js';
import { scanPattern } from '../keys.js';
import { CliError } from './fail.js';
import { oneLine } from './open.js';
import { probe, type Held } from './probe.js';

export interface Page {
  /** Index of the walked member whose SCAN page this is. */
  readonly owner: number;
  /** The keys decided on this page: held by the owner and by no member before it. */
  readonly keys: readonly string[];
  /** held[j][k]: what member j holds at keys[k]; the walked members first, then the extras. */
  readonly held: readonly (readonly Held[])[];
  /** Keys on the SCAN page, decided here or not. */
  readonly scanned: number;
}

export interface WalkOptions {
  readonly prefix: string;
  /** SCAN COUNT. */
  readonly count: number;
  /** Ask for a SHA-1 of every value (diff compares bytes; sync does not need it). */
  readonly digest: boolean;
  /** Pages of one member settled at once. */
  readonly pagesInFlight: number;
  /** Checked before each SCAN: true stops the walk early (an interrupt). */
  readonly stopped?: () => boolean;
}

/** Walks `members`; `visit` gets each page once its probes are in, and is awaited. */
export async function walk(members: readonly Member[], extra: readonly Member[], options: WalkOptions, visit: (page: Page) => Promise<void> | void): Promise<void> {
  const everyone = [...members, ...extra];
  let failure: { error: unknown } | undefined;
  const fail = (error: unknown) => void (failure ??= { error });
  const stop = () => failure !== undefined || (options.stopped?.() ?? false);

  await settlePages(members, {
    pattern: scanPattern(options.prefix),
    count: options.count,
    inFlight: options.pagesInFlight,
    stopped: stop,
    failed: fail,
    settle: async (owner, page) => {
      const held = await Promise.all(everyone.map(m => probe(m, page, options.digest)));
      if (failure) return;
      const decided: number[] = [];
      page.forEach((_, k) => {
        if (!held[owner]![k]!.present) return; // gone meanwhile, or not a string
        for (let j = 0; j < owner; j++) if (held[j]![k]!.present) return; // an earlier member's page decides it
        decided.push(k);
      });
      await visit({ owner, keys: decided.map(k => page[k]!), held: held.map(h => decided.map(k => h[k]!)), scanned: page.length });
    },
  });
  if (failure) throw asCliError(failure.error);
}

/** A member that stopped answering mid-walk ends the command with one line naming it. */
export function asCliError(error: unknown): unknown {
  if (error instanceof ScanFailure) return new CliError(`member ${error.member.label} stopped answering: ${oneLine((error.cause as Error).message)}`);
  return error;
}
