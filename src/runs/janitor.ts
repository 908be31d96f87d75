// Finds instances gcflow created whose run is over without deleting them (and
// not kept on purpose with `keep: true`): boxes that burn money. Also finds
// boxes from create calls whose answer was lost and never adopted. `destroy`
// deletes them (404 = already gone; protected boxes are reported, not touched).
import { type GenesisClient, type Instance, isNotFound } from '../genesis/index.js';
import { isTerminalRun } from '../engine/state.js';
import type { Ownership } from './ownership.js';
import type { RunStore } from './store.js';

export interface LeakedInstance {
  instance_id: string;
  name: string;
  status: string;
  run: string;
  workflow: string;
  step: string;
  run_status: string;
  reason: string;
}

/** Instances created by an unanswered call must be at most this old relative to the intent to count as ours. */
const INTENT_SKEW_MS = 5 * 60_000;

export async function findLeaks(deps: {
  client: GenesisClient;
  ownership: Ownership;
  store: RunStore;
}): Promise<LeakedInstance[]> {
  const live = new Map((await deps.client.instances.listAll()).map((i) => [i.id, i] as const));
  const runStatus = async (runId: string): Promise<string | undefined> => {
    const run = await deps.store.load(runId);
    return run ? (isTerminalRun(run) ? run.status : undefined) : 'expired';
  };
  const leaks: LeakedInstance[] = [];
  const owned = await deps.ownership.all();
  const ownedIds = new Set(owned.map((o) => o.instance_id));
  for (const o of owned) {
    if (o.keep || o.deleted_at) continue;
    const instance = live.get(o.instance_id);
    if (!instance || instance.status === 'deleting') continue;
    const status = await runStatus(o.run);
    if (status === undefined) continue; // the run is still going: its finally steps may yet delete it
    leaks.push(describe(instance, o, status, `run ${o.run} ended ${status} and did not delete it`));
  }
  for (const intent of await deps.ownership.intents()) {
    if (intent.keep) continue;
    const status = await runStatus(intent.run);
    if (status === undefined) continue;
    for (const instance of live.values()) {
      if (instance.name !== intent.name || ownedIds.has(instance.id) || instance.status === 'deleting')
        continue;
      if (Date.parse(instance.created_at) < intent.at - INTENT_SKEW_MS) continue;
      leaks.push(
        describe(
          instance,
          intent,
          status,
          `created by a create call of run ${intent.run} whose answer was lost`,
        ),
      );
    }
  }
  return leaks;
}

function describe(
  instance: Instance,
  o: { run: string; workflow: string; step: string },
  runStatus: string,
  reason: string,
): LeakedInstance {
  return {
    instance_id: instance.id,
    name: instance.name,
    status: instance.status,
    run: o.run,
    workflow: o.workflow,
    step: o.step,
    run_status: runStatus,
    reason,
  };
}

export interface DestroyResult {
  instance_id: string;
  destroyed: boolean;
  error?: string;
}

export async function destroyLeaks(
  leaks: LeakedInstance[],
  deps: { client: GenesisClient; ownership: Ownership },
  now: number,
): Promise<DestroyResult[]> {
  const results: DestroyResult[] = [];
  for (const leak of leaks) {
    try {
      await deps.client.instances.delete(leak.instance_id);
      results.push({ instance_id: leak.instance_id, destroyed: true });
    } catch (err) {
      if (isNotFound(err)) results.push({ instance_id: leak.instance_id, destroyed: true });
      else {
        results.push({ instance_id: leak.instance_id, destroyed: false, error: (err as Error).message });
        continue;
      }
    }
    await deps.ownership.markDeleted(leak.instance_id, new Date(now).toISOString());
  }
  return results;
}
