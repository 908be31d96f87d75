// gcflow on a local Sentinel group (test/helpers/redis-sentinel.ts: 1 master with AOF,
// 1 replica, 3 sentinels): the three example workflows, the scheduler's exactly-once
// test with a SENTINEL FAILOVER midway, then failovers while runs wait for their boxes (SENTINEL FAILOVER, then the
// master SIGKILLed): no run is lost and no box is created twice.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunView } from '../../../src/runs/service.js';
import { exampleSuite } from '../engine/examples-suite.js';
import { exactlyOnceSuite } from '../scheduler/exactly-once-suite.js';
import { createRedis } from '../../../src/queue/connection.js';
import { createBoxStep } from '../../helpers/boxes.js';
import { eventually } from '../../helpers/processes.js';
import { type SentinelGroup, startSentinelGroup } from '../../helpers/redis-sentinel.js';
import { type Stack, startStack } from '../../helpers/stack.js';

let group: SentinelGroup;
let stack: Stack;

const sentinelSettings = () => ({ sentinel: { name: group.name, sentinels: group.sentinels } });

beforeAll(async () => {
  group = await startSentinelGroup();
  stack = await startStack({
    concurrency: 20,
    redis: sentinelSettings(),
  });
}, 120_000);
afterAll(async () => {
  await stack?.close();
  await group?.stop();
});

const WAITER = `
name: waiter
steps:
${createBoxStep('fo')}
    wait: { status: active, timeout: 5m }
  - id: nap
    uses: sleep
    with: { duration: 2s }
finally:
  - id: teardown
    uses: instance.delete
    if: \${{ steps.box.outputs.instance.id != '' }}
    with: { instance: "\${{ steps.box.outputs.instance.id }}" }
`;

/** Starts `n` runs, fails over once every one waits for its box, and checks what followed. */
async function failoverWhileRunsWait(n: number, failover: () => Promise<number>): Promise<void> {
  // Boxes boot for 5 s: long enough for a failover to land while runs wait for them.
  stack.sim.simulator.configure({ transition_ms: 5_000 });
  const def = stack.workflow(WAITER);
  const startedAt = stack.sim.simulator.calls().calls.at(-1)?.at ?? 0;
  const before = stack.sim.simulator.state().instances.length;
  const ids: string[] = [];
  for (let i = 0; i < n; i++) ids.push(await stack.start(def));
  // Every run has sent its create, and its record says it waits for the box to boot
  // (the box's id is checkpointed: the state a failover must not lose). The simulator's
  // list alone is not enough: a box shows there before the run has recorded it.
  const deadline = performance.now() + 60_000;
  while (stack.sim.simulator.state().instances.length < before + n && performance.now() < deadline)
    await new Promise((r) => setTimeout(r, 50));
  for (const id of ids)
    await stack.waitFor(
      id,
      (r) => {
        const status = r.steps.find((s) => s.id === 'box')?.status ?? 'pending';
        return status !== 'pending' && status !== 'running';
      },
      60_000,
    );
  // failover() makes the replica acknowledge all of this before it promotes it
  // (test/helpers/redis-sentinel.ts): what follows is the failover's own doing.
  const oldMaster = await group.masterPort();
  const newMaster = await failover();
  expect(newMaster).not.toBe(oldMaster);
  const runs: RunView[] = [];
  for (const id of ids) runs.push(await stack.waitFor(id, undefined, 120_000));
  expect(runs.map((r) => [r.id, r.status, r.error ?? ''])).toEqual(ids.map((id) => [id, 'succeeded', '']));
  // One create call per run (a duplicate box would need a second one), and no box left:
  // each run's finally step deleted its own.
  const posts = stack.sim.simulator
    .calls()
    .calls.filter((c) => c.at >= startedAt && c.method === 'POST' && c.path === '/compute/v1/instances');
  expect(posts).toHaveLength(n);
  const left = stack.sim.simulator
    .state()
    .instances.filter((i) => ids.some((id) => i.name === `fo-${id}`) && i.status !== 'deleting');
  expect(left).toEqual([]);
}

describe('on a Sentinel group (1 master with AOF, 1 replica, 3 sentinels)', () => {
  exampleSuite(() => stack);
  exactlyOnceSuite(
    'three scheduler replicas on the Sentinel group',
    () => ({ redis: sentinelSettings() }),
    () => group.failover(),
  );

  it('a client whose reconnect is cut short by a failover notice keeps reconnecting (ioredis alone would end it)', async () => {
    const client = createRedis(stack.config.redis, { name: 'gcflow-test-race' });
    try {
      expect(await client.ping()).toBe('PONG');
      // What ioredis' failover detector does on +switch-master after the master was killed:
      // it disconnects the connector while the client asks the sentinels for the master.
      const inner = client as unknown as { connector: { disconnect(): void }; stream: { destroy(): void } };
      client.once('connecting', () => inner.connector.disconnect());
      inner.stream.destroy();
      const pong = await eventually(
        () => client.ping().catch(() => undefined),
        20_000,
        'the client to answer again',
      );
      expect(pong).toBe('PONG');
    } finally {
      client.disconnect();
    }
  }, 60_000);

  it('SENTINEL FAILOVER while 6 runs wait for their boxes: every run succeeds, one box each', async () => {
    await failoverWhileRunsWait(6, () => group.failover());
  }, 240_000);

  it('the master SIGKILLed while 6 runs wait for their boxes: every run succeeds, one box each', async () => {
    await failoverWhileRunsWait(6, () => group.killMaster());
  }, 240_000);
});
