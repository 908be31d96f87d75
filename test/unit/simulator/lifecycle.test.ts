// The simulator's lazy status machines, in process with a clock that moves only when
// told: transitions are derived from timestamps, chained at their own due times.
import { describe, expect, it } from 'vitest';
import { SEED_IDS, Simulator, scriptShutsDown } from '../../../src/simulator/index.js';
import { createInstance } from '../../../src/simulator/instances.js';

class ManualClock {
  time = Date.parse('2025-03-01T00:00:00.000Z');
  now = () => this.time;
  sleep = async (ms: number) => {
    this.time += ms;
  };
}

function setup() {
  const clock = new ManualClock();
  const sim = new Simulator({ clock, settings: { transition_ms: 1_000, script_runtime_ms: 60_000 } });
  const create = (extra: Record<string, unknown> = {}) =>
    createInstance(sim.store, sim.settings, {
      name: 'job',
      hostname: 'job',
      type: 'vcpu-2_memory-4g',
      region: 'NORD-NO-KRS-1',
      image: 'ubuntu-24.04',
      ssh_keys: [SEED_IDS.opsLaptopKey],
      ...extra,
    });
  return { clock, sim, create };
}

describe('scriptShutsDown', () => {
  it.each([
    '#!/bin/bash\npython train.py\nsudo poweroff',
    'train && shutdown -h now',
    'systemctl poweroff',
    '/sbin/halt',
    '#cloud-config\npower_state:\n  mode: poweroff',
    'run; halt',
  ])('sees a shutdown command in %j', (script) => {
    expect(scriptShutsDown(script)).toBe(true);
  });

  it.each([
    '#!/bin/bash\nsudo apt update && sudo apt install iperf3',
    'echo shutdown_hook',
    'export halted=1',
    '# poweroff when done (not yet)',
    '',
  ])('sees none in %j', (script) => {
    expect(scriptShutsDown(script)).toBe(false);
  });
});

describe('lazy transitions', () => {
  it('moves nothing until time passes, then applies each transition at its own due time', () => {
    const { clock, sim, create } = setup();
    const { id, created_at } = create();
    clock.time += 999;
    expect(sim.store.getInstance(id).status).toBe('creating');
    clock.time += 1;
    const active = sim.store.getInstance(id);
    expect(active.status).toBe('active');
    expect(active.updated_at).toBe(created_at + 1_000);
    expect(active.public_ip).not.toBeNull();
  });

  it('after a long idle, one read chains creating → active → (script) stopping → stopped', () => {
    const { clock, sim, create } = setup();
    const { id, created_at } = create({ metadata: { startup_script: 'make && sudo poweroff' } });
    clock.time += 6 * 3_600_000;
    const record = sim.store.getInstance(id);
    expect(record.status).toBe('stopped');
    expect(record.updated_at).toBe(created_at + 1_000 + 60_000 + 1_000);
  });

  it('deletes an instance created with destroy_on_shutdown and frees its volume', () => {
    const { clock, sim, create } = setup();
    const { id } = create({
      destroy_on_shutdown: true,
      volumes: [SEED_IDS.datasetsVolume],
      metadata: { startup_script: 'shutdown now' },
    });
    expect(sim.store.volumes.get(SEED_IDS.datasetsVolume)?.status).toBe('in-use');
    clock.time += 1_000 + 60_000;
    expect(sim.store.getInstance(id).status).toBe('deleting');
    clock.time += 1_000;
    expect(sim.store.findInstance(id)).toBeUndefined();
    expect(sim.store.volumes.get(SEED_IDS.datasetsVolume)).toMatchObject({
      status: 'available',
      instance: null,
    });
  });

  it('keeps an instance whose script does not power off active for good', () => {
    const { clock, sim, create } = setup();
    const { id } = create({ metadata: { startup_script: 'echo shutdown_hook halted' } });
    clock.time += 24 * 3_600_000;
    expect(sim.store.getInstance(id).status).toBe('active');
  });

  it('runs the startup script only on the first boot', () => {
    const { clock, sim, create } = setup();
    const { id } = create({ metadata: { startup_script: 'poweroff' } });
    clock.time += 62_000;
    expect(sim.store.getInstance(id).status).toBe('stopped');
    sim.forceStatus(id, 'starting');
    clock.time += 10 * 60_000;
    expect(sim.store.getInstance(id).status).toBe('active');
  });

  it('lets a forced transient status settle unless held', () => {
    const { clock, sim, create } = setup();
    const { id } = create();
    clock.time += 1_000;
    sim.forceStatus(id, 'stopping');
    clock.time += 1_000;
    expect(sim.store.getInstance(id).status).toBe('stopped');
    sim.forceStatus(id, 'creating', { hold: true });
    clock.time += 3_600_000;
    expect(sim.store.getInstance(id).status).toBe('creating');
  });

  it('settles thousands of idle instances from the clock alone, on the next read', () => {
    const { clock, sim, create } = setup();
    for (let i = 0; i < 3_000; i += 1) create({ name: `job-${i}` });
    clock.time += 1_000;
    const statuses = new Set(sim.store.listInstances().map((i) => i.status));
    expect([...statuses]).toEqual(['active']);
  });
});
