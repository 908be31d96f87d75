// instance.create: crash-safe and duplicate-free. Before each POST the intent
// (deterministic name, time) is checkpointed and recorded as owned-to-be; after a
// crash, or a POST whose answer was lost, the action first looks for an instance
// of that name created since the intent and adopts it instead of creating
// another. Capacity and quota errors walk the `fallback` list, checking
// /availability first. Then waits for `active` (or the step's `wait`).
import type { StepParams } from '../dsl/step-params.js';
import {
  AmbiguousCreateError,
  type CreateInstanceBody,
  type Instance,
  isCapacityError,
} from '../genesis/index.js';
import { faultPoint } from '../shared/faultpoints.js';
import { TransientStepError } from './errors.js';
import { resolveSecurityGroups, resolveSshKeys } from './resolve.js';
import { type Action, type ActionContext, done, waitUntil } from './types.js';
import { pollStatus } from './wait-status.js';

type Params = StepParams<'instance.create'>;

interface CreateCursor {
  /** Index of the {type, region} candidate being tried (0 = the step's own). */
  choice: number;
  /** Set just before a POST is sent: an instance created since may be ours. */
  intent_at?: number;
  /** Looks for an ambiguous POST's instance so far. */
  lookups?: number;
  instance_id?: string;
  adopted?: boolean;
  wait_deadline?: number;
  skipped?: string[];
  /** The step attempt this cursor belongs to: a new attempt tries every candidate again. */
  attempt?: number;
}

/** An instance must be at most this much older than our intent to be adopted (clock skew). */
const ADOPT_SKEW_MS = 5 * 60_000;
/** How long after a lost answer to look for the instance, and how often, before creating again. */
const LOOK_DELAY_MS = 3_000;
const LOOKS_BEFORE_RETRY = 2;

export const instanceCreate: Action<'instance.create'> = async (ctx) => {
  const p = ctx.params;
  const c: CreateCursor = { choice: 0, ...(ctx.task.cursor as CreateCursor | undefined) };
  if (c.attempt !== ctx.task.attempt && c.instance_id === undefined) {
    c.choice = 0;
    c.skipped = [];
  }
  c.attempt = ctx.task.attempt;
  const candidates = [
    { type: p.type, region: p.region },
    ...(p.fallback ?? []).map((f) => ({ type: f.type ?? p.type, region: f.region ?? p.region })),
  ];

  if (c.instance_id === undefined && c.intent_at !== undefined) {
    const found = await findAdoptable(ctx, p.name, c.intent_at);
    if (found) {
      await own(ctx, c, found, true);
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
      throw new TransientStepError(
        'E_NO_CAPACITY',
        `no capacity for any of ${candidates.map(label).join(', ')}: ${(c.skipped ?? []).join('; ')}`,
      );
    }
    if (candidates.length > 1 && !(await available(ctx, candidate.type, candidate.region))) {
      skip(c, candidate, 'not available');
      continue;
    }
    const body = await buildBody(ctx, p, candidate);
    c.intent_at = ctx.now();
    c.lookups = 0;
    await ctx.ownership.recordIntent({
      task: ctx.task.key,
      run: ctx.run.id,
      workflow: ctx.run.workflow,
      step: ctx.task.spec.id,
      name: p.name,
      at: c.intent_at,
      keep: ctx.task.spec.keep,
    });
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

  const outputs = (instance: Instance) =>
    done({
      instance,
      adopted: c.adopted === true,
      type: instance.type,
      region: instance.region,
      fallbacks_skipped: c.skipped ?? [],
    });
  const wait = ctx.task.wait;
  if (!wait) return outputs(await ctx.client.instances.get(c.instance_id, { signal: ctx.signal }));
  if (c.wait_deadline === undefined) {
    c.wait_deadline = ctx.now() + wait.timeoutMs;
    return waitUntil(
      c,
      Math.min(ctx.now() + wait.pollMs, c.wait_deadline),
      `status ${wait.statuses.join(' or ')}`,
    );
  }
  return pollStatus(
    ctx.statuses,
    { instanceId: c.instance_id, statuses: wait.statuses, deadline: c.wait_deadline, pollMs: wait.pollMs },
    ctx.now(),
    c,
    (instance) => outputs(instance!),
  );
};

async function own(
  ctx: ActionContext<'instance.create'>,
  c: CreateCursor,
  instance: Instance,
  adopted: boolean,
): Promise<void> {
  c.instance_id = instance.id;
  c.adopted = adopted;
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

/** The instance our earlier POST created, if it exists: same name, created since the intent, not someone else's. */
async function findAdoptable(
  ctx: ActionContext<'instance.create'>,
  name: string,
  intentAt: number,
): Promise<Instance | undefined> {
  const [instances, others] = await Promise.all([
    ctx.client.instances.listAll({ signal: ctx.signal }),
    ctx.ownership.ownedByOthers(ctx.task.key),
  ]);
  const matches = instances
    .filter(
      (i) =>
        i.name === name &&
        i.status !== 'deleting' &&
        !others.has(i.id) &&
        Date.parse(i.created_at) >= intentAt - ADOPT_SKEW_MS,
    )
    .sort((a, b) => Date.parse(a.created_at) - Date.parse(b.created_at));
  if (matches.length > 1)
    ctx.log.warn({ name, ids: matches.map((m) => m.id) }, 'several instances match; adopting the oldest');
  return matches[0];
}

async function available(
  ctx: ActionContext<'instance.create'>,
  type: string,
  region: string,
): Promise<boolean> {
  const availability = await ctx.client.availability.get(region, { signal: ctx.signal });
  const entry = availability.instance_types.find((t) => t.type === type);
  return entry?.available === true;
}

async function buildBody(
  ctx: ActionContext<'instance.create'>,
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
