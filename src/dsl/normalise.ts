// A validated workflow value -> the WorkflowDefinition the engine runs: every default
// filled in (see types.ts), `wait` in one shape, each step's location kept.
// Pure.
import type { z } from 'zod';
import type { workflowSchema } from './schema.js';
import type { SourceFile } from './source.js';
import type {
  ConcurrencySpec,
  InputSpec,
  RetrySpec,
  StepKind,
  StepSpec,
  TriggerSpec,
  WaitSpec,
  WorkflowDefinition,
} from './types.js';

type Written = z.output<typeof workflowSchema>;
type WrittenStep = Written['steps'][number];

/** Used when a step has `retry:` but leaves keys out; the engine's backoff uses the same. */
export const RETRY_DEFAULTS: RetrySpec = {
  attempts: 3,
  backoff: 'exponential',
  delay: '10s',
  max_delay: '5m',
  jitter: 0.2,
};
export const TRIGGER_DEFAULTS = { timezone: 'UTC', catch_up: 'last', catch_up_window: '1h' } as const;

export function normalise(value: Written, source: SourceFile, hash: string): WorkflowDefinition {
  const inputs: Record<string, InputSpec> = {};
  for (const [name, spec] of Object.entries(value.inputs ?? {})) {
    const out: InputSpec = { type: spec.type, required: spec.required ?? false };
    if (spec.default !== undefined && spec.default !== null) out.default = spec.default;
    if (spec.description !== undefined) out.description = spec.description;
    if (spec.enum !== undefined) out.enum = spec.enum;
    inputs[name] = out;
  }
  const triggers: TriggerSpec[] = (value.triggers ?? []).map((t) => ({
    cron: t.cron.trim(),
    timezone: t.timezone ?? TRIGGER_DEFAULTS.timezone,
    inputs: Object.fromEntries(
      Object.entries(t.inputs ?? {}).filter(([, v]) => v !== null && v !== undefined),
    ),
    catch_up: t.catch_up ?? TRIGGER_DEFAULTS.catch_up,
    catch_up_window: t.catch_up_window ?? TRIGGER_DEFAULTS.catch_up_window,
  }));
  const steps = (list: 'steps' | 'finally' | 'on_failure') =>
    (value[list] ?? []).map((step, index) => normaliseStep(step, source, list, index));
  const def: WorkflowDefinition = {
    name: value.name,
    inputs,
    triggers,
    concurrency: concurrencySpec(value.name, value.concurrency),
    steps: steps('steps'),
    finally: steps('finally'),
    on_failure: steps('on_failure'),
    source: { file: source.file, hash },
  };
  if (value.description !== undefined) def.description = value.description;
  if (value.timeout !== undefined) def.timeout = value.timeout;
  if (value.auto_cleanup === false) def.auto_cleanup = false;
  return def;
}

function normaliseStep(step: WrittenStep, source: SourceFile, list: string, index: number): StepSpec {
  const at = source.spanOf([list, index]);
  const out: StepSpec = {
    id: step.id,
    uses: step.uses as StepKind,
    with: (step.with ?? {}) as Record<string, unknown>,
    max_parallel: step.max_parallel ?? 1,
    continue_on_error: step.continue_on_error ?? false,
    wait: normaliseWait(step.wait),
    keep: step.keep ?? false,
    loc: { file: source.file, line: at.line, column: at.column },
  };
  if (step.name !== undefined) out.name = step.name;
  if (step.if !== undefined) out.if = String(step.if);
  if (step.for_each !== undefined) out.for_each = step.for_each as string | unknown[];
  if (step.retry !== undefined) out.retry = { ...RETRY_DEFAULTS, ...step.retry };
  if (step.timeout !== undefined) out.timeout = step.timeout;
  return out;
}

/** true -> {}, a status (or list) -> {status}, an object kept, false kept, absent -> undefined. */
export function normaliseWait(wait: WrittenStep['wait']): WaitSpec | false | undefined {
  if (wait === undefined || wait === false) return wait;
  if (wait === true) return {};
  if (typeof wait === 'string' || Array.isArray(wait)) return { status: wait };
  const out: WaitSpec = {};
  if (wait.status !== undefined) out.status = wait.status;
  if (wait.timeout !== undefined) out.timeout = wait.timeout;
  if (wait.poll !== undefined) out.poll = wait.poll;
  return out;
}

/** A `limit` without `overlap` means queue: runs beyond the limit wait their turn. */
function concurrencySpec(name: string, written: Written['concurrency']): ConcurrencySpec {
  const overlap = written?.overlap ?? (written?.limit === undefined ? 'skip' : 'queue');
  const spec: ConcurrencySpec = { group: written?.group ?? name, overlap };
  if (written?.limit !== undefined) spec.limit = written.limit;
  return spec;
}
