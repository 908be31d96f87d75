// The scheduler's start and stop: a closing leader finishes its reconcile before it
// hands the lease over, and a start that fails half-way releases what it had opened
// (lease, trigger worker, connections) instead of leaving them running.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load.js';
import { WorkflowRegistry } from '../../../src/daemon/registry.js';
import { openServices } from '../../../src/daemon/services.js';
import { listSchedules, startScheduler } from '../../../src/scheduler/index.js';
import { schedulerKeys } from '../../../src/scheduler/keys.js';
import { silentLogger } from '../../../src/shared/logger.js';
import { pollUntil } from '../../helpers/poll.js';
import { testPrefix } from '../../helpers/prefix.js';
import { spawnRedis, type SpawnedRedis } from '../../helpers/redis-server.js';
import { type Harness, recordingMetrics, startHarness, until } from './harness.js';

const nightly = (name: string) => `
name: ${name}
triggers:
  - cron: "0 3 * * *"
steps:
  - id: nap
    uses: sleep
    with: { duration: 1s }
`;

describe('a closing leader', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ 'first.yaml': nightly('first') });
  });
  afterAll(() => h?.close());

  it('finishes its reconcile before another replica takes the lease', async () => {
    const leader = await h.replica();
    // The follower tries every 50 ms: an early hand-over would be seen at once.
    const follower = await h.replica({ tuning: { leaseIntervalMs: 50 } });
    expect([leader.scheduler.isLeader(), follower.scheduler.isLeader()]).toEqual([true, false]);

    // A deploy of many workflows starts a long reconcile; the leader is told to stop
    // as soon as it has begun (its scheduler's listener runs before this one).
    let closing: Promise<void> | undefined;
    leader.registry.once('change', () => {
      closing = leader.scheduler.close();
    });
    const followerLeadsWhenLeaderDone = new Promise<boolean>((resolve) =>
      leader.scheduler.events.once('reconciled', () => resolve(follower.scheduler.isLeader())),
    );
    const names = Array.from({ length: 150 }, (_, i) => `deploy-${i}`);
    for (const name of names) h.write(`${name}.yaml`, nightly(name));

    expect(await followerLeadsWhenLeaderDone).toBe(false);
    await until(() => (closing ? true : undefined), 20_000, 'the leader to be told to stop');
    await closing;
    await until(() => (follower.scheduler.isLeader() ? true : undefined), 10_000, 'the follower to lead');
    await until(
      async () => ((await listSchedules(follower.services)).length === 151 ? true : undefined),
      20_000,
      'every deployed schedule to be registered',
    );
  });
});

describe('a start that fails half-way', () => {
  let redis: SpawnedRedis;
  let dir: string;
  beforeAll(async () => {
    redis = await spawnRedis();
    dir = mkdtempSync(join(tmpdir(), 'gcflow-sched-'));
    writeFileSync(join(dir, 'first.yaml'), nightly('first'));
  });
  afterAll(async () => {
    await redis?.stop('SIGKILL');
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('releases the lease, the trigger worker and its connections', async () => {
    const prefix = testPrefix('half');
    const { config, secrets } = loadConfig({
      env: {
        REDIS_URL: redis.url,
        GCFLOW_REDIS_PREFIX: prefix,
        GCFLOW_WORKFLOWS: dir,
        GENESISCLOUD_API_URL: 'http://127.0.0.1:9/compute/v1',
        GENESISCLOUD_TOKEN: 'test-token-unused',
      },
    });
    const logger = silentLogger();
    const services = await openServices({ config, secrets, logger });
    const registry = await WorkflowRegistry.open({ dir, logger, watch: false });
    const admin = new Redis(redis.url);
    try {
      const clients = async () => ((await admin.client('LIST')) as string).trim().split('\n').length;
      const before = await clients();
      // The last thing startScheduler does before its watchdog: listen for workflow changes.
      registry.on = () => {
        throw new Error('the registry refused a listener');
      };
      await expect(
        startScheduler({ services, registry, metrics: recordingMetrics(), logger }),
      ).rejects.toThrow('the registry refused a listener');

      expect(await admin.get(schedulerKeys(prefix).leader)).toBeNull();
      await pollUntil(clients, (n) => n === before, { timeoutMs: 5_000 });
    } finally {
      admin.disconnect();
      await registry.close();
      await services.close();
    }
  });
});
