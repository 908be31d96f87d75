// The shape of a workflow file as zod schemas: the validator checks files with it and
// `gcflow schema` turns the same definitions into a JSON Schema for editors (json-schema.ts,
// which adds the descriptions of descriptions.ts).
// Pure: imports zod and the pure checks of schedules.
import { z } from 'zod';
import { SNAPSHOT_STATUSES, WAITABLE_INSTANCE_STATUSES } from '../shared/api-values.js';
import { parseDuration } from '../shared/duration.js';
import { cronProblem } from './schedule.js';
import { durationText, expression, timezone } from './step-params.js';

export const WORKFLOW_NAME_RE = /^[a-z0-9][a-z0-9-]{0,62}$/;
export const STEP_ID_RE = /^[a-z][a-z0-9_-]*$/;
/** Input names must be usable as `inputs.<name>` in an expression. */
export const INPUT_NAME_RE = /^[A-Za-z_][A-Za-z0-9_-]*$/;
export const INPUT_TYPES = ['string', 'integer', 'number', 'boolean', 'duration', 'list', 'object'] as const;
export const OVERLAPS = ['skip', 'queue', 'cancel_running', 'allow'] as const;
/** The largest `concurrency.limit`: the gate's Lua scripts read the group's holders at every turn. */
export const CONCURRENCY_LIMIT_MAX = 1_000;
export const CATCH_UPS = ['last', 'none'] as const;
export const BACKOFFS = ['fixed', 'exponential'] as const;
export const STEP_LISTS = ['steps', 'finally', 'on_failure'] as const;
export type StepList = (typeof STEP_LISTS)[number];

/** A duration that must not be zero (timeouts, polling, windows). */
const positiveDuration = durationText.refine((text) => parseDuration(text) !== 0, {
  message: 'must be longer than 0',
  params: {
    code: 'E_DURATION',
    field: true,
    hint: 'give a duration above zero, such as 30s or 15m',
  },
});
const durationOrExpression = z.union([positiveDuration, expression]);
/** What `wait` may wait for: an instance status, `deleted` (gone), or a snapshot status. */
export const WAIT_STATUSES = [...new Set([...WAITABLE_INSTANCE_STATUSES, ...SNAPSHOT_STATUSES])] as [
  string,
  ...string[],
];
const waitStatus = z.enum(WAIT_STATUSES);
const statuses = z.union([waitStatus, z.array(z.union([waitStatus, expression])).min(1), expression]);

const cron = z.string().superRefine((value, ctx) => {
  const problem = cronProblem(value);
  if (problem)
    ctx.addIssue({
      code: 'custom',
      message: problem.message,
      params: { code: 'E_CRON', hint: problem.hint },
    });
});

const inputSpec = z.strictObject({
  type: z.enum(INPUT_TYPES),
  default: z.unknown().optional(),
  required: z.boolean().optional(),
  description: z.string().optional(),
  enum: z.array(z.unknown()).min(1).optional(),
});

const trigger = z.strictObject({
  cron,
  timezone: timezone.optional(),
  inputs: z.record(z.string(), z.unknown()).optional(),
  catch_up: z.enum(CATCH_UPS).optional(),
  catch_up_window: positiveDuration.optional(),
});

const concurrency = z.strictObject({
  group: z.string().min(1).optional(),
  overlap: z.enum(OVERLAPS).optional(),
  limit: z.number().int().min(1).max(CONCURRENCY_LIMIT_MAX).optional(),
});

const retry = z.strictObject({
  attempts: z.number().int().min(1).max(100).optional(),
  backoff: z.enum(BACKOFFS).optional(),
  delay: durationText.optional(),
  max_delay: durationText.optional(),
  jitter: z.number().min(0).max(1).optional(),
});

const wait = z.union([
  z.boolean(),
  statuses,
  z.strictObject({
    status: statuses.optional(),
    timeout: durationOrExpression.optional(),
    poll: positiveDuration.optional(),
  }),
]);

export function stepSchema<U extends z.ZodType, P extends z.ZodType>(uses: U, params: P) {
  return z.strictObject({
    id: z.string().regex(STEP_ID_RE),
    name: z.string().optional(),
    uses,
    with: params.optional(),
    if: z.union([z.string(), z.boolean()]).optional(),
    for_each: z.union([expression, z.array(z.unknown())]).optional(),
    max_parallel: z.number().int().min(1).max(100).optional(),
    retry: retry.optional(),
    timeout: durationOrExpression.optional(),
    continue_on_error: z.boolean().optional(),
    wait: wait.optional(),
    keep: z.boolean().optional(),
  });
}

export function workflowShape<S extends z.ZodType>(step: S) {
  return z.strictObject({
    name: z.string().regex(WORKFLOW_NAME_RE),
    description: z.string().optional(),
    inputs: z.record(z.string(), inputSpec).optional(),
    triggers: z.array(trigger).optional(),
    concurrency: concurrency.optional(),
    timeout: positiveDuration.optional(),
    auto_cleanup: z.boolean().optional(),
    steps: z.array(step).min(1),
    finally: z.array(step).optional(),
    on_failure: z.array(step).optional(),
  });
}

/** What the validator checks whole files with; `with` is checked per step kind (STEP_PARAMS). */
export const workflowSchema = workflowShape(stepSchema(z.string(), z.record(z.string(), z.unknown())));
/** One step with its `with` left open (for the keys of a step). */
export const genericStepSchema = stepSchema(z.string(), z.record(z.string(), z.unknown()));
