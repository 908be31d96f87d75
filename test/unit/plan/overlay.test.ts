// The plan overlay: what a plan "did" is seen by every later read, and planned
// resources never need the real API.
import { describe, expect, it } from 'vitest';
import { createGenesisClient, type Instance, isNotFound, type Snapshot } from '../../../src/genesis/index.js';
import { createPlanClient, GONE, type PlannedCall, PlanOverlay } from '../../../src/plan/index.js';

const T0 = Date.parse('2025-01-01T00:00:00Z');

function realInstance(id: string, name: string, status = 'active'): Instance {
  return {
    id,
    name,
    hostname: name,
    dns_name: `${name}.example`,
    type: 'vcpu-2_memory-4g',
    os_type: 'linux',
    region: 'NORD-NO-KRS-1',
    placement_option: 'AUTO',
    status,
    public_ip: '192.0.2.1',
    private_ip: null,
    image: { id: 'img', name: 'Ubuntu' },
    ssh_keys: [],
    security_groups: [],
    volumes: [],
    created_at: '2024-12-01T00:00:00.000Z',
    updated_at: '2024-12-01T00:00:00.000Z',
  };
}

function realSnapshot(id: string, resource: string, name: string): Snapshot {
  return {
    id,
    name,
    size: 80,
    resource_id: resource,
    region: 'NORD-NO-KRS-1',
    status: 'created',
    os_type: 'linux',
    created_at: '2024-12-02T00:00:00.000Z',
    updated_at: '2024-12-02T00:00:00.000Z',
  };
}

const body = { name: 'gpu', hostname: 'gpu', type: 't', region: 'NORD-NO-KRS-1', image: 'ubuntu-22.04' };

describe('PlanOverlay', () => {
  it('shows a created instance to later gets and lists, under a UUID-shaped id labelled planned-1', () => {
    const overlay = new PlanOverlay();
    const made = overlay.createInstance(body, 'active', T0);
    expect(made.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(overlay.label(made.id)).toBe('planned-1');
    expect(overlay.instance(made.id)).toMatchObject({
      name: 'gpu',
      status: 'active',
      region: 'NORD-NO-KRS-1',
    });
    const real = realInstance('r-1', 'old');
    expect(overlay.mergeInstances([real]).map((i) => i.name)).toEqual(['old', 'gpu']);
    expect(overlay.relabel({ path: `/instances/${made.id}/snapshots` })).toEqual({
      path: '/instances/planned-1/snapshots',
    });
  });

  it('moves an instance to where an action leads, in gets and in lists', () => {
    const overlay = new PlanOverlay();
    const real = realInstance('r-1', 'dev-a');
    overlay.performAction(real, 'stop', T0);
    expect(overlay.instance('r-1')).toMatchObject({ status: 'stopped' });
    expect(
      overlay.mergeInstances([real, realInstance('r-2', 'dev-b')]).map((i) => [i.name, i.status]),
    ).toEqual([
      ['dev-a', 'stopped'],
      ['dev-b', 'active'],
    ]);
    overlay.performAction(overlay.instance('r-1') as Instance, 'start', T0);
    expect(overlay.instance('r-1')).toMatchObject({ status: 'active' });
  });

  it('drops a deleted instance from lists and answers GONE for it', () => {
    const overlay = new PlanOverlay();
    const planned = overlay.createInstance(body, 'active', T0);
    const real = realInstance('r-1', 'dev-a');
    overlay.deleteInstance(planned.id);
    overlay.deleteInstance('r-1');
    expect(overlay.instance(planned.id)).toBe(GONE);
    expect(overlay.instance('r-1')).toBe(GONE);
    expect(overlay.mergeInstances([real, realInstance('r-2', 'dev-b')]).map((i) => i.id)).toEqual(['r-2']);
  });

  it('adds created snapshots as created to their instance only, and drops deleted ones', () => {
    const overlay = new PlanOverlay();
    const a = realInstance('r-a', 'a');
    const made = overlay.createSnapshot(a, { name: 'nightly-1' }, T0);
    expect(made.status).toBe('created');
    expect(overlay.label(made.id)).toBe('planned-snapshot-1');
    const old = realSnapshot('s-old', 'r-a', 'nightly-0');
    expect(overlay.mergeSnapshots([old], 'r-a').map((s) => s.name)).toEqual(['nightly-0', 'nightly-1']);
    expect(overlay.mergeSnapshots([], 'r-b')).toEqual([]);
    overlay.deleteSnapshot('s-old');
    expect(overlay.mergeSnapshots([old]).map((s) => s.name)).toEqual(['nightly-1']);
    expect(overlay.snapshot('s-old')).toBe(GONE);
  });

  it('settles statuses in transit where they lead, and leaves settled ones alone', () => {
    const overlay = new PlanOverlay();
    expect(overlay.settle(realInstance('r-1', 'a', 'stopping'), T0)).toBe(true);
    expect(overlay.instance('r-1')).toMatchObject({ status: 'stopped' });
    expect(overlay.settle(realInstance('r-2', 'b', 'deleting'), T0)).toBe(true);
    expect(overlay.instance('r-2')).toBe(GONE);
    expect(overlay.settle(realInstance('r-3', 'c', 'active'), T0)).toBe(false);
    expect(overlay.instance('r-3')).toBeUndefined();
  });
});

describe('plan client over the overlay', () => {
  // Nothing listens here: a planned resource must never need the real API.
  const real = createGenesisClient({ baseUrl: 'http://127.0.0.1:9/compute/v1', token: 't', maxAttempts: 1 });

  function client() {
    const calls: Array<Omit<PlannedCall, 'step' | 'index'>> = [];
    const overlay = new PlanOverlay();
    const plan = createPlanClient({
      real,
      overlay,
      now: () => T0,
      record: (c) => calls.push(c),
      createdStatus: () => 'active',
    });
    return { plan, calls, overlay };
  }

  it('records a create, an action and a delete instead of sending them; the deleted instance then answers 404', async () => {
    const { plan, calls } = client();
    const made = await plan.instances.create(body);
    expect((await plan.instances.get(made.id)).status).toBe('active');
    await plan.instances.performAction(made.id, 'stop');
    expect((await plan.instances.get(made.id)).status).toBe('stopped');
    expect(await plan.instances.getActions(made.id)).toEqual(['start']);
    await plan.instances.delete(made.id);
    const err = await plan.instances.get(made.id).catch((e: unknown) => e);
    expect(isNotFound(err)).toBe(true);
    expect(calls.map((c) => `${c.method} ${c.path}`)).toEqual([
      'POST /instances',
      `POST /instances/${made.id}/actions`,
      `DELETE /instances/${made.id}`,
    ]);
    expect(plan.reads).toBe(0);
    expect(plan.fatal).toBeUndefined();
  });

  it("lists a planned instance's snapshots without reading the API, and deletes them once", async () => {
    const { plan, calls } = client();
    const made = await plan.instances.create(body);
    const snap = await plan.instances.createSnapshot(made.id, { name: 'result' });
    expect((await plan.instances.listSnapshots(made.id)).map((s) => s.name)).toEqual(['result']);
    await plan.snapshots.delete(snap.id);
    expect(await plan.instances.listSnapshots(made.id)).toEqual([]);
    const again = await plan.snapshots.delete(snap.id).catch((e: unknown) => e);
    expect(isNotFound(again)).toBe(true);
    expect(calls.map((c) => `${c.method} ${c.path}`)).toEqual([
      'POST /instances',
      `POST /instances/${made.id}/snapshots`,
      `DELETE /snapshots/${snap.id}`,
    ]);
    expect(plan.reads).toBe(0);
  });
});
