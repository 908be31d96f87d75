// snapshots.prune: retention with restic `forget` semantics (the decision is the pure
// retention.ts). API calls: the instance looked up in the coalesced status cache (when
// given; one that does not exist fails the step), the account's snapshots listed once
// for every item of the step (a list begun no earlier than the step: ctx.snapshots),
// then one DELETE per doomed snapshot (404 = already gone). No per-snapshot reads.
// A list begun before a snapshot was taken only misses it: retention then keeps more.
import picomatch from 'picomatch';
import { isNotFound, type Snapshot } from '../genesis/index.js';
import { durationMs } from '../shared/duration.js';
import { lookUpInstance } from './resolve.js';
import { decideRetention, type KeepRule, type RetentionPolicy } from './retention.js';
import { newestFirst } from './snapshots.js';
import { type Action, done } from './types.js';

export type KeptSnapshot = Snapshot & { kept_by: (KeepRule | 'not_created')[] };

export const snapshotsPrune: Action<'snapshots.prune'> = async (ctx) => {
  const p = ctx.params;
  // Snapshot lists begun no earlier than the step: one shared by every item of a for_each.
  const fresh = { notBefore: ctx.task.stepStartedAt ?? ctx.now(), signal: ctx.signal };
  let snapshots: Snapshot[];
  if (p.instance === undefined) snapshots = await ctx.snapshots.listAll(fresh);
  else {
    const instance = await lookUpInstance(ctx, p.instance, { notBefore: fresh.notBefore });
    snapshots = await ctx.snapshots.listFor(instance.id, fresh);
  }
  if (p.match !== undefined) {
    const matches = picomatch(p.match);
    snapshots = snapshots.filter((s) => matches(s.name));
  }
  const within = p.keep_within ?? p.max_age;
  const policy: RetentionPolicy = {
    ...(p.keep_last === undefined ? {} : { keep_last: p.keep_last }),
    ...(within === undefined
      ? {}
      : { keep_within_ms: durationMs(within, p.keep_within === undefined ? 'max_age' : 'keep_within') }),
    ...(p.keep_hourly === undefined ? {} : { keep_hourly: p.keep_hourly }),
    ...(p.keep_daily === undefined ? {} : { keep_daily: p.keep_daily }),
    ...(p.keep_weekly === undefined ? {} : { keep_weekly: p.keep_weekly }),
    ...(p.keep_monthly === undefined ? {} : { keep_monthly: p.keep_monthly }),
    ...(p.keep_yearly === undefined ? {} : { keep_yearly: p.keep_yearly }),
    ...(p.timezone === undefined ? {} : { timezone: p.timezone }),
  };
  const { decisions, untouched } = decideRetention(snapshots, policy, ctx.now());

  const kept: KeptSnapshot[] = untouched.map((s) => ({ ...s, kept_by: ['not_created'] }));
  const deleted: Snapshot[] = [];
  for (const decision of decisions) {
    if (decision.keep) {
      kept.push(...decision.snapshots.map((s) => ({ ...s, kept_by: decision.rules })));
      continue;
    }
    for (const snapshot of decision.snapshots) {
      try {
        await ctx.client.snapshots.delete(snapshot.id, { signal: ctx.signal });
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
      deleted.push(snapshot);
    }
  }
  return done({ kept: kept.sort(newestFirst), deleted: deleted.sort(newestFirst) });
};
