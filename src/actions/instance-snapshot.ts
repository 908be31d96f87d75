// instance.snapshot: idempotent by snapshot name. Looks for a snapshot of that name
// on the instance before POSTing (so a crash right after the POST, or a lost answer,
// never makes a second one), tracks it as the run's resource, then waits for
// `created`. A POST whose answer was lost may still land later: until the API can no
// longer act on it, the step keeps looking and deletes a second snapshot of the name.
import { z } from 'zod';
import { AmbiguousWriteError, isNotFound, type Snapshot } from '../genesis/index.js';
import { nameHash } from '../runs/ownership.js';
import { faultPoint } from '../shared/faultpoints.js';
import { StepFailure } from './errors.js';
import { findOurSnapshots, LATE_ANSWER_DEFAULT_MS, removeDuplicates } from './late-answers.js';
import { instanceNotFound, lookUpInstance } from './resolve.js';
import { type ActionContext, defineAction, done, waitUntil } from './types.js';

const snapshotCursor = z.object({
  instance_id: z.string().optional(),
  /** The instance's region: its own copy is there (a replica elsewhere has the same name). */
  region: z.string().optional(),
  snapshot_id: z.string().optional(),
  /** A POST may have been sent: look by name before sending another. */
  posted: z.boolean().optional(),
  /** ms: when the first POST was about to be sent. */
  intent_at: z.number().optional(),
  /** An answer was lost: until then a late duplicate may appear. */
  settle_until: z.number().optional(),
  wait_deadline: z.number().optional(),
});
type SnapshotCursor = z.output<typeof snapshotCursor>;
type Ctx = ActionContext<'instance.snapshot', SnapshotCursor>;

const GOOD = new Set(['created', 'active']);
const GONE_STATUSES = ['deleting', 'pending_delete'];
const LOOK_DELAY_MS = 3_000;

export const instanceSnapshot = defineAction('instance.snapshot', snapshotCursor, async (ctx) => {
  const c: SnapshotCursor = { ...ctx.cursor };
  const wait = ctx.task.wait;
  const pollMs = wait?.pollMs ?? ctx.task.defaults.pollMs;
  const name = ctx.params.name;

  if (c.snapshot_id === undefined) {
    if (c.instance_id === undefined) {
      // Its region and that it exists: any status read since the step began will do (one
      // sweep shared by every item); a POST to an instance deleted since answers 404.
      const instance = await lookUpInstance(ctx, ctx.params.instance, {
        notBefore: ctx.task.stepStartedAt ?? ctx.now(),
      });
      c.instance_id = instance.id;
      c.region = instance.region;
    }
    const [existing] = await findByName(ctx, c);
    if (existing) {
      adopt(ctx, c, existing);
    } else {
      c.posted = true;
      c.intent_at ??= ctx.now();
      ctx.track({
        kind: 'snapshot',
        name,
        name_hash: nameHash(name),
        parent: c.instance_id,
        state: 'pending',
        intent_at: c.intent_at,
      });
      await ctx.checkpoint(c);
      let snapshot: Snapshot;
      try {
        snapshot = await ctx.client.instances.createSnapshot(
          c.instance_id,
          {
            name,
            ...(ctx.params.replicated_region ? { replicated_region: ctx.params.replicated_region } : {}),
          },
          { signal: ctx.signal },
        );
      } catch (err) {
        if (isNotFound(err)) throw instanceNotFound(ctx.params.instance);
        if (err instanceof AmbiguousWriteError) {
          ctx.log.warn({ err }, 'snapshot call got no answer; looking for it by name');
          c.settle_until ??= c.intent_at + (ctx.task.defaults.lateAnswerMs ?? LATE_ANSWER_DEFAULT_MS);
          ctx.track({ kind: 'snapshot', settle_until: c.settle_until });
          return waitUntil(c, ctx.now() + Math.min(pollMs, LOOK_DELAY_MS), `looking for snapshot ${name}`);
        }
        throw err;
      }
      faultPoint('instance.snapshot:after-post');
      adopt(ctx, c, snapshot);
      if (!wait || GOOD.has(snapshot.status)) return settled(ctx, c, snapshot);
      // Just answered, still being taken: the first look is one poll away.
      c.wait_deadline = ctx.now() + wait.timeoutMs;
      return waitUntil(
        c,
        Math.min(ctx.now() + pollMs, c.wait_deadline),
        `snapshot status created (now ${snapshot.status})`,
        c.wait_deadline,
      );
    }
    if (!wait) return settled(ctx, c, await ctx.client.snapshots.get(c.snapshot_id!, { signal: ctx.signal }));
    c.wait_deadline = ctx.now() + wait.timeoutMs;
  }

  // One snapshot list sweep per poll serves every snapshot waited on (or a GET each when
  // fewer are watched than the list has pages); a status read before the POST, or more
  // than half a poll ago, is never taken.
  const snapshot = await ctx.snapshots.get(c.snapshot_id!, {
    notBefore: Math.max(ctx.now() - pollMs / 2, c.intent_at ?? 0),
    signal: ctx.signal,
  });
  if (!snapshot) {
    throw new StepFailure(
      'E_SNAPSHOT_NOT_FOUND',
      `snapshot ${c.snapshot_id} (${name}) no longer exists while waiting for status created`,
      'it was deleted outside this run; the step takes it again on retry',
    );
  }
  if (GOOD.has(snapshot.status)) return settled(ctx, c, snapshot);
  if (snapshot.status === 'error') {
    throw new StepFailure(
      'E_SNAPSHOT_ERROR',
      `snapshot ${snapshot.id} (${snapshot.name}) went to status error`,
      'delete it and try again; see the Genesis Cloud console',
    );
  }
  if (ctx.now() >= (c.wait_deadline ?? 0)) {
    throw new StepFailure(
      'E_WAIT_TIMEOUT',
      `snapshot ${snapshot.id} did not reach status created in time; it is ${snapshot.status}`,
      'raise the wait timeout for large disks',
    );
  }
  return waitUntil(
    c,
    Math.min(ctx.now() + pollMs, c.wait_deadline!),
    `snapshot status created (now ${snapshot.status})`,
    c.wait_deadline,
  );
});

