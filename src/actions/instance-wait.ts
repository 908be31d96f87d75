// instance.wait: until the instance reaches one of `status` (a list is fine);
// `error` fails at once unless listed; `deleted` waits for 404. The status at the first
// look is kept, so a later status can prove one that passed between two polls. Read-only.
import { z } from 'zod';
import { durationMs } from '../shared/duration.js';
import { resolveInstance } from './resolve.js';
import { defineAction, done } from './types.js';
import { pollStatus } from './wait-status.js';

const waitCursor = z.object({
  instance_id: z.string().optional(),
  deadline: z.number().optional(),
  /** The status at the first look. */
  origin: z.string().optional(),
});

export const instanceWait = defineAction('instance.wait', waitCursor, async (ctx) => {
  const c = { ...ctx.cursor };
  const p = ctx.params;
  const statuses = Array.isArray(p.status) ? p.status : [p.status];
  const pollMs =
    p.poll !== undefined ? durationMs(p.poll, 'poll') : (ctx.task.wait?.pollMs ?? ctx.task.defaults.pollMs);
  if (c.instance_id === undefined || c.deadline === undefined) {
    const instance = await resolveInstance(ctx.client, p.instance, ctx.signal);
    c.instance_id = instance.id;
    c.origin = instance.status;
    const timeoutMs =
      p.timeout !== undefined
        ? durationMs(p.timeout, 'timeout')
        : (ctx.task.wait?.timeoutMs ?? ctx.task.defaults.timeoutMs);
    c.deadline = ctx.now() + timeoutMs;
  }
  return pollStatus(
    ctx.statuses,
    {
      instanceId: c.instance_id,
      statuses,
      deadline: c.deadline,
      pollMs,
      ...(c.origin === undefined ? {} : { origin: c.origin }),
    },
    ctx.now(),
    c,
    (instance) => done(instance ? { instance } : { instance: null, deleted: true }),
  );
});
