// Instance behaviour of the simulator over real HTTP: validation errors, status machines
// and actions, protection, deletion, IPs, startup scripts, images, groups, pagination.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SEED_IDS } from '../../../src/simulator/index.js';
import {
  createBody,
  createInstance,
  type Json,
  pollUntil,
  type TestSim,
  startTestSim,
  waitForGone,
  waitForStatus,
} from './harness.js';

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

const force = (id: string, status: string) =>
  sim.admin('POST', `/instances/${id}/status`, { status, hold: true });

describe('POST /instances validation (400 {code, message})', () => {
  const cases: Array<[string, Record<string, unknown>, RegExp]> = [
    ['a missing name', { name: undefined }, /^missing required field: name$/],
    [
      'several missing fields',
      { type: undefined, image: undefined },
      /^missing required fields: type, image$/,
    ],
    [
      'both ssh_keys and password',
      { password: 'a-long-enough-password' },
      /only one of ssh_keys or password/,
    ],
    ['neither ssh_keys nor password', { ssh_keys: undefined }, /one of ssh_keys or password is required/],
    [
      'a password under 16 characters',
      { ssh_keys: undefined, password: 'short-pass-15ch' },
      /at least 16 characters/,
    ],
    ['disk_size under 80', { disk_size: 79 }, /disk_size must be at least 80 GiB, got 79/],
    ['a startup script over 64 KiB', { metadata: { startup_script: 'x'.repeat(65_537) } }, /64 KiB/],
    ['an unknown image', { image: 'no-such-image' }, /unknown image "no-such-image"/],
    ['an unknown image version', { image: 'ubuntu-22.04:19990101' }, /has no version "19990101"/],
    ['an unknown ssh key', { ssh_keys: ['00000000-0000-4000-8000-000000000000'] }, /unknown ssh key id/],
    ['an unknown security group', { security_groups: ['nope'] }, /unknown security group id "nope"/],
    [
      'a security group of another region',
      { security_groups: [SEED_IDS.standard['EUC-DE-MUC-1']] },
      /is in region EUC-DE-MUC-1, not NORD-NO-KRS-1/,
    ],
    ['an unknown region', { region: 'MARS-1' }, /unknown region "MARS-1"/],
    ['an unknown volume', { volumes: ['nope'] }, /unknown volume id "nope"/],
    ['a bad hostname', { hostname: 'not a hostname' }, /not a valid host name/],
  ];
  it.each(cases)('rejects %s', async (_what, overrides, message) => {
    const reply = await sim.api('POST', '/instances', createBody(overrides));
    expect(reply.status).toBe(400);
    expect(reply.body.code).toBe('02002');
    expect(reply.body.message).toMatch(message);
    expect((await sim.admin('GET', '/state')).body.counts.instances).toBe(0);
  });

  it('accepts a startup script of exactly 64 KiB and a password of exactly 16 characters', async () => {
    const script = `#!/bin/bash\n${'#'.repeat(65_536 - 12)}`;
    expect(Buffer.byteLength(script)).toBe(65_536);
    const reply = await sim.api(
      'POST',
      '/instances',
      createBody({ ssh_keys: undefined, password: 'sixteen-chars-16', metadata: { startup_script: script } }),
    );
    expect(reply.status).toBe(201);
  });

  it('rejects a body that is not JSON', async () => {
    const reply = await sim.api('POST', '/instances', '{"name":', undefined);
    expect(reply.status).toBe(400);
    expect(reply.body).toEqual({ code: '02002', message: 'request body is not valid JSON' });
  });

  it('answers 02035 for a GPU-only image on a CPU type', async () => {
    const reply = await sim.api('POST', '/instances', createBody({ image: 'ubuntu-ml-nvidia-pytorch' }));
    expect(reply.status).toBe(400);
    expect(reply.body).toEqual({
      code: '02035',
      message: 'the selected image cannot be run on this instance',
    });
  });
});

