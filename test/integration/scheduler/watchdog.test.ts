// The watchdog's self-healing: a registered trigger whose BullMQ scheduler is gone is
// registered again. The index of schedulers (one command) is read at every look; every
// scheduler's record only every few looks, and that is what finds a record lost while
// its index entry stayed (before, every look read all records: 10,000 HGETALLs every
// 15 s with 10,000 schedules, and a burst of fires waited behind them).
import { Redis } from 'ioredis';
import { describe, expect, inject, it } from 'vitest';
import { TriggerQueue } from '../../../src/queue/triggers.js';
import { startHarness, until } from './harness.js';

const workflow = `
name: tidy
triggers:
  - cron: "0 3 * * *"
steps:
  - id: nap
    uses: sleep
    with: { duration: 10ms }
`;

describe('schedule watchdog', () => {
  it('registers again a trigger whose scheduler was removed, or whose scheduler record was lost', async () => {
    const h = await startHarness({ 'tidy.yaml': workflow });
    const redis = new Redis(inject('redisUrl'), { maxRetriesPerRequest: null });
    const triggers = new TriggerQueue(redis, h.prefix);
    try {
      await h.replica({ tuning: { watchdogMs: 200 } });
      const registered = async () => (await triggers.list()).find((s) => s.id === 'tidy:0');
      const first = await until(registered, 20_000, 'the trigger registered');

      // Removed, index entry and record: the next look (index only) sees it missing.
      expect(await triggers.remove('tidy:0')).toBe(true);
      await until(registered, 20_000, 'the trigger registered again after its removal');

      // The record lost, the index entry kept: only a look that reads the records finds it.
      const recordKey = `${h.prefix}:triggers:repeat:tidy:0`;
      expect(await redis.del(recordKey)).toBe(1);
      await until(
        async () => ((await redis.exists(recordKey)) === 1 ? true : undefined),
        20_000,
        'the scheduler record written again',
      );
      expect((await registered())?.next).toBe(first.next);
    } finally {
      await triggers.close();
      redis.disconnect();
      await h.close();
    }
  }, 60_000);
});
