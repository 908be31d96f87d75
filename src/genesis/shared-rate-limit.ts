// One API budget per account: a rate limiter whose token bucket lives outside the
// process (Redis, injected by the composition root through `SharedBudget`), so every
// replica calling the same API with the same token draws from one bucket. A 429's
// Retry-After pauses that bucket for everybody. When the shared bucket cannot be
// reached, this process falls back to its own bucket (one warn line per outage, one
// info line when the shared one answers again). Imports genesis/rate-limit and shared.
import { createHash } from 'node:crypto';
import { batchCalls } from '../shared/batch.js';
import { type Clock, systemClock } from '../shared/clock.js';
import type { Logger } from '../shared/logger.js';
import { createRateLimiter, DEFAULT_RATE_LIMIT, type RateLimiter, type TokenBucket } from './rate-limit.js';

/** A token bucket shared by processes; implemented over Redis in src/daemon/api-budget.ts. */
export interface SharedBudget {
  /**
   * Reserves `count` consecutive request slots in the bucket `key` and resolves with how
   * many ms each caller must wait before sending (0: at once), in order. Rejects when the
   * store cannot be reached.
   */
  take(key: string, ratePerSecond: number, burst: number, count: number): Promise<number[]>;
  /** No slot of bucket `key` is handed out for the next `ms` (a 429's Retry-After). */
  pause(key: string, ms: number, ratePerSecond: number, burst: number): Promise<void>;
  /** False when the store is known to be down: the caller falls back without trying. */
  ready(): boolean;
}

export interface SharedRateLimiterOptions {
  budget: SharedBudget;
  /** The API base URL and token the bucket is for; the token is only ever hashed. */
  baseUrl: string;
  token: string;
  ratePerSecond?: number;
  burst?: number;
  /** How long a take may take before this process uses its own bucket; default 2000 ms. */
  timeoutMs?: number;
  clock?: Clock;
  logger: Logger;
  /** The local fallback (default: a bucket with the same rate and burst). */
  fallback?: TokenBucket;
}

export interface SharedRateLimiter extends RateLimiter {
  /** The bucket's key suffix: `<api url>:<sha256 of the token>`. */
  readonly key: string;
  /** True while requests are limited by this process's own bucket. */
  readonly degraded: boolean;
}

/** The bucket's key: the API URL (no trailing slash) and the sha256 of the token, never the token. */
export function budgetKey(baseUrl: string, token: string): string {
  const url = baseUrl.replace(/\/+$/, '');
  return `${url}:${createHash('sha256').update(token).digest('hex')}`;
}

/** How often a late caller takes a new slot before it sends anyway (each retake wastes one slot). */
const MAX_RETAKES = 4;

/**
 * How late a caller may send after its slot, at the least: 10 ms. A caller late by up to
 * L puts at most rate x L more requests into a 1-second window than the bucket granted
 * for it, so the allowance is one slot (one request) up to 100 requests/s, and 1 % of the
 * rate above. Below it, the clock's 1 ms grain and a Redis round trip on a busy event loop
 * (2-5 ms with 50 runs in flight) read as lateness: at 1,000,000/s about half the callers
 * retook (2,400 retakes per 5,000 calls), each wasting a slot and a round trip.
 */
const MIN_LATE_MS = 10;