describe('images, security groups and volumes at create', () => {
  it('resolves the image given as id, slug, slug:version or snapshot id', async () => {
    const byId = await sim.api('POST', '/instances', createBody({ image: SEED_IDS.ubuntu2404 }));
    const bySlug = await sim.api('POST', '/instances', createBody({ image: 'ubuntu-24.04' }));
    const byVersion = await sim.api(
      'POST',
      '/instances',
      createBody({
        image: 'ubuntu-ml-nvidia-pytorch:2.4.0-cuda12.4',
        type: 'vcpu-4_memory-12g_nvidia-rtx-3080-1',
      }),
    );
    expect([byId.status, bySlug.status, byVersion.status]).toEqual([201, 201, 201]);
    expect(byId.body.instance.image).toEqual({ id: SEED_IDS.ubuntu2404, name: 'Ubuntu 24.04' });
    expect(bySlug.body.instance.image.id).toBe(SEED_IDS.ubuntu2404);
    expect(byVersion.body.instance.image.id).toBe(SEED_IDS.pytorch);

    const source = await createInstance(sim);
    const snap = await sim.heldTime(async () => {
      const taken = await sim.api('POST', `/instances/${source.id}/snapshots`, { name: 'golden' });
      const notReady = await sim.api('POST', '/instances', createBody({ image: taken.body.snapshot.id }));
      expect(notReady.status).toBe(400);
      return taken;
    });
    await pollUntil(
      () => sim.api('GET', `/snapshots/${snap.body.snapshot.id}`),
      (r) => r.body.snapshot.status === 'created',
    );
    const fromSnapshot = await sim.api('POST', '/instances', createBody({ image: snap.body.snapshot.id }));
    expect(fromSnapshot.status).toBe(201);
    expect(fromSnapshot.body.instance.image).toEqual({ id: snap.body.snapshot.id, name: 'golden' });
  });

  it('gives the region "standard" group when security_groups is omitted and none for []', async () => {
    const omitted = await sim.api('POST', '/instances', createBody({ region: 'ARC-IS-HAF-1' }));
    expect(omitted.body.instance.security_groups).toEqual([
      { id: SEED_IDS.standard['ARC-IS-HAF-1'], name: 'standard' },
    ]);
    const none = await sim.api('POST', '/instances', createBody({ security_groups: [] }));
    expect(none.body.instance.security_groups).toEqual([]);
  });

  it('attaches and detaches security groups and volumes with {attach} / {detach}', async () => {
    const instance = await createInstance(sim, { security_groups: [] });
    const path = `/instances/${instance.id}`;
    const attached = await sim.api('PATCH', path, {
      security_groups: { attach: SEED_IDS.exampleGroup },
      volumes: { attach: SEED_IDS.datasetsVolume },
    });
    expect(attached.status).toBe(200);
    expect(attached.body.instance.security_groups).toEqual([
      { id: SEED_IDS.exampleGroup, name: 'example sg' },
    ]);
    expect(attached.body.instance.volumes).toEqual([{ id: SEED_IDS.datasetsVolume, name: 'datasets' }]);
    const volume = await sim.api('GET', `/volumes/${SEED_IDS.datasetsVolume}`);
    expect(volume.body.volume).toMatchObject({ status: 'in-use', instances: [{ id: instance.id }] });

    const other = await sim.api('POST', '/instances', createBody({ volumes: [SEED_IDS.datasetsVolume] }));
    expect(other.status).toBe(400);
    expect(other.body.message).toMatch(/is not available: it is attached to instance/);

    const detached = await sim.api('PATCH', path, {
      security_groups: { detach: SEED_IDS.exampleGroup },
      volumes: { detach: SEED_IDS.datasetsVolume },
    });
    expect(detached.body.instance.security_groups).toEqual([]);
    expect(detached.body.instance.volumes).toEqual([]);
    expect((await sim.api('GET', `/volumes/${SEED_IDS.datasetsVolume}`)).body.volume.status).toBe(
      'available',
    );
  });

  it('refuses to shrink the disk on PATCH (400) and grows it', async () => {
    const instance = await createInstance(sim, { disk_size: 120 });
    const shrink = await sim.api('PATCH', `/instances/${instance.id}`, { disk_size: 100 });
    expect(shrink.status).toBe(400);
    expect(shrink.body.message).toMatch(/disk_size can only be increased/);
    const grow = await sim.api('PATCH', `/instances/${instance.id}`, { disk_size: 160 });
    expect(grow.body.instance.disk_size).toBe(160);
  });
});

