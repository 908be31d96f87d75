// A fire's decision in one round trip (SchedulerRecords.claimIfIdle, lua/claim-if-idle.lua):
// the slot's stored decision is repeated; else `start` is claimed when no other run of the
// group is active; a group with active runs claims nothing and is left to the full
// decision. The fire handler takes an idle group's fire with one command (this script,
// which also checks the registration read before is still the one stored) where it sent
// four (the registration and the decision, the group's active runs, the claim).
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { parseWorkflow } from '../../../src/dsl/index.js';
import { RunService } from '../../../src/runs/service.js';
import { RunQueue } from '../../../src/queue/runs.js';
import { definitionHash, RunStore } from '../../../src/runs/store.js';
import { event } from '../../../src/engine/events.js';
import type { FireDecision } from '../../../src/scheduler/decisions.js';
import { createFireHandler } from '../../../src/scheduler/fire.js';
import { GroupView } from '../../../src/scheduler/gate.js';
import { desiredTriggers } from '../../../src/scheduler/reconcile.js';
import { SchedulerRecords } from '../../../src/scheduler/records.js';
import { newRunState } from '../../../src/engine/state.js';
import { systemClock } from '../../../src/shared/clock.js';
import { scheduledRunId } from '../../../src/shared/ids.js';
import { silentLogger } from '../../../src/shared/logger.js';
import { testPrefix } from '../../helpers/prefix.js';

const TTL = 60_000;
let redis: Redis;
const closers: Array<() => Promise<void>> = [];
beforeAll(() => {
  redis = new Redis(inject('redisUrl'));
});
afterAll(async () => {
  await Promise.all(closers.map((close) => close()));
  redis.disconnect();
});

describe('claimIfIdle', () => {
  it('claims start when no other run of the group is active, and repeats it after', async () => {
    const prefix = testPrefix('idle');
    const records = new SchedulerRecords(redis, prefix);
    const active = `${prefix}:index:active`;
    // The slot's own run and a run of another workflow do not count.
    await redis.sadd(active, 'w-t0-1000', 'other-t0-5');
    const group = { activeKey: active, runId: 'w-t0-1000', prefixes: ['w-'] };
    expect(await records.claimIfIdle('w:0', 1000, TTL, group)).toEqual({
      type: 'decided',
      claim: { mine: true, decision: { action: 'start', cancel: [] } },
    });
    expect(await records.lastSlot('w:0')).toBe(1000);
    expect(await redis.pttl(records.keys.slot('w:0', 1000))).toBeGreaterThan(TTL - 5_000);
    // Decided: repeated, whatever is active now.
    await redis.sadd(active, 'w-t0-900');
    expect(await records.claimIfIdle('w:0', 1000, TTL, group)).toEqual({
      type: 'decided',
      claim: { mine: false, decision: { action: 'start', cancel: [] } },
    });
  });

  it('claims nothing while another run of the group is active', async () => {
    const prefix = testPrefix('idle');
    const records = new SchedulerRecords(redis, prefix);
    const active = `${prefix}:index:active`;
    await redis.sadd(active, 'v-t0-900');
    const group = { activeKey: active, runId: 'w-t0-1000', prefixes: ['w-', 'v-'] };
    expect(await records.claimIfIdle('w:0', 1000, TTL, group)).toEqual({ type: 'active' });
    expect(await records.decision('w:0', 1000)).toBeUndefined();
    expect(await records.lastSlot('w:0')).toBeNull();
    // No prefixes (overlap: allow): the group is not looked at.
    expect(await records.claimIfIdle('w:0', 1000, TTL, { ...group, prefixes: [] })).toMatchObject({
      type: 'decided',
      claim: { mine: true },
    });
  });

  it('counts a run of a workflow whose name extends the prefix (the full decision reads its state)', async () => {
    const prefix = testPrefix('idle');
    const records = new SchedulerRecords(redis, prefix);
    const active = `${prefix}:index:active`;
    await redis.sadd(active, 'w-b-t0-900');
    const group = { activeKey: active, runId: 'w-t0-1000', prefixes: ['w-'] };
    expect(await records.claimIfIdle('w:0', 1000, TTL, group)).toEqual({ type: 'active' });
  });

  it('finds the group among thousands of active runs, on whichever page of the set it is', async () => {
    const prefix = testPrefix('idle');
    const records = new SchedulerRecords(redis, prefix);
    const active = `${prefix}:index:active`;
    const others = Array.from({ length: 5_000 }, (_, i) => `other${i}-t0-${i}`);
    await redis.sadd(active, ...others);
    const group = { activeKey: active, runId: 'w-t0-1000', prefixes: ['v-', 'w-'] };
    // None of the group: idle. Then one, wherever SSCAN meets it.
    expect(await records.claimIfIdle('w:0', 1000, TTL, group)).toMatchObject({ type: 'decided' });
    await redis.sadd(active, 'w-t0-900');
    expect(await records.claimIfIdle('w:0', 2000, TTL, group)).toEqual({ type: 'active' });
  });

  it('repeats a stored skip decision', async () => {
    const prefix = testPrefix('idle');
    const records = new SchedulerRecords(redis, prefix);
    const skip: FireDecision = { action: 'skip', code: 'missed', reason: 'missed', active: [] };
    await records.claim('w:0', 1000, skip, TTL);
    const group = { activeKey: `${prefix}:index:active`, runId: 'w-t0-1000', prefixes: ['w-'] };
    expect(await records.claimIfIdle('w:0', 1000, TTL, group)).toEqual({
      type: 'decided',
      claim: { mine: false, decision: skip },
    });
  });

  it('does nothing when the registration given is no longer the one stored', async () => {
    const prefix = testPrefix('idle');
    const records = new SchedulerRecords(redis, prefix);
    const group = { activeKey: `${prefix}:index:active`, runId: 'w-t0-1000', prefixes: ['w-'] };
    expect(await records.claimIfIdle('w:0', 1000, TTL, { ...group, registration: '{"v":2}' })).toEqual({
      type: 'changed',
      registration: undefined,
    });
    expect(await records.decision('w:0', 1000)).toBeUndefined();
    expect(await records.lastSlot('w:0')).toBeNull();
  });
});

