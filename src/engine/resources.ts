// What a run created in the cloud, and the engine's own cleanup step. Every instance
// and snapshot a step creates is recorded in the run state from the moment its create
// call is about to be sent, so the run can always clean up after itself: a failed or
// cancelled create still exposes `outputs.instance`, and after `finally` the engine
// adds one step of its own (`gcflow:cleanup`) when the run left a box behind or a lost
// answer may still create a duplicate. Pure: mutates only the state it is given.
import type { StepKind, StepSpec, WorkflowDefinition } from '../dsl/types.js';
import type { Attempted, RunResource, RunState } from './state.js';

/** The engine's own step kind: never written in a workflow file. */
export const CLEANUP_KIND = 'run.cleanup';
export const CLEANUP_STEP_ID = 'gcflow:cleanup';

/** Every kind of task the engine runs: the workflow's step kinds and its own cleanup. */
export type TaskKind = StepKind | typeof CLEANUP_KIND;

/** A step as the engine runs it: a workflow's, or the engine's own cleanup step. */
export type EngineStep = Omit<StepSpec, 'uses'> & { uses: TaskKind };

export const CLEANUP_STEP: EngineStep = {
  id: CLEANUP_STEP_ID,
  name: 'Delete what the run left behind',
  uses: CLEANUP_KIND,
  with: {},
  max_parallel: 1,
  // Deleting a box is worth insisting on: about 10 minutes before giving up.
  retry: { attempts: 8, backoff: 'exponential', delay: '5s', max_delay: '2m', jitter: 0.1 },
  continue_on_error: false,
  wait: undefined,
  keep: false,
};

/** The parameters the cleanup action gets: the run's resources and whether to delete unkept boxes. */
export interface CleanupParams {
  resources: RunResource[];
  delete_unkept: boolean;
}

/** What an action reports about a resource its unit creates. */
export interface ResourceUpdate {
  kind: RunResource['kind'];
  name?: string;
  name_hash?: string;
  id?: string;
  parent?: string;
  state?: RunResource['state'];
  keep?: boolean;
  intent_at?: number;
  settle_until?: number;
}

/** Records (or updates) the resource that the unit `task` of step `step` creates. */
export function trackResource(state: RunState, step: string, task: string, update: ResourceUpdate): void {
  const existing = state.resources.find((r) => r.task === task && r.kind === update.kind);
  if (existing) {
    Object.assign(existing, definedOnly(update));
    return;
  }
  state.resources.push({
    kind: update.kind,
    task,
    step,
    name: update.name ?? '',
    name_hash: update.name_hash ?? '',
    state: update.state ?? 'pending',
    keep: update.keep ?? false,
    intent_at: update.intent_at ?? 0,
    ...definedOnly({ id: update.id, parent: update.parent, settle_until: update.settle_until }),
  });
}

/** A resource of the run was deleted (by a step of the run, or by the cleanup). */
export function releaseResource(state: RunState, kind: RunResource['kind'], id: string): void {
  for (const r of state.resources) if (r.kind === kind && r.id === id) r.state = 'deleted';
}

/**
 * A create unit that did not succeed still tells what it created, so `finally` can
 * delete it: `outputs.instance` gets `{id, name}` (id null while the answer is lost).
 */
export function exposeResources(state: RunState, stepId: string, unit: Attempted, index?: number): void {
  const task = index === undefined ? stepId : `${stepId}/${index}`;
  const created = state.resources.find((r) => r.task === task && r.kind === 'instance');
  if (!created || unit.outputs['instance'] !== undefined) return;
  unit.outputs = { ...unit.outputs, instance: { id: created.id ?? null, name: created.name } };
}

/** Whether the run needs the engine's cleanup step after its finally steps. */
export function needsCleanup(def: WorkflowDefinition, state: RunState): boolean {
  const deleteUnkept = def.auto_cleanup !== false;
  return state.resources.some(
    (r) =>
      r.settle_until !== undefined ||
      (deleteUnkept && r.kind === 'instance' && !r.keep && r.state !== 'deleted'),
  );
}

export function cleanupParams(def: WorkflowDefinition, state: RunState): CleanupParams {
  return { resources: state.resources, delete_unkept: def.auto_cleanup !== false };
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
