// Snapshots in the simulator over real HTTP: creating → created, listing, rename,
// delete → deleting → 404, clone across regions, replicas, import.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createInstance, type Json, pollUntil, type TestSim, startTestSim, waitForGone } from './harness.js';
import { modelErrors } from './shape.js';

let sim: TestSim;

beforeAll(async () => {
  sim = await startTestSim();
});

afterAll(async () => {
  await sim?.close();
});

beforeEach(async () => {
  await sim.admin('POST', '/reset');
});

const waitCreated = (id: string) =>
  pollUntil(
    () => sim.api('GET', `/snapshots/${id}`),
    (r) => r.body.snapshot?.status === 'created',
  );

async function snapshotOf(name = 'nightly', extra: Record<string, unknown> = {}) {
  const instance = await createInstance(sim, { disk_size: 100 });
  const reply = await sim.api('POST', `/instances/${instance.id}/snapshots`, { name, ...extra });
  expect(reply.status).toBe(201);
  return { instance, snapshot: reply.body.snapshot };
}

describe('snapshots', () => {
  it('starts creating and becomes created after the transition, with every model key', async () => {
    const { instance, snapshot } = await snapshotOf();
    expect(snapshot).toMatchObject({
      name: 'nightly',
      status: 'creating',
      size: 100,
      resource_id: instance.id,
      region: 'NORD-NO-KRS-1',
      os_type: 'linux',
    });
    const created = await waitCreated(snapshot.id);
    expect(Object.keys(created.body)).toEqual(['snapshot']);
    expect(modelErrors(created.body.snapshot, 'Snapshot')).toEqual([]);
  });

  it('lists all snapshots on GET /snapshots and only its own on GET /instances/{id}/snapshots', async () => {
    const a = await snapshotOf('a');
    const b = await snapshotOf('b');
    const all = await sim.api('GET', '/snapshots?per_page=1&page=2');
    expect(all.body).toMatchObject({ total_count: 2, page: 2, per_page: 1 });
    expect(all.body.snapshots.map((s: Json) => s.name)).toEqual(['b']);
    const own = await sim.api('GET', `/instances/${a.instance.id}/snapshots`);
    expect(own.body.snapshots.map((s: Json) => s.id)).toEqual([a.snapshot.id]);
    expect(own.body.snapshots.map((s: Json) => s.id)).not.toContain(b.snapshot.id);
    expect((await sim.api('GET', '/instances/nope/snapshots')).status).toBe(404);
  });

  it('renames with PATCH and answers 200 {snapshot}', async () => {
    const { snapshot } = await snapshotOf();
    const reply = await sim.api('PATCH', `/snapshots/${snapshot.id}`, { name: 'renamed' });
    expect(reply.status).toBe(200);
    expect(reply.body.snapshot).toMatchObject({ id: snapshot.id, name: 'renamed' });
  });

  it('deletes: 204, then deleting, then 404 with an error body', async () => {
    const { snapshot } = await snapshotOf();
    await waitCreated(snapshot.id);
    await sim.heldTime(async () => {
      const reply = await sim.api('DELETE', `/snapshots/${snapshot.id}`);
      expect(reply.status).toBe(204);
      expect(reply.text).toBe('');
      expect((await sim.api('GET', `/snapshots/${snapshot.id}`)).body.snapshot.status).toBe('deleting');
    });
    const gone = await waitForGone(sim, `/snapshots/${snapshot.id}`);
    expect(gone.body.code).toBe('02003');
  });

  it('clones a created snapshot into another region as a new creating snapshot', async () => {
    const instance = await createInstance(sim, { disk_size: 100 });
    const snapshot = await sim.heldTime(async () => {
      const taken = await sim.api('POST', `/instances/${instance.id}/snapshots`, { name: 'nightly' });
      const early = await sim.api('POST', `/snapshots/${taken.body.snapshot.id}/clone`, {
        name: 'copy',
        region: 'EUC-DE-MUC-1',
      });
      expect(early.status).toBe(409);
      return taken.body.snapshot;
    });
    await waitCreated(snapshot.id);
    const reply = await sim.api('POST', `/snapshots/${snapshot.id}/clone`, {
      name: 'copy',
      region: 'EUC-DE-MUC-1',
    });
    expect(reply.status).toBe(201);
    expect(reply.body.snapshot).toMatchObject({
      name: 'copy',
      region: 'EUC-DE-MUC-1',
      status: 'creating',
      size: 100,
    });
    expect(reply.body.snapshot.id).not.toBe(snapshot.id);
    await waitCreated(reply.body.snapshot.id);
    const bad = await sim.api('POST', `/snapshots/${snapshot.id}/clone`, { name: 'copy' });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toBe('missing required field: region');
  });

  it('also creates a replica in replicated_region', async () => {
    const { instance } = await snapshotOf('replicated', { replicated_region: 'ARC-IS-HAF-1' });
    const own = await sim.api('GET', `/instances/${instance.id}/snapshots`);
    expect(own.body.snapshots.map((s: Json) => s.region).sort()).toEqual(['ARC-IS-HAF-1', 'NORD-NO-KRS-1']);
  });

  it('imports a snapshot from a URL with POST /snapshots', async () => {
    const reply = await sim.api('POST', '/snapshots', {
      name: 'imported',
      region: 'NORD-NO-KRS-1',
      size: 20,
      url: 'https://example.com/disk.raw.zst',
    });
    expect(reply.status).toBe(201);
    expect(reply.body.snapshot).toMatchObject({ name: 'imported', size: 20, status: 'creating' });
    const missing = await sim.api('POST', '/snapshots', { name: 'imported' });
    expect(missing.body.message).toBe('missing required fields: region, size, url');
  });

  it('refuses to snapshot an instance that is still creating (409) and requires a name (400)', async () => {
    await sim.heldTime(async () => {
      const created = await sim.api('POST', '/instances', {
        name: 'x',
        hostname: 'x',
        type: 'vcpu-2_memory-4g',
        region: 'NORD-NO-KRS-1',
        image: 'ubuntu-22.04',
        password: 'a-password-of-16+',
      });
      const id = created.body.instance.id;
      expect((await sim.api('POST', `/instances/${id}/snapshots`, { name: 'early' })).status).toBe(409);
      expect((await sim.api('POST', `/instances/${id}/snapshots`, {})).status).toBe(400);
    });
  });
});