describe("claimIfIdle with the slot's run to create", () => {
  /** A store, the records and a run of workflow w for slot 1000, ready to create. */
  async function creationSetup() {
    const prefix = testPrefix('idlecreate');
    const store = new RunStore(redis, prefix);
    const records = new SchedulerRecords(redis, prefix);
    const def = parseWorkflow(
      'name: w\nsteps:\n  - id: nap\n    uses: sleep\n    with: { duration: 1s }\n',
      'w.yaml',
    ).definition!;
    const runId = scheduledRunId('w', 0, 1000);
    const state = newRunState({
      id: runId,
      workflow: 'w',
      definitionHash: definitionHash(def),
      trigger: 'schedule',
      scheduledAt: new Date(1000).toISOString(),
      inputs: {},
      now: Date.now(),
      stepIds: ['nap'],
    });
    const create = store.creation(
      state,
      [event('run.queued', Date.now(), { message: 'trigger schedule' })],
      def,
    );
    const group = { activeKey: store.keys.activeRuns, runId, prefixes: ['w-'], create };
    return { store, records, def, runId, group };
  }

  it('creates the run in the step that claims start: record, indexes, event and definition', async () => {
    const { store, records, def, runId, group } = await creationSetup();
    expect(await records.claimIfIdle('w:0', 1000, TTL, group)).toEqual({
      type: 'decided',
      claim: { mine: true, decision: { action: 'start', cancel: [] } },
      created: true,
    });
    expect((await store.load(runId))?.status).toBe('queued');
    expect(await redis.zscore(store.keys.allRuns, runId)).not.toBeNull();
    expect(await redis.zscore(store.keys.workflowRuns('w'), runId)).not.toBeNull();
    expect(await redis.sismember(store.keys.activeRuns, runId)).toBe(1);
    expect((await store.events(runId)).map((e) => e.event.type)).toEqual(['run.queued']);
    expect(await redis.exists(store.keys.definition(definitionHash(def)))).toBe(1);
    // Again (a redelivered fire): the decision is repeated and the run is not written twice.
    expect(await records.claimIfIdle('w:0', 1000, TTL, group)).toEqual({
      type: 'decided',
      claim: { mine: false, decision: { action: 'start', cancel: [] } },
      created: false,
    });
    expect(await store.events(runId)).toHaveLength(1);
  });

  it('creates the run of a start claimed earlier whose run was never created (its replica died in between)', async () => {
    const { store, records, runId, group } = await creationSetup();
    await records.claim('w:0', 1000, { action: 'start', cancel: [] }, TTL);
    expect(await records.claimIfIdle('w:0', 1000, TTL, group)).toMatchObject({
      claim: { mine: false },
      created: true,
    });
    expect(await store.load(runId)).toBeDefined();
  });

  it('creates no run when the group is busy, the decision is a skip or cancels first, or the registration changed', async () => {
    const { store, records, runId, group } = await creationSetup();
    // Busy: nothing claimed, nothing created (the full decision follows).
    await redis.sadd(store.keys.activeRuns, 'w-t0-900');
    expect(await records.claimIfIdle('w:0', 1000, TTL, group)).toEqual({ type: 'active' });
    await redis.srem(store.keys.activeRuns, 'w-t0-900');
    // A stored skip, and a start that cancels runs first (the fire cancels, then starts).
    const skip: FireDecision = { action: 'skip', code: 'overlap_skip', reason: 'busy', active: ['w-t0-900'] };
    await records.claim('w:0', 2000, skip, TTL);
    expect(await records.claimIfIdle('w:0', 2000, TTL, group)).toEqual({
      type: 'decided',
      claim: { mine: false, decision: skip },
    });
    const cancelFirst: FireDecision = { action: 'start', cancel: ['w-t0-900'] };
    await records.claim('w:0', 3000, cancelFirst, TTL);
    expect(await records.claimIfIdle('w:0', 3000, TTL, group)).toEqual({
      type: 'decided',
      claim: { mine: false, decision: cancelFirst },
    });
    // The registration the fire read is no longer the one stored.
    expect(await records.claimIfIdle('w:0', 4000, TTL, { ...group, registration: '{"v":2}' })).toMatchObject({
      type: 'changed',
    });
    expect(await store.load(runId)).toBeUndefined();
    expect(await redis.sismember(store.keys.activeRuns, runId)).toBe(0);
  });
});

