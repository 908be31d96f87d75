// The catalog endpoints over real HTTP: images, SSH keys (unwrapped), security groups
// (reserved names), availability and capacity, quotas, volumes, floating IPs.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SEED_IDS } from '../../../src/simulator/index.js';
import { createBody, type Json, pollUntil, type TestSim, startTestSim } from './harness.js';
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

const KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIMCp7GSdgo4URYA5qpz2YjXhXb0Bikd4dIUWXGFfOch1 me@desk';

describe('images', () => {
  it('lists seeded images with slug, versions and regions, filters by type, and gets one', async () => {
    const all = await sim.api('GET', '/images');
    expect(all.status).toBe(200);
    expect(all.body).toMatchObject({ page: 1, per_page: 50 });
    for (const image of all.body.images) expect(modelErrors(image, 'Image')).toEqual([]);
    const slugs = all.body.images.map((i: Json) => i.slug);
    expect(slugs).toEqual(
      expect.arrayContaining(['ubuntu-22.04', 'ubuntu-24.04', 'ubuntu-ml-nvidia-pytorch']),
    );
    const preconfigured = await sim.api('GET', '/images?type=preconfigured');
    expect(preconfigured.body.images.map((i: Json) => i.slug)).toEqual(['ubuntu-ml-nvidia-pytorch']);
    expect(preconfigured.body.total_count).toBe(1);
    const one = await sim.api('GET', `/images/${SEED_IDS.ubuntu2204}`);
    expect(one.body.image).toMatchObject({ name: 'Ubuntu 22.04', type: 'base-os' });
    expect((await sim.api('GET', '/images?type=nonsense')).status).toBe(400);
    expect((await sim.api('GET', '/images/nope')).status).toBe(404);
  });
});

describe('ssh keys', () => {
  it('serves unwrapped bodies: list, get, create 201, rename, delete 204', async () => {
    const list = await sim.api('GET', '/ssh-keys');
    expect(list.body.ssh_keys.map((k: Json) => k.name)).toContain('ops-laptop');
    for (const key of list.body.ssh_keys) expect(modelErrors(key, 'SSHKey')).toEqual([]);
    const one = await sim.api('GET', `/ssh-keys/${SEED_IDS.opsLaptopKey}`);
    expect(one.body).toMatchObject({ id: SEED_IDS.opsLaptopKey, name: 'ops-laptop', type: 'ed25519' });

    const created = await sim.api('POST', '/ssh-keys', { name: 'desk', value: KEY });
    expect(created.status).toBe(201);
    expect(modelErrors(created.body, 'SSHKey')).toEqual([]);
    expect(created.body.fingerprint).toMatch(/^([0-9a-f]{2}:){15}[0-9a-f]{2}$/);
    const renamed = await sim.api('PATCH', `/ssh-keys/${created.body.id}`, { name: 'desk-2' });
    expect(renamed.body).toMatchObject({ id: created.body.id, name: 'desk-2' });
    expect((await sim.api('DELETE', `/ssh-keys/${created.body.id}`)).status).toBe(204);
    expect((await sim.api('GET', `/ssh-keys/${created.body.id}`)).status).toBe(404);
  });

  it('rejects a value that is not an SSH public key', async () => {
    const reply = await sim.api('POST', '/ssh-keys', { name: 'bad', value: 'hello' });
    expect(reply.status).toBe(400);
    expect(reply.body.message).toMatch(/not an SSH public key/);
  });
});

describe('security groups', () => {
  it('seeds standard and default per region with rules', async () => {
    const reply = await sim.api('GET', '/security-groups?per_page=100');
    const groups = reply.body.security_groups;
    for (const group of groups) expect(modelErrors(group, 'SecurityGroup')).toEqual([]);
    for (const region of ['NORD-NO-KRS-1', 'EUC-DE-MUC-1', 'ARC-IS-HAF-1']) {
      const names = groups.filter((g: Json) => g.region === region).map((g: Json) => g.name);
      expect(names).toEqual(expect.arrayContaining(['standard', 'default']));
    }
    expect(groups.every((g: Json) => g.rules.length > 0)).toBe(true);
  });

  it.each(['default', 'standard', 'Standard'])(
    'refuses the reserved name %s on POST with 400',
    async (name) => {
      const reply = await sim.api('POST', '/security-groups', {
        name,
        region: 'NORD-NO-KRS-1',
        rules: [{ protocol: 'tcp', direction: 'ingress', port_range_min: 22, port_range_max: 22 }],
      });
      expect(reply.status).toBe(400);
      expect(reply.body).toMatchObject({ code: '02002', message: expect.stringMatching(/is reserved/) });
    },
  );

  it('creates 201 {security_group}, needs a rule, updates, refuses platform groups, deletes', async () => {
    const noRules = await sim.api('POST', '/security-groups', {
      name: 'web',
      region: 'NORD-NO-KRS-1',
      rules: [],
    });
    expect(noRules.status).toBe(400);
    const created = await sim.api('POST', '/security-groups', {
      name: 'web',
      region: 'NORD-NO-KRS-1',
      rules: [{ protocol: 'tcp', direction: 'ingress', port_range_min: 443, port_range_max: 443 }],
    });
    expect(created.status).toBe(201);
    expect(modelErrors(created.body.security_group, 'SecurityGroup')).toEqual([]);
    const id = created.body.security_group.id;
    const patched = await sim.api('PATCH', `/security-groups/${id}`, { description: 'https only' });
    expect(patched.body.security_group).toMatchObject({ id, description: 'https only' });
    const standard = SEED_IDS.standard['NORD-NO-KRS-1'];
    expect((await sim.api('DELETE', `/security-groups/${standard}`)).status).toBe(409);
    expect((await sim.api('DELETE', `/security-groups/${id}`)).status).toBe(204);
    expect((await sim.api('GET', `/security-groups/${id}`)).status).toBe(404);
  });
});

