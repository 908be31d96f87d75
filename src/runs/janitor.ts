// Finds instances gcflow created whose run is over without deleting them (and not
// kept on purpose with `keep: true`): boxes that burn money. Three sources, most
// certain first: ownership records (the box's id), create intents (boxes from create
// calls whose answer was lost), and, for when Redis lost gcflow's data, the name
// templates of the loaded workflows (a box named like a run's box, whose run is not
// alive). `destroy` deletes them (404 = already gone); boxes found by name alone are
// deleted only when asked for explicitly.
import type { WorkflowDefinition } from '../dsl/types.js';
import { isTerminalRun } from '../engine/state.js';
import { type GenesisClient, type Instance, isNotFound } from '../genesis/index.js';
import { nameTemplates, runIdIn } from './name-templates.js';
import { namesMatch, type Ownership } from './ownership.js';
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
  /** False: found by its name alone (no ownership record or intent ties it to a run). */
  recorded: boolean;
}

/** Instances created by an unanswered call must be at most this old relative to the intent to count as ours. */
const INTENT_SKEW_MS = 5 * 60_000;

export interface JanitorDeps {
  client: GenesisClient;
  ownership: Ownership;
  store: Pick<RunStore, 'load'>;
  /** The loaded workflows: their create steps' name templates find boxes Redis forgot. */
  workflows?: Iterable<WorkflowDefinition>;
}

export async function findLeaks(deps: JanitorDeps): Promise<LeakedInstance[]> {
  const live = new Map((await deps.client.instances.listAll()).map((i) => [i.id, i] as const));
  const runStatus = async (runId: string): Promise<string | undefined> => {
    const run = await deps.store.load(runId);
    return run ? (isTerminalRun(run) ? run.status : undefined) : 'expired';
  };
  const leaks: LeakedInstance[] = [];
  const accounted = new Set<string>();
  const owned = await deps.ownership.all();
  for (const o of owned) accounted.add(o.instance_id);
  for (const o of owned) {
    if (o.keep || o.deleted_at) continue;
    const instance = live.get(o.instance_id);
    if (!instance || instance.status === 'deleting') continue;
    const status = await runStatus(o.run);
    if (status === undefined) continue; // the run is still going: its finally steps may yet delete it
    leaks.push(describe(instance, o, status, `run ${o.run} ended ${status} and did not delete it`, true));
  }
  for (const intent of await deps.ownership.intents()) {
    const matches = [...live.values()].filter(
      (i) =>
        !accounted.has(i.id) &&
        namesMatch(intent, i.name) &&
        Date.parse(i.created_at) >= intent.at - INTENT_SKEW_MS,
    );
    for (const i of matches) accounted.add(i.id);
    if (intent.keep) continue;
    const status = await runStatus(intent.run);
    if (status === undefined) continue;
    for (const instance of matches) {
      if (instance.status === 'deleting') continue;
      const reason = `created by a create call of run ${intent.run} whose answer was lost`;
      leaks.push(describe(instance, intent, status, reason, true));
    }
  }
  const templates = nameTemplates(deps.workflows ?? []);
  for (const instance of live.values()) {
    if (accounted.has(instance.id) || instance.status === 'deleting') continue;
    const t = templates.find((template) => template.pattern.test(instance.name));
    if (!t) continue;
    const run = runIdIn(instance.name, t) ?? 'unknown';
    const status = await runStatus(run);
    if (status === undefined) continue;
    const reason =
      `named like the boxes of ${t.workflow}/${t.step} (${t.template}) but no record ties it to a run: ` +
      'Redis may have lost gcflow’s data';
    leaks.push(describe(instance, { run, workflow: t.workflow, step: t.step }, status, reason, false));
  }
  return leaks;
}

function describe(
  instance: Instance,
  o: { run: string; workflow: string; step: string },
  runStatus: string,
  reason: string,
  recorded: boolean,
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
    recorded,
  };
}

export interface DestroyResult {
  instance_id: string;
  destroyed: boolean;
  error?: string;
}

export async function destroyLeaks(
  leaks: LeakedInstance[],
  deps: { client: GenesisClient; ownership: Pick<Ownership, 'markDeleted'> },
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
