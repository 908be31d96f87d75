// snapshots.prune: retention. A `created` snapshot survives only while it is among
// the newest `keep_last` AND younger than `max_age` (each limit applies when
// given). Never deleted: the newest good snapshot, and snapshots that are not
// `created` (still creating, failed, being deleted). Deletes are idempotent.
import picomatch from 'picomatch';
import { isNotFound, type Snapshot } from '../genesis/index.js';
import { parseDuration } from '../shared/duration.js';
import { newestFirst, snapshotsOf } from './snapshots.js';
import { type Action, done } from './types.js';

const GOOD = new Set(['created', 'active']);

/** Pure: which snapshots retention removes. */
export function selectForPruning(
  snapshots: Snapshot[],
  now: number,
  keepLast: number | undefined,
  maxAgeMs: number | undefined,
): Snapshot[] {
  const good = snapshots.filter((s) => GOOD.has(s.status)).sort(newestFirst);
  return good.filter((s, rank) => {
    if (rank === 0) return false;
    const tooMany = keepLast !== undefined && rank >= keepLast;
    const tooOld = maxAgeMs !== undefined && now - Date.parse(s.created_at) > maxAgeMs;
    return tooMany || tooOld;
  });
}

export const snapshotsPrune: Action<'snapshots.prune'> = async (ctx) => {
  const p = ctx.params;
  let snapshots = await snapshotsOf(ctx, p.instance);
  if (p.match !== undefined) {
    const matches = picomatch(p.match);
    snapshots = snapshots.filter((s) => matches(s.name));
  }
  const doomed = selectForPruning(
    snapshots,
    ctx.now(),
    p.keep_last,
    p.max_age === undefined ? undefined : parseDuration(p.max_age),
  );
  const deleted: Snapshot[] = [];
  for (const snapshot of doomed) {
    try {
      await ctx.client.snapshots.delete(snapshot.id, { signal: ctx.signal });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
    deleted.push(snapshot);
  }
  const gone = new Set(deleted.map((s) => s.id));
  return done({ deleted, kept: snapshots.filter((s) => !gone.has(s.id)).sort(newestFirst) });
};
