// Spawns a private `redis-server` on a free port with its own temp dir. Used by the
// global setup (when neither REDIS_URL nor Docker is available) and by fault tests
// that must own the Redis they kill or restart.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort } from '../../src/shared/net.js';
import { track } from './processes.js';

export { freePort };

export interface SpawnedRedis {
  url: string;
  port: number;
  dir: string;
  process: ChildProcess;
  /** SIGKILL (crash) or SIGTERM; resolves when the process has exited. */
  stop(signal?: NodeJS.Signals): Promise<void>;
  /** Starts again on the same port and dir (after stop), e.g. to test a restart. */
  restart(): Promise<void>;
}

export interface SpawnOptions {
  appendonly?: boolean;
  /** Default: a free port. */
  port?: number;
  /** Default: a new temp dir. */
  dir?: string;
  /** A config file, read first (Sentinel needs one it can rewrite). */
  configFile?: string;
  /** Extra arguments after the defaults (e.g. `--cluster-enabled yes`, `--replicaof h p`). */
  args?: string[];
}

export async function spawnRedis(options: SpawnOptions = {}): Promise<SpawnedRedis> {
  const port = options.port ?? (await freePort());
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'gcflow-redis-'));
  const args = [
    ...(options.configFile ? [options.configFile] : []),
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--dir',
    dir,
    '--save',
    '',
    '--maxmemory-policy',
    'noeviction',
  ];
  args.push('--appendonly', options.appendonly ? 'yes' : 'no', ...(options.args ?? []));
  const handle: SpawnedRedis = {
    url: `redis://127.0.0.1:${port}`,
    port,
    dir,
    process: undefined as unknown as ChildProcess,
    async stop(signal = 'SIGTERM') {
      const child = handle.process;
      if (child.exitCode !== null || child.signalCode !== null) return;
      await new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill(signal);
      });
    },
    async restart() {
      handle.process = await start(args, port);
    },
  };
  handle.process = await start(args, port);
  return handle;
}

async function start(args: string[], port: number): Promise<ChildProcess> {
  const child = track(spawn('redis-server', args, { stdio: ['ignore', 'ignore', 'pipe'] }));
  let spawnError: Error | undefined;
  child.once('error', (err) => {
    spawnError = err;
  });
  const deadline = performance.now() + 10_000;
  while (performance.now() < deadline) {
    if (spawnError) throw spawnError;
    const probe = new Redis({
      port,
      host: '127.0.0.1',
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    probe.on('error', () => undefined); // refused until the server is up: expected
    try {
      await probe.connect();
      await probe.ping();
      return child;
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    } finally {
      probe.disconnect();
    }
  }
  child.kill('SIGKILL');
  throw new Error(`redis-server did not answer on port ${port} within 10 s`);
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}
