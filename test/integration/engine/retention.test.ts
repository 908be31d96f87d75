// snapshots.prune through real runs against the simulator (issue 11): a history of
// backups is built with the simulator's admin route POST /__sim/snapshots/{id}
// (created_at moved back, statuses forced), then one run prunes it. Checked through
// the simulator's state, the call log and the run's outputs.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  createGenesisClient,
  createRateLimiter,
  type GenesisClient,
  type Instance,
  type Snapshot,
} from '../../../src/genesis/index.js';
import { coerceInputs } from '../../../src/dsl/index.js';
import { formatPlan, planRun } from '../../../src/plan/index.js';
import { loadWorkflowFile } from '../../../src/workflows/index.js';
import { activeBoxes } from '../../helpers/boxes.js';
import { eventually } from '../../helpers/processes.js';
import { type Stack, startStack } from '../../helpers/stack.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

let stack: Stack;
let api: GenesisClient;

beforeAll(async () => {
  stack = await startStack({ concurrency: 4 });
  api = createGenesisClient({
    baseUrl: stack.sim.apiUrl,
    token: 'seed-token',
    rateLimiter: createRateLimiter({ ratePerSecond: 1000, burst: 1000 }),
  });
});
afterAll(async () => stack?.close());
/** Snapshots held in `creating` on purpose: settled() does not wait for them. */
const held = new Set<string>();
beforeEach(() => {
  held.clear();
  stack.sim.simulator.reset();
});