describe('availability, capacity and quotas', () => {
  it('reports availability per region in the model shape', async () => {
    const reply = await sim.api('GET', '/availability/NORD-NO-KRS-1/instances');
    expect(reply.status).toBe(200);
    expect(modelErrors(reply.body, 'InstancesAvailability')).toEqual([]);
    expect(reply.body.availability.region).toBe('NORD-NO-KRS-1');
    const types = reply.body.availability.instance_types.map((t: Json) => t.type);
    expect(types).toEqual(
      expect.arrayContaining(['vcpu-2_memory-4g', 'vcpu-8_memory-48g_nvidia-rtx-3090-2']),
    );
    expect((await sim.api('GET', '/availability/MARS-1/instances')).status).toBe(400);
  });

  it('refuses creates past capacity with a 4xx naming type, region and capacity; availability follows', async () => {
    const type = 'vcpu-4_memory-12g_nvidia-rtx-3080-1';
    await sim.admin('POST', '/config', { capacity: { [`NORD-NO-KRS-1/${type}`]: 2 } });
    const entry = async () =>
      (await sim.api('GET', '/availability/NORD-NO-KRS-1/instances')).body.availability.instance_types.find(
        (t: Json) => t.type === type,
      );
    expect(await entry()).toEqual({ type, available: true, count: 2 });
    const first = await sim.api('POST', '/instances', createBody({ type }));
    await sim.api('POST', '/instances', createBody({ type }));
    expect(await entry()).toEqual({ type, available: false, count: 0 });
    const refused = await sim.api('POST', '/instances', createBody({ type }));
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('02040');
    expect(refused.body.message).toContain(type);
    expect(refused.body.message).toContain('NORD-NO-KRS-1');
    expect(refused.body.message).toContain('capacity');
    // Other regions and types are not limited.
    expect((await sim.api('POST', '/instances', createBody({ type, region: 'ARC-IS-HAF-1' }))).status).toBe(
      201,
    );
    // Capacity frees once an instance is gone.
    await sim.api('DELETE', `/instances/${first.body.instance.id}`);
    const freed = await pollUntil(
      () => sim.api('POST', '/instances', createBody({ type })),
      (r) => r.status !== 409,
    );
    expect(freed.status).toBe(201);
  });

  it('reports quotas with key, capacity, used and flavors counting GPUs in use', async () => {
    await sim.api('POST', '/instances', createBody({ type: 'vcpu-8_memory-48g_nvidia-rtx-3090-2' }));
    const reply = await sim.api('GET', '/quotas');
    expect(reply.status).toBe(200);
    const rtx3090 = reply.body.quotas.find((q: Json) => q.key === 'gpu-nvidia-rtx-3090');
    expect(rtx3090).toMatchObject({ capacity: 32, used: 2 });
    expect(rtx3090.flavors).toContainEqual(
      expect.objectContaining({ flavor_name: 'vcpu-8_memory-48g_nvidia-rtx-3090-2', used: 2 }),
    );
  });
});

describe('volumes and floating IPs', () => {
  it('lists and gets them in the model shapes', async () => {
    const volumes = await sim.api('GET', '/volumes');
    for (const v of volumes.body.volumes) expect(modelErrors(v, 'Volume')).toEqual([]);
    const ips = await sim.api('GET', '/floating-ips');
    for (const ip of ips.body.floating_ips) expect(modelErrors(ip, 'FloatingIP')).toEqual([]);
    const ip = await sim.api('GET', `/floating-ips/${SEED_IDS.opsFloatingIp}`);
    expect(ip.body.floating_ip).toMatchObject({ id: SEED_IDS.opsFloatingIp, instance: null });
  });
});
