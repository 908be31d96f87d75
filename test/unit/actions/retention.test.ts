// Retention decisions as a table: restic's documented `forget` examples, then the
// cases of issue 11 (per instance, replicas as one backup, only `created` counts).
import { describe, expect, it } from 'vitest';
import {
  calendarBuckets,
  decideRetention,
  type RetainedSnapshot,
  type RetentionPolicy,
} from '../../../src/actions/retention.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

let n = 0;
function snap(created_at: string | number, more: Partial<RetainedSnapshot> = {}): RetainedSnapshot {
  n += 1;
  const at = typeof created_at === 'number' ? new Date(created_at).toISOString() : created_at;
  return {
    id: `s${n}`,
    name: `backup-${at}`,
    status: 'created',
    region: 'NORD-NO-KRS-1',
    created_at: at,
    resource_id: 'box-a',
    ...more,
  };
}

/** The created_at of kept snapshots, sorted. */
function keptTimes(snapshots: RetainedSnapshot[], policy: RetentionPolicy, now: number): string[] {
  return decideRetention(snapshots, policy, now)
    .decisions.filter((d) => d.keep)
    .flatMap((d) => d.snapshots.map((s) => s.created_at))
    .sort();
}

// restic docs, "Removing snapshots according to a policy": one backup every Sunday
// for 12 weeks; `forget --keep-daily 4` keeps the last four Sundays.
const sundays = [
  '2019-09-01',
  '2019-09-08',
  '2019-09-15',
  '2019-09-22',
  '2019-09-29',
  '2019-10-06',
  '2019-10-13',
  '2019-10-20',
  '2019-10-27',
  '2019-11-03',
  '2019-11-10',
  '2019-11-17',
].map((d) => `${d}T11:00:00.000Z`);
const afterSundays = Date.parse('2019-11-18T00:00:00Z');

describe('restic documented examples', () => {
  it.each([
    {
      what: 'keep-daily 4 over 12 weekly Sundays keeps the last four Sundays',
      policy: { keep_daily: 4 },
      kept: sundays.slice(8),
    },
    {
      what: 'keep-weekly 4 keeps the same four (one per ISO week)',
      policy: { keep_weekly: 4 },
      kept: sundays.slice(8),
    },
    {
      what: 'keep-last 2 keeps the two most recent',
      policy: { keep_last: 2 },
      kept: sundays.slice(10),
    },
    {
      what: 'keep-monthly 2 keeps the last Sunday of November and of October',
      policy: { keep_monthly: 2 },
      kept: ['2019-10-27T11:00:00.000Z', '2019-11-17T11:00:00.000Z'],
    },
    {
      what: 'keep-within 3d12h keeps what is within 3 days 12 hours of the latest (restic 0.9.4 changelog)',
      policy: { keep_within_ms: 3 * DAY + 12 * HOUR },
      kept: sundays.slice(11),
    },
    {
      what: 'keep-within 15d keeps the latest three weeks (relative to the latest, not to now)',
      policy: { keep_within_ms: 15 * DAY },
      kept: sundays.slice(9),
    },
  ])('$what', ({ policy, kept }) => {
    const snapshots = sundays.map((t) => snap(t));
    // `now` a year later: keep-within counts from the latest snapshot, like restic.
    expect(keptTimes(snapshots, policy, afterSundays + 365 * DAY)).toEqual(kept);
  });

  it('names the reason of each kept snapshot, like restic\'s "Reasons" column', () => {
    const { decisions } = decideRetention(
      sundays.map((t) => snap(t)),
      { keep_daily: 4 },
      afterSundays,
    );
    expect(decisions.filter((d) => d.keep).map((d) => d.rules)).toEqual([
      ['keep_daily', 'newest'],
      ['keep_daily'],
      ['keep_daily'],
      ['keep_daily'],
    ]);
    expect(decisions.filter((d) => !d.keep).every((d) => d.rules.length === 0)).toBe(true);
  });

  it('one backup a day for 100 years, keep-daily 7 / weekly 5 / monthly 12 / yearly 75: 7 + 4 + 12|11 + 75|74', () => {
    const end = Date.parse('2099-12-27T23:00:00Z'); // a Sunday: the 7 dailies are one ISO week
    const daily = Array.from({ length: 36_525 }, (_, i) => snap(end - i * DAY));
    const { decisions } = decideRetention(
      daily,
      { keep_daily: 7, keep_weekly: 5, keep_monthly: 12, keep_yearly: 75 },
      end,
    );
    const kept = decisions.filter((d) => d.keep);
    const by = (rule: string) => kept.filter((d) => d.rules.includes(rule as never));
    expect(by('keep_daily')).toHaveLength(7);
    expect(by('keep_weekly')).toHaveLength(5);
    expect(by('keep_monthly')).toHaveLength(12);
    expect(by('keep_yearly')).toHaveLength(75);
    const weeklyOnly = by('keep_weekly').filter((d) => !d.rules.includes('keep_daily'));
    expect(weeklyOnly).toHaveLength(4);
    expect(kept.length).toBeGreaterThanOrEqual(7 + 4 + 11 + 74);
    expect(kept.length).toBeLessThanOrEqual(7 + 4 + 12 + 75);
    // Every weekly keep is the last day of its ISO week (a Sunday) but the newest.
    for (const d of weeklyOnly) expect(new Date(d.time).getUTCDay()).toBe(0);
  });

  it('keeps the oldest backup too when a calendar rule runs out of backups (restic >= 0.16)', () => {
    const three = ['2024-01-01', '2024-01-02', '2024-01-03'].map((d) => snap(`${d}T10:00:00Z`));
    const { decisions } = decideRetention(three, { keep_daily: 7 }, Date.parse('2024-01-04T00:00:00Z'));
    expect(decisions.map((d) => d.rules)).toEqual([['keep_daily', 'newest'], ['keep_daily'], ['keep_daily']]);
    const sameDay = ['08', '12', '16'].map((h) => snap(`2024-01-01T${h}:00:00Z`));
    const result = decideRetention(sameDay, { keep_daily: 7 }, Date.parse('2024-01-02T00:00:00Z'));
    expect(result.decisions.map((d) => d.rules)).toEqual([
      ['keep_daily', 'newest'],
      [],
      ['keep_daily (oldest)'],
    ]);
  });
});

