// The benchmark environment: a private redis-server (so memory readings are ours
// alone), the simulator in-process with zero latency, and gcflow services with
// the client's rate limit lifted (we measure the engine, not the API's limit).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { loadConfig } from '../config/load.js';
import type { Config } from '../config/schema.js';
import { openServices, type Services } from '../daemon/services.js';
import { ensureRedis } from '../dev/redis.js';
import { silentLogger } from '../shared/logger.js';
import { freePort } from '../shared/net.js';
import { type RunningSimulator, startSimulator } from '../simulator/index.js';

export interface BenchEnv {
  redisUrl: string;
  sim: RunningSimulator;
  open(prefix: string, tune?: (c: Config) => void): Promise<Services>;
  /** The environment a `gcflow` child process needs to join the services `open(prefix)` gives. */
  childEnv(prefix: string): Record<string, string>;
  usedMemory(): Promise<number>;
  close(): Promise<void>;
}

export async function benchEnv(): Promise<BenchEnv> {
  const port = await freePort();
  const redis = await ensureRedis(`redis://127.0.0.1:${port}`, mkdtempSync(join(tmpdir(), 'gcflow-bench-')));
  const sim = await startSimulator({ settings: { transition_ms: 50, latency_ms: 0 } });
  const probe = new Redis(redis.url);
  const vars = (prefix: string): Record<string, string> => ({
    REDIS_URL: redis.url,
    GCFLOW_REDIS_PREFIX: prefix,
    GENESISCLOUD_API_URL: sim.apiUrl,
    GENESISCLOUD_TOKEN: 'bench-token',
  });
  return {
    redisUrl: redis.url,
    sim,
    async open(prefix, tune) {
      const { config, secrets } = loadConfig({ env: vars(prefix), configFile: '/dev/null' });
      config.genesis.rate_limit_per_s = 1_000_000;
      config.genesis.rate_limit_burst = 1_000_000;
      tune?.(config);
      return openServices({ config, secrets, logger: silentLogger() });
    },
    childEnv: (prefix) => ({ ...vars(prefix), GCFLOW_CONFIG: '/dev/null' }),
    async usedMemory() {
      const info = await probe.info('memory');
      return Number(/used_memory:(\d+)/.exec(info)?.[1] ?? 0);
    },
    async close() {
      probe.disconnect();
      await sim.close();
      await redis.stop();
    },
  };
}
