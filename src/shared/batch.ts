// Natural batching of calls to a store: callers that arrive while a call is in flight
// are served together by the next call. A lone caller is not delayed (beyond the
// microtask that gathers callers of the same tick), at most one call is in flight,
// and every caller is served by a call sent after it arrived, so a batched read is as
// fresh as an unbatched one and a batched reservation is made no earlier.
// Imports nothing.

interface Queued<Req, Res> {
  request: Req;
  resolve: (result: Res) => void;
  reject: (reason: unknown) => void;
}

/**
 * Wraps `send`, which serves a batch of requests and answers one result per request, in
 * order. A failed send rejects every caller of its batch; the next batch is sent anyway.
 */
export function batchCalls<Req, Res>(
  send: (requests: Req[]) => Promise<Res[]>,
): (request: Req) => Promise<Res> {
  let queued: Queued<Req, Res>[] = [];
  let busy = false;

  const drain = async (): Promise<void> => {
    while (queued.length > 0) {
      const batch = queued;
      queued = [];
      try {
        const results = await send(batch.map((q) => q.request));
        if (results.length !== batch.length)
          throw new Error(`a batch of ${batch.length} requests got ${results.length} answers`);
        for (const [i, q] of batch.entries()) q.resolve(results[i]!);
      } catch (err) {
        for (const q of batch) q.reject(err);
      }
    }
    busy = false;
  };

  return (request) =>
    new Promise<Res>((resolve, reject) => {
      queued.push({ request, resolve, reject });
      if (busy) return;
      busy = true;
      queueMicrotask(() => void drain());
    });
}