describe('issue 11 cases', () => {
  const now = Date.parse('2026-06-10T12:00:00Z');

  it('keep_last 3 + keep_within 1d on ages 1h/2d/3d/4d/5d keeps 3 (any rule keeps)', () => {
    const ages = [1 * HOUR, 2 * DAY, 3 * DAY, 4 * DAY, 5 * DAY];
    const { decisions } = decideRetention(
      ages.map((a) => snap(now - a)),
      { keep_last: 3, keep_within_ms: DAY },
      now,
    );
    expect(decisions.map((d) => [(now - d.time) / HOUR, d.rules])).toEqual([
      [1, ['keep_within', 'keep_last', 'newest']],
      [48, ['keep_last']],
      [72, ['keep_last']],
      [96, []],
      [120, []],
    ]);
  });

  it('groups by source instance: keep_last 1 keeps the newest of each instance', () => {
    const snapshots = [
      snap(now - 3 * HOUR, { resource_id: 'box-a' }),
      snap(now - 2 * HOUR, { resource_id: 'box-a' }),
      snap(now - 5 * HOUR, { resource_id: 'box-b' }),
      snap(now - 4 * HOUR, { resource_id: 'box-b' }),
    ];
    const kept = decideRetention(snapshots, { keep_last: 1 }, now).decisions.filter((d) => d.keep);
    expect(kept.map((d) => [d.instance, (now - d.time) / HOUR]).sort()).toEqual([
      ['box-a', 2],
      ['box-b', 4],
    ]);
  });

  it('prefers source_instance_id over resource_id to find the instance', () => {
    const a = snap(now - HOUR, { resource_id: 'disk-1', source_instance_id: 'box-a' });
    const b = snap(now - 2 * HOUR, { resource_id: 'disk-2', source_instance_id: 'box-a' });
    const { decisions } = decideRetention([a, b], { keep_last: 1 }, now);
    expect(decisions.map((d) => [d.instance, d.keep])).toEqual([
      ['box-a', true],
      ['box-a', false],
    ]);
  });

  it('a snapshot and its replica in another region are one backup, kept or deleted together', () => {
    const name = { name: 'nightly-1' };
    const older = [
      snap(now - 2 * DAY, { ...name }),
      snap(now - 2 * DAY, { ...name, region: 'ARC-IS-HAF-1' }),
    ];
    const newer = [
      snap(now - HOUR, { name: 'nightly-2' }),
      snap(now - HOUR, { name: 'nightly-2', region: 'ARC-IS-HAF-1' }),
    ];
    const { decisions } = decideRetention([...older, ...newer], { keep_last: 1 }, now);
    expect(decisions.map((d) => [d.name, d.keep, d.snapshots.map((s) => s.id).sort()])).toEqual([
      ['nightly-2', true, newer.map((s) => s.id).sort()],
      ['nightly-1', false, older.map((s) => s.id).sort()],
    ]);
  });

  it('a name reused in another region on another night is another backup, not a replica', () => {
    const { decisions } = decideRetention(
      [snap(now - 2 * DAY, { name: 'daily' }), snap(now - DAY, { name: 'daily', region: 'ARC-IS-HAF-1' })],
      { keep_last: 1 },
      now,
    );
    expect(decisions.map((d) => [d.snapshots.length, d.keep])).toEqual([
      [1, true],
      [1, false],
    ]);
  });

  it('a clone (source_snapshot_id) joins the backup of its source', () => {
    const original = snap(now - 3 * HOUR, { name: 'orig' });
    const clone = snap(now - HOUR, { name: 'copy', region: 'ARC-IS-HAF-1', source_snapshot_id: original.id });
    const { decisions } = decideRetention([original, clone], { keep_last: 1 }, now);
    expect(decisions).toHaveLength(1);
    expect(decisions[0]!.snapshots.map((s) => s.id)).toEqual([original.id, clone.id]);
  });

  it('same name in the same region twice is two backups (a reused name is not a replica)', () => {
    const { decisions } = decideRetention(
      [snap(now - 2 * DAY, { name: 'daily' }), snap(now - DAY, { name: 'daily' })],
      { keep_last: 1 },
      now,
    );
    expect(decisions.map((d) => d.keep)).toEqual([true, false]);
  });

  it('keep_daily 7 over three snapshots a day for ten days keeps the newest of each of the newest 7 days', () => {
    const snapshots: RetainedSnapshot[] = [];
    for (let day = 0; day < 10; day += 1)
      for (const hour of [1, 9, 17])
        snapshots.push(snap(Date.parse('2026-06-01T00:00:00Z') + day * DAY + hour * HOUR));
    const kept = keptTimes(snapshots, { keep_daily: 7 }, Date.parse('2026-06-11T00:00:00Z'));
    expect(kept).toEqual(['04', '05', '06', '07', '08', '09', '10'].map((d) => `2026-06-${d}T17:00:00.000Z`));
  });

  it('snapshots not `created` are never deleted and never count', () => {
    const creating = snap(now - HOUR, { status: 'creating' });
    const error = snap(now - 10 * DAY, { status: 'error' });
    const deleting = snap(now - 9 * DAY, { status: 'deleting' });
    const good = [snap(now - 2 * DAY), snap(now - 3 * DAY)];
    const result = decideRetention([creating, error, deleting, ...good], { keep_last: 1 }, now);
    expect(result.untouched.map((s) => s.id).sort()).toEqual([creating.id, error.id, deleting.id].sort());
    expect(result.decisions.map((d) => [d.snapshots[0]!.id, d.keep])).toEqual([
      [good[0]!.id, true],
      [good[1]!.id, false],
    ]);
  });

  it('counts `active` (the legacy name of created) like created', () => {
    const legacy = snap(now - HOUR, { status: 'active' });
    const older = snap(now - DAY);
    const result = decideRetention([legacy, older], { keep_last: 1 }, now);
    expect(result.untouched).toEqual([]);
    expect(result.decisions.map((d) => [d.snapshots[0]!.id, d.keep])).toEqual([
      [legacy.id, true],
      [older.id, false],
    ]);
  });

  it('the newest created backup is kept whatever the rules', () => {
    // keep_within counts from the latest backup not in the future; the one stamped in
    // the future is still the newest and is never deleted.
    const future = snap(now + 5 * DAY);
    const past = snap(now - 10 * DAY);
    const { decisions } = decideRetention([future, past], { keep_within_ms: HOUR }, now);
    expect(decisions.map((d) => [d.snapshots[0]!.id, d.rules])).toEqual([
      [future.id, ['keep_within', 'newest']],
      [past.id, ['keep_within']],
    ]);
  });

  it('cuts calendar buckets in the timezone: two late-evening UTC snapshots are two Berlin days', () => {
    const snapshots = ['2024-01-01T12:00:00Z', '2024-01-01T22:30:00Z', '2024-01-01T23:30:00Z'].map((t) =>
      snap(t),
    );
    const at = Date.parse('2024-01-02T12:00:00Z');
    const utc = decideRetention(snapshots, { keep_daily: 2 }, at).decisions.map((d) => d.rules);
    const berlin = decideRetention(snapshots, { keep_daily: 2, timezone: 'Europe/Berlin' }, at).decisions.map(
      (d) => d.rules,
    );
    // UTC: one day; the second daily slot goes to the oldest. Berlin: 23:30Z is Jan 2.
    expect(utc).toEqual([['keep_daily', 'newest'], [], ['keep_daily (oldest)']]);
    expect(berlin).toEqual([['keep_daily', 'newest'], ['keep_daily'], []]);
  });
});

describe('calendar buckets', () => {
  it('weeks are ISO weeks, Monday to Sunday, in the given zone', () => {
    const sunday = Date.parse('2024-12-29T23:30:00Z');
    expect(calendarBuckets(sunday, 'UTC')).toMatchObject({ weekly: '2024-W52', daily: '2024-12-29' });
    // 00:30 on Monday 30 December in Berlin: ISO week 1 of 2025.
    expect(calendarBuckets(sunday, 'Europe/Berlin')).toMatchObject({
      weekly: '2025-W01',
      daily: '2024-12-30',
    });
    expect(calendarBuckets(Date.parse('2021-01-03T12:00:00Z'), 'UTC').weekly).toBe('2020-W53');
  });

  it('hours run 00-23 (no 24 at midnight)', () => {
    expect(calendarBuckets(Date.parse('2024-03-05T00:15:00Z'), 'UTC').hourly).toBe('2024-03-05T00');
  });
});
