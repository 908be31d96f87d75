// snapshots.list, snapshot.delete (404 = done) and snapshot.clone (idempotent by
// name in the target region).
import picomatch from 'picomatch';
import type { StepKind } from '../dsl/types.js';
import { isNotFound, type Snapshot } from '../genesis/index.js';
import { StepFailure } from './errors.js';
import { findInstanceId, isUuid } from './resolve.js';
import { type Action, type ActionContext, done } from './types.js';

export const snapshotsList: Action<'snapshots.list'> = async (ctx) => {
  const p = ctx.params;
  const statuses = p.status === undefined ? undefined : Array.isArray(p.status) ? p.status : [p.status];
  const matches = p.name === undefined ? () => true : picomatch(p.name);
  const snapshots = await snapshotsOf(ctx, p.instance);
  const selected = snapshots
    .filter(
      (s) =>
        matches(s.name) &&
        (statuses === undefined || statuses.includes(s.status)) &&
        (p.region === undefined || s.region === p.region),
    )
    .sort(newestFirst);
  return done({ snapshots: selected, count: selected.length });
};

export const snapshotDelete: Action<'snapshot.delete'> = async (ctx) => {
  const snapshot = await findSnapshot(ctx, ctx.params.snapshot);
  if (!snapshot) return done({ deleted: true, already_gone: true });
  try {
    await ctx.client.snapshots.delete(snapshot.id, { signal: ctx.signal });
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
  return done({ deleted: true, snapshot_id: snapshot.id });
};

export const snapshotClone: Action<'snapshot.clone'> = async (ctx) => {
  const p = ctx.params;
  const existing = (await ctx.client.snapshots.listAll({ signal: ctx.signal })).find(
    (s) => s.name === p.name && s.region === p.region && s.status !== 'deleting' && s.status !== 'error',
  );
  if (existing) return done({ snapshot: existing, adopted: true });
  const source = await findSnapshot(ctx, p.snapshot);
  if (!source)
    throw new StepFailure(
      'E_SNAPSHOT_NOT_FOUND',
      `no snapshot ${p.snapshot} to clone`,
      'check the id or name',
    );
  const snapshot = await ctx.client.snapshots.clone(
    source.id,
    { name: p.name, region: p.region },
    { signal: ctx.signal },
  );
  return done({ snapshot, adopted: false });
};

/** The snapshots of one instance (none when it does not exist), or all of them. */
export async function snapshotsOf(
  ctx: ActionContext<StepKind>,
  instance: string | undefined,
): Promise<Snapshot[]> {
  if (instance === undefined) return ctx.client.snapshots.listAll({ signal: ctx.signal });
  const id = await findInstanceId(ctx.client, instance, ctx.signal);
  return id === undefined ? [] : ctx.client.instances.listSnapshots(id, { signal: ctx.signal });
}

/** By id, or by exact name (newest when several). */
async function findSnapshot(
  ctx: ActionContext<'snapshot.delete' | 'snapshot.clone'>,
  ref: string,
): Promise<Snapshot | undefined> {
  if (isUuid(ref)) {
    try {
      return await ctx.client.snapshots.get(ref, { signal: ctx.signal });
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }
  return (await ctx.client.snapshots.listAll({ signal: ctx.signal }))
    .filter((s) => s.name === ref)
    .sort(newestFirst)[0];
}

export const newestFirst = (a: Snapshot, b: Snapshot): number =>
  Date.parse(b.created_at) - Date.parse(a.created_at);
