// Reconcile planning: upsert only what changed, keep registration times, remove
// what is gone (also orphaned BullMQ schedulers).
import { describe, expect, it } from 'vitest';
import type { WorkflowDefinition } from '../../../src/dsl/types.js';
import {
  type DesiredTrigger,
  desiredTriggers,
  planReconcile,
  type Registration,
} from '../../../src/scheduler/reconcile.js';

const def = (
  name: string,
  triggers: Array<Partial<WorkflowDefinition['triggers'][number]>>,
): WorkflowDefinition => ({
  name,
  inputs: {},
  triggers: triggers.map((t) => ({
    cron: '0 2 * * *',
    timezone: 'UTC',
    inputs: {},
    catch_up: 'last',
    catch_up_window: '1h',
    ...t,
  })),
  concurrency: { group: name, overlap: 'skip' },
  steps: [],
  finally: [],
  on_failure: [],
});

const T0 = 1_000_000;
const registered = (desired: DesiredTrigger[], at = T0): Map<string, Registration> =>
  new Map(desired.map((d) => [d.id, { ...d, registeredAt: at }]));
const hashes = (h = 'h1') =>
  new Map([
    ['nightly', h],
    ['office', h],
  ]);

describe('planReconcile', () => {
  const before = desiredTriggers([def('nightly', [{}, { cron: '0 14 * * *' }])], hashes());

  it('registers every trigger the first time, with ids workflow:index', () => {
    const plan = planReconcile(before, new Map(), new Set(), T0);
    expect(plan.upsert.map((r) => [r.id, r.registeredAt])).toEqual([
      ['nightly:0', T0],
      ['nightly:1', T0],
    ]);
    expect(plan.remove).toEqual([]);
  });

  it('changes nothing when nothing changed', () => {
    const plan = planReconcile(before, registered(before), new Set(['nightly:0', 'nightly:1']), T0 + 5);
    expect(plan).toEqual({ upsert: [], update: [], remove: [] });
  });

  it('upserts only the trigger whose cron changed, with a new registration time', () => {
    const after = desiredTriggers([def('nightly', [{}, { cron: '0 15 * * *' }])], hashes());
    const plan = planReconcile(after, registered(before), new Set(['nightly:0', 'nightly:1']), T0 + 5);
    expect(plan.upsert.map((r) => [r.id, r.cron, r.registeredAt])).toEqual([
      ['nightly:1', '0 15 * * *', T0 + 5],
    ]);
    expect(plan.update).toEqual([]);
  });

  it('upserts a trigger whose inputs changed but keeps its registration time', () => {
    const after = desiredTriggers(
      [def('nightly', [{ inputs: { keep: 3 } }, { cron: '0 14 * * *' }])],
      hashes(),
    );
    const plan = planReconcile(after, registered(before), new Set(['nightly:0', 'nightly:1']), T0 + 5);
    expect(plan.upsert.map((r) => [r.id, r.registeredAt])).toEqual([['nightly:0', T0]]);
  });

  it('only updates the record when the steps (definition hash) or catch-up settings changed', () => {
    const after = desiredTriggers(
      [def('nightly', [{ catch_up: 'none' }, { cron: '0 14 * * *' }])],
      hashes('h2'),
    );
    const plan = planReconcile(after, registered(before), new Set(['nightly:0', 'nightly:1']), T0 + 5);
    expect(plan.upsert).toEqual([]);
    expect(plan.update.map((r) => [r.id, r.definitionHash, r.catch_up])).toEqual([
      ['nightly:0', 'h2', 'none'],
      ['nightly:1', 'h2', 'last'],
    ]);
  });

  it('registers again a trigger whose BullMQ scheduler is missing', () => {
    const plan = planReconcile(before, registered(before), new Set(['nightly:0']), T0 + 5);
    expect(plan.upsert.map((r) => [r.id, r.registeredAt])).toEqual([['nightly:1', T0]]);
  });

  it('removes the triggers of a deleted workflow, a dropped trigger, and orphaned schedulers', () => {
    const after = desiredTriggers([def('nightly', [{}])], hashes());
    const plan = planReconcile(
      after,
      registered(before),
      new Set(['nightly:0', 'nightly:1', 'gone:0']),
      T0 + 5,
    );
    expect(plan.remove).toEqual(['gone:0', 'nightly:1']);
    expect(plan.upsert).toEqual([]);
  });

  it('treats inputs with the same content in another key order as unchanged', () => {
    const a = desiredTriggers([def('office', [{ inputs: { a: 1, b: { c: 2, d: 3 } } }])], hashes());
    const b = desiredTriggers([def('office', [{ inputs: { b: { d: 3, c: 2 }, a: 1 } }])], hashes());
    expect(a[0]!.key).toBe(b[0]!.key);
  });
});