describe('POST /__sim/snapshots/{id} (ageing snapshots for tests)', () => {
  it('moves created_at back and the API shows the new time; a forced status is held', async () => {
    const { snapshot } = await snapshotOf('aged');
    await waitCreated(snapshot.id);
    const aged = await sim.admin('POST', `/snapshots/${snapshot.id}`, { created_at: '2024-05-06T02:30:00Z' });
    expect(aged.status).toBe(200);
    expect(aged.body.snapshot).toMatchObject({ id: snapshot.id, created_at: '2024-05-06T02:30:00.000Z' });
    const read = await sim.api('GET', `/snapshots/${snapshot.id}`);
    expect(read.body.snapshot.created_at).toBe('2024-05-06T02:30:00.000Z');
    expect(modelErrors(read.body.snapshot, 'Snapshot')).toEqual([]);

    // A fresh snapshot forced back to `creating` stays there (no transition follows).
    const other = await snapshotOf('stuck');
    const forced = await sim.admin('POST', `/snapshots/${other.snapshot.id}`, {
      status: 'creating',
      created_at: '2024-05-07T02:30:00+02:00',
    });
    expect(forced.body.snapshot).toMatchObject({
      status: 'creating',
      created_at: '2024-05-07T00:30:00.000Z',
    });
    await sim.heldTime(async (advance) => {
      advance(60_000);
      const still = await sim.api('GET', `/snapshots/${other.snapshot.id}`);
      expect(still.body.snapshot.status).toBe('creating');
    });
    const error = await sim.admin('POST', `/snapshots/${other.snapshot.id}`, { status: 'error' });
    expect(error.body.snapshot.status).toBe('error');
  });

  it('answers 404 for an unknown id and 400 for a bad body', async () => {
    const missing = await sim.admin('POST', '/snapshots/00000000-0000-4000-8000-000000000000', {
      status: 'error',
    });
    expect(missing.status).toBe(404);
    const { snapshot } = await snapshotOf('checked');
    const bad = async (body: unknown) => {
      const reply = await sim.admin('POST', `/snapshots/${snapshot.id}`, body);
      expect(reply.status, JSON.stringify(body)).toBe(400);
      return reply.body.message as string;
    };
    expect(await bad({ created_at: 'yesterday' })).toMatch(/created_at must be an ISO 8601 time/);
    expect(await bad({ created_at: '2024-13-45T99:00:00Z' })).toMatch(/created_at must be an ISO 8601 time/);
    expect(await bad({ created_at: 1714962600000 })).toMatch(/created_at must be a string/);
    expect(await bad({ status: 7 })).toMatch(/status must be a string/);
    expect(await bad({ status: '' })).toMatch(/status must be a non-empty string/);
    expect(await bad({})).toMatch(/give created_at, status, or both/);
    expect(await bad({ created: '2024-05-06T02:30:00Z' })).toMatch(/unknown field created/);
    expect(await bad([1])).toMatch(/must be a JSON object/);
    const unchanged = await sim.api('GET', `/snapshots/${snapshot.id}`);
    expect(unchanged.body.snapshot.created_at).toBe(snapshot.created_at);
  });
});
