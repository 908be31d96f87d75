// /ui/workflows: each workflow with its description, triggers and their next fire
// times (the trigger's zone and UTC), its last run, and a Run form generated from
// its typed inputs (enum: select, boolean: checkbox, defaults filled in). The page
// script posts the form as JSON and shows the API's input errors beside the fields.
import type { Diagnostic } from '../../../dsl/diagnostics.js';
import type { InputSpec, WorkflowDefinition } from '../../../dsl/types.js';
import type { RunView } from '../../../runs/service.js';
import { nextSlot, zonedIso } from '../../../scheduler/slots.js';
import type { ScheduleView } from '../../../scheduler/index.js';
import { badge, firstLine, h, type Html, time, UI_BASE, valueText } from './html.js';

export interface WorkflowCard {
  def: WorkflowDefinition;
  lastRun: RunView | undefined;
}

function nextFire(
  def: WorkflowDefinition,
  index: number,
  schedules: ScheduleView[],
  now: number,
): { zoned: string; utc: string; registered: boolean; overdueMs: number } | undefined {
  const trigger = def.triggers[index]!;
  const view = schedules.find((s) => s.workflow === def.name && s.trigger === index);
  if (view && view.cron === trigger.cron && view.timezone === trigger.timezone && view.next !== '')
    return { zoned: view.next, utc: view.next_utc, registered: true, overdueMs: view.overdue_ms };
  // Not registered (yet) by the scheduler, or registered with an older cron: computed here.
  const next = nextSlot(trigger, now);
  if (next === undefined) return undefined;
  return {
    zoned: zonedIso(next, trigger.timezone),
    utc: new Date(next).toISOString(),
    registered: false,
    overdueMs: 0,
  };
}

function triggersTable(def: WorkflowDefinition, schedules: ScheduleView[], now: number): Html {
  if (def.triggers.length === 0) return h`<p class="muted">No triggers: manual and API runs only.</p>`;
  return h`<table class="triggers"><thead><tr><th>Cron</th><th>Time zone</th><th>Next fire (zone)</th><th>Next fire (UTC)</th><th>Inputs</th></tr></thead>
<tbody>${def.triggers.map((t, i) => {
    const next = nextFire(def, i, schedules, now);
    return h`<tr data-trigger="${i}">
  <td class="mono">${t.cron}</td><td>${t.timezone}</td>
  <td class="next-zoned">${next?.zoned ?? '—'}${
    next && !next.registered
      ? h` <span class="muted" title="the scheduler has not registered this trigger yet">(not registered yet)</span>`
      : ''
  }${next && next.overdueMs > 0 ? h` <span class="badge failed">overdue</span>` : ''}</td>
  <td class="next-utc">${next?.utc ?? '—'}</td>
  <td>${Object.keys(t.inputs).length ? h`<code>${JSON.stringify(t.inputs)}</code>` : ''}</td>
</tr>`;
  })}</tbody></table>`;
}

/** One form field per declared input; `data-type` tells the page script how to read it. */
function inputField(workflow: string, name: string, spec: InputSpec): Html {
  const id = `in-${workflow}-${name}`;
  const label = h`<label for="${id}">${name}${spec.required ? h`<span class="required" title="required">*</span>` : ''}
<span class="muted">${spec.type}</span></label>`;
  const help = spec.description ? h`<div class="help">${spec.description}</div>` : '';
  const error = h`<div class="field-error" data-error-for="${name}" aria-live="polite"></div>`;
  const common = h`id="${id}" name="${name}" data-type="${spec.type}"`;
  let control: Html;
  if (spec.enum && spec.enum.length > 0) {
    const hasDefault = spec.default !== undefined;
    control = h`<select ${common}>${hasDefault ? '' : h`<option value="">${spec.required ? 'choose…' : '(none)'}</option>`}${spec.enum.map(
      (v) => {
        const text = valueText(v);
        return h`<option value="${text}" data-json="${JSON.stringify(v)}"${
          hasDefault && JSON.stringify(v) === JSON.stringify(spec.default) ? h` selected` : ''
        }>${text}</option>`;
      },
    )}</select>`;
  } else if (spec.type === 'boolean') {
    control = h`<input type="checkbox" ${common}${spec.default === true ? h` checked` : ''}>`;
  } else if (spec.type === 'integer' || spec.type === 'number') {
    control = h`<input type="number" step="${spec.type === 'integer' ? '1' : 'any'}" ${common} value="${
      spec.default === undefined ? '' : String(spec.default)
    }">`;
  } else if (spec.type === 'list' || spec.type === 'object') {
    const text = spec.default === undefined ? '' : JSON.stringify(spec.default);
    control = h`<textarea rows="2" ${common} placeholder="${spec.type === 'list' ? '["a", "b"]' : '{"key": "value"}'}">${text}</textarea>`;
  } else {
    const placeholder = spec.type === 'duration' ? 'e.g. 30m, 6h, 1h30m' : '';
    control = h`<input type="text" ${common} value="${spec.default === undefined ? '' : valueText(spec.default)}" placeholder="${placeholder}">`;
  }
  return h`<div class="field">${label}${control}${help}${error}</div>`;
}

function runForm(def: WorkflowDefinition): Html {
  const inputs = Object.entries(def.inputs);
  return h`<form class="run-form" data-workflow="${def.name}" novalidate>
${inputs.length === 0 ? h`<p class="muted">No inputs.</p>` : inputs.map(([name, spec]) => inputField(def.name, name, spec))}
<div class="form-error" aria-live="polite"></div>
<button type="submit">Run ${def.name}</button>
</form>`;
}

function lastRunText(run: RunView | undefined): Html {
  if (!run) return h`<span class="muted">never run</span>`;
  return h`<a href="${UI_BASE}/runs/${encodeURIComponent(run.id)}" class="last-run">${badge(run.status)}</a> ${time(
    run.started_at ?? run.created_at,
  )}${run.status === 'failed' && run.error ? h`<div class="error-line">${firstLine(run.error)}</div>` : ''}`;
}

function card(c: WorkflowCard, schedules: ScheduleView[], now: number): Html {
  const { def } = c;
  return h`<section class="workflow" id="wf-${def.name}" data-workflow="${def.name}">
<h2>${def.name}</h2>
${def.description ? h`<p>${def.description}</p>` : ''}
<p class="muted">${def.source?.file ?? ''} · <a href="${UI_BASE}?workflow=${encodeURIComponent(def.name)}">runs</a></p>
<p>Last run: ${lastRunText(c.lastRun)}</p>
<h3>Triggers</h3>
${triggersTable(def, schedules, now)}
<h3>Run</h3>
${runForm(def)}
</section>`;
}

function diagnosticsSection(diagnostics: readonly Diagnostic[]): Html | '' {
  if (diagnostics.length === 0) return '';
  return h`<section class="diagnostics"><h2>Files that did not load</h2><ul>${diagnostics.map(
    (d) =>
      h`<li><code>${d.file}:${d.line}:${d.column}</code> <span class="error-text">${d.code}</span> ${d.message}</li>`,
  )}</ul></section>`;
}

export function workflowsBody(
  cards: WorkflowCard[],
  schedules: ScheduleView[],
  diagnostics: readonly Diagnostic[],
  now: number,
): Html {
  return h`<h1>Workflows</h1>
${diagnosticsSection(diagnostics)}
${cards.length === 0 ? h`<p class="empty">No workflows loaded.</p>` : cards.map((c) => card(c, schedules, now))}`;
}
