// The hedged read's cached ranking and shared timer (src/members/hedge.ts), on stand-in members:
// what is tested is the choice and the timing, not Redis (the hedged-reads and fault-hedged tests
// do that on real servers).
import test from 'ava';
import { HedgeClock, HedgePlan, type Hedgeable } from '../src/members/hedge.js';
import type { Member } from '../src/members/member.js';
import { sleep } from './helpers/store.js';

class FakeMember {
  usable = true;
  typicalMs = 0.2;
  slowMs: number | undefined = 0.5;
  latencyVersion = 1;
  silent = 0;
  silentMs(): number {
    return this.silent;
  }
}

function plan(n: number, count = 1) {
  const fakes = Array.from({ length: n }, () => new FakeMember());
  return { fakes, plan: new HedgePlan(fakes as unknown as Member[], count, 1000) };
}

test('a member whose median grew stops being asked first once its quantiles are recomputed', t => {
  const { fakes, plan: p } = plan(2);
  fakes[1]!.typicalMs = 0.3;
  t.deepEqual(p.first(0), [0]);
  fakes[0]!.typicalMs = 5;
  fakes[0]!.latencyVersion++;
  t.deepEqual(p.first(0), [1]);
  t.is(p.delay, 2, 'the p95 of 0.5 ms is raised to the 2 ms minimum');
});

test('a member that is not usable or silent past its hedge delay is passed over without waiting for new quantiles', t => {
  const { fakes, plan: p } = plan(3, 2);
  t.deepEqual(p.first(0), [0, 1]);
  fakes[0]!.usable = false;
  t.deepEqual(p.first(0), [1, 2]);
  fakes[1]!.silent = 10;
  t.deepEqual(p.first(0), [2, 1], 'the silent one still before the unusable one');
  fakes[0]!.usable = true;
  fakes[1]!.silent = 0;
  t.deepEqual(p.first(0), [0, 1]);
});

function read(hedgeAt: number): Hedgeable & { hedged: number; ended: boolean } {
  return {
    hedgeAt,
    hedged: 0,
    ended: false,
    get waiting() {
      return !this.ended && this.hedged === 0;
    },
    hedge() {
      this.hedged++;
    },
  };
}

test('the shared clock hedges each read that is still waiting at its deadline, once, and none that ended', async t => {
  const clock = new HedgeClock();
  const now = performance.now();
  const early = read(now + 5);
  const ended = read(now + 5);
  const late = read(now + 40);
  for (const r of [late, early, ended]) clock.add(r, now);
  ended.ended = true;
  await sleep(20);
  t.is(early.hedged, 1);
  t.is(ended.hedged, 0);
  t.is(late.hedged, 0, 'not before its deadline');
  await sleep(50);
  t.is(late.hedged, 1);
  t.is(early.hedged, 1);
  clock.close();
});

test('a closed clock hedges nothing', async t => {
  const clock = new HedgeClock();
  const r = read(performance.now() + 5);
  clock.add(r, performance.now());
  clock.close();
  await sleep(20);
  t.is(r.hedged, 0);
});
