// The shape of a workflow file as zod schemas: the validator checks files with it and
// `gcflow schema` turns the same definitions into a JSON Schema for editors.
// Pure: imports zod and the pure checks of schedules.
import { z } from 'zod';
import { parseDuration } from '../shared/duration.js';
import { cronProblem, timezoneProblem } from './schedule.js';
import { durationText, expression, STEP_PARAMS } from './step-params.js';
import { STEP_KINDS } from './types.js';
import { requiredKeysAt } from './zod-keys.js';

export const WORKFLOW_NAME_RE = /^[a-z0-9][a-z0-9-]{0,62}$/;
export const STEP_ID_RE = /^[a-z][a-z0-9_-]*$/;
/** Input names must be usable as `inputs.<name>` in an expression. */
export const INPUT_NAME_RE = /^[A-Za-z_][A-Za-z0-9_-]*$/;
export const INPUT_TYPES = ['string', 'integer', 'number', 'boolean', 'duration', 'list', 'object'] as const;
export const OVERLAPS = ['skip', 'queue', 'cancel_running', 'allow'] as const;
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
const statuses = z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]);

const cron = z
  .string()
  .superRefine((value, ctx) => {
    const problem = cronProblem(value);
    if (problem)
      ctx.addIssue({
        code: 'custom',
        message: problem.message,
        params: { code: 'E_CRON', hint: problem.hint },
      });
  })
  .describe("5 fields (minute hour day month weekday) or 6 (seconds first), e.g. '0 2 * * *'");

const timezone = z
  .string()
  .superRefine((value, ctx) => {
    const problem = timezoneProblem(value);
    if (problem)
      ctx.addIssue({
        code: 'custom',
        message: problem.message,
        params: { code: 'E_TIMEZONE', hint: problem.hint },
      });
  })
  .describe('IANA timezone of the schedule, e.g. Europe/Berlin; default UTC');

const inputSpec = z.strictObject({
  type: z.enum(INPUT_TYPES).describe('string, integer, number, boolean, duration, list or object'),
  default: z.unknown().optional().describe('used when the run does not set the input'),
  required: z.boolean().optional().describe('a run must set it (or it has a default); default false'),
  description: z.string().optional(),
  enum: z.array(z.unknown()).min(1).optional().describe('the only values allowed'),
});

const trigger = z.strictObject({
  cron,
  timezone: timezone.optional(),
  inputs: z
    .record(z.string(), z.unknown())
    .optional()
    .describe('literal input values for runs this trigger starts'),
  catch_up: z
    .enum(CATCH_UPS)
    .optional()
    .describe(
      'after downtime: last = run the most recent missed fire (within catch_up_window), none = skip; default last',
    ),
  catch_up_window: positiveDuration
    .optional()
    .describe('how old a missed fire may be and still run; default 1h'),
});

const concurrency = z.strictObject({
  group: z
    .string()
    .min(1)
    .optional()
    .describe('runs in one group obey overlap together; default the workflow name'),
  overlap: z
    .enum(OVERLAPS)
    .optional()
    .describe(
      'when a run starts while one in the group is active: skip (default), queue, cancel_running, allow',
    ),
});

const retry = z.strictObject({
  attempts: z.number().int().min(1).max(100).optional().describe('tries in total, 1-100; default 3'),
  backoff: z.enum(BACKOFFS).optional().describe('fixed or exponential (default)'),
  delay: durationText.optional().describe('first delay; default 10s'),
  max_delay: durationText.optional().describe('cap of the delay; default 5m'),
  jitter: z
    .number()
    .min(0)
    .max(1)
    .optional()
    .describe('fraction of each delay that is randomised, 0-1; default 0.2'),
});

const wait = z
  .union([
    z.boolean(),
    statuses,
    z.strictObject({
      status: statuses.optional(),
      timeout: durationOrExpression.optional(),
      poll: positiveDuration.optional(),
    }),
  ])
  .describe(
    'true, false, a status (or list), or {status, timeout, poll}; on by default for mutating instance steps',
  );

