// What a status seen now proves about the statuses a poll missed: the table every
// wait reads (src/genesis/statuses.ts).
import { describe, expect, it } from 'vitest';
import { canStillReach, GONE, passedThrough } from '../../../src/genesis/statuses.js';

describe('passedThrough: a later status proves an unseen one', () => {
  it.each([
    // origin, target, seen, requests, proven
    ['creating', 'active', 'stopping', [], true],
    ['creating', 'active', 'stopped', [], true], // the job powered the box off between two polls
    ['creating', 'active', 'deleting', [], true], // destroy_on_shutdown: it booted, powered off, went
    ['creating', 'active', 'error', [], false],
    ['creating', 'active', 'creating', [], false],
    ['creating', 'active', 'enqueued', [], false], // unknown legacy status: proves nothing
    ['stopped', 'active', 'stopping', ['start'], true], // started, then powered off again
    ['stopped', 'active', 'stopped', ['start'], false], // the start may not have begun yet
    ['stopped', 'active', 'starting', ['start'], false],
    ['active', 'stopped', 'starting', ['stop'], true], // stopped, then started by a person between two polls
    ['stopping', 'stopped', 'starting', ['stop'], true], // starting only ever follows stopped
    ['active', 'stopped', 'resetting', ['stop'], false], // a reset never passes through stopped
    ['creating', 'active', 'stopped', ['delete'], true], // the create's own rule still holds beside it
    ['stopped', 'active', 'stopped', [], false], // nothing moved it: proves nothing
    ['active', 'active', 'stopped', ['reset'], false], // origin is the target: nothing to prove
  ] as const)(
    'from %s waiting for %s, seeing %s (requests %j): %s',
    (origin, target, seen, requests, proven) => {
      expect(passedThrough({ origin, target, seen, requests })).toBe(proven);
    },
  );
});

describe('canStillReach: a wait that can never end fails at once', () => {
  it.each([
    ['deleting', 'stopped', false],
    [GONE, 'active', false],
    ['deleting', GONE, true],
    ['active', 'stopped', true],
    ['error', 'stopped', true], // a stop request can still get it there
    ['stopped', 'active', true],
    ['shutoff', 'active', true], // legacy statuses may lead anywhere
  ] as const)('%s -> %s: %s', (seen, target, reachable) => {
    expect(canStillReach(seen, target)).toBe(reachable);
  });
});
