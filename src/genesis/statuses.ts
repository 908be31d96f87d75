// Instance and snapshot statuses as the API documents them (API-NOTES.md, "Status
// machines"), and what a status seen now proves about the past. Polls sample: a box
// whose job powers it off between two looks goes active -> stopping -> stopped unseen.
// Every wait asks this table instead of comparing one status: `passedThrough` says
// whether the seen status can only have been reached through the awaited one, and
// `canStillReach` whether the awaited one is still possible at all. Pure data.

// The lists live in src/shared/api-values.ts (the workflow language, below this layer, uses them too).
import { GONE, type INSTANCE_ACTIONS, INSTANCE_STATUSES } from '../shared/api-values.js';

export {
  GONE,
  INSTANCE_ACTIONS,
  INSTANCE_STATUSES,
  LEGACY_INSTANCE_STATUSES,
  SNAPSHOT_STATUSES,
  WAITABLE_INSTANCE_STATUSES,
} from '../shared/api-values.js';

/** A request gcflow itself sends, which moves an instance on: a power action or DELETE. */
export type InstanceRequest = (typeof INSTANCE_ACTIONS)[number] | 'delete';

/**
 * Transitions that happen without anybody calling the API: the cloud provisioning,
 * finishing a transition, or the guest powering itself off (a startup script's
 * `poweroff`; with `destroy_on_shutdown` the box is deleted instead).
 */
const SPONTANEOUS: Record<string, readonly string[]> = {
  creating: ['active', 'error', 'pending_payment'],
  pending_payment: ['creating', 'active'],
  active: ['stopping'],
  stopping: ['stopped', 'deleting'],
  starting: ['active'],
  resetting: ['active'],
  deleting: [GONE],
};

/** Transitions a request causes (API-NOTES.md: actions allowed per status). */
const REQUESTED: Record<InstanceRequest, ReadonlyArray<readonly [string, string]>> = {
  start: [['stopped', 'starting']],
  stop: [
    ['active', 'stopping'],
    ['error', 'stopping'],
    ['starting', 'stopping'],
  ],
  reset: [['active', 'resetting']],
  delete: [...INSTANCE_STATUSES.filter((s) => s !== 'deleting').map((s) => [s, 'deleting'] as const)],
};

const ALL_REQUESTS = Object.keys(REQUESTED) as InstanceRequest[];

function successors(status: string, requests: readonly InstanceRequest[]): string[] {
  const next = [...(SPONTANEOUS[status] ?? [])];
  for (const request of requests)
    for (const [from, to] of REQUESTED[request]) if (from === status) next.push(to);
  return next;
}

/** Whether `to` can follow `from`, never passing `avoid`, through these transitions. */
function reachable(from: string, to: string, requests: readonly InstanceRequest[], avoid?: string): boolean {
  const seen = new Set([from]);
  const queue = [from];
  while (queue.length > 0) {
    const status = queue.shift()!;
    if (status === to) return true;
    for (const next of successors(status, requests)) {
      if (next === avoid || seen.has(next)) continue;
      seen.add(next);
      queue.push(next);
    }
  }
  return false;
}

export interface Passage {
  /** The status when the wait began (`creating` right after a create). */
  origin: string;
  /** The status waited for. */
  target: string;
  /** The status seen now. */
  seen: string;
  /**
   * Requests the waiting step itself sent (e.g. `start`). Nobody else is assumed to
   * act on the instance meanwhile: a person stopping an errored box between two polls
   * of a create could fool the rule, and only that.
   */
  requests?: readonly InstanceRequest[];
}

/**
 * True when `seen` can only have been reached from `origin` through `target`: after a
 * create, `stopping` and `stopped` prove the box was active (its job powered it off).
 * Two readings, either proves it: with only the step's own requests (nobody else acts),
 * or whoever acts: a box seen `starting` during a stop's wait was stopped, even if a
 * person started it again between two polls. Unknown statuses prove nothing.
 */
export function passedThrough({ origin, target, seen, requests = [] }: Passage): boolean {
  if (seen === target) return true;
  if (origin === target) return false;
  const onlyThrough = (by: readonly InstanceRequest[]) =>
    reachable(origin, seen, by) && !reachable(origin, seen, by, target);
  return onlyThrough(requests) || onlyThrough(ALL_REQUESTS);
}

/**
 * False when `target` can no longer be reached from `seen`, whoever acts: a box being
 * deleted will never be stopped. Unknown (legacy, transient) statuses may lead anywhere.
 */
export function canStillReach(seen: string, target: string): boolean {
  if (seen === target) return true;
  if (seen !== GONE && !INSTANCE_STATUSES.includes(seen as never)) return true;
  return reachable(seen, target, ALL_REQUESTS);
}