function stepSchema<U extends z.ZodType, P extends z.ZodType>(uses: U, params: P) {
  return z.strictObject({
    id: z.string().regex(STEP_ID_RE).describe('unique in the file; outputs are read as steps.<id>.outputs'),
    name: z.string().optional().describe('shown in status and logs'),
    uses,
    with: params.optional(),
    if: z
      .union([z.string(), z.boolean()])
      .optional()
      .describe('skip the step unless this expression is truthy'),
    for_each: z
      .union([expression, z.array(z.unknown())])
      .optional()
      .describe('run once per item of this list (item and index in with/wait)'),
    max_parallel: z.number().int().min(1).max(100).optional().describe('items at once, 1-100; default 1'),
    retry: retry.optional(),
    timeout: durationOrExpression.optional().describe('the step, waits included'),
    continue_on_error: z.boolean().optional().describe('a failure of this step does not fail the run'),
    wait: wait.optional(),
    keep: z.boolean().optional().describe('instance.create only: the box is meant to outlive the run'),
  });
}

function workflowShape<S extends z.ZodType>(step: S) {
  return z.strictObject({
    name: z.string().regex(WORKFLOW_NAME_RE).describe('unique; lower-case letters, digits and dashes'),
    description: z.string().optional(),
    inputs: z.record(z.string(), inputSpec).optional(),
    triggers: z.array(trigger).optional().describe('schedules; manual runs are always allowed'),
    concurrency: concurrency.optional(),
    timeout: positiveDuration.optional().describe('the whole run; on expiry: cancel, then finally steps'),
    auto_cleanup: z
      .boolean()
      .optional()
      .describe(
        'default true: after finally, gcflow deletes any instance this run created that is neither kept (keep: true) nor deleted',
      ),
    steps: z.array(step).min(1),
    finally: z
      .array(step)
      .optional()
      .describe('always, in order, after steps (success, failure, cancel, timeout)'),
    on_failure: z.array(step).optional().describe('when the run failed'),
  });
}

/** What the validator checks whole files with; `with` is checked per step kind (STEP_PARAMS). */
export const workflowSchema = workflowShape(stepSchema(z.string(), z.record(z.string(), z.unknown())));
/** One step with its `with` left open (for the keys of a step). */
export const genericStepSchema = stepSchema(z.string(), z.record(z.string(), z.unknown()));

/** The JSON Schema of workflow files, for editors (yaml-language-server) and `gcflow schema`. */
export function workflowJsonSchema(): Record<string, unknown> {
  const options = { target: 'draft-7', unrepresentable: 'any', io: 'input' } as const;
  const toJson = (schema: z.ZodType) => {
    const { $schema: _, ...rest } = z.toJSONSchema(schema, options) as Record<string, unknown>;
    return rest;
  };
  // One step schema; `with` is narrowed per kind with if/then, so editors complete
  // each kind's parameters without 17 copies of every step key.
  const step = toJson(stepSchema(z.enum(STEP_KINDS), z.record(z.string(), z.unknown())));
  step['allOf'] = STEP_KINDS.map((kind) => ({
    if: { properties: { uses: { const: kind } }, required: ['uses'] },
    // biome-ignore lint/suspicious/noThenProperty: JSON Schema's if/then, not a promise
    then: {
      properties: { with: toJson(STEP_PARAMS[kind]) },
      ...(requiredKeysAt(STEP_PARAMS[kind], []).length > 0 ? { required: ['with'] } : {}),
    },
  }));
  const root = toJson(
    workflowShape(z.record(z.string(), z.unknown())).describe('A gcflow workflow: see workflows/README.md'),
  );
  const properties = root['properties'] as Record<string, Record<string, unknown>>;
  for (const list of STEP_LISTS)
    properties[list] = { ...properties[list], items: { $ref: '#/definitions/step' } };
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: 'https://gcflow.dev/schema/workflow.schema.json',
    title: 'gcflow workflow',
    ...root,
    definitions: { step },
  };
}
