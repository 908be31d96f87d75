// The engine against the simulator over real HTTP and a real Redis: create, wait,
// snapshot, delete; lost answers; error status; cancel; secrets.
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { activeBoxes, createBoxStep } from '../../helpers/boxes.js';
import { type Stack, startStack, TEST_TOKEN } from '../../helpers/stack.js';
import { startWebhookSink, type WebhookSink } from './webhook.js';
import { waitFor } from '../../helpers/poll.js';

const SLACK_SECRET = 'https://hooks.example/T000/B000/s3cr3t-webhook-path';

const BATCH = `
name: batch
inputs:
  hold: { type: duration, default: 20m }
steps:
${createBoxStep('batch')}
  - id: hold
    uses: instance.wait
    with: { instance: "\${{ steps.box.outputs.instance.id }}", status: stopped, timeout: "\${{ inputs.hold }}" }
  - id: keep
    uses: instance.snapshot
    with: { instance: "\${{ steps.box.outputs.instance.id }}", name: "result-\${{ run.id }}" }
finally:
  - id: teardown
    uses: instance.delete
    if: \${{ steps.box.outputs.instance.id != '' }}
    with: { instance: "\${{ steps.box.outputs.instance.id }}" }
on_failure:
  - id: alert
    uses: notify.webhook
    with: { url: "\${{ secrets.slack_webhook }}", text: "batch \${{ run.id }} failed: \${{ run.error }}" }
`;

