// Results → the markdown tables (bench/results/<name>.md, docs/performance.md, the console).
// A pure function of the results JSON: `npm run check:bench` regenerates the committed
// markdown from the committed JSON with it and compares.
import type { BenchResults, CodecPoint, CodecCell, PoolFigures } from './results.js';
import { median, pairedRatio, spread, type Stat } from './stats.js';

const BASELINE = 'connect-redis';

export type Verdict = 'PASS' | 'FAIL' | 'MET' | 'MISSED' | 'NOT MEASURED';

export interface TargetCheck {
  id: string;
  label: string;
  kind: 'must' | 'aim';
  measured: number | null;
  unit: '×' | 'µs';
  direction: '<=' | '>=';
  limit: number;
  /** must-hold targets: the further aim, if any */
  aim: number | null;
  verdict: Verdict;
  aimMet: boolean | null;
}

function point(r: BenchResults, id: string): CodecPoint | undefined {
  return r.codec?.points.find(p => p.id === id);
}

export type Figure = 'main' | 'mainCpu' | 'cpu' | 'wall';

export function ratio(p: CodecPoint | undefined, pipeline: string, figure: Figure): number | null {
  return pairedRatio(p?.cells[pipeline]?.[figure], p?.cells[BASELINE]?.[figure]);
}

function e2eRatio(r: BenchResults, caseId: string): number | null {
  const c = r.e2e?.cases.find(x => x.id === caseId);
  return pairedRatio(r.e2e?.apps.find(x => x.id === c?.app)?.rps, r.e2e?.apps.find(x => x.id === c?.baseline)?.rps);
}

function meets(value: number, direction: '<=' | '>=', limit: number): boolean {
  return direction === '<=' ? value <= limit : value >= limit;
}

/** The bench's targets, evaluated on one results file. */
export function evaluateTargets(r: BenchResults): TargetCheck[] {
  const checks: Omit<TargetCheck, 'verdict' | 'aimMet'>[] = [
    {
      id: 'cart-msgpack-main',
      label: 'cart ~170 KB, msgpack (auto): main-thread per set+get',
      kind: 'must',
      measured: ratio(point(r, 'cart'), 'msgpack-auto', 'main'),
      unit: '×',
      direction: '<=',
      limit: 0.6,
      aim: 0.4,
    },
    {
      id: 'small-default-main',
      label: 'small ~1 KB, default config (json auto): main-thread per set+get',
      kind: 'must',
      measured: ratio(point(r, 'small'), 'json-auto', 'main'),
      unit: '×',
      direction: '<=',
      limit: 1.25,
      aim: 1.0,
    },
    {
      id: 'small-default-wall',
      label: 'small ~1 KB, default config (json auto): wall per set+get',
      kind: 'must',
      measured: ratio(point(r, 'small'), 'json-auto', 'wall'),
      unit: '×',
      direction: '<=',
      limit: 1.25,
      aim: null,
    },
    {
      id: 'cart-json-auto-main',
      label: 'cart ~170 KB, json auto: main-thread per set+get',
      kind: 'aim',
      measured: ratio(point(r, 'cart'), 'json-auto', 'main'),
      unit: '×',
      direction: '<=',
      limit: 0.85,
      aim: null,
    },
    {
      id: 'string-300k-json-main',
      label: 'string-heavy 300 KB, json auto: main-thread per set+get',
      kind: 'aim',
      measured: ratio(point(r, 'string-300KB'), 'json-auto', 'main'),
      unit: '×',
      direction: '<=',
      limit: 0.5,
      aim: null,
    },
    {
      id: 'e2e-cart-msgpack-rps',
      label: 'end to end, cart + msgpack: requests/s',
      kind: 'aim',
      measured: e2eRatio(r, 'cart-msgpack'),
      unit: '×',
      direction: '>=',
      limit: 1.2,
      aim: null,
    },
    {
      id: 'e2e-small-rps',
      label: 'end to end, small + default: requests/s',
      kind: 'aim',
      measured: e2eRatio(r, 'small-default'),
      unit: '×',
      direction: '>=',
      limit: 0.95,
      aim: null,
    },
    {
      id: 'pool-p50',
      label: 'worker round trip, warm idle pool (task after 2 ms idle): p50',
      kind: 'aim',
      measured: r.pool?.afterIdle.p50.median ?? null,
      unit: 'µs',
      direction: '<=',
      limit: 50,
      aim: null,
    },
    {
      id: 'pool-p50-b2b',
      label: 'worker round trip, warm pool, tasks back to back: p50',
      kind: 'aim',
      measured: r.pool?.backToBack.p50.median ?? null,
      unit: 'µs',
      direction: '<=',
      limit: 50,
      aim: null,
    },
  ];
  return checks.map(c => {
    if (c.measured === null || !Number.isFinite(c.measured)) return { ...c, measured: null, verdict: 'NOT MEASURED', aimMet: null };
    const ok = meets(c.measured, c.direction, c.limit);
    return {
      ...c,
      verdict: c.kind === 'must' ? (ok ? 'PASS' : 'FAIL') : ok ? 'MET' : 'MISSED',
      aimMet: c.aim === null ? null : meets(c.measured, c.direction, c.aim),
    };
  });
}

