// A create call whose answer was lost may still be carried out by the API later: the
// first POST can land after the client gave up and created again. Until the API can
// no longer act on it, the creating step (and at the run's end, the engine's cleanup)
// looks for what carries the run's intent name and removes all but the one the run
// uses. Those extras are provably gcflow's: our name, created since our intent, owned
// by no other task.
import type { Instance, Snapshot } from '../genesis/index.js';
import { isNotFound } from '../genesis/index.js';
import { nameHash } from '../runs/ownership.js';
import type { ActionContext } from './types.js';

/** Which name a resource carries: the real one (a creating step), or its hash (the cleanup). */
export type NameMatch = { name: string } | { hash: string };

const matcher = (m: NameMatch) =>
  'name' in m ? (name: string) => name === m.name : (name: string) => nameHash(name) === m.hash;

/** How long the API may act on a create call after its answer was lost (engine.late_answer_window). */
export const LATE_ANSWER_DEFAULT_MS = 120_000;
/** An instance may be this much older than the intent and still be ours (clock skew). */
export const ADOPT_SKEW_MS = 5 * 60_000;

type Ctx = Pick<ActionContext<'instance.create'>, 'client' | 'ownership' | 'signal' | 'task' | 'log'>;

/** Instances of that name, created since `since`, not owned by another task: oldest first. */
export async function findOurInstances(ctx: Ctx, name: NameMatch, since: number): Promise<Instance[]> {
  const named = matcher(name);
  const [instances, others] = await Promise.all([
    ctx.client.instances.listAll({ signal: ctx.signal }),
    ctx.ownership.ownedByOthers(ctx.task.key),
  ]);
  return instances
    .filter(
      (i) =>
        named(i.name) &&
        i.status !== 'deleting' &&
        !others.has(i.id) &&
        Date.parse(i.created_at) >= since - ADOPT_SKEW_MS,
    )
    .sort((a, b) => Date.parse(a.created_at) - Date.parse(b.created_at));
}

/** Snapshots of `instanceId` of that name created since `since` (any region), oldest first. */
export async function findOurSnapshots(
  ctx: Ctx,
  instanceId: string,
  name: NameMatch,
  since: number,
): Promise<Snapshot[]> {
  const named = matcher(name);
  let snapshots: Snapshot[];
  try {
    snapshots = await ctx.client.instances.listSnapshots(instanceId, { signal: ctx.signal });
  } catch (err) {
    // The instance is gone (deleted in finally): its snapshots are still listed globally.
    if (!isNotFound(err)) throw err;
    snapshots = (await ctx.client.snapshots.listAll({ signal: ctx.signal })).filter(
      (s) => s.resource_id === instanceId || s.source_instance_id === instanceId,
    );
  }
  return snapshots
    .filter(
      (s) =>
        named(s.name) &&
        !['deleting', 'pending_delete'].includes(s.status) &&
        Date.parse(s.created_at) >= since - ADOPT_SKEW_MS,
    )
    .sort((a, b) => Date.parse(a.created_at) - Date.parse(b.created_at));
}

export interface Duplicates {
  kind: 'instance' | 'snapshot';
  name: NameMatch;
  /** As shown in logs (secrets redacted). */
  label: string;
  /** ms: the intent of the (first) create call. */
  since: number;
  /** The one the run uses. */
  keepId: string;
  /** Snapshots: the instance they were taken of. */
  instanceId?: string;
}

/** Deletes every other resource of this name created since the intent; returns their ids. */
export async function removeDuplicates(ctx: Ctx, d: Duplicates): Promise<string[]> {
  const extras =
    d.kind === 'instance'
      ? (await findOurInstances(ctx, d.name, d.since)).filter((i) => i.id !== d.keepId)
      : extraSnapshots(await findOurSnapshots(ctx, d.instanceId!, d.name, d.since), d.keepId);
  const removed: string[] = [];
  for (const extra of extras) {
    try {
      if (d.kind === 'instance') await ctx.client.instances.delete(extra.id, { signal: ctx.signal });
      else await ctx.client.snapshots.delete(extra.id, { signal: ctx.signal });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
    removed.push(extra.id);
    ctx.log.warn(
      { kind: d.kind, name: d.label, kept: d.keepId, deleted: extra.id },
      `deleted a second ${d.kind} named ${d.label}: a create call whose answer was lost made it after all`,
    );
  }
  return removed;
}

/**
 * A snapshot taken with `replicated_region` has a copy of the same name in the other
 * region: one backup. Per region one copy stays: the kept one in its region, elsewhere
 * the one taken closest in time to it.
 */
function extraSnapshots(found: Snapshot[], keepId: string): Snapshot[] {
  const kept = found.find((s) => s.id === keepId);
  if (!kept) return [];
  const at = Date.parse(kept.created_at);
  const byRegion = new Map<string, Snapshot[]>();
  for (const s of found) byRegion.set(s.region, [...(byRegion.get(s.region) ?? []), s]);
  const extras: Snapshot[] = [];
  for (const [region, list] of byRegion) {
    const stay =
      region === kept.region
        ? kept
        : list.reduce((best, s) =>
            Math.abs(Date.parse(s.created_at) - at) < Math.abs(Date.parse(best.created_at) - at) ? s : best,
          );
    extras.push(...list.filter((s) => s.id !== stay.id));
  }
  return extras;
}
