// Client-side rate limit for the Genesis API: a token bucket every request (retries
// included) awaits before it is sent. FIFO fair and abortable; time comes from a Clock.
// Imports only shared/clock and shared/errors.
import { type Clock, systemClock } from '../shared/clock.js';
import { GcflowError } from '../shared/errors.js';

export interface RateLimiter {
  /** Resolves when the caller may send one request; rejects with the signal's reason on abort. */
  acquire(signal?: AbortSignal): Promise<void>;
  /** A 429 answered with Retry-After: hand out no token for the next `ms`. */
  pause?(ms: number): void;
}

export interface RateLimiterOptions {
  /** Tokens added per second; default 10. */
  ratePerSecond?: number;
  /** Bucket size: how many requests may go at once after a quiet spell; default 10. */
  burst?: number;
  clock?: Clock;
}

export const DEFAULT_RATE_LIMIT = { ratePerSecond: 10, burst: 10 } as const;

export interface TokenBucket extends RateLimiter {
  /** Callers waiting for a token. */
  readonly waiting: number;
}

interface Waiter {
  resolve: () => void;
  reject: (reason: unknown) => void;
  signal: AbortSignal | undefined;
  onAbort: () => void;
}

export function createRateLimiter(options: RateLimiterOptions = {}): TokenBucket {
  const rate = options.ratePerSecond ?? DEFAULT_RATE_LIMIT.ratePerSecond;
  const burst = options.burst ?? DEFAULT_RATE_LIMIT.burst;
  const clock = options.clock ?? systemClock;
  if (!(rate > 0) || !Number.isFinite(rate) || !(burst >= 1) || !Number.isFinite(burst)) {
    throw new GcflowError(
      'E_RATE_LIMIT_INVALID',
      `invalid API rate limit: ${rate} requests/s with burst ${burst}`,
      { hint: 'Use a positive rate and a burst of at least 1.' },
    );
  }

  let tokens = burst;
  let last = clock.now();
  const queue: Waiter[] = [];
  let pumping = false;

  const refill = () => {
    const now = clock.now();
    if (now > last) {
      tokens = Math.min(burst, tokens + ((now - last) * rate) / 1000);
      last = now;
    }
  };

  const release = (waiter: Waiter) => {
    waiter.signal?.removeEventListener('abort', waiter.onAbort);
    waiter.resolve();
  };

  // One loop hands out tokens to the queue in arrival order, sleeping until the next one accrues.
  const pump = async () => {
    if (pumping) return;
    pumping = true;
    try {
      while (queue.length > 0) {
        refill();
        if (tokens >= 1) {
          tokens -= 1;
          release(queue.shift()!);
          continue;
        }
        const paused = Math.max(0, last - clock.now());
        await clock.sleep(Math.max(1, paused + Math.ceil(((1 - tokens) * 1000) / rate)));
      }
    } finally {
      pumping = false;
    }
  };

  return {
    get waiting() {
      return queue.length;
    },
    pause(ms) {
      refill();
      last = Math.max(last, clock.now() + Math.max(0, ms));
      tokens = Math.min(tokens, 0);
    },
    acquire(signal) {
      if (signal?.aborted) return Promise.reject(signal.reason);
      refill();
      if (queue.length === 0 && tokens >= 1) {
        tokens -= 1;
        return Promise.resolve();
      }
      return new Promise<void>((resolve, reject) => {
        const waiter: Waiter = {
          resolve,
          reject,
          signal,
          onAbort: () => {
            const index = queue.indexOf(waiter);
            if (index >= 0) queue.splice(index, 1);
            reject(signal?.reason);
          },
        };
        signal?.addEventListener('abort', waiter.onAbort, { once: true });
        queue.push(waiter);
        void pump();
      });
    },
  };
}

let processDefault: TokenBucket | undefined;

/** The limiter every client in this process shares unless given its own (10 req/s, burst 10). */
export function defaultRateLimiter(): TokenBucket {
  processDefault ??= createRateLimiter();
  return processDefault;
}
