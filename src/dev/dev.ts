// `gcflow dev`: everything a newcomer needs in one process: Redis (spawned when
// none answers), the API simulator in-process with a few boxes to play with,
// and the daemon on the example workflows; then a banner saying what to try.
import type { Config, Secrets } from '../config/schema.js';
import { startDaemon, type RunningDaemon } from '../daemon/daemon.js';
import { createGenesisClient } from '../genesis/index.js';
import type { Logger } from '../shared/logger.js';
import { startSimulator, type RunningSimulator } from '../simulator/index.js';
import { type DevRedis, ensureRedis } from './redis.js';

/** The token gcflow dev uses against its own simulator (never a real one). */
const DEV_TOKEN = 'gcflow-dev-token';

/** Boxes the example workflows act on: office-hours stops/starts dev-*, nightly-snapshots snapshots prod-*. */
export const DEV_INSTANCES = [
  { name: 'dev-alice', type: 'vcpu-4_memory-12g_nvidia-rtx-3080-1' },
  { name: 'dev-bob', type: 'vcpu-4_memory-12g_nvidia-rtx-3080-1' },
  { name: 'prod-db', type: 'vcpu-2_memory-4g' },
  { name: 'prod-web', type: 'vcpu-2_memory-4g' },
];

export interface DevOptions {
  config: Config;
  secrets: Secrets;
  logger: Logger;
  /** Where spawned Redis keeps its data. */
  dataDir?: string;
  simulatorPort?: number;
}

export interface RunningDev {
  redis: DevRedis;
  simulator: RunningSimulator;
  daemon: RunningDaemon;
  banner: string;
  close(): Promise<void>;
}

export async function startDev(options: DevOptions): Promise<RunningDev> {
  const { logger } = options;
  const redis = await ensureRedis(options.config.redis.url, options.dataDir ?? '.gcflow');
  let simulator: RunningSimulator | undefined;
  try {
    simulator = await startSimulator({ port: options.simulatorPort ?? 0, host: '127.0.0.1' });
    await seedInstances(simulator.apiUrl);
    const config: Config = {
      ...options.config,
      redis: { ...options.config.redis, url: redis.url },
      genesis: { ...options.config.genesis, api_url: simulator.apiUrl },
      engine: { ...options.config.engine, poll_interval_ms: 2_000 },
    };
    const daemon = await startDaemon({
      config,
      secrets: { ...options.secrets, apiToken: DEV_TOKEN },
      logger,
      mode: 'dev',
    });
    const sim = simulator;
    return {
      redis,
      simulator: sim,
      daemon,
      banner: banner({ redis, simulator: sim, daemon, workflows: config.workflows }),
      close: async () => {
        await daemon.close();
        await sim.close();
        await redis.stop();
      },
    };
  } catch (err) {
    await simulator?.close();
    await redis.stop();
    logger.error({ err }, 'gcflow dev could not start');
    throw err;
  }
}

/** A few instances in the simulator, active before the banner, so the example workflows have something to act on. */
async function seedInstances(apiUrl: string): Promise<void> {
  const client = createGenesisClient({ baseUrl: apiUrl, token: DEV_TOKEN });
  const existing = new Set((await client.instances.listAll()).map((i) => i.name));
  const [key] = await client.sshKeys.list();
  for (const box of DEV_INSTANCES) {
    if (existing.has(box.name)) continue;
    await client.instances.create({
      name: box.name,
      hostname: box.name,
      type: box.type,
      region: 'NORD-NO-KRS-1',
      image: 'ubuntu-22.04',
      ssh_keys: key ? [key.id] : [],
    });
  }
  const names = new Set(DEV_INSTANCES.map((b) => b.name));
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const seeded = (await client.instances.listAll()).filter((i) => names.has(i.name));
    if (seeded.every((i) => i.status === 'active')) return;
    await new Promise((r) => setTimeout(r, 200));
  }
}

function banner(p: {
  redis: DevRedis;
  simulator: RunningSimulator;
  daemon: RunningDaemon;
  workflows: string;
}): string {
  const redisNote = p.redis.spawned ? `${p.redis.url} (spawned; data in .gcflow/redis)` : p.redis.url;
  const env =
    p.redis.url === 'redis://127.0.0.1:6379'
      ? ''
      : `  export REDIS_URL=${p.redis.url}   # so the commands below find this Redis\n`;
  return [
    '',
    '  gcflow dev is running: daemon + simulated Genesis Cloud API + Redis',
    '',
    `  dashboard   ${p.daemon.url ?? '(no HTTP)'}/ui`,
    `  HTTP API    ${p.daemon.url ?? '(no HTTP)'}/api/runs     metrics ${p.daemon.url ?? ''}/metrics`,
    `  simulator   ${p.simulator.apiUrl}   (state: ${p.simulator.url}/__sim/state)`,
    `  redis       ${redisNote}`,
    `  workflows   ${p.daemon.registry.names().join(', ') || '(none valid)'} from ${p.workflows}`,
    '',
    '  Try, in another terminal (gcflow = node dist/main.js, or run `npm link` once):',
    env + "  gcflow run gpu-batch -i script='echo training' --wait",
    '  gcflow run office-hours -i action=stop --wait    # stops the dev-* boxes',
    '  gcflow run nightly-snapshots --wait              # snapshots the prod-* boxes',
    '  gcflow runs        gcflow schedules        gcflow validate',
    '',
    '  Ctrl-C stops everything.',
    '',
  ].join('\n');
}
