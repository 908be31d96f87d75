// The engine's own last step (`gcflow:cleanup`, src/engine/resources.ts): after
// `finally`, deletes every instance the run created that is neither kept (`keep: true`)
// nor deleted by its steps, and removes duplicates that a create call whose answer was
// lost may still make, looking until the API can no longer act on such a call. Each
// deletion is logged at warn with the run id: a workflow whose teardown missed a box
// should be fixed, and its owner told.
import { z } from 'zod';
import type { RunResource } from '../engine/state.js';
import { isNotFound } from '../genesis/index.js';
import { findOurInstances, removeDuplicates } from './late-answers.js';
import { type ActionContext, defineAction, done, waitUntil } from './types.js';

const cleanupCursor = z.object({
  deleted: z.array(z.string()).default([]),
  duplicates: z.array(z.string()).default([]),
});
type Ctx = ActionContext<'run.cleanup', z.output<typeof cleanupCursor>>;

export const runCleanup = defineAction('run.cleanup', cleanupCursor, async (ctx) => {
  const c = { deleted: [...(ctx.cursor?.deleted ?? [])], duplicates: [...(ctx.cursor?.duplicates ?? [])] };
  const { resources, delete_unkept: deleteUnkept } = ctx.params;
  for (const r of resources) {
    if (
      r.settle_until !== undefined ||
      (r.kind === 'instance' && r.id === undefined && r.state === 'pending')
    )
      c.duplicates.push(...(await settle(ctx, r, deleteUnkept, c.deleted)));
  }
  if (deleteUnkept) {
    for (const r of resources) {
      if (r.kind !== 'instance' || r.keep || r.state !== 'live' || r.id === undefined) continue;
      await deleteInstance(ctx, r.id, `neither kept (keep: true) nor deleted by a step of the run`, r);
      c.deleted.push(r.id);
    }
  }
  const until = Math.max(0, ...resources.map((r) => r.settle_until ?? 0));
  if (ctx.now() < until) {
    const pollMs = ctx.task.defaults.pollMs;
    return waitUntil(c, Math.min(ctx.now() + pollMs, until), 'late answers to create calls', until);
  }
  return done({ deleted: unique(c.deleted), duplicates: unique(c.duplicates) });
});

/**
 * What a create call whose answer was lost made: all but the run's own copy go. A box
 * whose answer never came (no id) and that is not kept goes as well.
 */
async function settle(ctx: Ctx, r: RunResource, deleteUnkept: boolean, deleted: string[]): Promise<string[]> {
  const name = { hash: r.name_hash };
  if (r.kind === 'snapshot') {
    if (r.id === undefined || r.parent === undefined) return [];
    return removeDuplicates(ctx, {
      kind: 'snapshot',
      name,
      label: r.name,
      since: r.intent_at,
      keepId: r.id,
      instanceId: r.parent,
    });
  }
  if (r.id !== undefined)
    return removeDuplicates(ctx, { kind: 'instance', name, label: r.name, since: r.intent_at, keepId: r.id });
  const found = await findOurInstances(ctx, name, r.intent_at);
  const keep = deleteUnkept && !r.keep ? undefined : found[0];
  for (const instance of found) {
    if (instance.id === keep?.id) continue;
    await deleteInstance(ctx, instance.id, 'made by a create call whose answer was lost', r);
    deleted.push(instance.id);
  }
  return [];
}

async function deleteInstance(ctx: Ctx, id: string, why: string, r: RunResource): Promise<void> {
  try {
    await ctx.client.instances.delete(id, { signal: ctx.signal });
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
  await ctx.statuses.invalidate(id);
  await ctx.ownership.markDeleted(id, new Date(ctx.now()).toISOString());
  ctx.released('instance', id);
  ctx.log.warn(
    { instanceId: id, name: r.name, step: r.step },
    `deleted instance ${id} (${r.name}) that the run left behind: ${why}; add a finally step that deletes it, or keep: true to keep it`,
  );
}

const unique = (ids: string[]) => [...new Set(ids)];
