// instance.wait: until the instance reaches one of `status` (a list is fine);
// `error` fails at once unless listed; `deleted` waits for 404. Read-only.
import { parseDuration } from '../shared/duration.js';
import { resolveInstance } from './resolve.js';
import { type Action, done } from './types.js';
import { pollStatus } from './wait-status.js';

interface WaitCursor {
  instance_id?: string;
  deadline?: number;
}

export const instanceWait: Action<'instance.wait'> = async (ctx) => {
  const c: WaitCursor = { ...(ctx.task.cursor as WaitCursor | undefined) };
  const p = ctx.params;
  const statuses = Array.isArray(p.status) ? p.status : [p.status];
  const pollMs =
    (p.poll !== undefined ? parseDuration(p.poll) : undefined) ??
    ctx.task.wait?.pollMs ??
    ctx.task.defaults.pollMs;
  if (c.instance_id === undefined) {
    c.instance_id = (await resolveInstance(ctx.client, p.instance, ctx.signal)).id;
    const timeoutMs =
      (p.timeout !== undefined ? parseDuration(p.timeout) : undefined) ??
      ctx.task.wait?.timeoutMs ??
      ctx.task.defaults.timeoutMs;
    c.deadline = ctx.now() + timeoutMs;
  }
  return pollStatus(
    ctx.statuses,
    { instanceId: c.instance_id, statuses, deadline: c.deadline!, pollMs },
    ctx.now(),
    c,
    (instance) => done(instance ? { instance } : { instance: null, deleted: true }),
  );
};
