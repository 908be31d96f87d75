// Slot arithmetic of cron triggers in their IANA timezone: the next and the most
// recent slot, the DST rule for repeated wall-clock times, and zone-offset formatting.
// Pure: cron-parser (the version BullMQ fires with) and Intl only; no I/O.
import { CronExpressionParser } from 'cron-parser';

/** What decides when a trigger fires. */
export interface Schedule {
  cron: string;
  timezone: string;
}

/** Guards loops over slots: a valid cron always yields a slot long before this. */
const MAX_STEPS = 100_000;

const parse = (s: Schedule, fromMs: number, untilMs?: number) =>
  CronExpressionParser.parse(s.cron, {
    tz: s.timezone,
    currentDate: new Date(fromMs),
    ...(untilMs === undefined ? {} : { endDate: new Date(untilMs) }),
  });

/**
 * True when the hour field names particular hours (`2`, `1-3`, `*\/6`): such a
 * schedule means wall-clock times, and a wall-clock time fires at most once a day.
 * With `*` in the hour field the schedule means every real hour, so both passes
 * through a repeated hour fire.
 */
export function hasFixedHours(cron: string): boolean {
  const fields = cron.trim().split(/\s+/);
  const hour = fields[fields.length - 4];
  return !(hour === undefined || hour === '*' || hour === '*/1' || hour === '0-23' || hour === '?');
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timezone: string): Intl.DateTimeFormat {
  let f = formatters.get(timezone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: timezone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timezone, f);
  }
  return f;
}

/**
 * Results of pure functions of a few arguments, remembered: a burst of fires of one
 * cron asks the same questions (the slot's offset, its grace) once per fire. Emptied
 * when full, so it holds at most `max` answers.
 */
export function memo<T>(max = 4_096): (key: string, compute: () => T) => T {
  const answers = new Map<string, T>();
  return (key, compute) => {
    const hit = answers.get(key);
    if (hit !== undefined || answers.has(key)) return hit as T;
    const value = compute();
    if (answers.size >= max) answers.clear();
    answers.set(key, value);
    return value;
  };
}

const offsets = memo<number>();

/** The zone's UTC offset at `ms`, in milliseconds (Berlin in winter: 3_600_000). */
export function offsetMs(ms: number, timezone: string): number {
  // The offset depends on the whole second only (formatToParts shows no milliseconds).
  return offsets(`${timezone}\u0000${Math.floor(ms / 1000)}`, () => computeOffsetMs(ms, timezone));
}

function computeOffsetMs(ms: number, timezone: string): number {
  const parts: Record<string, number> = {};
  for (const p of formatter(timezone).formatToParts(new Date(ms))) {
    if (p.type !== 'literal') parts[p.type] = Number(p.value);
  }
  const wall = Date.UTC(
    parts['year']!,
    parts['month']! - 1,
    parts['day']!,
    parts['hour']!,
    parts['minute']!,
    parts['second']!,
  );
  return wall - Math.floor(ms / 1000) * 1000;
}

/**
 * True when the wall-clock time at `ms` already happened a little earlier the same
 * night: `ms` lies in the second pass through the hour repeated when clocks fall back.
 */
export function isSecondPass(ms: number, timezone: string): boolean {
  const now = offsetMs(ms, timezone);
  const gap = offsetMs(ms - 3 * 3_600_000, timezone) - now;
  return gap > 0 && offsetMs(ms - gap, timezone) === now + gap;
}

/**
 * DST rule: a fixed-hour schedule does not fire again in the second pass through a
 * repeated hour (cron-parser yields such a time when it starts counting inside that
 * hour, e.g. BullMQ registering or re-timing a scheduler at 02:10 CET on fall-back night).
 */
export function isRepeatedWallClock(s: Schedule, ms: number): boolean {
  return hasFixedHours(s.cron) && isSecondPass(ms, s.timezone);
}

/**
 * The first slot strictly after `afterMs`, or undefined when the cron never fires again
 * (or not by `untilMs`, when given: cron-parser then stops at that bound, where it would
 * otherwise step day by day to the next match, a year ahead for a yearly cron).
 */
export function nextSlot(s: Schedule, afterMs: number, untilMs?: number): number | undefined {
  const it = parse(s, afterMs, untilMs);
  for (let i = 0; i < MAX_STEPS; i++) {
    let ms: number;
    try {
      ms = it.next().getTime();
    } catch {
      return undefined;
    }
    if (!isRepeatedWallClock(s, ms)) return ms;
  }
  return undefined;
}

/**
 * The most recent slot at or before `atMs`. Walks forward with next() from two
 * matches back: cron-parser's prev() skips a spring-forward day's shifted fire and
 * returns the repeated fall-back time, so it only provides the starting point.
 */
export function latestSlot(s: Schedule, atMs: number): number | undefined {
  let anchor: number;
  try {
    const back = parse(s, atMs + 1);
    back.prev();
    anchor = back.prev().getTime();
  } catch {
    return undefined;
  }
  let latest: number | undefined;
  let cursor = anchor - 1;
  for (let i = 0; i < MAX_STEPS; i++) {
    const ms = nextSlot(s, cursor);
    if (ms === undefined || ms > atMs) return latest;
    latest = ms;
    cursor = ms;
  }
  return latest;
}

/** `2026-03-29T03:00:00+02:00`: the instant as the zone's wall clock with its offset. */
export function zonedIso(ms: number, timezone: string): string {
  const offset = offsetMs(ms, timezone);
  const wall = new Date(Math.floor(ms / 1000) * 1000 + offset).toISOString().slice(0, 19);
  const sign = offset < 0 ? '-' : '+';
  const minutes = Math.abs(offset) / 60_000;
  const hh = String(Math.floor(minutes / 60)).padStart(2, '0');
  const mm = String(minutes % 60).padStart(2, '0');
  return `${wall}${sign}${hh}:${mm}`;
}
