// A fire's job id names its scheduler and slot (`repeat:<scheduler>:<ms>`); the fire
// take-over reads the fires a worker holds from their ids alone.
import { describe, expect, it } from 'vitest';
import { fireOfJobId } from '../../../src/queue/triggers.js';

describe('fireOfJobId', () => {
  it('reads the scheduler (which holds colons) and the slot', () => {
    expect(fireOfJobId('repeat:nightly:0:1764460800000')).toEqual({ id: 'nightly:0', slotMs: 1764460800000 });
    expect(fireOfJobId('repeat:a:b:c:12')).toEqual({ id: 'a:b:c', slotMs: 12 });
  });

  it('is undefined for any other job id', () => {
    for (const id of [
      '',
      'repeat:',
      'repeat::5',
      'repeat:x',
      'repeat:x:',
      'repeat:x:abc',
      'repeat:x:-5',
      'run-1',
      'x:y:5',
    ])
      expect(fireOfJobId(id), id).toBeUndefined();
  });
});
