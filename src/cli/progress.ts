// sync's progress on stderr: on a terminal one line redrawn in place (carriage return), a bar
// with the share of keys dealt with, keys copied, the rate and the time left; elsewhere (a log, a
// pipe) a plain line every few seconds. Both end with a line at 100%.
import { count } from './table.js';

export interface Counts {
  /** Keys dealt with: copied, found on the target, expired, or left to another source's page. */
  done: number;
  /** Keys written to the target (or, in a dry run, that would be). */
  copied: number;
}

const REDRAW_MS = 100;
const BAR_WIDTH = 24;

export class Progress {
  readonly #out: NodeJS.WriteStream;
  readonly #tty: boolean;
  readonly #total: number;
  readonly #verb: string;
  readonly #started = performance.now();
  readonly #intervalMs: number;
  #last = 0;
  #timer: NodeJS.Timeout | undefined;
  #finished = false;
  #counts: Counts = { done: 0, copied: 0 };

  /** `total`: keys under the prefix on the sources, counted before the walk (0 when unknown). */
  constructor(out: NodeJS.WriteStream, total: number, verb: string, plainIntervalMs = 2000) {
    this.#out = out;
    this.#tty = Boolean(out.isTTY);
    this.#total = total;
    this.#verb = verb;
    this.#intervalMs = this.#tty ? REDRAW_MS : plainIntervalMs;
    this.#timer = setInterval(() => this.#draw(false), this.#intervalMs);
    this.#timer.unref();
    if (this.#tty) this.#draw(false);
  }

  update(counts: Counts): void {
    this.#counts = counts;
    if (this.#tty && performance.now() - this.#last >= REDRAW_MS) this.#draw(false);
  }

  /** The last line: at 100% when the walk completed. Only the first call draws it. */
  finish(completed: boolean): void {
    if (this.#finished) return;
    this.#finished = true;
    clearInterval(this.#timer);
    this.#draw(completed);
    if (this.#tty) this.#out.write('\n');
  }

  #draw(done: boolean): void {
    this.#last = performance.now();
    const { done: dealt, copied } = this.#counts;
    const seconds = (this.#last - this.#started) / 1000;
    const rate = seconds > 0 ? dealt / seconds : 0;
    const total = Math.max(this.#total, dealt);
    const share = done ? 1 : total === 0 ? 0 : Math.min(dealt / total, 0.99);
    const pct = `${Math.floor(share * 100)}%`.padStart(4);
    const eta = done || rate === 0 ? '' : `  ETA ${formatSeconds((total - dealt) / rate)}`;
    const text = `${count(dealt)}/${count(total)} keys  ${count(copied)} ${this.#verb}  ${count(Math.round(rate))} keys/s${eta}`;
    if (this.#tty) {
      const filled = Math.round(share * BAR_WIDTH);
      this.#out.write(`\r[${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}] ${pct}  ${text}\x1b[K`);
    } else {
      this.#out.write(`sync: ${pct.trim()}  ${text}\n`);
    }
  }
}

function formatSeconds(s: number): string {
  if (!Number.isFinite(s)) return '?';
  if (s < 60) return `${Math.ceil(s)}s`;
  return `${Math.floor(s / 60)}m${String(Math.ceil(s % 60)).padStart(2, '0')}s`;
}