/** POST /__sim/snapshots/{id}: the admin route under test as every test's setup. */
async function age(id: string, change: { created_at?: number; status?: string }): Promise<void> {
  const body = {
    ...(change.created_at === undefined ? {} : { created_at: new Date(change.created_at).toISOString() }),
    ...(change.status === undefined ? {} : { status: change.status }),
  };
  const reply = await fetch(`${stack.sim.url}/__sim/snapshots/${id}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (reply.status !== 200) throw new Error(`age ${id}: ${reply.status} ${await reply.text()}`);
  if (change.status === 'creating') held.add(id);
}

interface Made {
  /** The snapshot and, when replicated, its replica. */
  ids: string[];
  at: number;
}

/** Snapshots of `box` taken now, waited until created, then dated `at` (ms). */
async function backups(
  box: Instance,
  times: number[],
  options: { replicated?: boolean; prefix?: string } = {},
): Promise<Made[]> {
  const names = times.map((_, i) => `${options.prefix ?? 'nightly'}-${box.name}-${i}`);
  for (const name of names)
    await api.instances.createSnapshot(box.id, {
      name,
      ...(options.replicated ? { replicated_region: 'ARC-IS-HAF-1' } : {}),
    });
  const all = await settled();
  const made: Made[] = [];
  for (const [i, at] of times.entries()) {
    const ids = all.filter((s) => s.name === names[i]).map((s) => s.id);
    for (const id of ids) await age(id, { created_at: at });
    made.push({ ids, at });
  }
  return made;
}

/** The simulator's snapshots once none is in transit (creating or deleting). */
function settled(): Promise<Snapshot[]> {
  return eventually(
    async () => {
      const all = await api.snapshots.listAll();
      const moving = all.some((s) => (s.status === 'creating' && !held.has(s.id)) || s.status === 'deleting');
      return moving ? undefined : all;
    },
    20_000,
    'snapshots to settle',
  );
}

/** Runs one prune step with `params`; returns the run once it ended. */
async function prune(params: string) {
  const def = stack.workflow(`
name: prune-test
steps:
  - id: prune
    uses: snapshots.prune
    with: ${params}
`);
  stack.sim.simulator.clearCalls();
  const run = await stack.waitFor(await stack.start(def));
  return { run, step: run.steps[0]!, calls: stack.sim.simulator.calls().calls };
}

const idsOf = (made: Made[]) => made.flatMap((m) => m.ids).sort();

describe('snapshots.prune against the simulator', () => {
  it('keep_last 3 + keep_within 1d on ages 1h/2d/3d/4d/5d keeps 3 and names the rules', async () => {
    const [box] = await activeBoxes(stack.sim, ['prod-db']);
    const now = Date.now();
    const made = await backups(
      box!,
      [5 * DAY, 4 * DAY, 3 * DAY, 2 * DAY, HOUR].map((a) => now - a),
    );
    const { run, step, calls } = await prune(
      `{ instance: prod-db, match: "nightly-*", keep_last: 3, keep_within: 1d }`,
    );
    expect(run.status, run.error ?? '').toBe('succeeded');
    const left = await settled();
    expect(left.map((s) => s.id).sort()).toEqual(idsOf(made.slice(2)));
    const kept = step.outputs['kept'] as Array<Snapshot & { kept_by: string[] }>;
    expect(kept.map((s) => [s.id, s.kept_by])).toEqual([
      [made[4]!.ids[0], ['keep_within', 'keep_last', 'newest']],
      [made[3]!.ids[0], ['keep_last']],
      [made[2]!.ids[0], ['keep_last']],
    ]);
    expect((step.outputs['deleted'] as Snapshot[]).map((s) => s.id).sort()).toEqual(idsOf(made.slice(0, 2)));
    // One name lookup, one list of the instance's snapshots, one DELETE per doomed snapshot.
    expect(calls.map((c) => c.route).sort()).toEqual(
      [
        'GET /instances',
        'GET /instances/{id}/snapshots',
        'DELETE /snapshots/{id}',
        'DELETE /snapshots/{id}',
      ].sort(),
    );
  });

  it('max_age stays an alias of keep_within', async () => {
    const [box] = await activeBoxes(stack.sim, ['prod-db']);
    const now = Date.now();
    const made = await backups(
      box!,
      [5 * DAY, 4 * DAY, 3 * DAY, 2 * DAY, HOUR].map((a) => now - a),
    );
    const { run } = await prune(`{ instance: prod-db, keep_last: 1, max_age: 3d }`);
    expect(run.status, run.error ?? '').toBe('succeeded');
    expect((await settled()).map((s) => s.id).sort()).toEqual(idsOf(made.slice(2)));
  });

  it('global mode keeps the newest of each instance, not only the newest overall', async () => {
    const [a, b] = await activeBoxes(stack.sim, ['prod-a', 'prod-b']);
    const now = Date.now();
    const ofA = await backups(a!, [now - 2 * HOUR, now - HOUR]);
    const ofB = await backups(b!, [now - 4 * DAY, now - 3 * DAY]);
    const { run, calls } = await prune(`{ match: "nightly-*", keep_last: 1 }`);
    expect(run.status, run.error ?? '').toBe('succeeded');
    expect((await settled()).map((s) => s.id).sort()).toEqual([...ofA[1]!.ids, ...ofB[1]!.ids].sort());
    expect(calls.filter((c) => c.method === 'GET').map((c) => c.route)).toEqual(['GET /snapshots']);
  });

  it('a replicated snapshot and its replica survive together; an older pair goes together', async () => {
    const [box] = await activeBoxes(stack.sim, ['prod-db']);
    const now = Date.now();
    const made = await backups(box!, [now - 2 * DAY, now - HOUR], { replicated: true });
    expect(made.map((m) => m.ids.length)).toEqual([2, 2]);
    const { run, step } = await prune(`{ instance: prod-db, keep_last: 1 }`);
    expect(run.status, run.error ?? '').toBe('succeeded');
    const left = await settled();
    expect(left.map((s) => s.id).sort()).toEqual([...made[1]!.ids].sort());
    expect(left.map((s) => s.region).sort()).toEqual(['ARC-IS-HAF-1', 'NORD-NO-KRS-1']);
    expect((step.outputs['deleted'] as Snapshot[]).map((s) => s.id).sort()).toEqual([...made[0]!.ids].sort());
  });

  it('keep_daily 7 over three snapshots a day for ten days keeps the newest of each of the newest seven days', async () => {
    const [box] = await activeBoxes(stack.sim, ['prod-db']);
    const yesterday = Math.floor(Date.now() / DAY) * DAY - DAY;
    const times: number[] = [];
    for (let daysAgo = 9; daysAgo >= 0; daysAgo -= 1)
      for (const hour of [1, 9, 17]) times.push(yesterday - daysAgo * DAY + hour * HOUR);
    const made = await backups(box!, times);
    const { run, step } = await prune(`{ instance: prod-db, keep_daily: 7 }`);
    expect(run.status, run.error ?? '').toBe('succeeded');
    const left = await settled();
    const expected = made.filter((_m, i) => i >= 9 && i % 3 === 2); // 17:00 of the newest seven days
    expect(expected).toHaveLength(7);
    expect(left.map((s) => s.id).sort()).toEqual(idsOf(expected));
    expect(left.map((s) => new Date(s.created_at).getUTCHours())).toEqual(Array(7).fill(17));
    expect((step.outputs['deleted'] as Snapshot[]).length).toBe(23);
  });

  it('leaves creating and error snapshots alone and does not count them', async () => {
    const [box] = await activeBoxes(stack.sim, ['prod-db']);
    const now = Date.now();
    const made = await backups(
      box!,
      [10 * DAY, 3 * DAY, 2 * DAY, HOUR].map((a) => now - a),
    );
    await age(made[0]!.ids[0]!, { status: 'error' });
    await age(made[3]!.ids[0]!, { status: 'creating' });
    const { run, step } = await prune(`{ instance: prod-db, keep_daily: 1 }`);
    expect(run.status, run.error ?? '').toBe('succeeded');
    // Without `creating` in the count, the newest created (2 days old) is the one kept.
    await eventually(
      async () => ((await api.snapshots.listAll()).some((s) => s.status === 'deleting') ? undefined : true),
      20_000,
      'deletes to finish',
    );
    const left = await api.snapshots.listAll();
    expect(left.map((s) => [s.id, s.status]).sort()).toEqual(
      [
        [made[0]!.ids[0], 'error'],
        [made[2]!.ids[0], 'created'],
        [made[3]!.ids[0], 'creating'],
      ].sort(),
    );
    const kept = step.outputs['kept'] as Array<Snapshot & { kept_by: string[] }>;
    expect(kept.find((s) => s.status === 'creating')!.kept_by).toEqual(['not_created']);
  });

  it('fails the step when the instance does not exist, deleting nothing', async () => {
    const [box] = await activeBoxes(stack.sim, ['prod-db']);
    await backups(box!, [Date.now() - 2 * DAY, Date.now() - DAY]);
    const { run, step, calls } = await prune(`{ instance: prod-dbb, keep_last: 1 }`);
    expect(run.status).toBe('failed');
    expect(step.status).toBe('failed');
    expect(step.error).toMatch(/no instance prod-dbb/);
    expect(calls.filter((c) => c.method !== 'GET')).toEqual([]);
    expect(await settled()).toHaveLength(2);
  });
});

describe('gcflow plan nightly-snapshots', () => {
  it('lists exactly the snapshots a run then deletes, and sends only GETs', async () => {
    const made = await activeBoxes(stack.sim, ['prod-db', 'prod-web']);
    const now = Date.now();
    // Forty nights of history per box (the newest replicated), and one stuck `creating`.
    const history = Array.from({ length: 40 }, (_, i) => now - (40 - i) * DAY);
    for (const box of made) {
      await backups(box, history.slice(0, -1));
      await backups(box, history.slice(-1), { replicated: true, prefix: 'nightly-r' });
      const [stuck] = await backups(box, [now - 50 * DAY], { prefix: 'nightly-stuck' });
      await age(stuck!.ids[0]!, { status: 'creating' });
    }
    const { definition } = await loadWorkflowFile('workflows/nightly-snapshots.yaml');
    const def = definition!;
    const { values, errors } = coerceInputs(def, { name_glob: 'prod-*' }, 'cli');
    expect(errors).toEqual([]);

    stack.sim.simulator.clearCalls();
    const before = stack.sim.simulator.state().snapshots;
    const plan = await planRun({ def, inputs: values, client: api, secrets: {} });
    expect(plan.error ?? null).toBeNull();
    expect(stack.sim.simulator.calls().calls.filter((c) => c.method !== 'GET')).toEqual([]);
    expect(stack.sim.simulator.state().snapshots).toEqual(before);
    const prunePlan = plan.steps.find((s) => s.id === 'prune')!;
    const planned = prunePlan.calls.map((c) => `${c.method} ${c.path}`).sort();
    // 7 days + 4 weeks + 6 months keep at most 17 of 41 backups per box: plenty go.
    expect(planned.length).toBeGreaterThanOrEqual(2 * (40 - 17));
    expect(planned.every((c) => c.startsWith('DELETE /snapshots/'))).toBe(true);
    const text = formatPlan(plan);
    for (const call of planned) expect(text).toContain(call);

    const run = await stack.waitFor(await stack.start(def, values));
    expect(run.status, run.error ?? '').toBe('succeeded');
    const items = run.steps.find((s) => s.id === 'prune')!.items!;
    const deleted = items.flatMap((i) =>
      (i.outputs['deleted'] as Snapshot[]).map((d) => `DELETE /snapshots/${d.id}`),
    );
    expect(deleted.sort()).toEqual(planned);
    const left = new Set((await settled()).map((s) => s.id));
    for (const s of before)
      expect(left.has(s.id), s.name).toBe(!planned.includes(`DELETE /snapshots/${s.id}`));
  });
});
