// eachLimit: at most `limit` calls in flight, every item taken once in order, and the
// first error thrown after the calls in flight settle, with no new call started.
import { expect, it } from 'vitest';
import { eachLimit } from '../../../src/shared/each-limit.js';

const tick = () => new Promise((r) => setImmediate(r));

it('keeps at most `limit` calls in flight and takes every item once, in order', async () => {
  let inFlight = 0;
  let most = 0;
  const seen: number[] = [];
  await eachLimit(
    Array.from({ length: 20 }, (_, i) => i),
    3,
    async (i) => {
      seen.push(i);
      most = Math.max(most, ++inFlight);
      await tick();
      inFlight--;
    },
  );
  expect(most).toBe(3);
  expect(seen).toEqual(Array.from({ length: 20 }, (_, i) => i));
});

it('throws the first error once the calls in flight have settled, and starts no more', async () => {
  const settled: number[] = [];
  const run = eachLimit([0, 1, 2, 3, 4, 5], 2, async (i) => {
    await tick();
    if (i === 1) throw new Error('item 1 failed');
    await tick();
    settled.push(i);
  });
  await expect(run).rejects.toThrow('item 1 failed');
  expect(settled).toEqual([0]);
});

it('does nothing for no items', async () => {
  await eachLimit([], 5, async () => {
    throw new Error('never called');
  });
});