export interface AutoCheck {
  point: string;
  serializer: 'json' | 'msgpack';
  never: number;
  always: number;
  auto: number;
  cheaper: 'never' | 'always';
  /** auto / min(never, always) */
  excess: number;
  /** what auto did over the measured runs (codec counters) */
  chose: string;
  /** the path auto took: encodes all inline (= 'never'), all in the pool (= 'always'), or both */
  path: 'never' | 'always' | 'mixed' | 'unknown';
  /** auto ≤ 1.10 × min(never, always) (the timing, noisy on a shared machine) */
  timed: boolean;
  /** the two sides are within 10% of each other: either choice is within 10% of the cheaper */
  tie: boolean;
  /** the criterion: auto picked the cheaper side (or a side within 10% of it) */
  pass: boolean;
}

/** 'auto' picks the cheaper side at every grid point, within 10% of main-thread time. */
export function autoChecks(r: BenchResults): AutoCheck[] {
  const out: AutoCheck[] = [];
  for (const p of r.codec?.points ?? []) {
    for (const serializer of ['json', 'msgpack'] as const) {
      const never = p.cells[`${serializer}-never`]?.main.median;
      const always = p.cells[`${serializer}-always`]?.main.median;
      const autoCell = p.cells[`${serializer}-auto`];
      if (never === undefined || always === undefined || !autoCell) continue;
      const best = Math.min(never, always);
      const excess = autoCell.main.median / best;
      const cheaper = never <= always ? 'never' : 'always';
      const took = path(autoCell);
      const timed = excess <= 1.1;
      // A tie: within 10%, or the two sides' run-to-run ranges overlap (no cheaper side to pick).
      const runsOf = (id: string) => p.cells[id]?.main.runs ?? [];
      const overlap = Math.max(...runsOf(`${serializer}-never`)) >= Math.min(...runsOf(`${serializer}-always`)) &&
        Math.max(...runsOf(`${serializer}-always`)) >= Math.min(...runsOf(`${serializer}-never`));
      const tie = Math.max(never, always) <= 1.1 * best || overlap;
      out.push({
        point: p.id,
        serializer,
        never,
        always,
        auto: autoCell.main.median,
        cheaper,
        excess,
        chose: choice(autoCell),
        path: took,
        timed,
        tie,
        pass: timed || took === cheaper || (tie && (took === 'never' || took === 'always')),
      });
    }
  }
  return out;
}

function path(cell: CodecCell): AutoCheck['path'] {
  const c = cell.codec;
  if (!c || c.encodeInline + c.encodeOffloaded === 0) return 'unknown';
  return c.encodeOffloaded === 0 ? 'never' : c.encodeInline === 0 ? 'always' : 'mixed';
}