function adopt(ctx: Ctx, c: SnapshotCursor, snapshot: Snapshot): void {
  c.snapshot_id = snapshot.id;
  ctx.track({
    kind: 'snapshot',
    name: ctx.params.name,
    name_hash: nameHash(ctx.params.name),
    parent: c.instance_id!,
    id: snapshot.id,
    state: 'live',
    intent_at: c.intent_at ?? ctx.now(),
  });
}

/** Done, unless a late answer may still make a second snapshot: then look again until it cannot. */
async function settled(ctx: Ctx, c: SnapshotCursor, snapshot: Snapshot) {
  if (c.settle_until === undefined) return done({ snapshot });
  await removeDuplicates(ctx, {
    kind: 'snapshot',
    name: { name: ctx.params.name },
    label: ctx.params.name,
    since: c.intent_at!,
    keepId: c.snapshot_id!,
    instanceId: c.instance_id!,
  });
  if (ctx.now() >= c.settle_until) return done({ snapshot });
  const pollMs = ctx.task.wait?.pollMs ?? ctx.task.defaults.pollMs;
  return waitUntil(
    c,
    Math.min(ctx.now() + pollMs, c.settle_until),
    `late answers to the snapshot call of ${ctx.params.name}`,
    c.settle_until,
  );
}

/**
 * Snapshots of the step's name on the instance, in its own region first, excluding ones
 * in error. Before any POST of this unit (first attempt, nothing sent), the snapshot list
 * shared by every item serves, listed no earlier than the step began: a snapshot of this
 * name could only come from before it (another run). Once a POST may have been sent, or
 * on a later attempt, the look must see it: the instance's own list, or a list begun now.
 */
async function findByName(ctx: Ctx, c: SnapshotCursor): Promise<Snapshot[]> {
  const name = ctx.params.name;
  let found: Snapshot[];
  if (c.posted) found = await findOurSnapshots(ctx, c.instance_id!, { name }, c.intent_at ?? 0);
  else {
    const first = ctx.task.attempt <= 1 && ctx.task.stepStartedAt !== undefined;
    const own = await ctx.snapshots.listFor(c.instance_id!, {
      notBefore: first ? ctx.task.stepStartedAt! : ctx.now(),
      signal: ctx.signal,
    });
    found = own.filter((s) => s.name === name && !GONE_STATUSES.includes(s.status));
  }
  const home = (s: Snapshot) => (s.region === c.region ? 0 : 1);
  return found.filter((s) => s.status !== 'error').sort((a, b) => home(a) - home(b));
}
