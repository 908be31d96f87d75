// The `with` parameters of every step kind, as zod schemas. One definition serves
// three readers: the validator (unknown / missing / wrong-typed parameters), the
// JSON Schema for editors, and the engine, which re-checks evaluated parameters
// at run time before an action sees them. Pure: imports only zod and the API's value lists
// (src/shared/api-values.ts).
// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${{ }} is the workflow expression syntax, not a JS template
import { z } from 'zod';
import {
  INSTANCE_STATUSES,
  LEGACY_INSTANCE_STATUSES,
  SNAPSHOT_STATUSES,
  WAITABLE_INSTANCE_STATUSES,
} from '../shared/api-values.js';
import { timezoneProblem } from './schedule.js';
import type { StepKind } from './types.js';

/** A string that holds a `${{ }}` expression: its type is only known at run time. */
export const expression = z.string().regex(/\$\{\{[\s\S]*\}\}/, 'an expression ${{ ... }}');

/** Duration text as written (`30s`, `15m`, `1h30m`, `7d`); the same grammar as shared/duration. */
export const durationText = z
  .string()
  .regex(/^(?:\d+(?:ms|s|m|h|d|w))+$/, 'a duration such as 30s, 15m, 1h30m or 7d');
const glob = z.string().min(1);
/** The rules of snapshots.prune; a policy needs at least one. */
export const KEEP_RULES = [
  'keep_last',
  'keep_within',
  'max_age',
  'keep_hourly',
  'keep_daily',
  'keep_weekly',
  'keep_monthly',
  'keep_yearly',
] as const;
/** An IANA zone: a trigger's `timezone` and snapshots.prune's. */
export const timezone = z.string().superRefine((value, ctx) => {
  const problem = timezoneProblem(value);
  if (problem)
    ctx.addIssue({
      code: 'custom',
      message: problem.message,
      params: { code: 'E_TIMEZONE', hint: problem.hint },
    });
});
/** An instance id or an instance name. */
const instanceRef = z.string().min(1);

const attachDetach = z.union([
  z.array(z.string().min(1)),
  z.strictObject({ attach: z.string().min(1) }),
  z.strictObject({ detach: z.string().min(1) }),
]);

const userData = z.array(
  z.strictObject({ type: z.string(), filename: z.string().optional(), content: z.string() }),
);

/** What instance.create does when no choice has capacity or quota: wait for it, or fail (default). */
export const CAPACITY_MODES = ['wait', 'fail'] as const;

const fallbackEntry = z
  .strictObject({ type: z.string().min(1).optional(), region: z.string().min(1).optional() })
  .refine(
    (f) => f.type !== undefined || f.region !== undefined,
    'a fallback needs a type, a region, or both',
  );

/**
 * Builds every kind's schema. While authoring (`allowExpressions`), any typed
 * parameter may instead be an expression; at run time only the value is accepted.
 * The static types are those of the run-time form; the authoring form is exported
 * only as plain zod schemas (the validator and the JSON Schema need no more).
 */
