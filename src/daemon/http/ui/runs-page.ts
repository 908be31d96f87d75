// /ui: the runs, newest first, filtered by workflow and status; failed runs in red
// with the first line of their error. Its table is the page's live region: the page
// script re-fetches it every few seconds (fragment requests, see index.ts).
import { RUN_STATUSES } from '../../../engine/state.js';
import type { RunView } from '../../../runs/service.js';
import { badge, duration, firstLine, h, type Html, time, UI_BASE } from './html.js';

export interface RunsFilter {
  workflow: string | undefined;
  status: string | undefined;
  limit: number;
}

export const RUNS_POLL_MS = 2_000;

const TRIGGER_TEXT: Record<string, string> = { manual: 'manual', schedule: 'schedule', api: 'API' };

export function runRow(run: RunView, now: number): Html {
  const href = `${UI_BASE}/runs/${encodeURIComponent(run.id)}`;
  return h`<tr data-run-id="${run.id}" data-status="${run.status}">
  <td><a href="${href}" class="mono">${run.id}</a></td>
  <td><a href="${UI_BASE}?workflow=${encodeURIComponent(run.workflow)}">${run.workflow}</a></td>
  <td>${badge(run.status)}${
    run.status === 'failed' && run.error ? h`<div class="error-line">${firstLine(run.error)}</div>` : ''
  }</td>
  <td>${TRIGGER_TEXT[run.trigger] ?? run.trigger}</td>
  <td>${time(run.started_at ?? run.created_at)}${run.started_at ? '' : h` <span class="muted">(queued)</span>`}</td>
  <td>${duration(run.started_at, run.finished_at, now)}</td>
</tr>`;
}

/** The live region: the table of runs. */
export function runsTable(runs: RunView[], filter: RunsFilter, now: number): Html {
  if (runs.length === 0) {
    const filtered = filter.workflow || filter.status;
    return h`<p class="empty">${filtered ? 'No runs match this filter.' : 'No runs yet: start one from'} ${
      filtered ? '' : h`<a href="${UI_BASE}/workflows">Workflows</a>.`
    }</p>`;
  }
  const more =
    runs.length >= filter.limit
      ? h`<p><a href="${UI_BASE}?${query({ ...filter, limit: Math.min(filter.limit * 2, 1000) })}">Show more</a></p>`
      : '';
  return h`<table class="runs">
<thead><tr><th>Run</th><th>Workflow</th><th>Status</th><th>Trigger</th><th>Started</th><th>Duration</th></tr></thead>
<tbody>${runs.map((r) => runRow(r, now))}</tbody>
</table>${more}`;
}

function query(f: RunsFilter): string {
  const params = new URLSearchParams();
  if (f.workflow) params.set('workflow', f.workflow);
  if (f.status) params.set('status', f.status);
  params.set('limit', String(f.limit));
  return params.toString();
}

export function runsBody(runs: RunView[], filter: RunsFilter, workflows: string[], now: number): Html {
  const names = [...new Set([...workflows, ...(filter.workflow ? [filter.workflow] : [])])].sort();
  const option = (value: string, selected: boolean, text = value) =>
    selected
      ? h`<option value="${value}" selected>${text}</option>`
      : h`<option value="${value}">${text}</option>`;
  return h`<h1>Runs</h1>
<form class="filters" method="get" action="${UI_BASE}">
  <label>Workflow <select name="workflow">${option('', !filter.workflow, 'all')}${names.map((n) =>
    option(n, n === filter.workflow),
  )}</select></label>
  <label>Status <select name="status">${option('', !filter.status, 'any')}${RUN_STATUSES.map((s) =>
    option(s, s === filter.status),
  )}</select></label>
  <button type="submit">Filter</button>
  <span class="live-state" aria-live="polite"></span>
</form>
${runsLive(runs, filter, now)}`;
}

/** The live region of the runs page. */
export function runsLive(runs: RunView[], filter: RunsFilter, now: number): Html {
  return h`<div id="live" data-poll-ms="${RUNS_POLL_MS}">${runsTable(runs, filter, now)}</div>`;
}
