// /ui/runs/<id>: one run: status, inputs (scrubbed of secrets), timing, each step
// (status, attempts, duration, error, outputs collapsed, for_each items, a batch job's
// report), the event history, and Cancel while the run is not over. The whole body is
// the live region; it stops refreshing once the run has ended.
import type { WorkflowDefinition } from '../../../dsl/types.js';
import type { RunEvent } from '../../../engine/events.js';
import type { RunView } from '../../../runs/service.js';
import { badge, collapsedJson, duration, h, type Html, time, UI_BASE, valueText } from './html.js';

export const RUN_POLL_MS = 1_500;

const TERMINAL = new Set(['succeeded', 'failed', 'cancelled']);

export interface RunPageData {
  run: RunView;
  /** The definition the run executes (step names, kinds, phases); undefined if it is gone. */
  def: WorkflowDefinition | undefined;
  events: RunEvent[];
  /** Events before the ones shown (only the newest are listed). */
  eventsOmitted: number;
  /** A cancel (or gcflow's give-up) was requested and the run has not ended yet. */
  cancelRequested: string | null;
  now: number;
}

type Step = RunView['steps'][number];

/**
 * The report a batch job's box sent (issue 10: `job.wait` outputs `{status, exit_code,
 * output}`, also kept by a failed job.wait; exit_code null when the box sent none).
 * Rendered for any step whose outputs carry `exit_code` or `output`.
 */
function jobReport(step: Step): Html | '' {
  const o = step.outputs;
  if (o['exit_code'] === undefined && o['output'] === undefined) return '';
  const output = o['output'] === undefined ? '' : valueText(o['output']);
  return h`<section class="job-report" data-step="${step.id}">
  <h3>Job report</h3>
  <p>${o['status'] !== undefined ? h`status <strong>${valueText(o['status'])}</strong> · ` : ''}exit code
    <strong class="${o['exit_code'] === 0 ? '' : 'error-text'}">${o['exit_code'] === undefined || o['exit_code'] === null ? '—' : valueText(o['exit_code'])}</strong></p>
  ${output ? h`<pre class="job-output">${output}</pre>` : ''}
</section>`;
}

/** Item rows shown per for_each step (a list may hold 10,000): failed ones first, then by index. */
export const MAX_ITEM_ROWS = 200;

function shownItems(items: NonNullable<Step['items']>): NonNullable<Step['items']> {
  if (items.length <= MAX_ITEM_ROWS) return items;
  const failed = items.filter((i) => i.status === 'failed').slice(0, MAX_ITEM_ROWS / 2);
  const chosen = new Set(failed.map((i) => i.index));
  for (const i of items) {
    if (chosen.size >= MAX_ITEM_ROWS) break;
    chosen.add(i.index);
  }
  return items.filter((i) => chosen.has(i.index));
}

function itemsTable(step: Step): Html | '' {
  if (!step.items || step.items.length === 0) return '';
  const counts = new Map<string, number>();
  for (const i of step.items) counts.set(i.status, (counts.get(i.status) ?? 0) + 1);
  const summary = [...counts].map(([status, n]) => `${n} ${status}`).join(', ');
  const rows = shownItems(step.items);
  const hidden = step.items.length - rows.length;
  return h`<details data-key="items-${step.id}"${step.status === 'failed' ? ' open' : ''}>
<summary>for_each: ${step.items.length} items (${summary})</summary>
${hidden > 0 ? h`<p class="muted">${hidden} items not shown (gcflow status --json shows all).</p>` : ''}
<table class="items"><thead><tr><th>#</th><th>Status</th><th>Attempts</th><th>Error</th><th>Outputs</th></tr></thead>
<tbody>${rows.map(
    (i) => h`<tr data-item="${i.index}"><td>${i.index}</td><td>${badge(i.status)}</td><td>${i.attempts}</td>
<td>${i.error ? h`<pre class="error-text">${i.error}</pre>` : ''}</td>
<td>${collapsedJson('outputs', i.outputs, `out-${step.id}-${i.index}`)}</td></tr>`,
  )}</tbody></table></details>`;
}

