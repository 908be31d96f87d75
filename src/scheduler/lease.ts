// A leader lease in Redis (SET NX PX, renewed by its holder): one replica at a time
// reconciles the Job Schedulers. When the holder dies its lease expires and another
// replica takes over at its next attempt; a clean shutdown hands it over at once.
// Must not import bullmq.
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { logTaskError } from '../queue/connection.js';
import type { Logger } from '../shared/logger.js';
import { releaseIfHeld } from '../shared/locks.js';
import { type LuaScript, luaCommand } from '../shared/lua.js';

const RENEW: LuaScript = {
  name: 'gcflowLeaseRenew',
  numberOfKeys: 1,
  file: new URL('./lua/lease-renew.lua', import.meta.url),
};

export interface LeaseOptions {
  redis: Redis;
  key: string;
  /** How long the lease lives without renewal. */
  ttlMs: number;
  /** How often the holder renews and the others try to take it. */
  intervalMs: number;
  /**
   * Called when this replica becomes the leader. Not awaited by the renewals: they go
   * on at their own period while it runs, so a reconcile longer than the lease does not
   * let it expire. Its errors are logged.
   */
  onLead: () => Promise<void>;
  logger: Logger;
}

export interface Lease {
  readonly holderId: string;
  /** Settles after the first attempt to take the lease (and its onLead, when taken). */
  readonly firstAttempt: Promise<void>;
  isLeader(): boolean;
  /** How many times this replica has taken the lease: a change means it was lost in between. */
  term(): number;
  /** Stops renewing, waits for an onLead in flight, then hands the lease over. */
  close(): Promise<void>;
}

export function startLease(options: LeaseOptions): Lease {
  const { redis, key, logger } = options;
  const holderId = `${process.pid}-${randomBytes(4).toString('hex')}`;
  let leader = false;
  let terms = 0;
  let closed = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  let leading: Promise<void> = Promise.resolve();

  const lead = (): Promise<void> => {
    leading = options
      .onLead()
      .catch((err) => logger.error({ err }, 'scheduler lease: the work on taking the lease failed'));
    return leading;
  };

  /** One renewal or take-over attempt; holds the onLead it started, if any (not awaited). */
  const attempt = async (): Promise<{ leading?: Promise<void> }> => {
    try {
      if (leader) {
        const renewed = await luaCommand(redis, RENEW)(key, holderId, String(options.ttlMs));
        if (renewed !== 1) {
          leader = false;
          logger.warn(
            'lost the scheduler lease (this replica paused longer than the lease); another replica reconciles now',
          );
        }
        return {};
      }
      const taken = await redis.set(key, holderId, 'PX', options.ttlMs, 'NX');
      if (taken !== 'OK') return {};
      if (closed) {
        // Taken while closing: hand it back now rather than hold it for a whole TTL.
        await releaseIfHeld(redis, key, holderId);
        return {};
      }
      leader = true;
      terms++;
      logger.info({ holder: holderId }, 'this replica now reconciles the schedules');
      return { leading: lead() };
    } catch (err) {
      logTaskError(
        redis,
        logger,
        err,
        'scheduler lease: Redis did not answer; trying again',
        'scheduler lease',
      );
    }
    return {};
  };

  // The next attempt is timed from the end of this one's Redis call, not of its onLead.
  const loop = (): Promise<{ leading?: Promise<void> }> => {
    const started = attempt();
    running = started.then(() => undefined);
    void running.finally(() => {
      if (!closed) timer = setTimeout(loop, options.intervalMs);
    });
    return started;
  };
  const firstAttempt = loop().then(({ leading }) => leading);

  return {
    holderId,
    firstAttempt,
    isLeader: () => leader,
    term: () => terms,
    close: async () => {
      closed = true;
      clearTimeout(timer);
      await running;
      await leading;
      if (leader) {
        leader = false;
        await releaseIfHeld(redis, key, holderId).catch(() => undefined);
      }
    },
  };
}
