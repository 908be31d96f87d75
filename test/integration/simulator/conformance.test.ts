// Conformance with the Instances page: every endpoint on it, driven with the page's own
// example request bodies, answers the page's status code and a body with the example's
// keys and JSON types (and the model schema's required keys), over real HTTP.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SEED_IDS } from '../../../src/simulator/index.js';
import {
  createInstance,
  type Json,
  pollUntil,
  type TestSim,
  startTestSim,
  waitForStatus,
} from './harness.js';
import { exampleErrors, modelErrors, modelKeys, nullableKeys } from './shape.js';

interface Example {
  method: string;
  path: string;
  status?: number;
  request?: Json;
  response?: Json;
}

const PAGE = JSON.parse(
  readFileSync(new URL('../../fixtures/genesis/instances-page.json', import.meta.url), 'utf8'),
) as { examples: Record<string, Example> };
const ex = (name: string): Example => {
  const example = PAGE.examples[name];
  if (!example) throw new Error(`no example ${name} in instances-page.json`);
  return example;
};

const STRICT = new Set<string>();
const INSTANCE_NULLABLE = nullableKeys('Instance');

/** Keys neither the page example nor the model schema knows. */
function unknownKeys(
  actual: Record<string, unknown>,
  example: Record<string, unknown>,
  model: string,
): string[] {
  const known = new Set([...Object.keys(example), ...modelKeys(model)]);
  return Object.keys(actual).filter((k) => !known.has(k));
}

function expectInstanceLike(actual: Json, example: Json, nullable: Set<string>): void {
  expect(exampleErrors(example, actual, nullable)).toEqual([]);
  expect(modelErrors(actual.instance, 'Instance')).toEqual([]);
  expect(unknownKeys(actual.instance, example.instance, 'Instance')).toEqual([]);
}

let sim: TestSim;

beforeAll(async () => {
  sim = await startTestSim();
});

afterAll(async () => {
  await sim?.close();
});

beforeEach(async () => {
  expect((await sim.admin('POST', '/reset')).status).toBe(200);
});

/** An active instance with a volume, key and group, so every array in the examples has an element. */
const activeWithVolume = () => createInstance(sim, { volumes: [SEED_IDS.datasetsVolume] });

describe('Instances page: create', () => {
  it('accepts the page example body verbatim and answers 201 with the example response shape', async () => {
    const request = ex('createInstanceRequest');
    const response = ex('createInstanceResponse');
    const reply = await sim.api(request.method, request.path, request.request);
    expect(reply.status).toBe(response.status);
    expect(Object.keys(reply.body)).toEqual(['instance']);
    // Right after create the IPs are still null (nullable in the model); all else as in the example.
    expectInstanceLike(reply.body, response.response, INSTANCE_NULLABLE);
    expect(reply.body.instance).toMatchObject({
      name: 'name',
      hostname: 'hostname',
      type: 'vcpu-8_memory-48g_nvidia-rtx-3090-2',
      region: 'NORD-NO-KRS-1',
      disk_size: 128,
      floating_ip: { id: 'db1bf06d-528d-4fac-96d8-390798f83388' },
      ssh_keys: [{ id: '45bcd3ac-fccd-4eea-a812-21f01d665464' }],
      security_groups: [{ id: 'fd537d69-9db7-4a44-83b8-96f79d10071a', name: 'standard' }],
      is_protected: false,
      status: 'creating',
    });
  });

  it('once active, the created instance matches the example response with no null leeway', async () => {
    const request = ex('createInstanceRequest');
    const created = await sim.api('POST', '/instances', {
      ...request.request,
      volumes: [SEED_IDS.datasetsVolume],
    });
    const active = await waitForStatus(sim, created.body.instance.id, 'active');
    expectInstanceLike(active.body, ex('createInstanceResponse').response, STRICT);
  });

  it("rejects the page's cURL create example, which omits region (marked Required): 400 naming region", async () => {
    const curl = ex('curlCreateInstanceRequest');
    const reply = await sim.api(curl.method, curl.path, curl.request);
    expect(reply.status).toBe(400);
    expect(reply.body).toEqual({ code: '02002', message: 'missing required field: region' });
    const withRegion = await sim.api(curl.method, curl.path, { ...curl.request, region: 'NORD-NO-KRS-1' });
    expect(withRegion.status).toBe(201);
    expect(withRegion.body.instance.image).toEqual({ id: SEED_IDS.ubuntu2004, name: 'Ubuntu 20.04' });
  });
});

