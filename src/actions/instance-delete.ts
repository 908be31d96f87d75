// instance.delete: 404 means done. Refuses a protected instance unless
// `unprotect: true`, then DELETE and wait until GET answers 404. Marks the
// instance released in the ownership records (so the janitor leaves it alone) and
// in the run's resources (so the engine's cleanup does not delete it again).
import { z } from 'zod';
import { type Instance, isNotFound } from '../genesis/index.js';
import { StepFailure } from './errors.js';
import { resolveInstance } from './resolve.js';
import { defineAction, done, waitUntil } from './types.js';
import { GONE, pollStatus } from './wait-status.js';

const deleteCursor = z.object({
  instance_id: z.string().optional(),
  sent_at: z.number().optional(),
  wait_deadline: z.number().optional(),
});

export const instanceDelete = defineAction('instance.delete', deleteCursor, async (ctx) => {
  const c = { ...ctx.cursor };
  const wait = ctx.task.wait;
  const released = async (id: string) => {
    await ctx.ownership.markDeleted(id, new Date(ctx.now()).toISOString());
    ctx.released('instance', id);
    return done({ deleted: true, instance_id: id });
  };

  if (c.sent_at === undefined) {
    // One read: by the id already known, else the reference resolved (a GET for an id).
    let instance: Instance;
    if (c.instance_id === undefined) {
      try {
        instance = await resolveInstance(ctx.client, ctx.params.instance, ctx.signal);
      } catch (err) {
        if (err instanceof StepFailure && err.code === 'E_INSTANCE_NOT_FOUND')
          return done({ deleted: true, instance_id: null, already_gone: true });
        throw err;
      }
    } else {
      try {
        instance = await ctx.client.instances.get(c.instance_id, { signal: ctx.signal });
      } catch (err) {
        if (isNotFound(err)) return released(c.instance_id);
        throw err;
      }
    }
    const id = instance.id;
    c.instance_id = id;
    if (instance.is_protected) {
      if (!ctx.params.unprotect) {
        throw new StepFailure(
          'E_INSTANCE_PROTECTED',
          `instance ${id} (${instance.name}) is protected against deletion`,
          'set `unprotect: true` on the step to lift the protection first, or unprotect it by hand',
        );
      }
      await ctx.client.instances.update(id, { is_protected: false }, { signal: ctx.signal });
    }
    if (instance.status !== 'deleting') {
      try {
        await ctx.client.instances.delete(id, { signal: ctx.signal });
      } catch (err) {
        if (isNotFound(err)) return released(id);
        throw err;
      }
    }
    c.sent_at = ctx.now();
    await ctx.statuses.invalidate(id);
    // Sent: whatever happens next, the run no longer counts it among what it left behind.
    ctx.released('instance', id);
    if (!wait) return released(id);
    c.wait_deadline = c.sent_at + wait.timeoutMs;
    return waitUntil(
      c,
      Math.min(ctx.now() + wait.pollMs, c.wait_deadline),
      'instance to be gone',
      c.wait_deadline,
    );
  }
  const result = await pollStatus(
    ctx.statuses,
    {
      instanceId: c.instance_id!,
      statuses: [GONE],
      deadline: c.wait_deadline!,
      pollMs: wait?.pollMs ?? ctx.task.defaults.pollMs,
      notBefore: c.sent_at,
    },
    ctx.now(),
    c,
  );
  return result.type === 'done' ? released(c.instance_id!) : result;
});
