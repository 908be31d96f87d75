// Reconcile planning: from the workflows loaded now, what is registered in Redis and
// which BullMQ Job Schedulers exist, decide what to upsert, update and remove.
// Upserting re-times BullMQ's pending fire (an overdue one is dropped), so only a
// changed cron, timezone or inputs, or a missing scheduler, is upserted. Pure.
import { createHash } from 'node:crypto';
import type { CatchUp, WorkflowDefinition } from '../dsl/types.js';
import { durationMs } from '../shared/duration.js';

/** What the scheduler registers for one trigger (stored as JSON under its id). */
export interface Registration {
  /** `${workflow}:${trigger}`: the BullMQ Job Scheduler id. */
  id: string;
  workflow: string;
  trigger: number;
  cron: string;
  timezone: string;
  inputs: Record<string, unknown>;
  catch_up: CatchUp;
  /** As written (shown to users). */
  catch_up_window: string;
  /** catch_up_window in ms, parsed once when the registration is made. */
  catchUpWindowMs: number;
  /** Hash of cron, timezone and inputs: what the BullMQ scheduler carries. */
  key: string;
  /** The stored definition fires run (RunStore.saveDefinition). */
  definitionHash: string;
  /** When this cron/timezone was first registered (ms). */
  registeredAt: number;
}

/** A trigger as the loaded workflows define it (no registration time yet). */
export type DesiredTrigger = Omit<Registration, 'registeredAt'>;

export const schedulerId = (workflow: string, trigger: number): string => `${workflow}:${trigger}`;

export function scheduleKey(cron: string, timezone: string, inputs: Record<string, unknown>): string {
  return createHash('sha256')
    .update(JSON.stringify([cron.trim(), timezone, sortKeys(inputs)]))
    .digest('hex')
    .slice(0, 16);
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object')
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([k, v]) => [k, sortKeys(v)]),
    );
  return value;
}

/** Every trigger of every workflow; `hashes` maps a workflow name to its stored definition hash. */
export function desiredTriggers(defs: WorkflowDefinition[], hashes: Map<string, string>): DesiredTrigger[] {
  const out: DesiredTrigger[] = [];
  for (const def of defs) {
    def.triggers.forEach((t, index) => {
      out.push({
        id: schedulerId(def.name, index),
        workflow: def.name,
        trigger: index,
        cron: t.cron.trim(),
        timezone: t.timezone,
        inputs: t.inputs,
        catch_up: t.catch_up,
        catch_up_window: t.catch_up_window,
        // The definition was validated: this parses, never throws.
        catchUpWindowMs: durationMs(t.catch_up_window, `${def.name} triggers[${index}].catch_up_window`),
        key: scheduleKey(t.cron, t.timezone, t.inputs),
        definitionHash: hashes.get(def.name) ?? '',
      });
    });
  }
  return out;
}

export interface ReconcilePlan {
  /** Register with BullMQ (new, changed cron/timezone/inputs, or its scheduler is missing). */
  upsert: Registration[];
  /** Only the stored record changes (definition, catch-up settings). */
  update: Registration[];
  /** Scheduler ids to remove from BullMQ and the records. */
  remove: string[];
}

export function planReconcile(
  desired: DesiredTrigger[],
  registered: Map<string, Registration>,
  bullmqIds: Set<string>,
  nowMs: number,
): ReconcilePlan {
  const plan: ReconcilePlan = { upsert: [], update: [], remove: [] };
  const wanted = new Set<string>();
  for (const d of desired) {
    wanted.add(d.id);
    const old = registered.get(d.id);
    const sameTiming = old !== undefined && old.cron === d.cron && old.timezone === d.timezone;
    const next: Registration = { ...d, registeredAt: sameTiming ? old.registeredAt : nowMs };
    if (!old || old.key !== d.key || !bullmqIds.has(d.id)) plan.upsert.push(next);
    else if (!sameRecord(next, old)) plan.update.push(next);
  }
  for (const id of new Set([...registered.keys(), ...bullmqIds])) {
    if (!wanted.has(id)) plan.remove.push(id);
  }
  plan.remove.sort();
  return plan;
}

const RECORD_FIELDS = [
  'key',
  'definitionHash',
  'catch_up',
  'catch_up_window',
  'catchUpWindowMs',
  'registeredAt',
] as const;

function sameRecord(a: Registration, b: Registration): boolean {
  return RECORD_FIELDS.every((f) => a[f] === b[f]);
}
