// The engine lets the outcomes of READ_ONLY_KINDS wait for a later write (a crash
// repeats them: engine/driver.ts, mustWrite). That is safe only if each of those
// kinds' real actions changes nothing: here each runs against the real simulator over
// HTTP, and the simulator must see GETs only and end as it began.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createExecutor } from '../../../src/actions/index.js';
import { RUNTIME_STEP_PARAMS } from '../../../src/dsl/step-params.js';
import { READ_ONLY_KINDS, type StepKind } from '../../../src/dsl/types.js';
import type { GenesisClient, Instance } from '../../../src/genesis/index.js';
import { liveActionDeps, preparedTask, taskIO } from '../../helpers/tasks.js';
import { createBody, pollUntil, type Sim, startSim } from '../genesis/sim.js';

let sim: Sim;
let client: GenesisClient;
let box: Instance;

beforeAll(async () => {
  sim = await startSim({ transition_ms: 50 });
  client = sim.client();
  const created = await client.instances.create(await createBody(client, 'read-only-box'));
  box = await pollUntil(
    () => client.instances.get(created.id),
    (i) => i.status === 'active',
  );
  const snapshot = await client.instances.createSnapshot(box.id, { name: 'read-only-snap' });
  await pollUntil(
    () => client.snapshots.get(snapshot.id),
    (s) => s.status === 'created',
  );
});

/** The boxes and snapshots as the simulator holds them. */
const world = async () => {
  const { instances, snapshots } = await sim.admin<{ instances: unknown[]; snapshots: unknown[] }>(
    'GET',
    '/__sim/state',
  );
  return { instances, snapshots };
};
afterAll(async () => sim?.close());

/** Parameters for each read-only kind; a kind added to READ_ONLY_KINDS needs its case here. */
const params = (): Record<string, Record<string, unknown>> => ({
  'instances.list': { name: 'read-only-*' },
  'instance.get': { instance: box.id },
  'instance.wait': { instance: box.name, status: 'active' },
  'snapshots.list': { instance: box.id },
  'availability.check': { region: box.region, type: box.type },
});

it('has a case for every read-only kind', () => {
  expect(Object.keys(params()).sort()).toEqual([...READ_ONLY_KINDS].sort());
});

it.each([...READ_ONLY_KINDS])('%s makes GET calls only and changes nothing', async (kind) => {
  const execute = createExecutor(liveActionDeps(client, Date.now));
  const before = await world();
  const calls = (await sim.calls()).calls.length;
  const outcome = await execute(
    preparedTask({
      ref: { stepId: 'read' },
      kind,
      params: RUNTIME_STEP_PARAMS[kind as StepKind].parse(params()[kind]),
    }),
    taskIO(),
  );
  expect(outcome.type, JSON.stringify(outcome)).toBe('done');
  const made = (await sim.calls()).calls.slice(calls);
  expect(made.length).toBeGreaterThan(0);
  expect(made.filter((c) => c.method !== 'GET')).toEqual([]);
  expect(await world()).toEqual(before);
});
