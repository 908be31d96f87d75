// Whether a {type, region} choice of instance.create can be had now: the region's
// /availability says the type is available, and /quotas leaves room for it. Also the
// backoff of `capacity: wait` between looks. Reads only; must not create anything.
import { GenesisApiError, type Quota } from '../genesis/index.js';
import type { ActionContext } from './types.js';

export interface Choice {
  type: string;
  region: string;
}

type Ctx = Pick<ActionContext<'instance.create'>, 'client' | 'signal'>;

/** The longest pause between two looks for capacity (unless the poll interval is longer). */
export const CAPACITY_MAX_DELAY_MS = 60_000;

/** Poll interval, doubling per look, at most CAPACITY_MAX_DELAY_MS (or the poll interval when longer). */
export function capacityDelayMs(pollMs: number, looks: number): number {
  const max = Math.max(pollMs, CAPACITY_MAX_DELAY_MS);
  return Math.min(max, pollMs * 2 ** Math.min(looks, 20));
}

/** GPUs (per-gpu quotas) and vCPUs of a type, read from its name (`vcpu-8_memory-48g_nvidia-rtx-3090-2`). */
const gpusOf = (type: string) => Number(/_nvidia[-a-z0-9]*?-(\d+)$/.exec(type)?.[1] ?? 0);
const vcpusOf = (type: string) => Number(/^vcpu-(\d+)/.exec(type)?.[1] ?? 0);

/** Why the quotas leave no room for `type`, or undefined when they do (or say nothing about it). */
export function quotaShortfall(quotas: Quota[], type: string): string | undefined {
  for (const q of quotas) {
    const flavor = q.flavors?.find((f) => f.flavor_name === type);
    let need = 0;
    if (flavor) need = flavor.per === 'gpu' ? Math.max(1, gpusOf(type)) : 1;
    else if (q.key === 'vcpu') need = vcpusOf(type);
    if (need > 0 && q.capacity - q.used < need)
      return `quota ${q.key} full (${q.used} of ${q.capacity} used, ${need} needed)`;
  }
  return undefined;
}

/**
 * Looks at every choice once: /quotas once, /availability once per region. Returns
 * for each choice undefined (it can be had) or why not. A /quotas the API does not
 * offer (4xx) counts as no limit: availability still decides.
 */
export async function capacityOf(ctx: Ctx, choices: Choice[]): Promise<Array<string | undefined>> {
  const quotas = await ctx.client.quotas.get({ signal: ctx.signal }).catch((err: unknown) => {
    if (err instanceof GenesisApiError && err.status !== undefined && err.status < 500 && err.status !== 429)
      return [] as Quota[];
    throw err;
  });
  const regions = new Map<string, Promise<Set<string>>>();
  const availableIn = (region: string) => {
    let types = regions.get(region);
    if (!types) {
      types = ctx.client.availability
        .get(region, { signal: ctx.signal })
        .then((a) => new Set(a.instance_types.filter((t) => t.available).map((t) => t.type)));
      regions.set(region, types);
    }
    return types;
  };
  return Promise.all(
    choices.map(async (c) => {
      if (!(await availableIn(c.region)).has(c.type)) return 'not available';
      return quotaShortfall(quotas, c.type);
    }),
  );
}