function stepRows(steps: Step[], def: WorkflowDefinition | undefined, now: number): Html {
  const specs = new Map(
    def ? [...def.steps, ...def.on_failure, ...def.finally].map((s) => [s.id, s] as const) : [],
  );
  return h`${steps.map((s) => {
    const spec = specs.get(s.id);
    return h`<tr class="step" data-step="${s.id}" data-status="${s.status}">
  <td><strong>${s.id}</strong>${spec?.name ? h`<div>${spec.name}</div>` : ''}${
    spec ? h`<div class="muted mono">${spec.uses}</div>` : ''
  }</td>
  <td>${badge(s.status)}${s.waiting_for ? h`<div class="muted">waiting for ${s.waiting_for}</div>` : ''}</td>
  <td>${s.attempts}</td>
  <td>${time(s.started_at)}</td>
  <td>${duration(s.started_at, s.finished_at, now)}</td>
  <td class="step-detail">${s.error ? h`<pre class="error-text step-error">${s.error}</pre>` : ''}${collapsedJson(
    'outputs',
    s.outputs,
    `out-${s.id}`,
  )}${itemsTable(s)}${jobReport(s)}</td>
</tr>`;
  })}`;
}

function stepsSection(run: RunView, def: WorkflowDefinition | undefined, now: number): Html {
  const phases: Array<[string, Set<string> | undefined]> = def
    ? [
        ['Steps', new Set(def.steps.map((s) => s.id))],
        ['On failure', new Set(def.on_failure.map((s) => s.id))],
        ['Finally', new Set(def.finally.map((s) => s.id))],
      ]
    : [['Steps', undefined]];
  const head = h`<thead><tr><th>Step</th><th>Status</th><th>Attempts</th><th>Started</th><th>Duration</th><th>Error · outputs</th></tr></thead>`;
  return h`${phases.map(([title, ids]) => {
    const steps = ids ? run.steps.filter((s) => ids.has(s.id)) : run.steps;
    if (steps.length === 0) return '';
    return h`<h2>${title}</h2><table class="steps">${head}<tbody>${stepRows(steps, def, now)}</tbody></table>`;
  })}`;
}

function eventsSection(events: RunEvent[], omitted: number): Html {
  return h`<details class="events" data-key="events" open>
<summary>Event history (${events.length + omitted})</summary>
${omitted > 0 ? h`<p class="muted">${omitted} earlier events not shown (gcflow logs shows all).</p>` : ''}
<table class="events"><thead><tr><th>Time</th><th>Event</th><th>Step</th><th>Attempt</th><th>Message</th></tr></thead>
<tbody>${events.map(
    (e) => h`<tr data-event="${e.type}"><td>${time(e.at)}</td><td class="mono">${e.type}</td>
<td>${e.step ?? ''}${e.index !== undefined ? h`[${e.index}]` : ''}</td><td>${e.attempt ?? ''}</td>
<td>${e.message ?? ''}</td></tr>`,
  )}</tbody></table></details>`;
}

function inputsTable(inputs: Record<string, unknown>): Html {
  const entries = Object.entries(inputs);
  if (entries.length === 0) return h`<p class="muted">No inputs.</p>`;
  return h`<table class="inputs"><tbody>${entries.map(
    ([k, v]) => h`<tr><th>${k}</th><td><code>${valueText(v)}</code></td></tr>`,
  )}</tbody></table>`;
}

/** The live region of the run page. */
export function runLive(d: RunPageData): Html {
  const { run, now } = d;
  const over = TERMINAL.has(run.status);
  const cancel = over
    ? ''
    : d.cancelRequested
      ? h`<p class="notice">Cancel requested: ${d.cancelRequested}. Its finally steps run before it ends.</p>`
      : h`<p><button type="button" class="danger" data-cancel-run="${run.id}">Cancel run</button>
<span class="action-result" aria-live="polite"></span></p>`;
  return h`<div id="live" data-run-status="${run.status}"${over ? '' : h` data-poll-ms="${RUN_POLL_MS}"`}>
<h1><span class="mono">${run.id}</span> ${badge(run.status)}</h1>
${run.status === 'failed' && run.error ? h`<pre class="error-text run-error">${run.error}</pre>` : ''}
${run.waiting_for ? h`<p class="notice" data-waiting-for>Waiting for ${run.waiting_for}.</p>` : ''}
${cancel}
<dl class="facts">
  <dt>Workflow</dt><dd><a href="${UI_BASE}/workflows#wf-${run.workflow}">${run.workflow}</a></dd>
  <dt>Trigger</dt><dd>${run.trigger}${run.scheduled_at ? h` (slot ${time(run.scheduled_at)})` : ''}</dd>
  <dt>Created</dt><dd>${time(run.created_at)}</dd>
  <dt>Started</dt><dd>${time(run.started_at)}</dd>
  <dt>Finished</dt><dd>${time(run.finished_at)}</dd>
  <dt>Duration</dt><dd>${duration(run.started_at, run.finished_at, now)}</dd>
  <dt>Worker attempts</dt><dd>${run.attempt}</dd>
</dl>
<h2>Inputs</h2>
${inputsTable(run.inputs)}
${stepsSection(run, d.def, now)}
${eventsSection(d.events, d.eventsOmitted)}
</div>`;
}
