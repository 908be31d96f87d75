// Events carry the ISO time of their own transition, also when runs moving at other
// moments interleave (the last formatted time is reused only for the same millisecond).
import { expect, it } from 'vitest';
import { event } from '../../../src/engine/events.js';

it('stamps each event with its own time, whatever the order of the times', () => {
  const times = [1_000_000, 1_000_000, 1_000_001, 1_000_000, 86_400_000 * 365, 1_000_001];
  expect(times.map((t) => event('step.started', t, { step: 's' }).at)).toEqual(
    times.map((t) => new Date(t).toISOString()),
  );
  expect(event('run.succeeded', 1_000_000)).toEqual({
    type: 'run.succeeded',
    at: '1970-01-01T00:16:40.000Z',
  });
  expect(() => event('run.failed', Number.NaN)).toThrow(RangeError);
});
