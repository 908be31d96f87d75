// The shapes of the engine's durable data as zod schemas, checked whenever a run state
// or an event is read back from storage (src/runs/records.ts). Each schema is tied to
// its TypeScript type, so the two cannot drift. Pure: imports only zod and types.
import { z } from 'zod';
import type { RunEvent, RunEventType } from './events.js';
import type { ItemState, RunResource, RunState, StepState } from './state.js';
import { RUN_STATUSES } from './state.js';

const STEP_STATUSES = [
  'pending',
  'running',
  'waiting',
  'succeeded',
  'failed',
  'skipped',
  'cancelled',
] as const;
const OUTCOMES = ['succeeded', 'failed', 'cancelled'] as const;
const iso = z.string();

const attempted = {
  status: z.enum(STEP_STATUSES),
  attempts: z.number().int().min(0),
  started_at: iso.nullable(),
  finished_at: iso.nullable(),
  outputs: z.record(z.string(), z.unknown()),
  error: z.string().nullable(),
  wake_at: z.number().optional(),
  retry_pending: z.boolean().optional(),
  waiting_for: z.string().optional(),
  cursor: z.unknown().optional(),
  wait_deadline: z.number().optional(),
};

export const itemSchema = z.object({
  index: z.number().int().min(0),
  ...attempted,
}) satisfies z.ZodType<ItemState>;

const stepSchema = z.object({
  id: z.string(),
  ...attempted,
  deadline_at: z.number().optional(),
  for_each: z.array(z.unknown()).optional(),
  items: z.array(itemSchema).optional(),
  items_next: z.number().int().min(0).optional(),
  live: z.array(z.number().int().min(0)).optional(),
  items_total: z.number().int().min(0).optional(),
}) satisfies z.ZodType<StepState>;

const resourceSchema = z.object({
  kind: z.enum(['instance', 'snapshot']),
  task: z.string(),
  step: z.string(),
  name: z.string(),
  name_hash: z.string(),
  id: z.string().optional(),
  parent: z.string().optional(),
  state: z.enum(['pending', 'live', 'deleted']),
  keep: z.boolean(),
  intent_at: z.number(),
  settle_until: z.number().optional(),
}) satisfies z.ZodType<RunResource>;

export const runStateSchema = z.object({
  id: z.string(),
  workflow: z.string(),
  definition_hash: z.string(),
  status: z.enum(RUN_STATUSES),
  trigger: z.enum(['schedule', 'manual', 'api']),
  scheduled_at: iso.nullable(),
  created_at: iso,
  started_at: iso.nullable(),
  finished_at: iso.nullable(),
  inputs: z.record(z.string(), z.unknown()),
  error: z.string().nullable(),
  phase: z.enum(['main', 'on_failure', 'finally', 'cleanup', 'done']),
  outcome: z.enum(OUTCOMES).nullable(),
  deadline_at: z.number().nullable(),
  cancelled_at: iso.nullable(),
  attempt: z.number().int().min(0),
  steps: z.record(z.string(), stepSchema),
  resources: z.array(resourceSchema),
}) satisfies z.ZodType<RunState>;

const EVENT_TYPES = [
  'run.queued',
  'run.started',
  'run.resumed',
  'run.cancel_requested',
  'run.cancelling',
  'run.timed_out',
  'run.gave_up',
  'run.succeeded',
  'run.failed',
  'run.cancelled',
  'step.started',
  'step.skipped',
  'step.waiting',
  'step.retrying',
  'step.succeeded',
  'step.failed',
  'step.cancelled',
  'step.log',
] as const satisfies readonly RunEventType[];

export const runEventSchema = z.object({
  type: z.enum(EVENT_TYPES),
  at: iso,
  step: z.string().optional(),
  index: z.number().int().optional(),
  attempt: z.number().int().optional(),
  message: z.string().optional(),
}) satisfies z.ZodType<RunEvent>;

export const cancelRequestSchema = z.object({
  at: z.number(),
  reason: z.string(),
  kind: z.enum(['cancel', 'gave_up']).optional(),
});
