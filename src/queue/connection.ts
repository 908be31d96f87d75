// Redis connections from config: a plain URL (redis:// or rediss://), Sentinel, or
// Cluster. BullMQ workers need `maxRetriesPerRequest: null` (they block); commands
// issued by the CLI should fail fast instead, so the caller picks.
import { Cluster, Redis, type RedisOptions } from 'ioredis';
import type { Config } from '../config/schema.js';
import { UnreachableError } from '../shared/errors.js';

export type RedisClient = Redis;

export interface ConnectOptions {
  /** true for BullMQ workers and blocking readers: retry forever; false for CLI calls. */
  blocking?: boolean;
  /** Connection name shown in CLIENT LIST. */
  name?: string;
  /**
   * Connection errors (ioredis reconnects by itself; a command that cannot be served
   * fails on its own). Default: ignored, so a CLI facing a dead Redis prints one clear
   * error instead of a stack per reconnect attempt.
   */
  onError?: (err: Error) => void;
}

export function createRedis(redis: Config['redis'], options: ConnectOptions = {}): Redis {
  const common: RedisOptions = {
    maxRetriesPerRequest: options.blocking ? null : 2,
    enableReadyCheck: true,
    connectionName: options.name ?? 'gcflow',
    // Reconnect with capped backoff; BullMQ resumes when Redis is back.
    retryStrategy: (times) => Math.min(times * 200, 2_000),
  };
  const client = redis.sentinel
    ? new Redis({ ...common, sentinels: redis.sentinel.sentinels, name: redis.sentinel.name })
    : redis.cluster
      ? // ioredis' Cluster speaks the same command API; BullMQ accepts it.
        (new Cluster(redis.cluster.nodes, { redisOptions: common }) as unknown as Redis)
      : new Redis(redis.url, common);
  client.on('error', options.onError ?? (() => undefined));
  return client;
}

/** Pings Redis with a deadline; throws UnreachableError (exit 3) naming the URL. */
export async function assertRedisReachable(client: Redis, url: string, timeoutMs = 3_000): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      client.ping(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
  } catch (err) {
    throw new UnreachableError(
      'Redis',
      redactUrl(url),
      'start Redis or set REDIS_URL (gcflow dev starts one for you)',
      err,
    );
  } finally {
    clearTimeout(timer);
  }
}

/** `redis://:secret@host:6379` -> `redis://***@host:6379`. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/[^@/]*@/, '//***@');
}
