// Starting and stopping run workers. A start that fails half-way (here a concurrency
// of 0) releases the cancel watcher and the worker's connection it had opened (the
// concurrency is checked before BullMQ opens a connection it would leak). A stop
// returns once its grace period is over even when a turn is still in flight, and a
// turn in flight parks at its next wait once the workers stop.
import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load.js';
import { openServices, startWorkers } from '../../../src/daemon/services.js';
import { silentLogger } from '../../../src/shared/logger.js';
import { pollUntil } from '../../helpers/poll.js';
import { startStack } from '../../helpers/stack.js';
import { testPrefix } from '../../helpers/prefix.js';
import { spawnRedis, type SpawnedRedis } from '../../helpers/redis-server.js';

let redis: SpawnedRedis;
beforeAll(async () => {
  redis = await spawnRedis();
});
afterAll(() => redis?.stop('SIGKILL'));

it('releases what startWorkers opened when it throws half-way', async () => {
  const { config, secrets } = loadConfig({
    env: {
      REDIS_URL: redis.url,
      GCFLOW_REDIS_PREFIX: testPrefix('workers'),
      GENESISCLOUD_API_URL: 'http://127.0.0.1:9/compute/v1',
      GENESISCLOUD_TOKEN: 'test-token-unused',
    },
  });
  const services = await openServices({ config, secrets, logger: silentLogger() });
  const admin = new Redis(redis.url);
  try {
    const clients = async () => ((await admin.client('LIST')) as string).trim().split('\n').length;
    const before = await clients();
    await expect(startWorkers(services, { concurrency: 0 })).rejects.toThrow(
      /concurrency must be a whole number/,
    );
    await pollUntil(clients, (n) => n === before, { timeoutMs: 5_000 });
  } finally {
    admin.disconnect();
    await services.close();
  }
});

it('stops within its grace period while a turn is still in flight', async () => {
  // Polls of 100 ms are slept inside the turn, so a run waiting for a box that stays
  // creating is one turn that does not end by itself.
  const stack = await startStack({ sim: { transition_ms: 3_600_000 } });
  try {
    const def = stack.workflow(`
name: endless
steps:
  - id: box
    uses: instance.create
    with: { name: "endless-\${{ run.id }}", type: vcpu-2_memory-4g, region: NORD-NO-KRS-1, image: ubuntu-22.04, ssh_keys: [ops-laptop] }
`);
    const runId = await stack.start(def);
    await stack.waitFor(runId, (r) => r.steps[0]!.status === 'waiting');
    const started = performance.now();
    const stopped = await Promise.race([
      stack.workers.close(500).then(() => true),
      new Promise<false>((resolve) => setTimeout(() => resolve(false), 20_000)),
    ]);
    expect(stopped, 'workers.close(500) still waiting after 20 s').toBe(true);
    expect(performance.now() - started).toBeLessThan(20_000);
  } finally {
    await stack.services.close();
    await stack.sim.close();
  }
});

it('parks an in-flight turn at its next wait when the workers stop, instead of holding the stop', async () => {
  // The same endless turn: polls of 100 ms slept inside it. Before `stopping`, a stop
  // waited out the whole grace period (here 40 s) for it; now the turn parks at its
  // next poll, so the stop is over in seconds and the run resumes from its checkpoint.
  const stack = await startStack({ sim: { transition_ms: 3_600_000 } });
  try {
    const def = stack.workflow(`
name: endless
steps:
  - id: box
    uses: instance.create
    with: { name: "endless-\${{ run.id }}", type: vcpu-2_memory-4g, region: NORD-NO-KRS-1, image: ubuntu-22.04, ssh_keys: [ops-laptop] }
`);
    const runId = await stack.start(def);
    await stack.waitFor(runId, (r) => r.steps[0]!.status === 'waiting');
    const started = performance.now();
    await stack.workers.close(40_000);
    expect(performance.now() - started, 'the stop waited for the turn instead of parking it').toBeLessThan(
      30_000,
    );
    const run = await stack.services.runs.get(runId);
    expect(run.status).toBe('waiting');
    expect(run.steps[0]!.status).toBe('waiting');
  } finally {
    await stack.services.close();
    await stack.sim.close();
  }
});
