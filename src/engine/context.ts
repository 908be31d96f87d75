// Builds the `${{ }}` context of a step from the run state. Secrets are passed in
// at execution time and never stored. Pure.
import type { ExprContext } from '../expr/index.js';
import type { RunState } from './state.js';

export function exprContext(
  state: RunState,
  secrets: Record<string, string>,
  item?: { value: unknown; index: number },
  reportUrl = '',
): ExprContext {
  const steps: ExprContext['steps'] = {};
  for (const [id, step] of Object.entries(state.steps))
    steps[id] = { outputs: step.outputs, status: step.status };
  const ctx: ExprContext = {
    inputs: state.inputs,
    steps,
    run: {
      id: state.id,
      workflow: state.workflow,
      trigger: state.trigger,
      scheduled_at: state.scheduled_at,
      started_at: state.started_at,
      attempt: state.attempt,
      error: state.error,
      report_url: reportUrl,
    },
    secrets,
  };
  if (item) {
    ctx.item = item.value;
    ctx.index = item.index;
  }
  return ctx;
}
