// Shared reads (issue 13): the snapshot list every snapshot step shares, and a power
// step's first look served from the status cache. Each test plays what a shared,
// cached read can get wrong: a status that flips between two polls, a list begun
// before the bound it is asked for, a snapshot or box gone since it was listed.
import { describe, expect, it } from 'vitest';
import { createExecutor, NO_HOLDS, SnapshotReader } from '../../../src/actions/index.js';
import type { StatusSnapshot } from '../../../src/actions/status-reader.js';
import {
  GenesisApiError,
  type GenesisClient,
  type Instance,
  type Snapshot,
} from '../../../src/genesis/index.js';
import { preparedTask, taskIO } from '../../helpers/tasks.js';

const INSTANCE = '9e8ce501-d692-402c-8fca-5a8f5d8ddd57';

function apiError(status: number, method: string, route: string): GenesisApiError {
  return new GenesisApiError({ method, path: `/compute/v1${route}`, route, kind: 'http', status });
}
const notFound = (route: string) => apiError(404, 'GET', route);

function snap(id: string, status: string, resource = INSTANCE): Snapshot {
  return {
    id,
    name: `nightly-${id}`,
    status,
    resource_id: resource,
    region: 'NORD-NO-KRS-1',
    created_at: new Date(0).toISOString(),
  } as unknown as Snapshot;
}

/** A fake API: snapshots by id, counting each call by route. */
function fakeSnapshotApi(snapshots: Map<string, Snapshot>) {
  const calls: string[] = [];
  const clock = { t: 1_000, now: () => clock.t, sleep: async () => undefined };
  const client = {
    snapshots: {
      listAll: async () => {
        calls.push('GET /snapshots');
        return [...snapshots.values()].map((s) => ({ ...s }));
      },
      get: async (id: string) => {
        calls.push('GET /snapshots/{id}');
        const s = snapshots.get(id);
        if (!s) throw notFound('/snapshots/{id}');
        return { ...s };
      },
    },
    instances: {
      listSnapshots: async (id: string) => {
        calls.push('GET /instances/{id}/snapshots');
        return [...snapshots.values()].filter((s) => s.resource_id === id).map((s) => ({ ...s }));
      },
    },
  } as unknown as GenesisClient;
  const reader = new SnapshotReader({ client, clock, batchWindowMs: 0 });
  return { calls, clock, reader };
}

describe('SnapshotReader', () => {
  it('serves five waiters from one sweep, and sees a status that flipped before the next poll', async () => {
    const snapshots = new Map(['a', 'b', 'c', 'd', 'e'].map((id) => [id, snap(id, 'creating')]));
    const { calls, clock, reader } = fakeSnapshotApi(snapshots);
    const first = await Promise.all(
      [...snapshots.keys()].map((id) => reader.get(id, { notBefore: clock.t })),
    );
    expect(first.map((s) => s?.status)).toEqual(Array(5).fill('creating'));
    expect(calls).toEqual(['GET /snapshots']);

    // Flips between two polls: the next poll asks for a read after the last one began.
    snapshots.set('c', snap('c', 'created'));
    clock.t += 500;
    const again = await Promise.all(
      [...snapshots.keys()].map((id) => reader.get(id, { notBefore: clock.t })),
    );
    expect(again.find((s) => s?.id === 'c')?.status).toBe('created');
    expect(calls).toEqual(['GET /snapshots', 'GET /snapshots']);
  });

  it('never serves a list begun before the bound asked for, even one a moment old', async () => {
    const snapshots = new Map([['a', snap('a', 'creating')]]);
    const { calls, clock, reader } = fakeSnapshotApi(snapshots);
    await reader.listAll({ notBefore: clock.t });
    snapshots.set('a', snap('a', 'created'));
    // Same millisecond as the list: it may serve. One ms later: it may not.
    expect((await reader.listAll({ notBefore: clock.t }))[0]!.status).toBe('creating');
    clock.t += 1;
    expect((await reader.listAll({ notBefore: clock.t }))[0]!.status).toBe('created');
    expect(calls).toEqual(['GET /snapshots', 'GET /snapshots']);
  });

  it('confirms a snapshot absent from the list with a GET: taken after the sweep began, or gone', async () => {
    const snapshots = new Map([['a', snap('a', 'creating')]]);
    const { calls, clock, reader } = fakeSnapshotApi(snapshots);
    await reader.listAll({ notBefore: clock.t });
    snapshots.set('new', snap('new', 'creating'));
    expect((await reader.get('new', { notBefore: clock.t }))?.status).toBe('creating');
    expect(await reader.get('gone', { notBefore: clock.t })).toBeUndefined();
    expect(calls).toEqual(['GET /snapshots', 'GET /snapshots/{id}', 'GET /snapshots/{id}']);
  });

  it('GETs the snapshots waited on when fewer are watched than the list has pages', async () => {
    const snapshots = new Map(Array.from({ length: 250 }, (_, i) => [`s${i}`, snap(`s${i}`, 'created')]));
    snapshots.set('w1', snap('w1', 'creating'));
    snapshots.set('w2', snap('w2', 'creating'));
    const { calls, clock, reader } = fakeSnapshotApi(snapshots);
    await reader.listAll({ notBefore: clock.t }); // learns the list: 3 pages
    calls.length = 0;
    clock.t += 500;
    await Promise.all(['w1', 'w2'].map((id) => reader.get(id, { notBefore: clock.t })));
    expect(calls).toEqual(['GET /snapshots/{id}', 'GET /snapshots/{id}']);
  });

  it('a lone step reads its instance own list; several at once share one list', async () => {
    const other = 'b1c5f7a2-0000-4000-8000-000000000002';
    const snapshots = new Map([
      ['a', snap('a', 'created')],
      ['b', snap('b', 'created', other)],
    ]);
    const { calls, clock, reader } = fakeSnapshotApi(snapshots);
    expect((await reader.listFor(INSTANCE, { notBefore: clock.t })).map((s) => s.id)).toEqual(['a']);
    expect(calls).toEqual(['GET /instances/{id}/snapshots']);
    expect((await reader.listFor(other, { notBefore: clock.t })).map((s) => s.id)).toEqual(['b']);
    // The second asker made it a shared list; the first, asking again, is served by it.
    expect((await reader.listFor(INSTANCE, { notBefore: clock.t })).map((s) => s.id)).toEqual(['a']);
    expect(calls).toEqual(['GET /instances/{id}/snapshots', 'GET /snapshots']);
  });
});

