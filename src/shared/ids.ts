// Identifiers: run ids that sort by creation time and are safe inside instance
// names and hostnames (lower-case letters, digits, hyphens). Pure.
import { randomBytes } from 'node:crypto';

/**
 * `nightly-snapshots-m9x2k1c7a3f09b1e`: workflow, time in base 36, 8 random hex chars
 * (32 bits: 16 made two starts in one millisecond collide once in 65,536 pairs;
 * RunService.start also retries with a fresh id if one ever does).
 */
export function manualRunId(workflow: string, nowMs: number): string {
  return `${workflow}-${nowMs.toString(36)}${randomBytes(4).toString('hex')}`;
}

/**
 * The run id of a scheduled fire: the same workflow, trigger and slot always give
 * the same id, so a re-delivered or caught-up fire can never start a second run.
 * `nightly-snapshots-t0-20261128t020000z`.
 */
export function scheduledRunId(workflow: string, triggerIndex: number, slotMs: number): string {
  return `${workflow}-t${triggerIndex}-${compactStamp(new Date(slotMs).toISOString())}`;
}

/**
 * `2026-11-28T02:00:00.000Z` -> `20261128t020000z` (seconds; milliseconds dropped).
 * Sliced, not matched with regular expressions: every schedule fire computes it, and a
 * burst of 1,000 spent ~19 ms in the regex version.
 */
function compactStamp(iso: string): string {
  // Years outside 0000-9999 are written `+YYYYYY-...`: the general form.
  if (iso.length !== 24)
    return iso
      .replace(/[-:]/g, '')
      .replace(/\.\d+Z$/, 'z')
      .toLowerCase();
  return `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}t${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}z`;
}

/**
 * The grammar of every run id gcflow makes (manual and scheduled): a workflow name
 * (`^[a-z0-9][a-z0-9-]{0,62}$`) and a suffix of lower-case letters, digits and
 * hyphens, at most 128 characters in all. Checked before a run id from outside (an
 * HTTP path) is used in a Redis key, so `<id>:events` can never name another key.
 */
export const RUN_ID_PATTERN = /^[a-z0-9][a-z0-9-]{0,127}$/;

export function isRunId(text: string): boolean {
  return RUN_ID_PATTERN.test(text);
}
