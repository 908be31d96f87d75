// A plan as text for the terminal: one block per step (its calls with compact JSON
// bodies, then its waits), then a summary line. Pure.
import type { Plan, PlannedStep } from './types.js';

export function formatPlan(plan: Plan): string {
  const lines = [`plan of workflow ${plan.workflow}  inputs ${JSON.stringify(plan.inputs)}`, ''];
  for (const step of plan.steps) lines.push(...formatStep(step));
  const calls = plan.steps.reduce((n, s) => n + s.calls.length, 0);
  lines.push('');
  if (plan.error !== null) lines.push(`the run would fail: ${plan.error}`);
  lines.push(
    `${calls} ${calls === 1 ? 'call' : 'calls'} would change state; ${plan.reads} ${plan.reads === 1 ? 'read' : 'reads'} made; nothing was changed`,
  );
  return lines.join('\n');
}

function formatStep(step: PlannedStep): string[] {
  const tags = [
    step.phase === 'main' ? '' : `[${step.phase}]`,
    step.status === 'planned' ? '' : step.status.toUpperCase(),
  ]
    .filter(Boolean)
    .join(' ');
  const out = [`${step.id}  ${step.uses}${tags ? `  ${tags}` : ''}`];
  // for_each items in order, each with its calls then its waits.
  const lines: Array<{ index: number; text: string }> = [];
  for (const call of step.calls) {
    const item = call.index === undefined ? '' : `[${call.index}] `;
    const body = call.body === undefined ? '' : ` ${JSON.stringify(call.body)}`;
    lines.push({ index: call.index ?? -1, text: `${item}${call.method} ${call.path}${body}` });
  }
  for (const wait of step.waits)
    lines.push({ index: Number(/^\[(\d+)\] /.exec(wait)?.[1] ?? -1), text: wait });
  lines.sort((a, b) => a.index - b.index);
  for (const line of lines) out.push(`  ${line.text}`);
  if (step.note) out.push(`  ${step.note}`);
  else if (step.status === 'planned' && step.calls.length === 0 && step.waits.length === 0)
    out.push('  no changes');
  return out;
}