describe('Instances page: read', () => {
  it('GET /instances answers the example list envelope and instance shape', async () => {
    await activeWithVolume();
    const example = ex('listInstancesResponse');
    const reply = await sim.api(example.method, example.path);
    expect(reply.status).toBe(example.status);
    expect(Object.keys(reply.body).sort()).toEqual(Object.keys(example.response).sort());
    expect(exampleErrors(example.response, reply.body, STRICT)).toEqual([]);
    expect(reply.body).toMatchObject({ total_count: 1, page: 1, per_page: 50 });
    for (const instance of reply.body.instances) expect(modelErrors(instance, 'Instance')).toEqual([]);
  });

  it('GET /instances/{id} answers the example envelope and shape', async () => {
    const instance = await activeWithVolume();
    const example = ex('getInstanceResponse');
    const reply = await sim.api('GET', `/instances/${instance.id}`);
    expect(reply.status).toBe(example.status);
    expectInstanceLike(reply.body, example.response, STRICT);
  });

  it('GET /instances/{id}/actions answers the example for an active instance', async () => {
    const instance = await activeWithVolume();
    const example = ex('getActionsResponse');
    const reply = await sim.api('GET', `/instances/${instance.id}/actions`);
    expect(reply.status).toBe(example.status);
    expect(reply.body).toEqual(example.response);
  });
});

describe('Instances page: update', () => {
  it('PATCH with the security-groups example attaches both groups and answers the example shape', async () => {
    const instance = await activeWithVolume();
    for (const name of ['updateSecurityGroupsRequest', 'curlUpdateSecurityGroupsRequest']) {
      const request = ex(name).request;
      const reply = await sim.api('PATCH', `/instances/${instance.id}`, request);
      expect(reply.status).toBe(ex('updateSecurityGroupsResponse').status);
      expectInstanceLike(reply.body, ex('updateSecurityGroupsResponse').response, STRICT);
      expect(reply.body.instance.security_groups.map((g: Json) => g.id)).toEqual(request.security_groups);
    }
    const both = await sim.api(
      'PATCH',
      `/instances/${instance.id}`,
      ex('updateSecurityGroupsRequest').request,
    );
    expect(both.body.instance.security_groups).toEqual(
      ex('updateSecurityGroupsResponse').response.instance.security_groups,
    );
  });

  it('PATCH with the volumes example sets the volume list and answers the example shape', async () => {
    const instance = await createInstance(sim);
    expect(instance.volumes).toEqual([]);
    for (const name of ['updateVolumesRequest', 'curlUpdateVolumesRequest']) {
      const reply = await sim.api('PATCH', `/instances/${instance.id}`, ex(name).request);
      expect(reply.status).toBe(ex('updateVolumesResponse').status);
      expectInstanceLike(reply.body, ex('updateVolumesResponse').response, STRICT);
      expect(reply.body.instance.volumes.map((v: Json) => v.id)).toEqual(ex(name).request.volumes);
    }
  });

  it('PATCH with the update example renames, protects and grows the disk like the example response', async () => {
    const instance = await activeWithVolume();
    const example = ex('updateInstanceResponse');
    const reply = await sim.api('PATCH', `/instances/${instance.id}`, ex('updateInstanceRequest').request);
    expect(reply.status).toBe(example.status);
    expectInstanceLike(reply.body, example.response, STRICT);
    const { name, is_protected, disk_size } = example.response.instance;
    expect(reply.body.instance).toMatchObject({ name, is_protected, disk_size });
  });
});

