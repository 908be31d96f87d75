// instance.start / instance.stop / instance.reset: no-op when the instance is
// already where the action leads; transient states (creating, starting,
// stopping, resetting, legacy ones) are waited out before acting; then the
// action is sent once and its result awaited. A crash between the POST and the
// checkpoint is safe: on resume the status shows the action under way.
// The first look reads the coalesced status cache (at most one poll old), so a
// for_each over a list the run just made sends its actions without a GET per item.
// A held instance (gcflow hold) is left alone: the step succeeds with
// `skipped: 'held'`, the hold's reason and until, and sends nothing.
import { z } from 'zod';
import type { Instance, KnownInstanceAction } from '../genesis/index.js';
import { GenesisApiError, isNotFound } from '../genesis/index.js';
import { faultPoint } from '../shared/faultpoints.js';
import { StepFailure } from './errors.js';
import { instanceNotFound, lookUpInstance } from './resolve.js';
import { type ActionContext, type ActiveHold, defineAction, done, waitUntil } from './types.js';
import { pollStatus } from './wait-status.js';

const powerCursor = z.object({
  instance_id: z.string().optional(),
  /** When the action was sent (ms). */
  sent_at: z.number().optional(),
  /** The status the action was sent from. */
  origin: z.string().optional(),
  /** Deadline of waiting out transient states before acting. */
  settle_deadline: z.number().optional(),
  wait_deadline: z.number().optional(),
});
type PowerCursor = z.output<typeof powerCursor>;

/** Which statuses accept which action (API-NOTES.md; Instances page `GET .../actions`). */
const ALLOWED: Record<string, KnownInstanceAction[]> = {
  active: ['reset', 'stop'],
  stopped: ['start'],
  error: ['stop'],
  starting: ['stop'],
};

/** Statuses that are done changing (anything else is in transit, including unknown legacy values). */
const SETTLED = new Set(['active', 'stopped', 'error']);

const TARGET: Record<KnownInstanceAction, string> = { start: 'active', stop: 'stopped', reset: 'active' };

function powerAction<K extends 'instance.start' | 'instance.stop' | 'instance.reset'>(
  kind: K,
  action: KnownInstanceAction,
) {
  return defineAction(kind, powerCursor, async (ctx) => {
    const c: PowerCursor = { ...ctx.cursor };
    const target = TARGET[action];
    const wait = ctx.task.wait;
    const waitFor = wait?.statuses ?? [target];
    const pollMs = wait?.pollMs ?? ctx.task.defaults.pollMs;
    const timeoutMs = wait?.timeoutMs ?? ctx.task.defaults.timeoutMs;

    if (c.sent_at === undefined) {
      // The status comes from the coalesced cache when it is at most one poll old (the
      // list the run just made, a sweep shared by every item): no GET per item.
      const instance = await lookUpInstance(ctx, c.instance_id ?? ctx.params.instance, { maxAgeMs: pollMs });
      c.instance_id = instance.id;
      if (action !== 'reset' && instance.status === target) return done({ instance, changed: false });
      // Looked at before every send (also after settling): a hold placed meanwhile counts.
      const hold = await ctx.holds.get(instance.id);
      if (hold) return done(heldOutputs(instance, hold));
      if (!(ALLOWED[instance.status] ?? []).includes(action)) {
        if (SETTLED.has(instance.status)) {
          throw new StepFailure(
            'E_ACTION_NOT_ALLOWED',
            `cannot ${action} instance ${instance.id} while it is ${instance.status}`,
            `a ${action} needs the instance ${action === 'start' ? 'stopped' : 'active'}`,
          );
        }
        return settle(ctx, c, instance, pollMs, timeoutMs);
      }
      try {
        await ctx.client.instances.performAction(instance.id, action, { signal: ctx.signal });
      } catch (err) {
        // 409: the status changed under us (another actor, or a cached status a poll
        // old); look again shortly, at a status read after this answer.
        if (err instanceof GenesisApiError && err.status === 409) {
          await ctx.statuses.invalidate(instance.id);
          return settle(ctx, c, instance, pollMs, timeoutMs);
        }
        // Deleted since it was looked at: the same error as a lookup that found nothing.
        if (isNotFound(err)) throw instanceNotFound(ctx.params.instance);
        throw err;
      }
      faultPoint(`instance.${action}:after-post`);
      c.sent_at = ctx.now();
      c.origin = instance.status;
      await ctx.statuses.invalidate(instance.id);
      if (!wait) return done({ instance, changed: true });
      c.wait_deadline = c.sent_at + timeoutMs;
      return waitUntil(
        c,
        Math.min(ctx.now() + pollMs, c.wait_deadline),
        `status ${waitFor.join(' or ')}`,
        c.wait_deadline,
      );
    }
    return pollStatus(
      ctx.statuses,
      {
        instanceId: c.instance_id!,
        statuses: waitFor,
        deadline: c.wait_deadline!,
        pollMs,
        notBefore: c.sent_at,
        ...(c.origin === undefined ? {} : { origin: c.origin, requests: [action] }),
      },
      ctx.now(),
      c,
      (instance) => done({ instance, changed: true }),
    );
  });
}

/** What a power step says when a hold kept it from acting. */
export function heldOutputs(instance: Instance, hold: ActiveHold): Record<string, unknown> {
  return {
    instance,
    changed: false,
    skipped: 'held',
    reason: hold.reason ?? null,
    until: hold.until ?? null,
    held_by: hold.created_by ?? null,
  };
}

/** Waits for a transient status to settle before acting; bounded by the wait timeout. */
function settle(
  ctx: ActionContext<'instance.start' | 'instance.stop' | 'instance.reset', PowerCursor>,
  c: PowerCursor,
  instance: Instance,
  pollMs: number,
  timeoutMs: number,
) {
  c.settle_deadline ??= ctx.now() + timeoutMs;
  if (ctx.now() >= c.settle_deadline) {
    throw new StepFailure(
      'E_WAIT_TIMEOUT',
      `instance ${instance.id} stayed ${instance.status} too long to act on it`,
      'check the instance in the Genesis Cloud console',
    );
  }
  return waitUntil(
    c,
    Math.min(ctx.now() + pollMs, c.settle_deadline),
    `instance to leave status ${instance.status}`,
    c.settle_deadline,
  );
}

export const instanceStart = powerAction('instance.start', 'start');
export const instanceStop = powerAction('instance.stop', 'stop');
export const instanceReset = powerAction('instance.reset', 'reset');
