// Results → an SVG chart (hand-written, no external service): main-thread ms per set+get
// against session JSON size, both axes logarithmic, one panel per shape, one series per
// pipeline. A pure function of the results JSON.
import type { BenchResults, CodecPoint } from './results.js';

const COLORS: Record<string, { stroke: string; dash: string; width: number }> = {
  'connect-redis': { stroke: '#111111', dash: '', width: 3 },
  'json-never': { stroke: '#9ecae1', dash: '6 3', width: 1.8 },
  'json-always': { stroke: '#4292c6', dash: '6 3', width: 1.8 },
  'json-auto': { stroke: '#08306b', dash: '6 3', width: 2.4 },
  'msgpack-never': { stroke: '#fdae6b', dash: '', width: 1.8 },
  'msgpack-always': { stroke: '#f16913', dash: '', width: 1.8 },
  'msgpack-auto': { stroke: '#7f2704', dash: '', width: 2.4 },
  'node-redis-x2': { stroke: '#999999', dash: '2 3', width: 1.5 },
};

const PANELS: { title: string; select: (p: CodecPoint) => boolean }[] = [
  { title: 'object-heavy (cart-like items)', select: p => p.kind === 'object' },
  { title: 'string-heavy (long text fields)', select: p => p.kind === 'string' },
  { title: 'binary (Buffers in the session)', select: p => p.kind === 'binary' },
  { title: 'named: small ~1 KB and cart ~170 KB', select: p => p.kind === 'small' || p.kind === 'cart' },
];

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function n(v: number): string {
  return (Math.round(v * 10) / 10).toString();
}

function sizeTick(b: number): string {
  return b >= 1024 * 1024 ? `${b / 1024 / 1024} MB` : b >= 1024 ? `${b / 1024} KB` : `${b} B`;
}

function msTick(v: number): string {
  return v >= 1 ? `${v} ms` : `${v * 1000} µs`;
}

export function renderSvg(r: BenchResults): string {
  const points = r.codec?.points ?? [];
  // The grid's pipelines (those measured at a few points only are in the report's tables).
  const grid = r.codec?.pipelines.filter(p => !p.points) ?? [];
  const pipelines = grid.map(p => p.id);
  const W = 1000;
  const H = 730;
  const panelW = 470;
  const panelH = 300;
  const margin = { left: 78, top: 30, right: 12, bottom: 40 };
  const values = points.flatMap(p => Object.values(p.cells).map(c => c.main.median)).filter(v => v > 0);
  const yMin = Math.pow(10, Math.floor(Math.log10(Math.min(...values, 0.1))));
  const yMax = Math.pow(10, Math.ceil(Math.log10(Math.max(...values, 1))));
  const xMin = 512;
  const xMax = 2 * 1024 * 1024;
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="Helvetica, Arial, sans-serif" font-size="12">`);
  out.push(`<rect width="${W}" height="${H}" fill="#ffffff"/>`);
  out.push(
    `<text x="${W / 2}" y="20" text-anchor="middle" font-size="15" font-weight="bold">${esc(
      `Main-thread time per set+get vs session size (log-log) — expredis on 2 members, connect-redis on 1`,
    )}</text>`,
  );
  out.push(
    `<text x="${W / 2}" y="38" text-anchor="middle" fill="#555">${esc(
      `${r.mode} run, commit ${r.meta.commit.slice(0, 12)}, ${r.meta.cpu}, ${r.meta.cores} cores, Node ${r.meta.node}; median of ${r.codec?.runs ?? 0} runs`,
    )}</text>`,
  );

  PANELS.forEach((panel, i) => {
    const ox = 20 + (i % 2) * (panelW + 20);
    const oy = 50 + Math.floor(i / 2) * (panelH + 20);
    const px = ox + margin.left;
    const py = oy + margin.top;
    const pw = panelW - margin.left - margin.right;
    const ph = panelH - margin.top - margin.bottom;
    const sx = (b: number) => px + ((Math.log10(b) - Math.log10(xMin)) / (Math.log10(xMax) - Math.log10(xMin))) * pw;
    const sy = (v: number) => py + ph - ((Math.log10(v) - Math.log10(yMin)) / (Math.log10(yMax) - Math.log10(yMin))) * ph;
    out.push(`<g>`);
    out.push(`<text x="${n(px + pw / 2)}" y="${n(oy + 18)}" text-anchor="middle" font-weight="bold">${esc(panel.title)}</text>`);
    out.push(`<rect x="${n(px)}" y="${n(py)}" width="${n(pw)}" height="${n(ph)}" fill="#fafafa" stroke="#999"/>`);
    for (let b = 1024; b <= xMax; b *= 4) {
      out.push(`<line x1="${n(sx(b))}" y1="${n(py)}" x2="${n(sx(b))}" y2="${n(py + ph)}" stroke="#e3e3e3"/>`);
      out.push(`<text x="${n(sx(b))}" y="${n(py + ph + 15)}" text-anchor="middle" fill="#333">${sizeTick(b)}</text>`);
    }
    for (let v = yMin; v <= yMax * 1.0001; v *= 10) {
      out.push(`<line x1="${n(px)}" y1="${n(sy(v))}" x2="${n(px + pw)}" y2="${n(sy(v))}" stroke="#e3e3e3"/>`);
      out.push(`<text x="${n(px - 5)}" y="${n(sy(v) + 4)}" text-anchor="end" fill="#333">${msTick(Number(v.toPrecision(1)))}</text>`);
    }
    out.push(`<text x="${n(px + pw / 2)}" y="${n(py + ph + 32)}" text-anchor="middle" fill="#333">session size (JSON bytes)</text>`);
    out.push(
      `<text transform="translate(${n(ox + 12)} ${n(py + ph / 2)}) rotate(-90)" text-anchor="middle" fill="#333">main-thread per set+get</text>`,
    );
    const selected = points.filter(panel.select).sort((a, b) => a.jsonBytes - b.jsonBytes);
    for (const id of pipelines) {
      const style = COLORS[id] ?? { stroke: '#888', dash: '', width: 1.5 };
      const pts = selected
        .map(p => ({ b: p.jsonBytes, v: p.cells[id]?.main.median }))
        .filter((p): p is { b: number; v: number } => p.v !== undefined && p.v > 0);
      if (pts.length === 0) continue;
      const d = pts.map((p, k) => `${k ? 'L' : 'M'}${n(sx(p.b))} ${n(sy(p.v))}`).join(' ');
      out.push(
        `<path d="${d}" fill="none" stroke="${style.stroke}" stroke-width="${style.width}"${style.dash ? ` stroke-dasharray="${style.dash}"` : ''}/>`,
      );
      for (const p of pts) out.push(`<circle cx="${n(sx(p.b))}" cy="${n(sy(p.v))}" r="2.6" fill="${style.stroke}"/>`);
    }
    out.push(`</g>`);
  });

  const ly = H - 22;
  let lx = 30;
  for (const p of grid) {
    const style = COLORS[p.id] ?? { stroke: '#888', dash: '', width: 1.5 };
    const label = p.id === 'connect-redis' ? 'connect-redis (1 member)' : p.id;
    out.push(
      `<line x1="${lx}" y1="${ly}" x2="${lx + 26}" y2="${ly}" stroke="${style.stroke}" stroke-width="${style.width}"${style.dash ? ` stroke-dasharray="${style.dash}"` : ''}/>`,
    );
    out.push(`<text x="${lx + 31}" y="${ly + 4}">${esc(label)}</text>`);
    lx += 31 + label.length * 6.6 + 14;
  }
  out.push('</svg>');
  return out.join('\n') + '\n';
}