/** `saved`: the fire handler's replica wrote the registration (false: another one did). */
async function fireSetup(saved = true) {
  const prefix = testPrefix('idlefire');
  const def = parseWorkflow(
    'name: w\ntriggers:\n  - cron: "* * * * *"\nconcurrency: { group: w, overlap: skip }\nsteps:\n  - id: nap\n    uses: sleep\n    with: { duration: 1s }\n',
    'w.yaml',
  ).definition!;
  const store = new RunStore(redis, prefix);
  const records = new SchedulerRecords(redis, prefix);
  const hash = await store.saveDefinition(def);
  let now = Math.floor(Date.now() / 60_000) * 60_000;
  const [desired] = desiredTriggers([def], new Map([['w', hash]]));
  await (saved ? records : new SchedulerRecords(redis, prefix)).save([
    { ...desired!, registeredAt: now - 600_000 },
  ]);
  // The run queue on a connection of its own: the commands counted below are the fire's.
  const queueConnection = new Redis(inject('redisUrl'));
  const queue = new RunQueue(queueConnection, prefix);
  closers.push(async () => {
    await queue.close();
    queueConnection.disconnect();
  });
  const clock = { ...systemClock, now: () => now + 100 };
  const runs = new RunService(store, queue, clock);
  /** The runs created (in creation order) that have their job in the queue. */
  const started = async () => {
    const ids = (await store.list({ limit: 100 })).map((r) => r.id).reverse();
    const queued = await Promise.all(ids.map((id) => queue.exists(id)));
    return ids.filter((_, i) => queued[i]);
  };
  const fires = createFireHandler({
    records,
    store,
    runs,
    groups: new GroupView(redis, prefix, store),
    groupMembers: () => ['w'],
    metrics: { onScheduleFire: () => {} },
    clock,
    logger: silentLogger(),
  });
  /** Fires `slotMs` (the clock 100 ms after it); the commands sent on the connection. */
  const fire = async (slotMs: number) => {
    now = slotMs;
    const sent: string[] = [];
    const send = redis.sendCommand.bind(redis);
    redis.sendCommand = ((command: { name: string }, ...rest: unknown[]) => {
      sent.push(command.name);
      return (send as (...a: unknown[]) => unknown)(command, ...rest);
    }) as typeof redis.sendCommand;
    try {
      const outcome = await fires.onFire('w:0', slotMs);
      // evalsha; eval as well when the script was not loaded yet.
      return { outcome, sent: sent.filter((n) => n !== 'eval' && n !== 'script') };
    } finally {
      redis.sendCommand = send;
    }
  };
  return { fire, started, records, store, runs, slot: now, def };
}

