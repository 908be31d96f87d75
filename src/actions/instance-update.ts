// instance.update: compares first and PATCHes only what differs, so a repeated
// step changes nothing. Security groups and volumes take a full list or
// `{attach: id}` / `{detach: id}`; names are resolved to ids.
import type { AttachmentUpdate, Instance, UpdateInstanceBody } from '../genesis/index.js';
import { StepFailure } from './errors.js';
import { resolveInstance, resolveSecurityGroups } from './resolve.js';
import { type Action, done } from './types.js';

export const instanceUpdate: Action<'instance.update'> = async (ctx) => {
  const p = ctx.params;
  const instance = await resolveInstance(ctx.client, p.instance, ctx.signal);
  const patch: UpdateInstanceBody = {};
  if (p.name !== undefined && p.name !== instance.name) patch.name = p.name;
  if (p.is_protected !== undefined && p.is_protected !== (instance.is_protected ?? false))
    patch.is_protected = p.is_protected;
  if (p.disk_size !== undefined && p.disk_size !== instance.disk_size) {
    if (instance.disk_size !== undefined && p.disk_size < instance.disk_size) {
      throw new StepFailure(
        'E_DISK_SHRINK',
        `disk_size ${p.disk_size} GiB is smaller than instance ${instance.id}'s ${instance.disk_size} GiB`,
        'a boot disk can only grow',
      );
    }
    patch.disk_size = p.disk_size;
  }
  if (p.security_groups !== undefined) {
    const wanted = await resolveUpdate(p.security_groups, (refs) =>
      resolveSecurityGroups(ctx.client, refs, instance.region, ctx.signal),
    );
    const change = attachmentChange(instance.security_groups, wanted);
    if (change) patch.security_groups = change;
  }
  if (p.volumes !== undefined) {
    const change = attachmentChange(instance.volumes, p.volumes);
    if (change) patch.volumes = change;
  }
  if (Object.keys(patch).length === 0) return done({ instance, changed: false });
  const updated = await ctx.client.instances.update(instance.id, patch, { signal: ctx.signal });
  return done({ instance: updated, changed: true, patch: Object.keys(patch) });
};

async function resolveUpdate(
  update: AttachmentUpdate,
  resolve: (refs: string[]) => Promise<string[]>,
): Promise<AttachmentUpdate> {
  if (Array.isArray(update)) return resolve(update);
  if ('attach' in update) return { attach: (await resolve([update.attach]))[0]! };
  return { detach: (await resolve([update.detach]))[0]! };
}

/** The PATCH value needed to reach `wanted`, or undefined when nothing changes. */
function attachmentChange(
  current: Instance['volumes'],
  wanted: AttachmentUpdate,
): AttachmentUpdate | undefined {
  const ids = new Set(current.map((r) => r.id));
  if (Array.isArray(wanted)) {
    const same = wanted.length === ids.size && wanted.every((id) => ids.has(id));
    return same ? undefined : wanted;
  }
  if ('attach' in wanted) return ids.has(wanted.attach) ? undefined : wanted;
  return ids.has(wanted.detach) ? wanted : undefined;
}
