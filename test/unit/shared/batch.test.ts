// Natural batching (shared/batch.ts): one call in flight, callers that arrive meanwhile
// served together by the next call sent after they arrived, failures kept to their batch.
import { describe, expect, it } from 'vitest';
import { batchCalls } from '../../../src/shared/batch.js';

/** A send whose calls the test answers by hand. */
function manualSend() {
  const calls: { requests: number[]; answer: (results: string[]) => void; fail: (err: Error) => void }[] = [];
  const send = (requests: number[]) =>
    new Promise<string[]>((answer, fail) => calls.push({ requests, answer, fail }));
  return { calls, send };
}

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('batchCalls', () => {
  it('sends a lone caller at once, and callers of the same tick together', async () => {
    const { calls, send } = manualSend();
    const call = batchCalls(send);
    const a = call(1);
    const b = call(2);
    await Promise.resolve();
    expect(calls.map((c) => c.requests)).toEqual([[1, 2]]);
    calls[0]!.answer(['one', 'two']);
    expect(await Promise.all([a, b])).toEqual(['one', 'two']);
  });

  it('serves callers that arrive while a call is in flight with the next call, sent after the first answers', async () => {
    const { calls, send } = manualSend();
    const call = batchCalls(send);
    const first = call(1);
    await tick();
    const later = [call(2), call(3), call(4)];
    await tick();
    // Still one call in flight: the newcomers wait for a call sent after they arrived.
    expect(calls).toHaveLength(1);
    calls[0]!.answer(['1']);
    await first;
    await tick();
    expect(calls.map((c) => c.requests)).toEqual([[1], [2, 3, 4]]);
    calls[1]!.answer(['2', '3', '4']);
    expect(await Promise.all(later)).toEqual(['2', '3', '4']);
  });

  it('rejects only the failed batch, then goes on with the next', async () => {
    const { calls, send } = manualSend();
    const call = batchCalls(send);
    const first = call(1);
    await tick();
    const second = call(2);
    calls[0]!.fail(new Error('store gone'));
    await expect(first).rejects.toThrow('store gone');
    await tick();
    calls[1]!.answer(['2']);
    expect(await second).toBe('2');
  });

  it('rejects a batch answered with the wrong number of results', async () => {
    const call = batchCalls(async (requests: number[]) => requests.slice(1).map(String));
    await expect(Promise.all([call(1), call(2)])).rejects.toThrow('a batch of 2 requests got 1 answers');
  });
});
