// Redis connections from config: a plain URL (redis:// or rediss://), Sentinel, or
// Cluster. BullMQ workers need `maxRetriesPerRequest: null` (they block); commands
// issued by the CLI should fail fast instead, so the caller picks.
import { Cluster, Redis, type RedisOptions } from 'ioredis';
import type { Config } from '../config/schema.js';
import { UnreachableError } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';
import { type ErrorEmitter, isRedisUnavailable, type OutageTracker, quietTracker } from './outage.js';

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
  /**
   * The process's outage tracker: gets this connection's errors and its `ready`
   * events (instead of onError), and rides with the client so that BullMQ objects
   * built on it report there too (watchErrors).
   */
  outage?: OutageTracker;
}

// The tracker of each connection, so a Queue or Worker built on it reports to the same one.
const trackers = new WeakMap<object, OutageTracker>();

/** Gives a BullMQ Queue/Worker/QueueEvents an error listener: the tracker of `connection`. */
export function watchErrors(emitter: ErrorEmitter, connection: Redis, source: string): void {
  (trackers.get(connection) ?? quietTracker()).watch(emitter, source);
}

/** The outage tracker a connection reports to (a quiet one when it has none). */
export function trackerOf(connection: Redis): OutageTracker {
  return trackers.get(connection) ?? quietTracker();
}

/**
 * A periodic task's failure, logged so that an outage stays one line however long it
 * lasts: Redis being unreachable goes to the connection's outage tracker (the outage's
 * one warn line, or a debug line while it lasts); anything else is a warn line, or
 * goes to `other` (e.g. a task that warns once per spell of failures).
 */
export function logTaskError(
  connection: Redis,
  logger: Logger,
  err: unknown,
  message: string,
  source: string,
  other: (err: unknown) => void = (e) => logger.warn({ err: e }, message),
): void {
  const tracker = trackers.get(connection);
  if (tracker && isRedisUnavailable(err)) tracker.error(err, source);
  else other(err);
}

/**
 * Sentinel clients reconnect even when ioredis has given up on them. ioredis (6.0) ends a
 * Sentinel client for good (status "end", every later command "Connection is closed")
 * when its failover detector sees +switch-master while the client is asking the
 * sentinels where the master is after a lost connection (a master killed: the client
 * cycles through reconnects until the failover ends): the detector's disconnect makes
 * that connect attempt fail, and a failed connect ends the client. Only gcflow's own
 * disconnect()/quit() may end one.
 */
export function keepReconnecting(client: Redis): void {
  let closing = false;
  const disconnect = client.disconnect.bind(client);
  client.disconnect = (reconnect = false) => {
    if (!reconnect) closing = true;
    disconnect(reconnect);
  };
  const quit = client.quit.bind(client);
  client.quit = ((...args: Parameters<Redis['quit']>) => {
    closing = true;
    return quit(...args);
  }) as Redis['quit'];
  client.on('end', () => {
    if (closing) return;
    setTimeout(() => {
      if (!closing && client.status === 'end') client.connect().catch(() => undefined);
    }, 200).unref();
  });
}

/** A second connection like `client` (e.g. for pub/sub), reporting to the same tracker. */
export function duplicateRedis(client: Redis, name: string): Redis {
  const copy = client.duplicate();
  if (client.options.sentinels) keepReconnecting(copy);
  const outage = trackers.get(client);
  if (outage) {
    trackers.set(copy, outage);
    copy.on('error', (err) => outage.error(err, name));
    copy.on('ready', () => outage.ready(name));
  } else copy.on('error', () => undefined);
  return copy;
}

/** Where Redis is, for logs and errors: the redacted URL, or the Sentinel/Cluster nodes. */
export function describeRedis(redis: Config['redis']): string {
  const nodes = (list: Array<{ host: string; port: number }>) =>
    list.map((n) => `${n.host}:${n.port}`).join(',');
  if (redis.sentinel)
    return `sentinel master "${redis.sentinel.name}" via ${nodes(redis.sentinel.sentinels)}`;
  if (redis.cluster) return `cluster ${nodes(redis.cluster.nodes)}`;
  return redactUrl(redis.url);
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
    ? new Redis({
        ...common,
        sentinels: redis.sentinel.sentinels,
        name: redis.sentinel.name,
        // Follow a failover at once (+switch-master from the sentinels) rather than
        // when the old master's connection drops; and a write that reached a master
        // just demoted to a replica (READONLY) reconnects to the new one and is sent again.
        failoverDetector: true,
        reconnectOnError: (err) => (/^READONLY/.test(err.message) ? 2 : false),
      })
    : redis.cluster
      ? // ioredis' Cluster speaks the same command API; BullMQ accepts it.
        (new Cluster(redis.cluster.nodes, { redisOptions: common }) as unknown as Redis)
      : new Redis(redis.url, common);
  if (redis.sentinel) keepReconnecting(client as Redis);
  const { outage } = options;
  const source = options.name ?? 'gcflow';
  if (outage) {
    trackers.set(client, outage);
    client.on('error', (err) => outage.error(err, source));
    client.on('ready', () => outage.ready(source));
  } else client.on('error', options.onError ?? (() => undefined));
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
