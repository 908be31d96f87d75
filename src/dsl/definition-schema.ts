// The normalised WorkflowDefinition as a zod schema: how a definition stored in Redis
// (one per content hash, read by every run that executes it) is checked when read
// back. Tied to the TypeScript types so they cannot drift. Pure: imports only zod.
import { z } from 'zod';
import { STEP_KINDS, type StepSpec, type WorkflowDefinition } from './types.js';

const inputSpec = z.object({
  type: z.enum(['string', 'integer', 'number', 'boolean', 'duration', 'list', 'object']),
  default: z.unknown().optional(),
  required: z.boolean(),
  description: z.string().optional(),
  enum: z.array(z.unknown()).optional(),
});

const trigger = z.object({
  cron: z.string(),
  timezone: z.string(),
  inputs: z.record(z.string(), z.unknown()),
  catch_up: z.enum(['last', 'none']),
  catch_up_window: z.string(),
});

const waitSpec = z.object({
  status: z.union([z.string(), z.array(z.string())]).optional(),
  timeout: z.string().optional(),
  poll: z.string().optional(),
});

const step = z.object({
  id: z.string(),
  name: z.string().optional(),
  uses: z.enum(STEP_KINDS),
  with: z.record(z.string(), z.unknown()),
  if: z.string().optional(),
  for_each: z.union([z.string(), z.array(z.unknown())]).optional(),
  max_parallel: z.number().int().min(1),
  retry: z
    .object({
      attempts: z.number().int(),
      backoff: z.enum(['fixed', 'exponential']),
      delay: z.string(),
      max_delay: z.string(),
      jitter: z.number(),
    })
    .optional(),
  timeout: z.string().optional(),
  continue_on_error: z.boolean(),
  wait: z.union([waitSpec, z.literal(false)]).optional(),
  keep: z.boolean(),
  loc: z.object({ file: z.string(), line: z.number(), column: z.number() }).optional(),
}) satisfies z.ZodType<StepSpec>;

export const definitionSchema = z.object({
  name: z.string(),
  description: z.string().optional(),
  inputs: z.record(z.string(), inputSpec),
  triggers: z.array(trigger),
  concurrency: z.object({
    group: z.string(),
    overlap: z.enum(['skip', 'queue', 'cancel_running', 'allow']),
    limit: z.number().int().min(1).optional(),
  }),
  timeout: z.string().optional(),
  auto_cleanup: z.boolean().optional(),
  steps: z.array(step),
  finally: z.array(step),
  on_failure: z.array(step),
  source: z.object({ file: z.string(), hash: z.string() }).optional(),
}) satisfies z.ZodType<WorkflowDefinition>;