function buildStepParams(allowExpressions: boolean) {
  const orExpr = <T extends z.ZodType>(schema: T): T =>
    allowExpressions ? (z.union([schema, expression]) as unknown as T) : schema;
  const duration = orExpr(durationText);
  const stringList = orExpr(z.array(z.string().min(1)));
  const keepCount = orExpr(z.number().int().min(1)).optional();
  /** One of `values`, or a list of them (statuses: the lists live in src/genesis/statuses.ts). */
  const oneOrMany = (values: readonly [string, ...string[]]) =>
    orExpr(z.union([z.enum(values), z.array(z.enum(values)).min(1)]));

  const instanceCreate = z
    .strictObject({
      name: z.string().min(1),
      hostname: z.string().min(1).optional(),
      type: z.string().min(1),
      region: z.string().min(1),
      image: z.string().min(1),
      ssh_keys: stringList.optional(),
      password: z.string().optional(),
      startup_script: z.string().max(65_536).optional(),
      user_data: orExpr(userData).optional(),
      metadata: orExpr(z.record(z.string(), z.unknown())).optional(),
      placement_option: z.string().optional(),
      floating_ip: z.string().optional(),
      volumes: stringList.optional(),
      security_groups: stringList.optional(),
      is_protected: orExpr(z.boolean()).optional(),
      disk_size: orExpr(z.number().int().min(80)).optional(),
      destroy_on_shutdown: orExpr(z.boolean()).optional(),
      billing_type: z.string().optional(),
      reservation_id: z.string().optional(),
      public_ipv6: orExpr(z.boolean()).optional(),
      fallback: orExpr(z.array(fallbackEntry)).optional(),
      capacity: orExpr(z.enum(CAPACITY_MODES)).optional(),
    })
    .refine((w) => (w.ssh_keys === undefined) !== (w.password === undefined), {
      message: 'give exactly one of ssh_keys or password',
      path: ['ssh_keys'],
    });

  return {
    'instances.list': z.strictObject({
      name: glob.optional(),
      status: oneOrMany([...INSTANCE_STATUSES, ...LEGACY_INSTANCE_STATUSES]).optional(),
      region: z.string().optional(),
      type: z.string().optional(),
      ids: stringList.optional(),
      include_held: orExpr(z.boolean()).optional(),
    }),
    'instance.get': z.strictObject({ instance: instanceRef }),
    'instance.create': instanceCreate,
    'instance.start': z.strictObject({ instance: instanceRef }),
    'instance.stop': z.strictObject({ instance: instanceRef }),
    'instance.reset': z.strictObject({ instance: instanceRef }),
    'instance.delete': z.strictObject({ instance: instanceRef, unprotect: orExpr(z.boolean()).optional() }),
    'instance.update': z.strictObject({
      instance: instanceRef,
      name: z.string().min(1).optional(),
      is_protected: orExpr(z.boolean()).optional(),
      disk_size: orExpr(z.number().int().min(80)).optional(),
      security_groups: orExpr(attachDetach).optional(),
      volumes: orExpr(attachDetach).optional(),
    }),
    'instance.wait': z.strictObject({
      instance: instanceRef,
      status: oneOrMany(WAITABLE_INSTANCE_STATUSES),
      timeout: duration.optional(),
      poll: duration.optional(),
    }),
    'job.wait': z.strictObject({
      instance: instanceRef,
      heartbeat_timeout: duration.optional(),
      timeout: duration.optional(),
      poll: duration.optional(),
    }),
    'instance.snapshot': z.strictObject({
      instance: instanceRef,
      name: z.string().min(1),
      replicated_region: z.string().optional(),
    }),
    'snapshots.list': z.strictObject({
      instance: instanceRef.optional(),
      name: glob.optional(),
      status: oneOrMany(SNAPSHOT_STATUSES).optional(),
      region: z.string().optional(),
    }),
    'snapshot.delete': z.strictObject({ snapshot: z.string().min(1) }),
    'snapshot.clone': z.strictObject({
      snapshot: z.string().min(1),
      name: z.string().min(1),
      region: z.string().min(1),
    }),
    'snapshots.prune': z
      .strictObject({
        instance: instanceRef.optional(),
        match: glob.optional(),
        keep_last: keepCount,
        keep_within: duration.optional(),
        max_age: duration.optional(),
        keep_hourly: keepCount,
        keep_daily: keepCount,
        keep_weekly: keepCount,
        keep_monthly: keepCount,
        keep_yearly: keepCount,
        timezone: orExpr(timezone).optional(),
      })
      .refine((p) => KEEP_RULES.some((rule) => p[rule] !== undefined), {
        message: `give at least one keep rule: ${KEEP_RULES.join(', ')}`,
        path: ['keep_last'],
      })
      .refine((p) => p.keep_within === undefined || p.max_age === undefined, {
        message: 'max_age is another name for keep_within: give one of them',
        path: ['max_age'],
      }),
    'availability.check': z.strictObject({ region: z.string().min(1), type: z.string().min(1).optional() }),
    'notify.webhook': z.strictObject({
      url: z.string().min(1),
      text: z.string().optional(),
      body: orExpr(z.record(z.string(), z.unknown())).optional(),
      headers: orExpr(z.record(z.string(), z.string())).optional(),
    }),
    sleep: z.strictObject({ duration }),
  } satisfies Record<StepKind, z.ZodType>;
}

/** As written in a workflow file: any typed parameter may instead be an expression. */
export const STEP_PARAMS: Record<StepKind, z.ZodType> = buildStepParams(true);

/** After expressions were evaluated: the engine checks this before an action runs. */
export const RUNTIME_STEP_PARAMS = buildStepParams(false);

/** Parameters of a step kind after expressions were evaluated. */
export type StepParams<K extends StepKind> = z.output<(typeof RUNTIME_STEP_PARAMS)[K]>;

/** Which step kinds change an instance and so wait for its next status by default. */
export const DEFAULT_WAIT_STATUS: Partial<Record<StepKind, string[]>> = {
  'instance.create': ['active'],
  'instance.start': ['active'],
  'instance.stop': ['stopped'],
  'instance.reset': ['active'],
  'instance.delete': ['deleted'],
  'instance.snapshot': ['created'],
};