export function createSharedRateLimiter(options: SharedRateLimiterOptions): SharedRateLimiter {
  const rate = options.ratePerSecond ?? DEFAULT_RATE_LIMIT.ratePerSecond;
  const burst = options.burst ?? DEFAULT_RATE_LIMIT.burst;
  const clock = options.clock ?? systemClock;
  const timeoutMs = options.timeoutMs ?? 2_000;
  const fallback = options.fallback ?? createRateLimiter({ ratePerSecond: rate, burst, clock });
  const key = budgetKey(options.baseUrl, options.token);
  const lateMs = Math.max(1000 / rate, MIN_LATE_MS);
  const { budget, logger } = options;
  let degradedSince: number | undefined;

  const degrade = (err: unknown) => {
    if (degradedSince !== undefined) return;
    degradedSince = clock.now();
    logger.warn(
      { event: 'api_budget.degraded', err: err instanceof Error ? err.message : String(err) },
      "shared API budget unreachable (Redis): this process limits its API calls with its own bucket until it is back; replicas may together exceed the account's rate",
    );
  };
  const recovered = () => {
    if (degradedSince === undefined) return;
    logger.info(
      { event: 'api_budget.recovered', degradedMs: clock.now() - degradedSince },
      'shared API budget reachable again',
    );
    degradedSince = undefined;
  };

  // From 100 requests/s up, a take asks for as many slots again as it has callers (up to
  // what the rate grants in MIN_LATE_MS) and keeps the extra ones for the callers that
  // come next, which then send without a round trip. A slot is usable until lateMs after
  // its time, so when the calls stop at most rate x 10 ms slots (1 % of a second's) go
  // unused. Below 100/s none is taken ahead: there a slot is a whole request of the
  // account's few.
  const aheadMax = Math.floor((rate * MIN_LATE_MS) / 1000);
  /** Due times (ms) of slots taken ahead and not yet used. */
  let ahead: number[] = [];
  const takeAhead = (): number | undefined => {
    const now = clock.now();
    while (ahead.length > 0) {
      const due = ahead.shift()!;
      if (now - due <= lateMs) return due;
    }
    return undefined;
  };

  /** Slots (their due times) for every caller that asked while the last take was in flight, in one call. */
  const takeShared = batchCalls<undefined, number>(async (callers) => {
    const dues: number[] = [];
    while (dues.length < callers.length) {
      const due = takeAhead();
      if (due === undefined) break;
      dues.push(due);
    }
    const missing = callers.length - dues.length;
    if (missing === 0) return dues;
    const extra = Math.min(aheadMax, missing);
    const sentAt = clock.now();
    const waits = await withTimeout(budget.take(key, rate, burst, missing + extra));
    for (const [i, waitMs] of waits.entries()) (i < missing ? dues : ahead).push(sentAt + waitMs);
    return dues;
  });

  async function withTimeout(take: Promise<number[]>): Promise<number[]> {
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        take,
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
        }),
      ]);
    } finally {
      clearTimeout(timer);
    }
  }

  return {
    key,
    get degraded() {
      return degradedSince !== undefined;
    },
    async acquire(signal) {
      if (signal?.aborted) throw signal.reason;
      if (!budget.ready()) {
        degrade(new Error('Redis connection not ready'));
        return fallback.acquire(signal);
      }
      // A slot is for its time: a caller that wakes more than one slot late (and more
      // than MIN_LATE_MS; its event loop stalled) would send together with the callers
      // of the next slots and burst past the account's limit, so it takes a new slot
      // instead (a wasted slot only lowers the rate). The slot's time is counted
      // from when the take was *sent*: the bucket answered "wait n ms" no earlier than
      // that, and a stall between Redis's answer and this continuation is lateness too
      // (counting from the answer's arrival hid it, and such callers sent late, bunched
      // with on-time ones). Callers that ask while a take is in flight share the next one
      // (one round trip for all of them), so "sent" is when their batch was. A slot taken
      // ahead is used first.
      for (let tries = 0; ; tries++) {
        let due = takeAhead();
        if (due === undefined) {
          try {
            due = await takeShared(undefined);
          } catch (err) {
            degrade(err);
            return fallback.acquire(signal);
          }
          recovered();
        }
        const sleepMs = due - clock.now();
        if (sleepMs > 0) await clock.sleep(sleepMs, signal);
        if (clock.now() - due <= lateMs || tries >= MAX_RETAKES) return;
      }
    },
    pause(ms) {
      // Slots taken before the 429 are not to be used through its Retry-After.
      ahead = [];
      fallback.pause?.(ms);
      if (!budget.ready()) return;
      budget.pause(key, ms, rate, burst).catch((err: unknown) => degrade(err));
    },
  };
}
