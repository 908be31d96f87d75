// Prints benchmark results as an aligned table with targets and verdicts.
export interface BenchRow {
  metric: string;
  value: string;
  target?: string;
  /** undefined: informational only. */
  pass?: boolean;
}

export function printTable(
  title: string,
  rows: BenchRow[],
  out: NodeJS.WritableStream = process.stdout,
): void {
  const header = ['metric', 'value', 'target', 'verdict'];
  const cells = rows.map((r) => [
    r.metric,
    r.value,
    r.target ?? '',
    r.pass === undefined ? '' : r.pass ? 'ok' : 'MISSED',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) => `| ${c.map((v, i) => v.padEnd(widths[i]!)).join(' | ')} |`;
  out.write(
    `\n${title}\n${line(header)}\n|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|\n${cells.map(line).join('\n')}\n`,
  );
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

export const fmt = (n: number, digits = 2): string => (Number.isFinite(n) ? n.toFixed(digits) : String(n));
