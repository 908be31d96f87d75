// instance.create: crash-safe and duplicate-free. Before each POST the intent
// (deterministic name, time) is checkpointed, recorded as owned-to-be and tracked as
// the run's resource; after a crash, or a POST whose answer was lost, the action first
// looks for an instance of that name created since the intent and adopts it instead
// of creating another. An unanswered POST may still create a box later: until the
// API can no longer act on it (`lateAnswerMs`), the step keeps looking and deletes any
// second box of that name. Capacity and quota errors walk the `fallback` list,
// checking /availability and /quotas first; when every choice is out, `capacity: wait`
// parks and looks again (backing off) until one has room or the wait times out,
// `capacity: fail` (default) fails at once. Then waits for `active` (or the step's `wait`).
import { z } from 'zod';
import type { StepParams } from '../dsl/step-params.js';
import {
  AmbiguousCreateError,
  type CreateInstanceBody,
  type Instance,
  isCapacityError,
} from '../genesis/index.js';
import { nameHash } from '../runs/ownership.js';
import { faultPoint } from '../shared/faultpoints.js';
import { type Choice, capacityDelayMs, capacityOf } from './capacity.js';
import { TransientStepError } from './errors.js';
import { findOurInstances, LATE_ANSWER_DEFAULT_MS, removeDuplicates } from './late-answers.js';
import { resolveSecurityGroups, resolveSshKeys } from './resolve.js';
import { type ActionContext, defineAction, done, waitUntil } from './types.js';
import { pollStatus } from './wait-status.js';

type Params = StepParams<'instance.create'>;

const createCursor = z.object({
  /** Index of the {type, region} candidate being tried (0 = the step's own). */
  choice: z.number().int().min(0).default(0),
  /** Set just before a POST is sent: an instance created since may be ours. */
  intent_at: z.number().optional(),
  /** Looks for an ambiguous POST's instance so far. */
  lookups: z.number().optional(),
  instance_id: z.string().optional(),
  adopted: z.boolean().optional(),
  wait_deadline: z.number().optional(),
  /** An answer was lost: until then a late duplicate may appear. */
  settle_until: z.number().optional(),
  skipped: z.array(z.string()).optional(),
  /** The step attempt this cursor belongs to: a new attempt tries every candidate again. */
  attempt: z.number().optional(),
  /** `capacity: wait`: when every choice was first found out of capacity, and the looks since. */
  capacity_since: z.number().optional(),
  capacity_looks: z.number().optional(),
});
type CreateCursor = z.output<typeof createCursor>;
type Ctx = ActionContext<'instance.create', CreateCursor>;

/** How long after a lost answer to look for the instance, and how often, before creating again. */
const LOOK_DELAY_MS = 3_000;
const LOOKS_BEFORE_RETRY = 2;

