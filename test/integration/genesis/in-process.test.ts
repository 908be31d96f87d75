// The simulator's in-process fetch (what the benchmark's engine figures use) is the
// same API as its HTTP server: the client reads, creates and fails the same way, and
// both paths see one simulator.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createGenesisClient, createRateLimiter, GenesisApiError } from '../../../src/genesis/index.js';
import { type RunningSimulator, startSimulator } from '../../../src/simulator/index.js';
import { createBody, TOKEN } from './sim.js';

let sim: RunningSimulator;
beforeAll(async () => {
  sim = await startSimulator({ settings: { transition_ms: 50 } });
});
afterAll(async () => sim?.close());

const client = (inProcess: boolean) =>
  createGenesisClient({
    baseUrl: sim.apiUrl,
    token: TOKEN,
    rateLimiter: createRateLimiter({ ratePerSecond: 1000, burst: 1000 }),
    timeoutMs: 5_000,
    ...(inProcess ? { fetch: sim.fetch } : {}),
  });

it('creates in-process what HTTP then lists, and fails with the same API error both ways', async () => {
  const local = client(true);
  const remote = client(false);
  const created = await local.instances.create(await createBody(local, 'in-process-box'));
  expect((await remote.instances.get(created.id)).name).toBe('in-process-box');
  expect((await local.instances.listAll()).map((i) => i.id)).toEqual(
    (await remote.instances.listAll()).map((i) => i.id),
  );

  const missing = async (c: typeof local) =>
    c.instances.get('00000000-0000-4000-8000-000000000000').then(
      () => undefined,
      (err: unknown) => err,
    );
  const [a, b] = [await missing(local), await missing(remote)];
  expect(a).toBeInstanceOf(GenesisApiError);
  expect(b).toBeInstanceOf(GenesisApiError);
  const view = (e: GenesisApiError) => [e.status, e.apiCode, e.apiMessage];
  expect(view(a as GenesisApiError)).toEqual(view(b as GenesisApiError));
  expect((a as GenesisApiError).status).toBe(404);
});
