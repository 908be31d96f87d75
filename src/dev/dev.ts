// `gcflow dev`: everything a newcomer needs in one process: Redis (spawned when
// none answers), the API simulator in-process with a few boxes to play with,
// and the daemon on the example workflows; then a banner saying what to try.
// Its keys live under their own prefix (`<prefix>-dev`), and its settings go to
// .gcflow/dev.env so other commands in the directory find it (src/dev/env-file.ts).
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import type { Config, Secrets } from '../config/schema.js';
import { startDaemon, type RunningDaemon } from '../daemon/daemon.js';
import { createGenesisClient } from '../genesis/index.js';
import { GcflowError } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';
import { startSimulator, type RunningSimulator } from '../simulator/index.js';
import { playBoxes } from './box-player.js';
import { DEV_ENV_FILE, isAlive, readDevEnv, removeDevEnv, writeDevEnv } from './env-file.js';
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
  /** The directory whose .gcflow/ holds dev.env and spawned Redis data; default the working directory. */
  dir?: string;
  /** The config file dev was given (--config or GCFLOW_CONFIG), passed on in dev.env. */
  configFile?: string;
  simulatorPort?: number;
}

/** dev's own key prefix beside the configured one: `gcflow` -> `gcflow-dev`. */
export function devPrefix(prefix: string): string {
  return prefix.endsWith('-dev') ? prefix : `${prefix}-dev`;
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
  const dir = resolve(options.dir ?? '.');
  const running = readDevEnv(dir);
  if (running && running.pid !== process.pid && isAlive(running))
    throw new GcflowError(
      'E_DEV_RUNNING',
      `gcflow dev is already running in ${dir} (pid ${running.pid}${running.url ? `, ${running.url}` : ''})`,
      {
        hint: `use it from another shell (its settings are in ${DEV_ENV_FILE}), or stop it (kill ${running.pid})`,
      },
    );
  const redis = await ensureRedis(options.config.redis.url, resolve(dir, '.gcflow'));
  let simulator: RunningSimulator | undefined;
  try {
    simulator = await startSimulator({ port: options.simulatorPort ?? 0, host: '127.0.0.1' });
    await seedInstances(simulator.apiUrl);
    const prefix = devPrefix(options.config.redis.prefix);
    const config: Config = {
      ...options.config,
      redis: { ...options.config.redis, url: redis.url, prefix },
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
    // Stands in for the startup scripts the simulator cannot run (run.report_url).
    const player = playBoxes(sim, logger);
    const envFile = writeDevEnv(dir, {
      pid: process.pid,
      host: hostname(),
      url: daemon.url,
      vars: {
        REDIS_URL: redis.url,
        GCFLOW_REDIS_PREFIX: prefix,
        GENESISCLOUD_API_URL: sim.apiUrl,
        GENESISCLOUD_TOKEN: DEV_TOKEN,
        GCFLOW_WORKFLOWS: resolve(config.workflows),
        ...(options.configFile ? { GCFLOW_CONFIG: resolve(options.configFile) } : {}),
      },
    });
    return {
      redis,
      simulator: sim,
      daemon,
      banner: banner({
        redis,
        simulator: sim,
        daemon,
        workflows: config.workflows,
        prefix,
        basePrefix: options.config.redis.prefix,
        envFile,
      }),
      close: async () => {
        removeDevEnv(dir, process.pid);
        player.stop();
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
  prefix: string;
  basePrefix: string;
  envFile: string;
}): string {
  const redisNote = p.redis.spawned ? `${p.redis.url} (spawned; data in .gcflow/redis)` : p.redis.url;
  return [
    '',
    '  gcflow dev is running: daemon + simulated Genesis Cloud API + Redis',
    '',
    `  dashboard   ${p.daemon.url ?? '(no HTTP)'}/ui`,
    `  HTTP API    ${p.daemon.url ?? '(no HTTP)'}/api/runs     metrics ${p.daemon.url ?? ''}/metrics`,
    `  simulator   ${p.simulator.apiUrl}   (state: ${p.simulator.url}/__sim/state)`,
    `  redis       ${redisNote}`,
    `  keys        under ${p.prefix}: (dev's own prefix; a daemon's keys are under ${p.basePrefix}:)`,
    `  workflows   ${p.daemon.registry.names().join(', ') || '(none valid)'} from ${p.workflows}`,
    `  settings    ${p.envFile}: gcflow commands run in this directory use them`,
    '',
    '  Try, in another terminal in this directory (gcflow = node dist/main.js, or run `npm link` once):',
    "  gcflow run gpu-batch -i script='echo training' --wait",
    '  gcflow run office-hours -i action=stop --wait    # stops the dev-* boxes',
    '  gcflow run nightly-snapshots --wait              # snapshots the prod-* boxes',
    '  gcflow runs        gcflow schedules        gcflow validate',
    '  gcflow plan nightly-snapshots                    gcflow janitor',
    '',
    '  Ctrl-C stops everything.',
    '',
  ].join('\n');
}
