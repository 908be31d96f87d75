// Holds on a real Redis: versioned records that end by themselves (key TTL, and a
// past `until` read as no hold), listing, lifting, refusing foreign records; and the
// hold service resolving names through the simulator's API.
import { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { createGenesisClient, createRateLimiter } from '../../../src/genesis/index.js';
import { HoldService, holdEnd } from '../../../src/holds/service.js';
import { type Hold, HoldStore, holdKeys } from '../../../src/holds/store.js';
import type { Clock } from '../../../src/shared/clock.js';
import { GcflowError } from '../../../src/shared/errors.js';
import { type RunningSimulator, startSimulator } from '../../../src/simulator/index.js';
import { activeBoxes } from '../../helpers/boxes.js';
import { eventually } from '../../helpers/processes.js';
import { testPrefix } from '../../helpers/prefix.js';

const redis = new Redis(inject('redisUrl'));
afterAll(() => redis.disconnect());

const T0 = Date.UTC(2026, 10, 30, 20, 0);
let time = T0;
const clock: Clock = { now: () => time, sleep: async () => {} };
let prefix: string;
let store: HoldStore;
beforeEach(() => {
  time = T0;
  prefix = testPrefix('holds');
  store = new HoldStore(redis, prefix, clock);
});

const hold = (id: string, untilMs: number | undefined, extra: Partial<Hold> = {}): Hold => ({
  instance_id: id,
  instance_name: `box-${id}`,
  ...(untilMs === undefined ? {} : { until: new Date(untilMs).toISOString() }),
  created_at: new Date(T0).toISOString(),
  ...extra,
});

const codeOf = async (p: Promise<unknown>): Promise<string> =>
  p.then(
    () => 'resolved',
    (err: unknown) => (err instanceof GcflowError ? err.code : String(err)),
  );

describe('HoldStore', () => {
  it('stores a versioned record under the prefix whose key expires at until', async () => {
    await store.put(hold('a', T0 + 3_600_000, { reason: 'demo tonight', created_by: 'ann@laptop' }));
    const key = holdKeys(prefix).hold('a');
    expect(JSON.parse((await redis.get(key))!)).toMatchObject({
      v: 1,
      instance_id: 'a',
      reason: 'demo tonight',
    });
    const ttl = await redis.pttl(key);
    // The TTL is counted from the store's clock (T0), so it is the hold's length.
    expect(ttl).toBeGreaterThan(3_590_000);
    expect(ttl).toBeLessThanOrEqual(3_600_000);
    expect(await store.get('a')).toMatchObject({ reason: 'demo tonight', created_by: 'ann@laptop' });
  });

  it('reads a hold whose until has passed as no hold, before Redis expires the key', async () => {
    await store.put(hold('a', T0 + 60_000));
    expect(await store.get('a')).toBeDefined();
    time = T0 + 60_000;
    expect(await redis.exists(holdKeys(prefix).hold('a'))).toBe(1);
    expect(await store.get('a')).toBeUndefined();
    expect(await store.list()).toEqual([]);
  });

  it('forgets a hold once Redis expired its key, and prunes it from the index', async () => {
    // A real clock for this one: the key must really expire.
    const real = new HoldStore(redis, prefix, { now: () => Date.now(), sleep: async () => {} });
    await real.put(hold('short', Date.now() + 300));
    await real.put(hold('long', Date.now() + 600_000));
    await eventually(
      async () => ((await redis.exists(holdKeys(prefix).hold('short'))) === 0 ? true : undefined),
      10_000,
      'the short hold key to expire',
    );
    expect((await real.list()).map((h) => h.instance_id)).toEqual(['long']);
    expect(await redis.smembers(holdKeys(prefix).index)).toEqual(['long']);
    expect(await real.get('short')).toBeUndefined();
  });

  it('lists holds by name, replaces a hold on the same instance, and lifts one', async () => {
    await store.put(hold('b', T0 + 60_000));
    await store.put(hold('a', T0 + 60_000));
    await store.put(hold('b', T0 + 120_000, { reason: 'longer' }));
    expect((await store.list()).map((h) => [h.instance_id, h.reason])).toEqual([
      ['a', undefined],
      ['b', 'longer'],
    ]);
    expect((await store.remove('b'))?.reason).toBe('longer');
    expect(await store.remove('b')).toBeUndefined();
    expect((await store.list()).map((h) => h.instance_id)).toEqual(['a']);
  });

  it('refuses a record written by a newer gcflow, naming the key', async () => {
    const key = holdKeys(prefix).hold('x');
    await redis.set(key, JSON.stringify({ v: 9, instance_id: 'x', created_at: 'now' }));
    await expect(store.get('x')).rejects.toMatchObject({ code: 'E_RECORD_VERSION' });
    await expect(store.get('x')).rejects.toThrow(key);
  });
});

describe('HoldStore.list under concurrent readers', () => {
  /**
   * A connection of our own whose SMEMBERS calls (one per read of the index) are counted;
   * the first one's answer is held until `release` is called.
   */
  function countingStore(holdFirst = false) {
    const own = new Redis(inject('redisUrl'));
    const reads = { count: 0 };
    let release: () => void = () => {};
    const gate = holdFirst ? new Promise<void>((resolve) => (release = resolve)) : Promise.resolve();
    const smembers = own.smembers.bind(own);
    own.smembers = (async (key: string) => {
      const first = reads.count++ === 0;
      const answer = await smembers(key);
      if (first) await gate;
      return answer;
    }) as typeof own.smembers;
    return { own, reads, release: () => release(), counted: new HoldStore(own, prefix, clock) };
  }

  it('serves callers who ask while a read is in flight with one shared read', async () => {
    const { own, reads, counted } = countingStore();
    try {
      await counted.put(hold('a', undefined));
      const lists = await Promise.all(Array.from({ length: 40 }, () => counted.list()));
      for (const list of lists) expect(list.map((h) => h.instance_id)).toEqual(['a']);
      // One read for the first tick's callers; never one per caller.
      expect(reads.count).toBeLessThanOrEqual(2);
    } finally {
      own.disconnect();
    }
  });

  it('does not answer a caller with a read sent before it asked', async () => {
    const { own, reads, release, counted } = countingStore(true);
    try {
      await store.put(hold('a', undefined));
      // A read is in flight (it saw only a) when b is placed; a list asked after that sees b.
      const before = counted.list();
      await eventually(async () => (reads.count === 1 ? true : undefined), 5_000, 'the first read');
      await store.put(hold('b', undefined));
      const after = counted.list();
      release();
      expect((await before).map((h) => h.instance_id)).toEqual(['a']);
      expect((await after).map((h) => h.instance_id)).toEqual(['a', 'b']);
    } finally {
      own.disconnect();
    }
  });
});

describe('holdEnd', () => {
  const settings = { defaultMs: 12 * 3_600_000, maxMs: 30 * 86_400_000 };
  const end = (r: Parameters<typeof holdEnd>[0]) => holdEnd(r, T0, settings);
  const code = (r: Parameters<typeof holdEnd>[0]) => {
    try {
      end(r);
      return 'ok';
    } catch (err) {
      return (err as GcflowError).code;
    }
  };

  it('takes until, for, or the default duration', () => {
    expect(end({ until: '2026-11-30T23:30:00Z' })).toBe(Date.UTC(2026, 10, 30, 23, 30));
    expect(end({ until: '2026-12-01T07:00:00+01:00' })).toBe(Date.UTC(2026, 11, 1, 6));
    expect(end({ for: '1h30m' })).toBe(T0 + 5_400_000);
    expect(end({})).toBe(T0 + 12 * 3_600_000);
  });

  it('refuses both, a past or unreadable until, a bad for, and a hold longer than the maximum', () => {
    expect(code({ until: '2026-12-01T00:00:00Z', for: '1h' })).toBe('E_HOLD_INVALID');
    expect(code({ until: '2026-11-30T19:59:00Z' })).toBe('E_HOLD_INVALID');
    expect(code({ until: 'tomorrow' })).toBe('E_HOLD_INVALID');
    expect(code({ for: '90' })).toBe('E_HOLD_INVALID');
    expect(code({ for: '0s' })).toBe('E_HOLD_INVALID');
    expect(code({ for: '31d' })).toBe('E_HOLD_INVALID');
    expect(code({ for: '1h', reason: 'x'.repeat(501) })).toBe('E_HOLD_INVALID');
  });
});

describe('HoldService against the simulator', () => {
  let sim: RunningSimulator;
  beforeAll(async () => {
    sim = await startSimulator({ settings: { transition_ms: 50 } });
  });
  afterAll(async () => sim?.close());

  const service = () =>
    new HoldService({
      store,
      client: () =>
        createGenesisClient({
          baseUrl: sim.apiUrl,
          token: 't',
          rateLimiter: createRateLimiter({ ratePerSecond: 1000, burst: 1000 }),
        }),
      clock,
      settings: { defaultMs: 3_600_000, maxMs: 86_400_000 },
    });

  it('holds by name or id, finds and lifts by either, and names what is missing', async () => {
    time = Date.now();
    const [box] = await activeBoxes(sim, [`hold-me-${prefix}`]);
    const holds = service();
    const placed = await holds.place(box!.name, { for: '2h', reason: 'demo', createdBy: 'ann@laptop' });
    expect(placed).toMatchObject({ instance_id: box!.id, instance_name: box!.name, reason: 'demo' });
    expect(Date.parse(placed.until!)).toBe(time + 7_200_000);
    expect((await holds.get(box!.id)).reason).toBe('demo');
    expect((await holds.get(box!.name)).instance_id).toBe(box!.id);
    expect((await holds.lift(box!.name)).instance_id).toBe(box!.id);
    expect(await codeOf(holds.lift(box!.id))).toBe('E_HOLD_NOT_FOUND');
    expect(await codeOf(holds.place('no-such-box', {}))).toBe('E_HOLD_INSTANCE_NOT_FOUND');
    expect(await codeOf(holds.get('no-such-box'))).toBe('E_HOLD_INSTANCE_NOT_FOUND');
    // A bad request is refused before the API is asked.
    expect(await codeOf(holds.place('no-such-box', { for: 'soon' }))).toBe('E_HOLD_INVALID');
  });

  it('refuses a name two instances share', async () => {
    time = Date.now();
    const name = `twin-${prefix}`;
    await activeBoxes(sim, [name, name]);
    expect(await codeOf(service().place(name, {}))).toBe('E_HOLD_INSTANCE_AMBIGUOUS');
  });
});