describe('a fire of an idle group', () => {
  it('is decided in one round trip when its replica wrote or read the registration before', async () => {
    const { fire, started, slot } = await fireSetup();
    const first = await fire(slot);
    expect(first.outcome).toEqual({
      type: 'started',
      runId: scheduledRunId('w', 0, slot),
      slotMs: slot,
      created: true,
    });
    // The decision and the run's creation: one script (the run's job goes to the queue's own connection).
    expect(first.sent).toEqual(['evalsha']);
    expect(await started()).toEqual([scheduledRunId('w', 0, slot)]);
  });

  it('reads the registration first when its replica has not seen it, once', async () => {
    const { fire, started, store, slot } = await fireSetup(false);
    const first = await fire(slot);
    expect(first.outcome).toMatchObject({ type: 'started', runId: scheduledRunId('w', 0, slot) });
    expect(first.sent).toEqual(['hget', 'evalsha']);
    // The first run has ended (overlap: skip would skip the next slot while it is active).
    await redis.srem(store.keys.activeRuns, scheduledRunId('w', 0, slot));
    const second = await fire(slot + 60_000);
    expect(second.outcome).toMatchObject({ type: 'started', runId: scheduledRunId('w', 0, slot + 60_000) });
    expect(second.sent).toEqual(['evalsha']);
    expect(await started()).toEqual([scheduledRunId('w', 0, slot), scheduledRunId('w', 0, slot + 60_000)]);
  });

  it('adds the job of a run created with its claim by a replica that died before adding it', async () => {
    const { fire, started, records, store, runs, slot, def } = await fireSetup();
    const runId = scheduledRunId('w', 0, slot);
    // What the replica did before it died: the claim and the run's creation (one script), no job.
    const run = runs.prepare({ def, inputs: {}, trigger: 'schedule', id: runId, scheduledAt: null });
    const create = store.creation(run.state, run.events, def);
    await records.claimIfIdle('w:0', slot, TTL, {
      activeKey: store.keys.activeRuns,
      runId,
      prefixes: ['w-'],
      create,
    });
    expect(await store.load(runId)).toBeDefined();
    expect(await started()).toEqual([]);
    // Its fire comes back (stalled, then taken again): the job is added; the run is not made twice.
    const again = await fire(slot);
    expect(again.outcome).toEqual({ type: 'started', runId, slotMs: slot, created: false });
    expect(await started()).toEqual([runId]);
    expect(await store.events(runId)).toHaveLength(1);
  });

  it('with its registration gone since it was read, is dropped and claims nothing', async () => {
    const { fire, started, records, slot } = await fireSetup();
    await fire(slot);
    await records.forget(['w:0']);
    expect((await fire(slot + 60_000)).outcome).toEqual({
      type: 'dropped',
      slotMs: slot + 60_000,
      reason: 'unregistered',
    });
    expect(await records.decision('w:0', slot + 60_000)).toBeUndefined();
    expect(await started()).toEqual([scheduledRunId('w', 0, slot)]);
  });
});

describe('GroupView.active', () => {
  it('reads the runs of the group’s workflows, each once, less the firing run', async () => {
    const prefix = testPrefix('groupview');
    const store = new RunStore(redis, prefix);
    // Workflow `w-b` extends `w-`: its runs match both prefixes.
    const ids: Record<string, string> = {};
    for (const name of ['w', 'w-b', 'x']) {
      const def = parseWorkflow(
        `name: ${name}\nconcurrency: { group: g, overlap: skip }\nsteps:\n  - id: nap\n    uses: sleep\n    with: { duration: 1s }\n`,
        `${name}.yaml`,
      ).definition!;
      const hash = await store.saveDefinition(def);
      for (const slot of [1, 2]) {
        const id = scheduledRunId(name, 0, slot * 60_000);
        ids[`${name}${slot}`] = id;
        const state = newRunState({
          id,
          workflow: name,
          definitionHash: hash,
          trigger: 'schedule',
          scheduledAt: null,
          inputs: {},
          now: Date.now(),
          stepIds: ['nap'],
        });
        await store.create(state, []);
      }
    }
    const active = await new GroupView(redis, prefix, store).active('g', ['w', 'w-b'], ids.w2!);
    expect(active.map((r) => r.id)).toEqual([ids.w1, ids['w-b1'], ids['w-b2']].sort());
  });
});
