// One tracker per process for Redis outages: every ioredis connection and every
// BullMQ Queue/Worker/QueueEvents reports its errors here, so an outage reads as ONE
// warn line ("Redis unreachable at ...") and ONE info line when it is back (with its
// length), not a stack per reconnect attempt and per component. Imports no bullmq.
import type { Logger } from '../shared/logger.js';

/** Anything that emits `error` (ioredis clients, BullMQ Queue, Worker, QueueEvents). */
export interface ErrorEmitter {
  on(event: 'error', listener: (err: Error) => void): unknown;
}

export interface OutageTracker {
  /** Where Redis is, as logs name it (URL redacted, or Sentinel/Cluster nodes). */
  readonly address: string;
  /** True from the first connection error until a connection is ready again. */
  readonly down: boolean;
  /** When the current outage began (ms), undefined while Redis answers. */
  readonly downSince: number | undefined;
  /** A component's error: starts an outage (connection errors), else one error line. */
  error(err: unknown, source: string): void;
  /** A connection is ready: ends the outage, if any. */
  ready(source: string): void;
  /** Routes an emitter's `error` events here (and so gives it a listener). */
  watch(emitter: ErrorEmitter, source: string): void;
}

export interface OutageOptions {
  address: string;
  logger: Logger;
  now?: () => number;
  /** True when the process's main connection is ready (a late error from another one is no outage). */
  primaryReady?: () => boolean;
}

// Errors that say Redis cannot be reached (as opposed to a command Redis refused).
const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
  'ECONNABORTED',
  'CLUSTERDOWN',
]);
const CONNECTION_MESSAGES =
  /Connection is closed|connect ETIMEDOUT|All sentinels are unreachable|Failed to refresh slots cache|None of startup nodes is available|Reached the max retries per request|Stream isn't writeable|LOADING|READONLY|MASTERDOWN|CLUSTERDOWN|TRYAGAIN/i;

export function isConnectionError(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const code = (err as NodeJS.ErrnoException).code;
  if (code && CONNECTION_CODES.has(code)) return true;
  if (err.name === 'MaxRetriesPerRequestError' || err.name === 'ClusterAllFailedError') return true;
  return CONNECTION_MESSAGES.test(err.message);
}

/**
 * An error of a Redis command that Redis could not serve (no connection, a failover
 * under way), as opposed to one Redis refused. Narrower than isConnectionError: a bare
 * ECONNREFUSED may be an HTTP call's, so only ioredis' own errors and Redis' replies count.
 */
export function isRedisUnavailable(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  if (err.name === 'MaxRetriesPerRequestError' || err.name === 'ClusterAllFailedError') return true;
  if (
    /^(Connection is closed|All sentinels are unreachable|Stream isn't writeable|Failed to refresh slots cache)/.test(
      err.message,
    )
  )
    return true;
  return (
    err.name === 'ReplyError' && /^(READONLY|LOADING|MASTERDOWN|CLUSTERDOWN|TRYAGAIN)\b/.test(err.message)
  );
}

/** How long, as people read it: "850 ms", "12.4 s", "3 min 5 s". */
export function outageLength(ms: number): string {
  if (ms < 1_000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1_000).toFixed(1)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1_000)} s`;
}

export function createOutageTracker(options: OutageOptions): OutageTracker {
  const { logger, address } = options;
  const now = options.now ?? Date.now;
  let downSince: number | undefined;
  let suppressed = 0;
  // Errors that are not about the connection: one line each, but at most one per
  // source and message per minute, so a component failing in a loop stays readable.
  const recent = new Map<string, number>();

  const tracker: OutageTracker = {
    address,
    get down() {
      return downSince !== undefined;
    },
    get downSince() {
      return downSince;
    },
    error(err, source) {
      const error = err instanceof Error ? err : new Error(String(err));
      if (downSince !== undefined) {
        suppressed++;
        logger.debug({ err: error, source }, 'Redis still unreachable');
        return;
      }
      if (isConnectionError(error)) {
        if (options.primaryReady?.()) {
          // Redis answers the main connection: this one reconnects on its own.
          logger.debug({ err: error, source }, 'a Redis connection is reconnecting');
          return;
        }
        downSince = now();
        suppressed = 0;
        logger.warn(
          { event: 'redis.unreachable', address, source, reason: error.message },
          `Redis unreachable at ${address} (${error.message}): runs and schedules wait and gcflow reconnects by itself; check that Redis is running if this lasts`,
        );
        return;
      }
      const key = `${source}\u0000${error.message}`;
      const last = recent.get(key);
      const t = now();
      if (last !== undefined && t - last < 60_000) {
        logger.debug({ err: error, source }, `${source} error (repeated)`);
        return;
      }
      if (recent.size > 100) recent.clear();
      recent.set(key, t);
      logger.error({ err: error, source }, `${source} error`);
    },
    ready(source) {
      if (downSince === undefined) return;
      const length = now() - downSince;
      downSince = undefined;
      logger.info(
        { event: 'redis.reconnected', address, source, outage_ms: length, errors_suppressed: suppressed },
        `Redis reachable again at ${address} after ${outageLength(length)}`,
      );
    },
    watch(emitter, source) {
      emitter.on('error', (err) => tracker.error(err, source));
    },
  };
  return tracker;
}

/** A tracker that keeps quiet: the default for connections opened without one. */
export function quietTracker(address = 'Redis'): OutageTracker {
  return {
    address,
    down: false,
    downSince: undefined,
    error: () => undefined,
    ready: () => undefined,
    watch: (emitter) => void emitter.on('error', () => undefined),
  };
}
