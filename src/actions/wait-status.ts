// Waiting for an instance to reach a status, as a resumable poll: each call looks
// once (through the coalesced StatusReader) and either finishes or asks to be woken
// at the next poll. Polls sample, so what a status proves comes from the status
// machine (src/genesis/statuses.ts): `stopped` right after a create proves the box was
// active, and a box being deleted will never be stopped. Deadlines are absolute and
// fixed at the first look; `error` fails at once unless it is one of the awaited statuses.
import type { Instance } from '../genesis/index.js';
import { canStillReach, GONE, type InstanceRequest, passedThrough } from '../genesis/statuses.js';
import { StepFailure } from './errors.js';
import { type ActionResult, done, type StatusSource, waitUntil } from './types.js';

export { GONE } from '../genesis/statuses.js';

export interface StatusWait {
  instanceId: string;
  statuses: string[];
  /** Absolute ms. */
  deadline: number;
  pollMs: number;
  /** Only statuses read after this time count (e.g. when the action was sent). */
  notBefore?: number;
  /** The status when the wait began: what lets a later status prove an unseen one. */
  origin?: string;
  /** Requests the step itself sent (a power action, DELETE). */
  requests?: readonly InstanceRequest[];
}

export async function pollStatus(
  statuses: StatusSource,
  wait: StatusWait,
  now: number,
  cursor: unknown,
  finish: (instance: Instance | undefined) => ActionResult = (instance) =>
    done(instance ? { instance } : { deleted: true }),
): Promise<ActionResult> {
  const snap = await statuses.get(wait.instanceId, {
    maxAgeMs: wait.pollMs,
    ...(wait.notBefore ? { notBefore: wait.notBefore } : {}),
  });
  const wanted = wait.statuses.join(' or ');
  const status = 'gone' in snap ? GONE : snap.instance.status;
  const instance = 'gone' in snap ? undefined : snap.instance;
  if (wait.statuses.includes(status)) return finish(instance);
  const proven =
    wait.origin !== undefined &&
    wait.statuses.some((target) =>
      passedThrough({ origin: wait.origin!, target, seen: status, requests: wait.requests ?? [] }),
    );
  if (proven) return finish(instance);
  if (status === GONE) {
    throw new StepFailure(
      'E_INSTANCE_GONE',
      `instance ${wait.instanceId} no longer exists (GET answers 404) while waiting for status ${wanted}`,
      'it was deleted outside this run, or destroyed on shutdown (destroy_on_shutdown)',
    );
  }
  if (status === 'error') {
    throw new StepFailure(
      'E_INSTANCE_ERROR',
      `instance ${wait.instanceId} went to status error while waiting for status ${wanted}`,
      'look at the instance in the Genesis Cloud console; provisioning or the last action failed',
    );
  }
  if (!wait.statuses.some((target) => canStillReach(status, target))) {
    throw new StepFailure(
      'E_STATUS_UNREACHABLE',
      `instance ${wait.instanceId} is ${status} while waiting for status ${wanted}: it can no longer get there`,
      'the instance is being deleted; something outside this step deleted it',
    );
  }
  if (now >= wait.deadline) {
    throw new StepFailure(
      'E_WAIT_TIMEOUT',
      `instance ${wait.instanceId} did not reach status ${wanted} in time; it is ${status}`,
      'raise the wait timeout (wait: { timeout: 30m }) if the cloud is slow, or check the instance',
    );
  }
  const next = Math.min(now + wait.pollMs, wait.deadline);
  return waitUntil(cursor, next, `status ${wanted} (now ${status})`, wait.deadline);
}