export const instanceCreate = defineAction('instance.create', createCursor, async (ctx) => {
  const p = ctx.params;
  const c: CreateCursor = { ...(ctx.cursor ?? { choice: 0 }) };
  if (c.attempt !== ctx.task.attempt && c.instance_id === undefined) {
    c.choice = 0;
    c.skipped = [];
    delete c.capacity_since;
    delete c.capacity_looks;
  }
  c.attempt = ctx.task.attempt;
  const candidates = [
    { type: p.type, region: p.region },
    ...(p.fallback ?? []).map((f) => ({ type: f.type ?? p.type, region: f.region ?? p.region })),
  ];

  // capacity: wait, woken after every choice was out: look again, or park again.
  if (c.instance_id === undefined && c.capacity_since !== undefined && c.choice >= candidates.length) {
    const reasons = await capacityOf(ctx, candidates);
    const free = reasons.indexOf(undefined);
    if (free < 0) return parkForCapacity(ctx, c, candidates, reasons);
    ctx.log.info(
      { type: candidates[free]!.type, region: candidates[free]!.region, looks: c.capacity_looks },
      'capacity is back; creating the instance',
    );
    c.choice = free;
    c.skipped = [];
    delete c.intent_at;
  }

  if (c.instance_id === undefined && c.intent_at !== undefined) {
    const [found, ...more] = await findOurInstances(ctx, { name: p.name }, c.intent_at);
    if (found) {
      await own(ctx, c, found, true);
      if (more.length > 0)
        await removeDuplicates(ctx, {
          kind: 'instance',
          name: { name: p.name },
          label: p.name,
          since: c.intent_at,
          keepId: found.id,
        });
    } else if ((c.lookups ?? 0) < LOOKS_BEFORE_RETRY) {
      c.lookups = (c.lookups ?? 0) + 1;
      return waitUntil(
        c,
        ctx.now() + LOOK_DELAY_MS,
        `looking for instance ${p.name} from an unanswered create call`,
      );
    } else {
      ctx.log.warn({ name: p.name }, 'no instance from the earlier create call appeared; creating it now');
    }
  }

  while (c.instance_id === undefined) {
    const candidate = candidates[c.choice];
    if (!candidate) {
      if (p.capacity === 'wait') return parkForCapacity(ctx, c, candidates);
      throw new TransientStepError(
        'E_NO_CAPACITY',
        `no capacity or quota for any of ${candidates.map(label).join(', ')}: ${(c.skipped ?? []).join('; ')}`,
      );
    }
    if (candidates.length > 1 || p.capacity === 'wait') {
      const [why] = await capacityOf(ctx, [candidate]);
      if (why !== undefined) {
        skip(c, candidate, why);
        continue;
      }
    }
    const body = await buildBody(ctx, p, candidate);
    c.intent_at = ctx.now();
    c.lookups = 0;
    await recordIntent(ctx, c.intent_at);
    await ctx.checkpoint(c);
    faultPoint('instance.create:before-post');
    let instance: Instance;
    try {
      instance = await ctx.client.instances.create(body, { signal: ctx.signal });
    } catch (err) {
      if (err instanceof AmbiguousCreateError) {
        ctx.log.warn(
          { name: p.name, err },
          'create call got no answer; looking for the instance before creating again',
        );
        c.settle_until = c.intent_at + (ctx.task.defaults.lateAnswerMs ?? LATE_ANSWER_DEFAULT_MS);
        ctx.track({ kind: 'instance', settle_until: c.settle_until });
        return waitUntil(
          c,
          ctx.now() + LOOK_DELAY_MS,
          `looking for instance ${p.name} from an unanswered create call`,
        );
      }
      if (isCapacityError(err)) {
        skip(c, candidate, (err as Error).message);
        delete c.intent_at;
        continue;
      }
      throw err;
    }
    faultPoint('instance.create:after-post');
    await own(ctx, c, instance, false);
  }
  const id = c.instance_id;

  const outputs = (instance: Instance) =>
    done({
      instance,
      adopted: c.adopted === true,
      type: instance.type,
      region: instance.region,
      fallbacks_skipped: c.skipped ?? [],
    });
  // Active (or past it), then no late duplicate can appear any more: the step is done.
  const settled = async (instance: Instance): Promise<ReturnType<typeof outputs> | undefined> => {
    if (c.settle_until === undefined) return outputs(instance);
    await removeDuplicates(ctx, {
      kind: 'instance',
      name: { name: p.name },
      label: p.name,
      since: c.intent_at!,
      keepId: id,
    });
    if (ctx.now() >= c.settle_until) return outputs(instance);
    return undefined;
  };
  const wait = ctx.task.wait;
  if (!wait) {
    const instance = await ctx.client.instances.get(id, { signal: ctx.signal });
    return (await settled(instance)) ?? lookAgain(ctx, c);
  }
  if (c.wait_deadline === undefined) {
    c.wait_deadline = ctx.now() + wait.timeoutMs;
    return waitUntil(
      c,
      Math.min(ctx.now() + wait.pollMs, c.wait_deadline),
      `status ${wait.statuses.join(' or ')}`,
      c.wait_deadline,
    );
  }
  const polled = await pollStatus(
    ctx.statuses,
    {
      instanceId: id,
      statuses: wait.statuses,
      deadline: c.wait_deadline,
      pollMs: wait.pollMs,
      origin: 'creating',
    },
    ctx.now(),
    c,
    (instance) => done({ instance }),
  );
  if (polled.type === 'wait') return polled;
  return (await settled(polled.outputs['instance'] as Instance)) ?? lookAgain(ctx, c);
});

/** Waits out the rest of the late-answer window, looking for a duplicate at every poll. */
function lookAgain(ctx: Ctx, c: CreateCursor) {
  const pollMs = ctx.task.wait?.pollMs ?? ctx.task.defaults.pollMs;
  return waitUntil(
    c,
    Math.min(ctx.now() + pollMs, c.settle_until!),
    `late answers to the create call of ${ctx.params.name}`,
    c.settle_until,
  );
}

