// instances.list and instance.get: read-only selections of instances. instances.list
// leaves held instances out (gcflow hold) unless `include_held: true`, and says which.
import picomatch from 'picomatch';
import { resolveInstance } from './resolve.js';
import { type Action, done } from './types.js';

const asList = (v: string | string[] | undefined): string[] | undefined =>
  v === undefined ? undefined : Array.isArray(v) ? v : [v];

export const instancesList: Action<'instances.list'> = async (ctx) => {
  const p = ctx.params;
  const nameMatches = p.name === undefined ? () => true : picomatch(p.name);
  const statuses = asList(p.status);
  const ids = p.ids === undefined ? undefined : new Set(p.ids);
  const listedAt = ctx.now();
  const all = await ctx.client.instances.listAll({ signal: ctx.signal });
  // The steps that act on these instances next read their status from this list.
  await ctx.statuses.remember(all, listedAt);
  const instances = all.filter(
    (i) =>
      nameMatches(i.name) &&
      (statuses === undefined || statuses.includes(i.status)) &&
      (p.region === undefined || i.region === p.region) &&
      (p.type === undefined || i.type === p.type) &&
      (ids === undefined || ids.has(i.id)),
  );
  instances.sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
  const holds = new Map((await ctx.holds.list()).map((h) => [h.instance_id, h]));
  const held = instances
    .filter((i) => holds.has(i.id))
    .map((i) => {
      const hold = holds.get(i.id)!;
      return { id: i.id, name: i.name, reason: hold.reason ?? null, until: hold.until ?? null };
    });
  const selected = p.include_held === true ? instances : instances.filter((i) => !holds.has(i.id));
  return done({ instances: selected, count: selected.length, held });
};

export const instanceGet: Action<'instance.get'> = async (ctx) =>
  done({ instance: await resolveInstance(ctx.client, ctx.params.instance, ctx.signal) });