function choice(cell: CodecCell): string {
  const c = cell.codec;
  if (!c) return '?';
  const enc = c.encodeInline + c.encodeOffloaded;
  const dec = c.decodeInline + c.decodeOffloaded;
  const side = (pool: number, all: number) => (all === 0 ? '-' : pool === 0 ? 'inline' : pool === all ? 'pool' : `${Math.round((100 * pool) / all)}% pool`);
  return `enc ${side(c.encodeOffloaded, enc)}, dec ${side(c.decodeOffloaded, dec)}`;
}

// --------------------------------------------------------------------------------------------
// Issue 10: compression and encryption at the cart and string-heavy points.

const SERIALIZERS = ['json', 'msgpack'] as const;
/** The default compression (docs/stored-format.md#compression), which the goals are about. */
const DEFAULT_ALGORITHM = 'brotli';

function sealedPipelines(r: BenchResults, serializer: 'json' | 'msgpack') {
  return (r.codec?.pipelines ?? []).filter(p => p.serializer === serializer && (p.compression !== undefined || p.encrypted));
}

/** Whether this results file measured any compression/encryption pipeline. */
function hasSealed(r: BenchResults): boolean {
  return (r.codec?.points ?? []).some(p => SERIALIZERS.some(s => sealedPipelines(r, s).some(i => p.cells[i.id])));
}

/** connect-redis's STRLEN ÷ this pipeline's (how many times fewer bytes per member). */
function fewerBytes(p: CodecPoint | undefined, id: string): number | null {
  const base = p?.cells[BASELINE]?.bytes[0];
  const own = p?.cells[id]?.bytes[0];
  return base && own ? base / own : null;
}

/** The compression goals, on the cart: the default compression with encryption stores at least 8×
 * fewer bytes per member than connect-redis, and costs the main thread no more per set+get than
 * the same serializer without compression or encryption (both with offload 'auto'). */
export function sealedTargets(r: BenchResults): TargetCheck[] {
  if (!hasSealed(r)) return [];
  const cart = point(r, 'cart');
  const checks: Omit<TargetCheck, 'verdict' | 'aimMet'>[] = SERIALIZERS.flatMap(serializer => {
    const id = `${serializer}-${DEFAULT_ALGORITHM}-aes`;
    return [
      {
        id: `cart-bytes-${id}`,
        label: `cart, ${serializer} + ${DEFAULT_ALGORITHM} + AES-256-GCM: connect-redis bytes per member ÷ these`,
        kind: 'must' as const,
        measured: fewerBytes(cart, id),
        unit: '×' as const,
        direction: '>=' as const,
        limit: 8,
        aim: null,
      },
      {
        id: `cart-main-${id}`,
        label: `cart, ${serializer} + ${DEFAULT_ALGORITHM} + AES-256-GCM (auto): main-thread per set+get ÷ ${serializer} auto without them`,
        kind: 'must' as const,
        measured: pairedRatio(cart?.cells[id]?.main, cart?.cells[`${serializer}-auto`]?.main),
        unit: '×' as const,
        direction: '<=' as const,
        limit: 1,
        aim: null,
      },
    ];
  });
  return checks.map(c =>
    c.measured === null || !Number.isFinite(c.measured)
      ? { ...c, measured: null, verdict: 'NOT MEASURED', aimMet: null }
      : { ...c, verdict: meets(c.measured, c.direction, c.limit) ? 'PASS' : 'FAIL', aimMet: null },
  );
}

function sealChoice(cell: CodecCell): string {
  const c = cell.codec;
  if (!c || c.sealInline === undefined) return '?';
  const side = (inline: number, pool: number) => (inline + pool === 0 ? '–' : pool === 0 ? 'inline' : inline === 0 ? 'pool' : `${Math.round((100 * pool) / (inline + pool))}% pool`);
  return `seal ${side(c.sealInline, c.sealOffloaded ?? 0)}, open ${side(c.openInline ?? 0, c.openOffloaded ?? 0)}`;
}

