// Waiting for an instance to reach a status, as a resumable poll: each call looks
// once (through the coalesced StatusReader) and either finishes or asks to be
// woken at the next poll. Deadlines are absolute and fixed at the first look.
// `error` fails at once unless it is one of the awaited statuses.
import type { Instance } from '../genesis/index.js';
import { StepFailure } from './errors.js';
import { type ActionResult, done, type StatusSource, waitUntil } from './types.js';

/** `deleted` is not an API status: it means GET answers 404. */
export const GONE = 'deleted';

export interface StatusWait {
  instanceId: string;
  statuses: string[];
  /** Absolute ms. */
  deadline: number;
  pollMs: number;
  /** Only statuses read after this time count (e.g. when the action was sent). */
  notBefore?: number;
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
  if ('gone' in snap) {
    if (wait.statuses.includes(GONE)) return finish(undefined);
    throw new StepFailure(
      'E_INSTANCE_GONE',
      `instance ${wait.instanceId} no longer exists (GET answers 404) while waiting for status ${wanted}`,
      'it was deleted outside this run, or destroyed on shutdown',
    );
  }
  const status = snap.instance.status;
  if (wait.statuses.includes(status)) return finish(snap.instance);
  if (status === 'error') {
    throw new StepFailure(
      'E_INSTANCE_ERROR',
      `instance ${wait.instanceId} went to status error while waiting for status ${wanted}`,
      'look at the instance in the Genesis Cloud console; provisioning or the last action failed',
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
  return waitUntil(cursor, next, `status ${wanted} (now ${status})`);
}
