// `gcflow dev` Redis: use the one at REDIS_URL when it answers; otherwise spawn a
// `redis-server` with its data (AOF) under .gcflow/redis so dev state survives
// restarts. Stopped again when dev stops.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { Redis } from 'ioredis';
import { ExitCode, GcflowError } from '../shared/errors.js';
import { freePort, portFree } from '../shared/net.js';

export interface DevRedis {
  url: string;
  /** True when dev started it (and will stop it). */
  spawned: boolean;
  stop(): Promise<void>;
}

export async function ensureRedis(url: string, dataDir: string): Promise<DevRedis> {
  if (await answers(url)) return { url, spawned: false, stop: async () => {} };
  const wanted = Number(new URL(url).port || 6379);
  const port = (await portFree(wanted)) ? wanted : await freePort();
  const dir = resolve(dataDir, 'redis');
  mkdirSync(dir, { recursive: true });
  const args = [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--dir',
    dir,
    '--appendonly',
    'yes',
    '--appendfsync',
    'everysec',
    '--maxmemory-policy',
    'noeviction',
    '--save',
    '',
  ];
  let child: ChildProcess;
  try {
    child = spawn('redis-server', args, { stdio: ['ignore', 'ignore', 'inherit'] });
  } catch (err) {
    throw noRedis(url, err);
  }
  const failed = new Promise<never>((_, reject) => child.once('error', (err) => reject(noRedis(url, err))));
  const spawnedUrl = `redis://127.0.0.1:${port}`;
  const deadline = Date.now() + 10_000;
  for (;;) {
    const up = await Promise.race([answers(spawnedUrl), failed]);
    if (up) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw noRedis(url, new Error('redis-server did not answer within 10 s'));
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url: spawnedUrl,
    spawned: true,
    stop: () =>
      new Promise<void>((done) => {
        if (child.exitCode !== null) return done();
        child.once('exit', () => done());
        child.kill('SIGTERM');
      }),
  };
}

function noRedis(url: string, cause: unknown): GcflowError {
  return new GcflowError(
    'E_DEV_NO_REDIS',
    `no Redis answers at ${url} and redis-server could not be started: ${(cause as Error).message}`,
    {
      hint: 'install Redis (apt-get install -y redis-server, brew install redis) or set REDIS_URL to a running one',
      exitCode: ExitCode.unreachable,
      cause,
    },
  );
}

async function answers(url: string): Promise<boolean> {
  const client = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    connectTimeout: 1_000,
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}
