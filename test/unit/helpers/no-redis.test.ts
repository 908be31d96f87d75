// The unit project's setup (test/helpers/no-redis.ts) refuses Redis connections, so a
// unit test that opens one fails (after it ends, naming where) instead of quietly
// depending on a server.
import { Redis } from 'ioredis';
import { expect, it } from 'vitest';
import { takeRedisAttempts } from '../../helpers/no-redis.js';

it('refuses a Redis connection opened in a unit test, and records it to fail the test', async () => {
  const redis = new Redis('redis://127.0.0.1:6379', { lazyConnect: true });
  await expect(redis.connect()).rejects.toThrow(/the unit layer runs without Redis/);
  redis.disconnect();
  const seen = takeRedisAttempts();
  expect(seen).toHaveLength(1);
  expect(seen[0]).toMatch(/no-redis\.test\.ts/);
});