describe('Instances page: actions, snapshots, delete', () => {
  it('POST /instances/{id}/actions with the example body answers 204 with an empty body', async () => {
    for (const name of ['performActionRequest', 'curlPerformActionRequest']) {
      const instance = await createInstance(sim);
      await sim.heldTime(async () => {
        const reply = await sim.api('POST', `/instances/${instance.id}/actions`, ex(name).request);
        expect(reply.status).toBe(204);
        expect(reply.text).toBe('');
        expect((await sim.api('GET', `/instances/${instance.id}`)).body.instance.status).toBe('resetting');
      });
    }
  });

  it('POST /instances/{id}/snapshots with the example body answers 201 with the example shape', async () => {
    const instance = await createInstance(sim);
    for (const name of ['snapshotInstanceRequest', 'curlSnapshotInstanceRequest']) {
      const example = ex('snapshotInstanceResponse');
      const reply = await sim.api('POST', `/instances/${instance.id}/snapshots`, ex(name).request);
      expect(reply.status).toBe(example.status);
      expect(Object.keys(reply.body)).toEqual(['snapshot']);
      expect(exampleErrors(example.response, reply.body, STRICT)).toEqual([]);
      expect(modelErrors(reply.body.snapshot, 'Snapshot')).toEqual([]);
      expect(reply.body.snapshot).toMatchObject({ name: ex(name).request.name, resource_id: instance.id });
    }
  });

  it('GET /instances/{id}/snapshots answers the example list envelope once the snapshot exists', async () => {
    const instance = await createInstance(sim);
    await sim.api('POST', `/instances/${instance.id}/snapshots`, ex('snapshotInstanceRequest').request);
    const example = ex('listInstanceSnapshotsResponse');
    const reply = await pollUntil(
      () => sim.api('GET', `/instances/${instance.id}/snapshots`),
      (r) => r.body.snapshots?.[0]?.status === 'created',
    );
    expect(reply.status).toBe(example.status);
    expect(Object.keys(reply.body).sort()).toEqual(Object.keys(example.response).sort());
    expect(exampleErrors(example.response, reply.body, STRICT)).toEqual([]);
    expect(reply.body).toMatchObject({ total_count: 1, page: 1, per_page: 50 });
    expect(modelErrors(reply.body.snapshots[0], 'Snapshot')).toEqual([]);
  });

  it('DELETE /instances/{id} answers 204 with an empty body', async () => {
    const instance = await createInstance(sim);
    const reply = await sim.api('DELETE', `/instances/${instance.id}`);
    expect(reply.status).toBe(204);
    expect(reply.text).toBe('');
  });
});

describe('the shape checks themselves', () => {
  it('flag a missing key, a changed JSON type and a null where the example has a value', () => {
    const example = ex('getInstanceResponse').response;
    const broken = structuredClone(example);
    delete broken.instance.hostname;
    broken.instance.is_protected = 'false';
    broken.instance.disk_size = null;
    expect(exampleErrors(example, broken, INSTANCE_NULLABLE)).toEqual([
      '$.instance.hostname: in the example, missing',
      '$.instance.is_protected: example has boolean, got string',
      '$.instance.disk_size: example has number, got null',
    ]);
  });

  it('flag required model keys the page example itself leaves out, and non-ISO timestamps', () => {
    const instance = { ...ex('getInstanceResponse').response.instance, created_at: '2020-03-23T10:09:29Z' };
    expect(modelErrors(instance, 'Instance')).toEqual([
      'Instance.dns_name: required, missing',
      'Instance.os_type: required, missing',
      'Instance.placement_option: required, missing',
      'Instance.created_at: "2020-03-23T10:09:29Z" is not ISO-8601 with milliseconds and Z',
    ]);
  });
});