describe('engine against the simulator', () => {
  let stack: Stack;
  let sink: WebhookSink;

  beforeAll(async () => {
    sink = await startWebhookSink();
    stack = await startStack({ secrets: { slack_webhook: `${sink.url}/${SLACK_SECRET.split('/').pop()}` } });
  });
  afterAll(async () => {
    await stack?.close();
    await sink?.close();
  });

  /** Plays the cloud: sets the box's status (as its startup script or a failure would). */
  const forceStatus = (id: string, status: string) => stack.sim.simulator.forceStatus(id, status);

  /** The created box's id, once the run is waiting in its `hold` step. */
  const boxWhileHolding = async (runId: string): Promise<string> => {
    const waiting = await stack.waitFor(
      runId,
      (r) => r.steps.find((s) => s.id === 'hold')?.status === 'waiting',
    );
    return (waiting.steps[0]!.outputs['instance'] as { id: string }).id;
  };

  const simState = async () =>
    (await fetch(`${stack.sim.url}/__sim/state`)).json() as Promise<{
      instances: Array<{ id: string; name: string; status: string }>;
      snapshots: Array<{ name: string; status: string; resource_id: string }>;
    }>;

  it('creates a box, waits for it, snapshots it and deletes it in finally', async () => {
    const def = stack.workflow(BATCH);
    const runId = await stack.start(def);
    // The box runs until something stops it: play the startup script's poweroff.
    const waiting = await stack.waitFor(
      runId,
      (r) => r.steps.find((s) => s.id === 'hold')?.status === 'waiting',
    );
    const box = waiting.steps[0]!.outputs['instance'] as { id: string; name: string; status: string };
    expect(box.status).toBe('active');
    expect(box.name).toBe(`batch-${runId}`);
    await forceStatus(box.id, 'stopped');
    const run = await stack.waitFor(runId);
    expect(run.status).toBe('succeeded');
    expect(run.steps.map((s) => [s.id, s.status])).toEqual([
      ['box', 'succeeded'],
      ['hold', 'succeeded'],
      ['keep', 'succeeded'],
      ['alert', 'skipped'],
      ['teardown', 'succeeded'],
    ]);
    const state = await simState();
    expect(state.instances.find((i) => i.id === box.id)).toBeUndefined();
    expect(state.snapshots.filter((s) => s.name === `result-${runId}`)).toHaveLength(1);
  });

  it('adopts the instance whose create answer was lost: one instance, one POST, success', async () => {
    await stack.sim.simulator.addFault({
      match: { method: 'POST', path: '/compute/v1/instances' },
      drop: 'after',
      count: 1,
    });
    stack.sim.simulator.clearCalls();
    const def = stack.workflow(BATCH.replace('status: stopped', 'status: active'));
    const runId = await stack.start(def);
    const run = await stack.waitFor(runId);
    expect(run.status).toBe('succeeded');
    expect(run.steps[0]!.outputs['adopted']).toBe(true);
    const posts = stack.sim.simulator
      .calls()
      .calls.filter((c) => c.method === 'POST' && c.path === '/compute/v1/instances');
    expect(posts).toHaveLength(1);
    const created = (await simState()).snapshots.filter((s) => s.name === `result-${runId}`);
    expect(created).toHaveLength(1);
  });

  it('a box that goes to error runs finally and on_failure, and the run fails naming the status', async () => {
    const def = stack.workflow(BATCH);
    const runId = await stack.start(def);
    const boxId = await boxWhileHolding(runId);
    await forceStatus(boxId, 'error');
    const run = await stack.waitFor(runId);
    expect(run.status).toBe('failed');
    expect(run.error).toMatch(/step hold failed: instance .* went to status error/);
    expect(run.steps.find((s) => s.id === 'teardown')!.status).toBe('succeeded');
    expect((await simState()).instances.find((i) => i.id === boxId)).toBeUndefined();
    const alert = sink.received.find((r) => String(r.body['text']).includes(runId));
    expect(alert?.body['text']).toMatch(/went to status error/);
  });

  it('cancel during a 1-hour wait ends cancelled in seconds, not after the wait, and its finally deletes the box', async () => {
    const def = stack.workflow(BATCH);
    const runId = await stack.start(def, { hold: '1h' });
    const boxId = await boxWhileHolding(runId);
    expect(await stack.services.runs.cancel(runId)).toBe(true);
    // Seconds when idle; the bound is for a loaded machine and still far from the hour.
    const run = await stack.waitFor(runId, undefined, 30_000);
    expect(run.status).toBe('cancelled');
    expect(run.steps.find((s) => s.id === 'hold')!.status).toBe('cancelled');
    expect(run.steps.find((s) => s.id === 'alert')!.status).toBe('skipped');
    expect((await simState()).instances.find((i) => i.id === boxId)).toBeUndefined();
  });

  it('keeps secrets out of run records, history and job data', async () => {
    const def = stack.workflow(BATCH);
    const runId = await stack.start(def);
    const boxId = await boxWhileHolding(runId);
    await forceStatus(boxId, 'error');
    await stack.waitFor(runId);
    const { redis, config } = stack.services;
    const keys = await redis.keys(`${config.redis.prefix}:*`);
    const secret = SLACK_SECRET.split('/').pop()!;
    for (const key of keys) {
      const dump = await dumpKey(redis, key);
      expect(dump, key).not.toContain(secret);
      expect(dump, key).not.toContain(TEST_TOKEN);
    }
    expect(sink.received.some((r) => r.path.endsWith(secret))).toBe(true);
  });

  it('a stop whose box a person starts again between two polls ends when it sees starting, not at its timeout', async () => {
    const [box] = await activeBoxes(stack.sim, ['by-hand-1']);
    const def = stack.workflow(`
name: stopper
steps:
  - id: stop
    uses: instance.stop
    with: { instance: "${box!.id}" }
    wait: { status: stopped, poll: 3s, timeout: 2m }
`);
    const runId = await stack.start(def);
    // The person: starts the box the moment it is stopped, long before the step's next poll.
    const status = () => stack.sim.simulator.state().instances.find((i) => i.id === box!.id)!.status;
    await waitFor(() => status() === 'stopped' || undefined, {
      timeoutMs: 60_000,
      everyMs: 5,
      what: () => `the box to stop (now ${status()})`,
    });
    stack.sim.simulator.forceStatus(box!.id, 'starting', { hold: true });
    const run = await stack.waitFor(runId, undefined, 60_000);
    expect(run.status, run.error ?? '').toBe('succeeded');
    expect(status()).toBe('starting');
  });
});

/** Every value stored under a key, as text, whatever the key's type. */
async function dumpKey(redis: Redis, key: string): Promise<string> {
  switch (await redis.type(key)) {
    case 'string':
      return (await redis.get(key)) ?? '';
    case 'hash':
      return JSON.stringify(await redis.hgetall(key));
    case 'stream':
      return JSON.stringify(await redis.xrange(key, '-', '+'));
    case 'list':
      return JSON.stringify(await redis.lrange(key, 0, -1));
    case 'zset':
      return JSON.stringify(await redis.zrange(key, '0', '-1'));
    case 'set':
      return JSON.stringify(await redis.smembers(key));
    default:
      return '';
  }
}
