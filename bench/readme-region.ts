// The README region the bench owns: the results table between two markers, and the chart
// image next to it. Pure string functions, shared by bench/readme.ts and the README test.

export const START = '<!-- bench:table:start -->';
export const END = '<!-- bench:table:end -->';
export const CHART = 'bench/results/latest.svg';
export const CHART_LINE = `![main-thread time per set+get against session size, expredis vs connect-redis](${CHART})`;

/** The text between the markers (trimmed), or undefined when either marker is missing. */
export function extractRegion(readme: string): string | undefined {
  const start = readme.indexOf(START);
  const end = readme.indexOf(END);
  if (start < 0 || end < 0 || end < start) return undefined;
  return readme.slice(start + START.length, end).trim();
}

/** README with the region replaced by `table`; the markers (and the chart) appended when absent. */
export function replaceRegion(readme: string, table: string): string {
  const block = `${START}\n${table.trim()}\n${END}`;
  const start = readme.indexOf(START);
  const end = readme.indexOf(END);
  let out: string;
  if (start >= 0 && end > start) {
    out = readme.slice(0, start) + block + readme.slice(end + END.length);
    if (!out.includes(`](${CHART})`)) out = out.replace(START, `${CHART_LINE}\n\n${START}`);
  } else {
    const section = `## Benchmarks\n\n${CHART_LINE}\n\n${block}\n`;
    out = readme.trimEnd() + (readme.trim() ? '\n\n' : '') + section;
  }
  return out;
}
