// instance.snapshot: idempotent by snapshot name. Looks for a snapshot of that
// name on the instance before POSTing (so a crash right after the POST, or a lost
// answer, never makes a second one), then waits for `created`.
import { AmbiguousWriteError, type Snapshot } from '../genesis/index.js';
import { faultPoint } from '../shared/faultpoints.js';
import { StepFailure } from './errors.js';
import { resolveInstance } from './resolve.js';
import { type Action, type ActionContext, done, waitUntil } from './types.js';

interface SnapshotCursor {
  instance_id?: string;
  snapshot_id?: string;
  /** A POST may have been sent: look by name before sending another. */
  posted?: boolean;
  wait_deadline?: number;
}

const GOOD = new Set(['created', 'active']);

export const instanceSnapshot: Action<'instance.snapshot'> = async (ctx) => {
  const c: SnapshotCursor = { ...(ctx.task.cursor as SnapshotCursor | undefined) };
  const wait = ctx.task.wait;
  const pollMs = wait?.pollMs ?? ctx.task.defaults.pollMs;

  if (c.snapshot_id === undefined) {
    c.instance_id ??= (await resolveInstance(ctx.client, ctx.params.instance, ctx.signal)).id;
    const existing = await findByName(ctx, c.instance_id, ctx.params.name);
    if (existing) {
      c.snapshot_id = existing.id;
    } else {
      c.posted = true;
      await ctx.checkpoint(c);
      let snapshot: Snapshot;
      try {
        snapshot = await ctx.client.instances.createSnapshot(
          c.instance_id,
          {
            name: ctx.params.name,
            ...(ctx.params.replicated_region ? { replicated_region: ctx.params.replicated_region } : {}),
          },
          { signal: ctx.signal },
        );
      } catch (err) {
        if (err instanceof AmbiguousWriteError) {
          ctx.log.warn({ err }, 'snapshot call got no answer; looking for it by name');
          return waitUntil(c, ctx.now() + Math.min(pollMs, 3_000), `looking for snapshot ${ctx.params.name}`);
        }
        throw err;
      }
      faultPoint('instance.snapshot:after-post');
      c.snapshot_id = snapshot.id;
      if (!wait || GOOD.has(snapshot.status)) return done({ snapshot });
    }
    if (!wait)
      return done({ snapshot: await ctx.client.snapshots.get(c.snapshot_id, { signal: ctx.signal }) });
    c.wait_deadline = ctx.now() + wait.timeoutMs;
  }

  const snapshot = await ctx.client.snapshots.get(c.snapshot_id, { signal: ctx.signal });
  if (GOOD.has(snapshot.status)) return done({ snapshot });
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
  );
};

async function findByName(
  ctx: ActionContext<'instance.snapshot'>,
  instanceId: string,
  name: string,
): Promise<Snapshot | undefined> {
  const snapshots = await ctx.client.instances.listSnapshots(instanceId, { signal: ctx.signal });
  return snapshots.find(
    (s) =>
      s.name === name && s.status !== 'deleting' && s.status !== 'pending_delete' && s.status !== 'error',
  );
}
