// Retention as restic `forget` decides it, over plain data: which backups a policy
// keeps, and the rule(s) that keep each. Pure (Intl for calendar buckets); imports
// nothing that does I/O. snapshots-prune.ts lists and deletes around it.
//
// - A backup is one snapshot and its replicas in other regions (same source
//   instance, same name, one per region, stamped within 6 h of the original; or a
//   `source_snapshot_id` pointing at a member): kept or deleted together.
// - Groups: one per source instance; every rule applies to each group on its own.
// - Only `created` snapshots (and `active`, its legacy name: API-NOTES) form backups
//   and count toward the rules; any other status (creating, error, deleting, ...)
//   is never deleted.
// - A backup is kept when ANY rule keeps it (restic ORs its rules):
//   keep_last N: the newest N. keep_within D: those less than D older than the newest
//   (not older than now: a backup stamped in the future is not "the newest").
//   keep_hourly/daily/weekly/monthly/yearly N: for the newest N hours (days, ISO
//   weeks Monday-Sunday, months, years) that hold a backup, the newest backup of
//   each, in `timezone`. When such a rule runs out of backups before N, it also keeps
//   the oldest backup (restic >= 0.16: the longest history the count allows).
// - The newest backup of every group is kept whatever the rules (`newest`).

/** The fields of a snapshot retention reads. */
export interface RetainedSnapshot {
  id: string;
  name: string;
  status: string;
  region: string;
  created_at: string;
  resource_id: string;
  source_instance_id?: string | null;
  source_snapshot_id?: string | null;
}

export interface RetentionPolicy {
  keep_last?: number;
  keep_within_ms?: number;
  keep_hourly?: number;
  keep_daily?: number;
  keep_weekly?: number;
  keep_monthly?: number;
  keep_yearly?: number;
  /** IANA zone the calendar buckets are cut in; default UTC. */
  timezone?: string;
}

export type KeepRule =
  | 'newest'
  | 'keep_last'
  | 'keep_within'
  | 'keep_hourly'
  | 'keep_daily'
  | 'keep_weekly'
  | 'keep_monthly'
  | 'keep_yearly'
  | 'keep_hourly (oldest)'
  | 'keep_daily (oldest)'
  | 'keep_weekly (oldest)'
  | 'keep_monthly (oldest)'
  | 'keep_yearly (oldest)';

export interface Backup<S extends RetainedSnapshot> {
  /** The source instance id: the group the backup belongs to. */
  instance: string;
  name: string;
  /** The earliest `created_at` of its members, in ms. */
  time: number;
  /** The snapshot and its replicas, all `created`. */
  snapshots: S[];
}

export interface BackupDecision<S extends RetainedSnapshot> extends Backup<S> {
  keep: boolean;
  /** Why it is kept; empty when it is deleted. */
  rules: KeepRule[];
}

export interface RetentionResult<S extends RetainedSnapshot> {
  /** Every backup, per instance newest first, instances in order of first appearance. */
  decisions: BackupDecision<S>[];
  /** Snapshots not `created`: never counted, never deleted. */
  untouched: S[];
}

/** `active` is what legacy accounts show for `created` (API-NOTES: snapshot statuses). */
const CREATED = new Set(['created', 'active']);
const isCreated = (s: RetainedSnapshot): boolean => CREATED.has(s.status);

const CALENDAR = ['hourly', 'daily', 'weekly', 'monthly', 'yearly'] as const;
type Calendar = (typeof CALENDAR)[number];

/** The source instance of a snapshot (the API's source_instance_id, else the snapshotted resource). */
export const sourceOf = (s: RetainedSnapshot): string => s.source_instance_id || s.resource_id;

/** Decides retention for snapshots of any number of instances. */
export function decideRetention<S extends RetainedSnapshot>(
  snapshots: readonly S[],
  policy: RetentionPolicy,
  now: number,
): RetentionResult<S> {
  const untouched = snapshots.filter((s) => !isCreated(s));
  const byInstance = new Map<string, Backup<S>[]>();
  for (const backup of toBackups(snapshots.filter(isCreated))) {
    const list = byInstance.get(backup.instance) ?? [];
    list.push(backup);
    byInstance.set(backup.instance, list);
  }
  const decisions: BackupDecision<S>[] = [];
  for (const backups of byInstance.values()) decisions.push(...decideGroup(backups, policy, now));
  return { decisions, untouched };
}

/**
 * How much later than its original a replica may be stamped. The API stamps both at
 * the request; the margin only keeps a name reused on another night (a different
 * backup) from being taken for a replica.
 */
