// Durations as users write them (`30s`, `15m`, `1h30m`, `7d`, `250ms`) <-> milliseconds.
// Pure: no I/O.
import { GcflowError } from './errors.js';

const UNIT_MS: Record<string, number> = {
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};
const DURATION_RE = /^(?:\d+(?:ms|s|m|h|d|w))+$/;
const PART_RE = /(\d+)(ms|s|m|h|d|w)/g;

/** Milliseconds, or undefined when `text` is not a duration. Bare numbers are not durations. */
export function parseDuration(text: string): number | undefined {
  const trimmed = text.trim();
  if (!DURATION_RE.test(trimmed)) return undefined;
  let total = 0;
  for (const match of trimmed.matchAll(PART_RE)) total += Number(match[1]) * UNIT_MS[match[2]!]!;
  return total;
}

/**
 * A duration value read at run time (a setting, or an expression's result), as ms.
 * The one place that turns text into ms without a silent fallback: anything but a
 * duration is an error naming `what` was given.
 */
export function durationMs(value: unknown, what: string): number {
  const ms = typeof value === 'string' ? parseDuration(value) : undefined;
  if (ms === undefined) {
    const text = JSON.stringify(value) ?? String(value);
    throw new DurationError(
      `${what} must be a duration such as 15m, got ${text.length > 60 ? `${text.slice(0, 57)}...` : text}`,
    );
  }
  return ms;
}

export class DurationError extends GcflowError {
  override readonly name = 'DurationError';
  constructor(message: string) {
    super('E_DURATION_INVALID', message, { hint: DURATION_HINT });
  }
}

export const DURATION_HINT =
  'write a number followed by a unit: 250ms, 30s, 15m, 6h, 7d, or combined like 1h30m';

/** `5400000` -> `1h30m`; sub-second remainders as `ms`. */
export function formatDuration(ms: number): string {
  if (ms <= 0) return '0s';
  let rest = Math.round(ms);
  let out = '';
  for (const unit of ['d', 'h', 'm', 's', 'ms'] as const) {
    const size = UNIT_MS[unit]!;
    const n = Math.floor(rest / size);
    if (n > 0) {
      out += `${n}${unit}`;
      rest -= n * size;
    }
  }
  return out;
}