function sealedSection(r: BenchResults): string[] {
  const out: string[] = [];
  out.push('#### Compression and encryption: bytes per member and main-thread time per set+get');
  out.push('');
  out.push(
    "Each algorithm at its default level and threshold, with and without AES-256-GCM, offload 'auto', measured in the same runs as connect-redis and the plain pipelines. " +
      'Bytes: STRLEN on a member (MEMORY USAGE in brackets); "fewer bytes" is connect-redis ÷ this. ' +
      'Main-thread time is event-loop active time as in the tables above, main CPU the main thread\'s own CPU time (schedstat: without preemption), process CPU every thread\'s. ' +
      'Ratios are the median of per-run ratios: to connect-redis, and to the same serializer with neither ("plain": json-auto, msgpack-auto). ' +
      '"auto did": where the byte work ran during the measured runs.',
  );
  out.push('');
  const rows: string[][] = [];
  for (const p of r.codec?.points ?? []) {
    const ids = SERIALIZERS.flatMap(s => sealedPipelines(r, s).map(i => i.id)).filter(id => p.cells[id]);
    if (ids.length === 0) continue;
    const row = (id: string, plain: string | null) => {
      const c = p.cells[id]!;
      return [
        p.label,
        id,
        `${c.bytes[0] ?? 0} (${c.memory ?? '–'})`,
        x(fewerBytes(p, id)),
        ms(c.main.median),
        x(ratio(p, id, 'main')),
        plain ? x(pairedRatio(c.main, p.cells[plain]?.main)) : '',
        plain ? x(pairedRatio(c.mainCpu, p.cells[plain]?.mainCpu)) : '',
        plain ? x(pairedRatio(c.cpu, p.cells[plain]?.cpu)) : '',
        plain ? x(pairedRatio(c.wall, p.cells[plain]?.wall)) : '',
        plain ? sealChoice(c) : '',
      ];
    };
    rows.push(row(BASELINE, null));
    for (const s of SERIALIZERS) {
      const plain = `${s}-auto`;
      if (p.cells[plain]) rows.push(row(plain, null));
      for (const id of ids.filter(i => i.startsWith(s + '-'))) rows.push(row(id, plain));
    }
  }
  out.push(
    table(
      ['session', 'pipeline', 'bytes/member', 'fewer bytes', 'main ms', 'main ÷ connect-redis', 'main ÷ plain', 'main CPU ÷ plain', 'process CPU ÷ plain', 'wall ÷ plain', 'auto did'],
      rows,
      ['l', 'l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'l'],
    ),
  );
  out.push('');
  // A section of its own, so that docs/performance.md leaves the bench's targets out.
  out.push('#### Targets: compression and encryption');
  out.push('');
  out.push(
    table(
      ['goal', 'measured', 'limit', 'verdict'],
      sealedTargets(r).map(t => [t.label, t.measured === null ? '–' : x(t.measured), `${t.direction === '<=' ? '≤' : '≥'} ${t.limit}×`, t.verdict]),
      ['l', 'r', 'r', 'l'],
    ),
  );
  out.push('');
  return out;
}

// ---------------------------------------------------------------------------------------------

function ms(v: number | undefined): string {
  if (v === undefined || !Number.isFinite(v)) return '–';
  return v < 1 ? v.toFixed(3) : v < 100 ? v.toFixed(2) : v.toFixed(0);
}

function x(v: number | null): string {
  return v === null || !Number.isFinite(v) ? '–' : `${v.toFixed(2)}×`;
}

function bytes(n: number): string {
  return n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(2)} MB` : n >= 1024 ? `${(n / 1024).toFixed(1)} KB` : `${n} B`;
}

function table(header: string[], rows: string[][], align?: ('l' | 'r')[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map(r => (r[i] ?? '').length)));
  const a = align ?? header.map((_, i) => (i === 0 ? 'l' : 'r'));
  const line = (cells: string[]) => '| ' + cells.map((c, i) => (a[i] === 'l' ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ') + ' |';
  const rule = '|' + widths.map((w, i) => (a[i] === 'l' ? ':' + '-'.repeat(w + 1) : '-'.repeat(w + 1) + ':')).join('|') + '|';
  return [line(header), rule, ...rows.map(line)].join('\n');
}

const EX = ['json-never', 'json-always', 'json-auto', 'msgpack-never', 'msgpack-always', 'msgpack-auto', 'json-auto-hedged', 'msgpack-auto-hedged', 'node-redis-x2'];

function figureTable(r: BenchResults, figure: Figure): string {
  const points = r.codec?.points ?? [];
  const rows = points.map(p => [p.label, bytes(p.jsonBytes), ms(p.cells[BASELINE]?.[figure]?.median), ...EX.map(id => x(ratio(p, id, figure)))]);
  return table(['session', 'JSON size', 'connect-redis ms', ...EX], rows);
}

function spreadLine(r: BenchResults): string {
  const all: { s: number; where: string }[] = [];
  for (const p of r.codec?.points ?? []) {
    for (const [id, cell] of Object.entries(p.cells)) {
      const s = spread(cell.main as Stat);
      if (Number.isFinite(s)) all.push({ s, where: `${p.id} / ${id}` });
    }
  }
  if (all.length === 0) return '';
  all.sort((a, b) => a.s - b.s);
  const mid = all[all.length >> 1]!;
  const worst = all.at(-1)!;
  // Points measured in more runs than the grid's (the named sessions the targets are about).
  const longer = r.codec!.points.filter(p => (p.cells[BASELINE]?.main.runs.length ?? 0) > r.codec!.runs);
  const runs = `${r.codec!.runs} runs` + longer.map(p => `, ${p.cells[BASELINE]!.main.runs.length} longer ones for ${p.id}`).join('');
  return `Run-to-run spread of main-thread time ((max − min) / median over a point's runs: ${runs}): median ${(mid.s * 100).toFixed(0)}%, worst ${(worst.s * 100).toFixed(0)}% (${worst.where}).`;
}

export function renderMarkdown(r: BenchResults): string {
  const m = r.meta;
  const out: string[] = [];
  out.push(`### Benchmark results (${r.mode} run${r.parts.length < 3 ? `, parts: ${r.parts.join(', ')}` : ''})`);
  out.push('');
  out.push(
    `Machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, ${m.platform}; Node ${m.node}; redis-server ${m.redis}` +
      (m.foreignRedis ? ' (servers named with --redis-urls)' : ' (started by the bench)') +
      '.',
  );
  out.push(`Code: commit \`${m.commit.slice(0, 12)}\`${m.clean ? ', clean tree' : `, uncommitted changes in ${m.dirty.length} file(s)`}; ${m.date.slice(0, 10)}; ${m.seconds} s.`);
  out.push(`Load average (1/5/15 min) at start ${m.loadStart?.join(' / ') ?? '?'}, at end ${m.loadEnd?.join(' / ') ?? '?'} (${m.cores} cores).`);
  out.push(`Command: \`${r.command}\``);
  out.push('');
  out.push('expredis always runs on **two** members, connect-redis 9 (node-redis) on one; every ratio is expredis ÷ connect-redis measured in the same run (the median of the per-run ratios), every figure a median of runs.');
  out.push('');

  out.push('#### Targets');
  out.push('');
  const targets = evaluateTargets(r);
  out.push(
    table(
      ['target', 'kind', 'measured', 'limit', 'aim', 'verdict'],
      targets.map(t => [
        t.label,
        t.kind === 'must' ? 'must hold' : 'aim',
        t.measured === null ? '–' : t.unit === '×' ? x(t.measured) : `${t.measured.toFixed(1)} µs`,
        `${t.direction === '<=' ? '≤' : '≥'} ${t.limit}${t.unit === '×' ? '×' : ' µs'}`,
        t.aim === null ? '' : `${t.direction === '<=' ? '≤' : '≥'} ${t.aim}× ${t.aimMet ? '(met)' : '(missed)'}`,
        t.verdict,
      ]),
      ['l', 'l', 'r', 'r', 'l', 'l'],
    ),
  );
  out.push('');

  if (r.codec) {
    out.push('#### Store level: main-thread time per set+get (event-loop utilisation)');
    out.push('');
    out.push(
      'Each pipeline runs `set` then `get` of the same session (two session ids, alternating) one pair at a time, after a warm-up, with the pipelines taking turns run by run. ' +
        'The sessions are real express-session `Session` objects holding a real `Cookie`. ' +
        'Main-thread time is the event loop\'s active time (`performance.eventLoopUtilization`) ÷ pairs: JavaScript, parsing and GC on the main thread, not the wait for Redis or a worker. ' +
        'Cells are expredis ÷ connect-redis (below 1× is better); the `-hedged` columns are `reads: \'hedged\'` (one member asked first); the last column, node-redis-x2, is no store at all: JSON and bare node-redis racing two members, the least any two-member store on node-redis pays.',
    );
    out.push('');
    out.push(figureTable(r, 'main'));
    out.push('');
    const sl = spreadLine(r);
    if (sl) {
      out.push(sl);
      out.push('');
    }
    if (r.codec.points.some(p => p.cells[BASELINE]?.mainCpu)) {
      out.push('#### Store level: main-thread CPU per set+get (Linux schedstat of the main thread; unlike the table above it excludes time the thread was preempted)');
      out.push('');
      out.push(figureTable(r, 'mainCpu'));
      out.push('');
    }
    out.push('#### Store level: whole-process CPU per set+get (every thread, `process.cpuUsage`)');
    out.push('');
    out.push(figureTable(r, 'cpu'));
    out.push('');
    out.push('#### Store level: wall time per set+get');
    out.push('');
    out.push(figureTable(r, 'wall'));
    out.push('');
    out.push('#### Redis bytes per session per member (STRLEN; MEMORY USAGE in brackets)');
    out.push('');
    const cellBytes = (c: CodecCell | undefined) => (c ? `${c.bytes[0] ?? 0} (${c.memory ?? '–'})` : '–');
    out.push(
      table(
        ['session', 'JSON size', 'connect-redis', 'expredis json', 'expredis msgpack', 'msgpack ÷ JSON'],
        r.codec.points.map(p => {
          const j = p.cells[BASELINE]?.bytes[0];
          const mp = p.cells['msgpack-auto']?.bytes[0];
          return [p.label, bytes(p.jsonBytes), cellBytes(p.cells[BASELINE]), cellBytes(p.cells['json-auto']), cellBytes(p.cells['msgpack-auto']), j && mp ? x(mp / j) : '–'];
        }),
      ),
    );
    out.push('');
    const unequal = r.codec.points.flatMap(p => Object.entries(p.cells).filter(([, c]) => new Set(c.bytes).size > 1).map(([id]) => `${p.id}/${id}`));
    if (unequal.length) out.push(`Members held different byte counts for: ${unequal.join(', ')}.`, '');
    const unfaithful = r.codec.points.flatMap(p => Object.entries(p.cells).filter(([, c]) => !c.fidelity).map(([id]) => `${p.id}/${id}`));
    if (unfaithful.length) out.push(`**Fidelity: get did not return the JSON round trip for** ${unfaithful.join(', ')}.`, '');
    if (hasSealed(r)) out.push(...sealedSection(r));

    out.push("#### `offload: 'auto'` picks the cheaper side (within 10% of min(never, always))");
    out.push('');
    const checks = autoChecks(r);
    out.push(
      table(
        ['session', 'serializer', 'never ms', 'always ms', 'auto ms', 'cheaper', 'auto ÷ cheaper', 'auto did', 'took the cheaper path', 'verdict'],
        checks.map(c => [
          c.point,
          c.serializer,
          ms(c.never),
          ms(c.always),
          ms(c.auto),
          c.cheaper,
          x(c.excess),
          c.chose,
          c.path === c.cheaper ? 'yes' : c.path === 'mixed' || c.path === 'unknown' ? c.path : 'no',
          c.pass ? 'PASS' : 'FAIL',
        ]),
        ['l', 'l', 'r', 'r', 'r', 'l', 'r', 'l', 'l', 'l'],
      ),
    );
    const failed = checks.filter(c => !c.pass).length;
    const slow = checks.filter(c => c.pass && !c.timed).length;
    out.push('');
    out.push(
      `auto check: ${checks.length - failed} PASS, ${failed} FAIL. PASS: auto took the cheaper side's path, or there is no cheaper side to pick (the two medians within 10% of each other, or their run-to-run ranges overlap), or auto's own time is within 10% of the cheaper side's.` +
        (slow ? ` ${slow} PASS point(s) took the cheaper path but measured more than 10% above it: run-to-run noise of the same code path.` : '') +
        ' "auto did" counts the encodes and decodes auto ran inline and in the pool during the measured runs.',
    );
    out.push('');
  }

  if (r.e2e) {
    const e = r.e2e;
    out.push(
      `#### End to end: Express + express-session, autocannon ${e.connections} connections, ${e.users} logged-in users, ${e.seconds} s × ${e.runs} runs per app`,
    );
    out.push('');
    const rows: string[][] = [];
    for (const c of e.cases) {
      const a = e.apps.find(x => x.id === c.app)!;
      const b = e.apps.find(x => x.id === c.baseline)!;
      for (const [app, base] of [
        [b, null],
        [a, b],
      ] as const) {
        rows.push([
          app === b ? `${c.id}: ${b.label}` : `${c.id}: ${a.label}`,
          bytes(app.sessionBytes),
          app.rps.median.toFixed(0) + (base ? ` (${x(pairedRatio(app.rps, base.rps))})` : ''),
          ms(app.p50.median),
          ms(app.p99.median),
          ms(app.eldP99.median),
          ms(app.mainPerReq.median) + (base ? ` (${x(pairedRatio(app.mainPerReq, base.mainPerReq))})` : ''),
          app.mainCpuPerReq ? ms(app.mainCpuPerReq.median) + (base?.mainCpuPerReq ? ` (${x(pairedRatio(app.mainCpuPerReq, base.mainCpuPerReq))})` : '') : '–',
          ms(app.cpuPerReq.median),
          median(app.runs.map(run => run.setsPerReq)).toFixed(2),
        ]);
      }
    }
    out.push(
      table(['case / app', 'session', 'req/s', 'p50 ms', 'p99 ms', 'loop delay p99 ms', 'main-thread busy ms/req', 'main-thread CPU ms/req', 'app CPU ms/req', 'sets/req'], rows),
    );
    out.push('');
    out.push(
      'Loop delay: `monitorEventLoopDelay` p99 in the app, minus its 5 ms sampling period. Main-thread busy: event-loop utilisation of the app ÷ requests; main-thread CPU: the same thread\'s CPU time (Linux schedstat; excludes time it was preempted); app CPU: `process.cpuUsage` of the whole app process. Each window opens and closes with the app idle, so it holds all of its requests\' work.',
    );
    out.push('');
    const bad = e.apps.flatMap(a => a.runs.filter(run => run.errors || run.non2xx || run.hitsPerReq < 0.99).map(() => a.id));
    if (bad.length) out.push(`**Runs with errors, non-2xx answers or missing sessions:** ${[...new Set(bad)].join(', ')}.`, '');
  }

  if (r.pool) {
    const p = r.pool;
    out.push(`#### Worker round trip (the store's CodecPool, tiny encode task, ${p.runs} runs)`);
    out.push('');
    out.push(
      table(
        ['mode', 'tasks/run', 'p50 µs', 'p99 µs', 'main-thread busy µs/task', 'main-thread CPU µs/task'],
        [
          ['back to back', p.backToBack],
          [`after ${p.idleGapMs} ms idle (warm idle pool)`, p.afterIdle],
        ].map(([label, f]) => {
          const fig = f as PoolFigures;
          return [label as string, String(fig.tasks), fig.p50.median.toFixed(1), fig.p99.median.toFixed(1), fig.mainUs.median.toFixed(1), fig.mainCpuUs ? fig.mainCpuUs.median.toFixed(1) : '–'];
        }),
      ),
    );
    out.push('');
  }
  return out.join('\n');
}