const REPLICA_WINDOW_MS = 6 * 3_600_000;

/** Groups `created` snapshots into backups: a replica joins the backup of its original. */
function toBackups<S extends RetainedSnapshot>(created: S[]): Backup<S>[] {
  const sorted = [...created].sort((a, b) => time(a) - time(b) || a.id.localeCompare(b.id));
  const backups: Backup<S>[] = [];
  const byId = new Map<string, Backup<S>>();
  const byName = new Map<string, Backup<S>[]>();
  for (const s of sorted) {
    const key = `${sourceOf(s)}\u0000${s.name}`;
    const named = byName.get(key) ?? [];
    const linked = s.source_snapshot_id ? byId.get(s.source_snapshot_id) : undefined;
    let home =
      linked ??
      named.find(
        (b) => time(s) - b.time <= REPLICA_WINDOW_MS && !b.snapshots.some((m) => m.region === s.region),
      );
    if (home) home.snapshots.push(s);
    else {
      home = { instance: sourceOf(s), name: s.name, time: time(s), snapshots: [s] };
      backups.push(home);
      named.push(home);
      byName.set(key, named);
    }
    byId.set(s.id, home);
  }
  return backups;
}

function decideGroup<S extends RetainedSnapshot>(
  group: Backup<S>[],
  policy: RetentionPolicy,
  now: number,
): BackupDecision<S>[] {
  const backups = [...group].sort((a, b) => b.time - a.time || a.name.localeCompare(b.name));
  const notFuture = backups.filter((b) => b.time <= now);
  const latest = (notFuture[0] ?? backups[0])!.time;
  const zone = policy.timezone ?? 'UTC';
  const counted = [
    { rule: 'keep_last' as const, count: policy.keep_last, unit: undefined },
    ...CALENDAR.map((unit) => ({ rule: `keep_${unit}` as const, count: policy[`keep_${unit}`], unit })),
  ].map((c) => ({ ...c, left: c.count ?? 0, last: undefined as string | undefined }));
  const calendar = counted.some((c) => c.unit !== undefined && c.left > 0);

  return backups.map((backup, nr) => {
    const rules: KeepRule[] = [];
    if (policy.keep_within_ms !== undefined && backup.time > latest - policy.keep_within_ms)
      rules.push('keep_within');
    const oldest = nr === backups.length - 1;
    const buckets = calendar ? calendarBuckets(backup.time, zone) : undefined;
    for (const c of counted) {
      if (c.left <= 0) continue;
      const key = c.unit === undefined ? String(nr) : buckets![c.unit];
      if (key !== c.last) rules.push(c.rule);
      else if (oldest && c.rule !== 'keep_last') rules.push(`${c.rule} (oldest)` as KeepRule);
      else continue;
      c.last = key;
      c.left -= 1;
    }
    if (nr === 0) rules.push('newest');
    return { ...backup, keep: rules.length > 0, rules };
  });
}

const time = (s: RetainedSnapshot): number => Date.parse(s.created_at);

const formatters = new Map<string, Intl.DateTimeFormat>();

/** The calendar buckets of an instant in a zone: `2024-05-06T13`, `2024-05-06`, `2024-W19`, `2024-05`, `2024`. */
export function calendarBuckets(t: number, zone: string): Record<Calendar, string> {
  let format = formatters.get(zone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
    });
    formatters.set(zone, format);
  }
  const part: Record<string, number> = {};
  for (const p of format.formatToParts(t)) if (p.type !== 'literal') part[p.type] = Number(p.value);
  const { year = 0, month = 1, day = 1, hour = 0 } = part;
  const pad = (n: number) => String(n).padStart(2, '0');
  const date = `${year}-${pad(month)}-${pad(day)}`;
  return {
    hourly: `${date}T${pad(hour)}`,
    daily: date,
    weekly: isoWeek(year, month, day),
    monthly: `${year}-${pad(month)}`,
    yearly: String(year),
  };
}

/** ISO 8601 week of a calendar date (weeks start on Monday; week 1 holds the first Thursday). */
function isoWeek(year: number, month: number, day: number): string {
  const date = new Date(Date.UTC(year, month - 1, day));
  const weekday = date.getUTCDay() || 7;
  date.setUTCDate(date.getUTCDate() + 4 - weekday); // the Thursday of this week
  const weekYear = date.getUTCFullYear();
  const week = Math.ceil(((date.getTime() - Date.UTC(weekYear, 0, 1)) / 86_400_000 + 1) / 7);
  return `${weekYear}-W${String(week).padStart(2, '0')}`;
}
