// Starting run workers: a start that fails half-way (here BullMQ refusing a
// concurrency of 0) releases the cancel watcher and the worker's connection it had
// opened, so a process that reports the error and goes on does not leak them.
// (The concurrency is checked before BullMQ opens a connection it would leak.)
import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load.js';
import { openServices, startWorkers } from '../../../src/daemon/services.js';
import { silentLogger } from '../../../src/shared/logger.js';
import { pollUntil } from '../../helpers/poll.js';
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
    await expect(startWorkers(services, { concurrency: 0 })).rejects.toThrow(/concurrency must be a whole number/);
    await pollUntil(clients, (n) => n === before, { timeoutMs: 5_000 });
  } finally {
    admin.disconnect();
    await services.close();
  }
});
