// Human-readable rendering of runs and their events for the terminal.
import type { RunEvent } from '../engine/events.js';
import type { RunView } from '../runs/service.js';

const MARK: Record<string, string> = {
  succeeded: '✓',
  failed: '✗',
  cancelled: '⊘',
  skipped: '-',
  running: '▶',
  waiting: '…',
  pending: ' ',
  queued: ' ',
};

export function formatRun(run: RunView): string {
  const lines = [
    `run ${run.id}  ${run.status.toUpperCase()}`,
    `  workflow  ${run.workflow}   trigger ${run.trigger}${run.scheduled_at ? ` (slot ${run.scheduled_at})` : ''}`,
    `  started   ${run.started_at ?? '-'}   finished ${run.finished_at ?? '-'}${duration(run.started_at, run.finished_at)}`,
  ];
  if (Object.keys(run.inputs).length > 0) lines.push(`  inputs    ${JSON.stringify(run.inputs)}`);
  if (run.waiting_for) lines.push(`  waiting   for ${run.waiting_for}`);
  if (run.error) lines.push(`  error     ${run.error}`);
  lines.push('  steps');
  for (const step of run.steps) {
    const tries = step.attempts > 1 ? ` (attempt ${step.attempts})` : '';
    const detail = step.error
      ? `  ${step.error}`
      : step.waiting_for
        ? `  waiting for ${step.waiting_for}`
        : summary(step.outputs);
    lines.push(
      `    ${MARK[step.status] ?? '?'} ${step.id.padEnd(16)} ${step.status.padEnd(9)}${duration(step.started_at, step.finished_at)}${tries}${detail}`,
    );
    lines.push(...jobReport(step.outputs, step.error !== null));
    for (const item of step.items ?? []) {
      if (item.status !== 'succeeded')
        lines.push(`        [${item.index}] ${item.status}${item.error ? `  ${item.error}` : ''}`);
    }
  }
  return lines.join('\n');
}

/** How many lines of a batch job's output tail `gcflow status` prints. */
const OUTPUT_LINES = 10;

/**
 * A batch job's report (job.wait outputs): its exit code and the last lines of its
 * output, under the step. A failed step's error already quotes the lines: only the code then.
 */
function jobReport(outputs: Record<string, unknown>, failed: boolean): string[] {
  if (outputs['exit_code'] === undefined && outputs['output'] === undefined) return [];
  const code =
    outputs['exit_code'] === null || outputs['exit_code'] === undefined ? '-' : String(outputs['exit_code']);
  const lines = [`        exit code ${code}`];
  const output = typeof outputs['output'] === 'string' ? outputs['output'].replace(/\s+$/, '') : '';
  if (!failed && output !== '') {
    lines.push(`        output (last ${OUTPUT_LINES} lines):`);
    for (const line of output.split('\n').slice(-OUTPUT_LINES)) lines.push(`          ${line}`);
  }
  return lines;
}

function summary(outputs: Record<string, unknown>): string {
  const instance = outputs['instance'] as { id?: string; name?: string; status?: string } | undefined;
  if (instance?.id)
    return `  instance ${instance.name ?? ''} ${instance.id} ${instance.status ?? ''}`.trimEnd();
  const snapshot = outputs['snapshot'] as { id?: string; name?: string } | undefined;
  if (snapshot?.id) return `  snapshot ${snapshot.name ?? ''} ${snapshot.id}`;
  if (Array.isArray(outputs['items'])) return `  ${outputs['count']} items`;
  if (typeof outputs['count'] === 'number') return `  ${outputs['count']} found`;
  return '';
}

function duration(from: string | null, to: string | null): string {
  if (!from || !to) return '';
  const ms = Date.parse(to) - Date.parse(from);
  return ms < 1000 ? `  ${ms}ms` : `  ${(ms / 1000).toFixed(1)}s`;
}

export function formatEvent(e: RunEvent): string {
  const where = e.step ? ` ${e.step}${e.index === undefined ? '' : `[${e.index}]`}` : '';
  const attempt = e.attempt && e.attempt > 1 ? ` (attempt ${e.attempt})` : '';
  return `${e.at}  ${e.type}${where}${attempt}${e.message ? `: ${e.message}` : ''}`;
}

export function formatRunsTable(runs: RunView[]): string {
  if (runs.length === 0) return 'no runs';
  const rows = runs.map((r) => [r.id, r.workflow, r.status, r.trigger, r.created_at, r.error ?? '']);
  const header = ['RUN', 'WORKFLOW', 'STATUS', 'TRIGGER', 'CREATED', 'ERROR'];
  const widths = header.map((h, i) => Math.min(48, Math.max(h.length, ...rows.map((r) => r[i]!.length))));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ');
  return [line(header), ...rows.map(line)].join('\n');
}

/** Rows as aligned columns (two spaces apart, no trailing blanks); the first row is the header. */
export function formatTextTable(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows
    .map((r) =>
      r
        .map((cell, i) => cell.padEnd(widths[i]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}