async function recordIntent(ctx: Ctx, at: number): Promise<void> {
  const p = ctx.params;
  ctx.track({
    kind: 'instance',
    name: p.name,
    name_hash: nameHash(p.name),
    state: 'pending',
    keep: ctx.task.spec.keep,
    intent_at: at,
  });
  await ctx.ownership.recordIntent({
    task: ctx.task.key,
    run: ctx.run.id,
    workflow: ctx.run.workflow,
    step: ctx.task.spec.id,
    name: p.name,
    at,
    keep: ctx.task.spec.keep,
  });
}

async function own(ctx: Ctx, c: CreateCursor, instance: Instance, adopted: boolean): Promise<void> {
  c.instance_id = instance.id;
  c.adopted = adopted;
  ctx.track({ kind: 'instance', id: instance.id, state: 'live' });
  await ctx.ownership.recordOwned({
    instance_id: instance.id,
    task: ctx.task.key,
    run: ctx.run.id,
    workflow: ctx.run.workflow,
    step: ctx.task.spec.id,
    name: instance.name,
    keep: ctx.task.spec.keep,
    created_at: instance.created_at,
  });
  if (adopted)
    ctx.log.info(
      { instanceId: instance.id, name: instance.name },
      'adopted the instance created before the interruption',
    );
}

/**
 * Every choice is out of capacity or quota: park until the next look (the poll
 * interval, doubling, at most a minute), or fail once the wait's timeout has passed.
 * The step's own `timeout` still bounds it from the engine.
 */
function parkForCapacity(ctx: Ctx, c: CreateCursor, choices: Choice[], reasons?: Array<string | undefined>) {
  const now = ctx.now();
  const pollMs = ctx.task.wait?.pollMs ?? ctx.task.defaults.pollMs;
  const timeoutMs = ctx.task.wait?.timeoutMs ?? ctx.task.defaults.timeoutMs;
  c.capacity_since ??= now;
  const deadline = c.capacity_since + timeoutMs;
  const why = reasons
    ? choices.map((choice, i) => `${label(choice)}: ${reasons[i] ?? 'taken meanwhile'}`).join('; ')
    : (c.skipped ?? []).join('; ');
  if (now >= deadline)
    throw new TransientStepError(
      'E_NO_CAPACITY',
      `no capacity or quota for any of ${choices.map(label).join(', ')} after waiting ${Math.round(timeoutMs / 1000)}s (capacity: wait): ${why}`,
    );
  if (c.capacity_looks === undefined)
    ctx.log.info(
      { choices: choices.map(label) },
      `no capacity or quota for any choice; waiting for capacity: ${why}`,
    );
  const looks = c.capacity_looks ?? 0;
  c.capacity_looks = looks + 1;
  c.choice = choices.length;
  return waitUntil(
    c,
    Math.min(now + capacityDelayMs(pollMs, looks), deadline),
    `capacity for ${choices.map(label).join(' or ')}`,
    deadline,
  );
}

async function buildBody(
  ctx: Ctx,
  p: Params,
  where: { type: string; region: string },
): Promise<CreateInstanceBody> {
  const metadata: NonNullable<CreateInstanceBody['metadata']> = {
    ...(p.metadata as CreateInstanceBody['metadata']),
  };
  if (p.startup_script !== undefined) metadata.startup_script = p.startup_script;
  if (p.user_data !== undefined) metadata.user_data = p.user_data;
  const body: CreateInstanceBody = {
    name: p.name,
    hostname: p.hostname ?? p.name,
    type: where.type,
    region: where.region,
    image: p.image,
  };
  if (p.ssh_keys !== undefined) body.ssh_keys = await resolveSshKeys(ctx.client, p.ssh_keys, ctx.signal);
  if (p.password !== undefined) body.password = p.password;
  if (p.security_groups !== undefined)
    body.security_groups = await resolveSecurityGroups(
      ctx.client,
      p.security_groups,
      where.region,
      ctx.signal,
    );
  if (Object.keys(metadata).length > 0) body.metadata = metadata;
  for (const key of [
    'placement_option',
    'floating_ip',
    'volumes',
    'is_protected',
    'disk_size',
    'destroy_on_shutdown',
    'billing_type',
    'reservation_id',
    'public_ipv6',
  ] as const) {
    if (p[key] !== undefined) (body as unknown as Record<string, unknown>)[key] = p[key];
  }
  return body;
}

function skip(c: CreateCursor, candidate: { type: string; region: string }, reason: string): void {
  c.skipped = [...(c.skipped ?? []), `${label(candidate)}: ${reason}`];
  c.choice += 1;
}

const label = (c: { type: string; region: string }) => `${c.type} in ${c.region}`;
