// One API budget per account: three processes' limiters (three Redis connections) draw
// from one Redis token bucket, a 429's pause holds every one of them, the token never
// reaches Redis, and a process whose Redis is gone falls back to its own bucket (one
// warn line).
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { redisBudget } from '../../../src/daemon/api-budget.js';
import { budgetKey, createRateLimiter, createSharedRateLimiter } from '../../../src/genesis/index.js';
import { silentLogger } from '../../../src/shared/logger.js';
import { freePort } from '../../helpers/redis-server.js';
import { testPrefix } from '../../helpers/prefix.js';

const TOKEN = 'budget-token-9c2e41d7';
const URL_ = 'http://127.0.0.1:1/compute/v1';
const RATE = 20;
const BURST = 5;

const connections: Redis[] = [];
function connect(url = inject('redisUrl'), extra: Record<string, unknown> = {}): Redis {
  const redis = new Redis(url, { maxRetriesPerRequest: 1, lazyConnect: false, ...extra });
  redis.on('error', () => undefined);
  connections.push(redis);
  return redis;
}

afterAll(() => {
  for (const c of connections) c.disconnect();
});

function replicas(prefix: string, n: number) {
  return Array.from({ length: n }, () =>
    createSharedRateLimiter({
      budget: redisBudget(connect(), prefix),
      baseUrl: URL_,
      token: TOKEN,
      ratePerSecond: RATE,
      burst: BURST,
      logger: silentLogger(),
    }),
  );
}

function busiestWindow(times: number[], ms: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let best = 0;
  let end = 0;
  for (let start = 0; start < sorted.length; start++) {
    while (end < sorted.length && sorted[end]! < sorted[start]! + ms) end++;
    best = Math.max(best, end - start);
  }
  return best;
}

describe('shared API budget (Redis token bucket)', () => {
  let prefix: string;
  beforeAll(() => {
    prefix = testPrefix('budget');
  });

  it('paces three replicas together at the configured rate, not three times it', async () => {
    const limiters = replicas(`${prefix}-a`, 3);
    await Promise.all(limiters.map((l) => l.acquire())); // connections up, 3 tokens spent
    const granted: number[] = [];
    const started = Date.now();
    await Promise.all(
      limiters.flatMap((limiter) =>
        Array.from({ length: 30 }, async () => {
          await limiter.acquire();
          granted.push(Date.now());
        }),
      ),
    );
    const elapsed = Date.now() - started;
    // 90 grants at 20/s with at most 2 tokens left: at least (90 - 2) / 20 s = 4.4 s
    // (separate 20/s buckets would need about 1.3 s).
    expect(elapsed).toBeGreaterThanOrEqual(4_000);
    // Never more than the rate plus the burst in any second (a little slack for timers).
    expect(busiestWindow(granted, 1_000)).toBeLessThanOrEqual(RATE + BURST);
  });

  it("pauses every replica's bucket when one of them is told Retry-After", async () => {
    const [a, b] = replicas(`${prefix}-b`, 2);
    await a!.acquire();
    a!.pause?.(1_500);
    await new Promise((r) => setTimeout(r, 100)); // the pause is sent without awaiting
    const started = Date.now();
    await b!.acquire();
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_200);
  });

  it('keys the bucket by API URL and a sha256 of the token; the token is not in Redis', async () => {
    const redis = connect();
    const keyPrefix = `${prefix}-c`;
    const [a] = replicas(keyPrefix, 1);
    await a!.acquire();
    const keys = await redis.keys(`${keyPrefix}:*`);
    expect(keys).toEqual([`${keyPrefix}:budget:${budgetKey(URL_, TOKEN)}`]);
    expect(keys[0]).not.toContain(TOKEN);
    const fields = await redis.hgetall(keys[0]!);
    expect(JSON.stringify(fields)).not.toContain(TOKEN);
    expect(fields['v']).toBe('1');
    expect(await redis.pttl(keys[0]!)).toBeGreaterThan(0);
  });

  it('falls back to its own bucket when Redis is unreachable, logging it once', async () => {
    const port = await freePort();
    const dead = connect(`redis://127.0.0.1:${port}`, {
      retryStrategy: () => 200,
      enableOfflineQueue: false,
    });
    const lines: Array<{ obj: Record<string, unknown>; msg: string }> = [];
    const logger = silentLogger();
    logger.warn = ((obj: Record<string, unknown>, msg: string) => void lines.push({ obj, msg })) as never;
    const limiter = createSharedRateLimiter({
      budget: redisBudget(dead, `${prefix}-d`),
      baseUrl: URL_,
      token: TOKEN,
      ratePerSecond: RATE,
      burst: BURST,
      logger,
      fallback: createRateLimiter({ ratePerSecond: RATE, burst: BURST }),
    });
    const started = Date.now();
    for (let i = 0; i < 15; i++) await limiter.acquire();
    // Paced by the local bucket: (15 - 5) / 20 s.
    expect(Date.now() - started).toBeGreaterThanOrEqual(400);
    expect(limiter.degraded).toBe(true);
    expect(lines.filter((l) => l.obj['event'] === 'api_budget.degraded')).toHaveLength(1);
    expect(lines[0]!.msg).toMatch(/unreachable/);
  });
});