describe('status machine and actions', () => {
  it('reports null IPs until the instance is active, then both IPs', async () => {
    const created = await sim.api('POST', '/instances', createBody());
    expect(created.body.instance).toMatchObject({ status: 'creating', public_ip: null, private_ip: null });
    const active = await waitForStatus(sim, created.body.instance.id, 'active');
    expect(active.body.instance.public_ip).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    expect(active.body.instance.private_ip).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
  });

  const allowed: Array<[string, string[]]> = [
    ['active', ['reset', 'stop']],
    ['stopped', ['start']],
    ['error', ['stop']],
    ['starting', ['stop']],
    ['creating', []],
    ['stopping', []],
    ['resetting', []],
    ['deleting', []],
    ['pending_payment', []],
    ['shutoff', []],
  ];
  it.each(allowed)(
    'in status %s allows exactly %j and refuses the rest with 409',
    async (status, actions) => {
      const instance = await createInstance(sim);
      await force(instance.id, status);
      const listed = await sim.api('GET', `/instances/${instance.id}/actions`);
      expect(listed.body).toEqual({ actions });
      for (const action of ['start', 'stop', 'reset']) {
        const reply = await sim.api('POST', `/instances/${instance.id}/actions`, { action });
        if (actions.includes(action)) {
          expect(reply.status).toBe(204);
          await force(instance.id, status);
        } else {
          expect(reply.status).toBe(409);
          expect(reply.body.code).toBe('02004');
          expect(reply.body.message).toContain(`action ${action} is not available`);
        }
      }
    },
  );

  it('walks stop → stopping → stopped → start → starting → active, and reset → resetting → active', async () => {
    const instance = await createInstance(sim);
    const act = (action: string) => sim.api('POST', `/instances/${instance.id}/actions`, { action });
    const status = async () => (await sim.api('GET', `/instances/${instance.id}`)).body.instance.status;
    // Each passing status is looked at with the simulator's time held.
    const actThenSee = (action: string) =>
      sim.heldTime(async () => {
        expect((await act(action)).status).toBe(204);
        return status();
      });
    expect(await actThenSee('stop')).toBe('stopping');
    await waitForStatus(sim, instance.id, 'stopped');
    expect(await actThenSee('start')).toBe('starting');
    await waitForStatus(sim, instance.id, 'active');
    expect(await actThenSee('reset')).toBe('resetting');
    await waitForStatus(sim, instance.id, 'active');
  });

  it('rejects an unknown or missing action with 400', async () => {
    const instance = await createInstance(sim);
    const unknown = await sim.api('POST', `/instances/${instance.id}/actions`, { action: 'reboot' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.message).toMatch(/unknown action "reboot"/);
    const missing = await sim.api('POST', `/instances/${instance.id}/actions`, {});
    expect(missing.status).toBe(400);
  });
});

describe('deletion', () => {
  it('refuses DELETE of a protected instance with 409 until is_protected is false', async () => {
    const instance = await createInstance(sim, { is_protected: true });
    const refused = await sim.api('DELETE', `/instances/${instance.id}`);
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('02005');
    expect((await sim.api('GET', `/instances/${instance.id}`)).body.instance.status).toBe('active');
    await sim.api('PATCH', `/instances/${instance.id}`, { is_protected: false });
    expect((await sim.api('DELETE', `/instances/${instance.id}`)).status).toBe(204);
  });

  it('goes deleting and then answers 404 with an error body', async () => {
    const instance = await createInstance(sim);
    await sim.heldTime(async () => {
      expect((await sim.api('DELETE', `/instances/${instance.id}`)).status).toBe(204);
      expect((await sim.api('GET', `/instances/${instance.id}`)).body.instance.status).toBe('deleting');
    });
    const gone = await waitForGone(sim, `/instances/${instance.id}`);
    expect(gone.body).toEqual({ code: '02003', message: `instance ${instance.id} not found` });
    expect((await sim.api('DELETE', `/instances/${instance.id}`)).status).toBe(404);
  });

  it('answers 404 with an error body for an unknown instance id', async () => {
    const reply = await sim.api('GET', '/instances/00000000-0000-4000-8000-000000000000');
    expect(reply.status).toBe(404);
    expect(reply.body.code).toBe('02003');
  });
});

describe('startup scripts', () => {
  const statusOf = async (id: string) => (await sim.api('GET', `/instances/${id}`)).body.instance.status;

  it('shows the startup script in the admin state only (tests play the box with it), never in the API', async () => {
    const script = "#!/bin/bash\nURL='http://127.0.0.1:8080/report/r-1/gcr_abc'\npoweroff\n";
    const created = await sim.api('POST', '/instances', createBody({ metadata: { startup_script: script } }));
    const plain = await sim.api('POST', '/instances', createBody({ name: 'plain', hostname: 'plain' }));
    const state = await sim.admin('GET', '/state');
    const byId = (id: string) => state.body.instances.find((i: { id: string }) => i.id === id);
    expect(byId(created.body.instance.id).startup_script).toBe(script);
    expect(byId(plain.body.instance.id).startup_script).toBeNull();
    const one = await sim.api('GET', `/instances/${created.body.instance.id}`);
    const list = await sim.api('GET', '/instances');
    expect(one.text).not.toContain('gcr_abc');
    expect(list.text).not.toContain('gcr_abc');
    expect(created.text).not.toContain('gcr_abc');
  });

  it('stops an instance whose script calls poweroff script_runtime_ms after it became active', async () => {
    // transition_ms 50, script_runtime_ms 100 (the harness's settings), stepped by hand.
    const id = await sim.heldTime(async (advance) => {
      const created = await sim.api(
        'POST',
        '/instances',
        createBody({ metadata: { startup_script: '#!/bin/bash\nrun-training && sudo poweroff\n' } }),
      );
      const id: string = created.body.instance.id;
      advance(50);
      expect(await statusOf(id)).toBe('active');
      advance(99);
      expect(await statusOf(id)).toBe('active');
      advance(1);
      expect(await statusOf(id)).toBe('stopping');
      advance(50);
      expect(await statusOf(id)).toBe('stopped');
      return id;
    });
    // Stopped for good: a later start does not run the first-boot script again.
    await sim.heldTime(async (advance) => {
      await sim.api('POST', `/instances/${id}/actions`, { action: 'start' });
      advance(50);
      expect(await statusOf(id)).toBe('active');
      advance(10_000);
      expect(await statusOf(id)).toBe('active');
    });
  });

  it('deletes the instance instead when created with destroy_on_shutdown', async () => {
    await sim.heldTime(async (advance) => {
      const created = await sim.api(
        'POST',
        '/instances',
        createBody({
          destroy_on_shutdown: true,
          metadata: { startup_script: 'python train.py; shutdown -h now' },
        }),
      );
      const id: string = created.body.instance.id;
      advance(50);
      expect(await statusOf(id)).toBe('active');
      advance(100);
      expect(await statusOf(id)).toBe('deleting');
      advance(50);
      expect((await sim.api('GET', `/instances/${id}`)).status).toBe(404);
    });
  });
});

describe('pagination', () => {
  it('serves 250 instances over per_page=100 as 3 pages with total_count', async () => {
    for (let i = 0; i < 250; i += 1) {
      const reply = await sim.api(
        'POST',
        '/instances',
        createBody({ name: `box-${i}`, hostname: `box-${i}` }),
      );
      expect(reply.status).toBe(201);
    }
    const pages = [];
    for (const page of [1, 2, 3, 4]) pages.push(await sim.api('GET', `/instances?per_page=100&page=${page}`));
    expect(pages.map((p) => p.body.instances.length)).toEqual([100, 100, 50, 0]);
    expect(pages.map((p) => p.body.total_count)).toEqual([250, 250, 250, 250]);
    expect(pages.map((p) => [p.body.page, p.body.per_page])).toEqual([
      [1, 100],
      [2, 100],
      [3, 100],
      [4, 100],
    ]);
    const names = new Set(pages.flatMap((p) => p.body.instances.map((i: Json) => i.name)));
    expect(names.size).toBe(250);
    expect((await sim.api('GET', '/instances')).body).toMatchObject({
      per_page: 50,
      page: 1,
      total_count: 250,
    });
  });

  it.each(['per_page=0', 'per_page=101', 'per_page=abc', 'page=0', 'page=-1'])(
    'rejects %s with 400',
    async (q) => {
      const reply = await sim.api('GET', `/instances?${q}`);
      expect(reply.status).toBe(400);
      expect(reply.body.code).toBe('02002');
      expect(reply.body.message).toMatch(/^(per_page|page) must be/);
    },
  );
});
