import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration } from '../../../src/shared/duration.js';

describe('durations', () => {
  it.each([
    ['30s', 30_000],
    ['15m', 900_000],
    ['1h30m', 5_400_000],
    ['7d', 604_800_000],
    ['250ms', 250],
  ])('parses %s', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
    expect(parseDuration(formatDuration(ms))).toBe(ms);
  });

  it.each(['', '10', '1x', 'h', '-5m', '1.5h'])('rejects %j', (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });
});