describe('instance.stop with its first look from the status cache', () => {
  function stop(o: { cached: StatusSnapshot; action: () => Promise<void> }) {
    const sent: string[] = [];
    const invalidated: string[] = [];
    const execute = createExecutor({
      client: {
        instances: {
          performAction: async (id: string, action: string) => {
            sent.push(`${action} ${id}`);
            await o.action();
          },
          get: async () => {
            throw new Error('no GET expected: the cache answers');
          },
        },
      } as unknown as GenesisClient,
      statuses: {
        get: async () => o.cached,
        read: async () => o.cached,
        remember: async () => undefined,
        invalidate: async (id: string) => {
          invalidated.push(id);
        },
      },
      ownership: {} as never,
      holds: NO_HOLDS,
      clock: { now: () => 1_000, sleep: async () => undefined },
      fetch: globalThis.fetch,
      reports: { read: async () => undefined },
    });
    const task = preparedTask({
      ref: { stepId: 'stop', index: 0 },
      kind: 'instance.stop',
      params: { instance: INSTANCE },
      wait: { statuses: ['stopped'], timeoutMs: 60_000, pollMs: 10_000 },
    });
    return { run: () => execute(task, taskIO()), sent, invalidated };
  }
  const active = { at: 1_000, instance: { id: INSTANCE, name: 'dev-1', status: 'active' } as Instance };

  it('a box deleted between the list and the action fails with E_INSTANCE_NOT_FOUND, as a lookup would', async () => {
    const s = stop({
      cached: active,
      action: async () => {
        throw notFound('/instances/{id}/actions');
      },
    });
    const outcome = await s.run();
    expect(s.sent).toEqual([`stop ${INSTANCE}`]);
    expect(outcome).toMatchObject({ type: 'error', code: 'E_INSTANCE_NOT_FOUND' });
    expect(JSON.stringify(outcome)).toContain(`no instance ${INSTANCE}`);
  });

  it('a box gone in the cache is not found, and nothing is sent', async () => {
    const s = stop({ cached: { at: 1_000, gone: true }, action: async () => undefined });
    expect(await s.run()).toMatchObject({ type: 'error', code: 'E_INSTANCE_NOT_FOUND' });
    expect(s.sent).toEqual([]);
  });

  it('a cached status the API contradicts (409) is forgotten and looked at again after a poll', async () => {
    const s = stop({
      cached: active,
      action: async () => {
        throw apiError(409, 'POST', '/instances/{id}/actions');
      },
    });
    const outcome = await s.run();
    expect(outcome).toMatchObject({ type: 'wait', wakeAt: 11_000 });
    expect(s.invalidated).toEqual([INSTANCE]);
  });
});
