// Every client operation once against the simulator, with the response shape checked
// against the required keys of the API's model schemas.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GenesisClient, GenesisApiError, isNotFound } from '../../../src/genesis/index.js';
import { createBody, expectKeys, pollUntil, REQUIRED, type Sim, startSim } from './sim.js';

let sim: Sim;
let client: GenesisClient;

beforeAll(async () => {
  sim = await startSim({ transition_ms: 30 });
  client = sim.client();
});

afterAll(async () => {
  await sim?.close();
});

const gone = (read: () => Promise<unknown>) =>
  pollUntil(
    () =>
      read().then(
        () => false,
        (err: unknown) => {
          if (isNotFound(err)) return true;
          throw err;
        },
      ),
    (isGone) => isGone,
  );

describe('catalogue operations', () => {
  it('images.list returns every image, optionally filtered by type', async () => {
    const images = await client.images.list();
    expect(images.length).toBeGreaterThan(0);
    for (const image of images) expectKeys(image, REQUIRED.image);
    const type = images[0]!.type;
    const filtered = await client.images.list({ type });
    expect(filtered.length).toBeGreaterThan(0);
    expect(filtered.every((i) => i.type === type)).toBe(true);
  });

  it('sshKeys.list and sshKeys.get return unwrapped key objects', async () => {
    const keys = await client.sshKeys.list();
    expect(keys.length).toBeGreaterThan(0);
    for (const key of keys) expectKeys(key, REQUIRED.sshKey);
    const one = await client.sshKeys.get(keys[0]!.id);
    expect(one).toEqual(keys[0]);
  });

  it('securityGroups.list and securityGroups.get', async () => {
    const groups = await client.securityGroups.list();
    expect(groups.length).toBeGreaterThan(0);
    for (const group of groups) expectKeys(group, REQUIRED.securityGroup);
    const one = await client.securityGroups.get(groups[0]!.id);
    expect(one.id).toBe(groups[0]!.id);
    expectKeys(one, REQUIRED.securityGroup);
  });

  it('availability.get lists instance types of a region', async () => {
    const region = (await client.images.list())[0]!.regions[0]!;
    const availability = await client.availability.get(region);
    expectKeys(availability, REQUIRED.availability);
    expect(availability.region).toBe(region);
    expect(availability.instance_types.length).toBeGreaterThan(0);
    for (const t of availability.instance_types) {
      expect(typeof t.type).toBe('string');
      expect(typeof t.available).toBe('boolean');
    }
  });

  it('quotas.get returns capacity and usage per key', async () => {
    const quotas = await client.quotas.get();
    expect(quotas.length).toBeGreaterThan(0);
    for (const quota of quotas) expectKeys(quota, REQUIRED.quota);
  });
});

describe('instance and snapshot lifecycle', () => {
  it('create, read, list, update, act, snapshot, clone and delete', async () => {
    const body = await createBody(client, 'ops-box');
    const created = await client.instances.create(body);
    expectKeys(created, REQUIRED.instance);
    expect(created.name).toBe('ops-box');
    const id = created.id;

    const active = await pollUntil(
      () => client.instances.get(id),
      (i) => i.status === 'active',
    );
    expectKeys(active, REQUIRED.instance);

    const page = await client.instances.list({ page: 1, per_page: 10 });
    expect(page.instances.map((i) => i.id)).toContain(id);
    expect(page).toMatchObject({ page: 1, per_page: 10 });
    expect(page.total_count).toBeGreaterThanOrEqual(1);
    expect((await client.instances.listAll()).map((i) => i.id)).toContain(id);

    expect(await client.instances.getActions(id)).toEqual(expect.arrayContaining(['stop']));

    const renamed = await client.instances.update(id, {
      name: 'ops-box-2',
      is_protected: true,
      disk_size: 100,
    });
    expect(renamed).toMatchObject({ id, name: 'ops-box-2', is_protected: true, disk_size: 100 });

    const [group] = await client.securityGroups.list();
    const detached = await client.instances.update(id, { security_groups: [] });
    expect(detached.security_groups).toEqual([]);
    const attached = await client.instances.update(id, { security_groups: { attach: group!.id } });
    expect(attached.security_groups.map((g) => g.id)).toEqual([group!.id]);
    const removed = await client.instances.update(id, { security_groups: { detach: group!.id } });
    expect(removed.security_groups).toEqual([]);
    const listed = await client.instances.update(id, { security_groups: [group!.id] });
    expect(listed.security_groups.map((g) => g.id)).toEqual([group!.id]);

    await client.instances.performAction(id, 'stop');
    await pollUntil(
      () => client.instances.get(id),
      (i) => i.status === 'stopped',
    );
    await client.instances.performAction(id, 'start');
    await pollUntil(
      () => client.instances.get(id),
      (i) => i.status === 'active',
    );

    const snapshot = await client.instances.createSnapshot(id, { name: 'ops-snap' });
    expectKeys(snapshot, REQUIRED.snapshot);
    expect(snapshot.resource_id).toBe(id);
    const ready = await pollUntil(
      () => client.snapshots.get(snapshot.id),
      (s) => s.status === 'created',
    );
    expectKeys(ready, REQUIRED.snapshot);
    expect((await client.instances.listSnapshots(id)).map((s) => s.id)).toContain(snapshot.id);

    const snapshots = await client.snapshots.list({ page: 1, per_page: 50 });
    expect(snapshots.snapshots.map((s) => s.id)).toContain(snapshot.id);
    expect(snapshots.total_count).toBeGreaterThanOrEqual(1);
    expect((await client.snapshots.listAll()).map((s) => s.id)).toContain(snapshot.id);

    const image = (await client.images.list()).find((i) => i.regions.length > 1);
    const target = image?.regions.find((r) => r !== body.region) ?? body.region;
    const clone = await client.snapshots.clone(snapshot.id, { name: 'ops-snap-copy', region: target });
    expectKeys(clone, REQUIRED.snapshot);
    expect(clone).toMatchObject({ name: 'ops-snap-copy', region: target });
    await pollUntil(
      () => client.snapshots.get(clone.id),
      (s) => s.status === 'created',
    );
    await client.snapshots.delete(clone.id);
    await gone(() => client.snapshots.get(clone.id));

    const refused = await client.instances.delete(id).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(refused).toBeInstanceOf(GenesisApiError);
    expect((refused as GenesisApiError).status).toBe(409);
    await client.instances.update(id, { is_protected: false });
    await client.instances.delete(id);
    await gone(() => client.instances.get(id));
  }, 30_000);
});
