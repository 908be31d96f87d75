// A trigger registration is read back by whichever gcflow runs after a deploy: a
// record of the previous shape (v1: the catch-up window as text only) is migrated
// to the window in ms, and a record whose window is no duration is refused by key.
import { describe, expect, it } from 'vitest';
import { registrationRecord } from '../../../src/scheduler/records.js';

const V1 = {
  v: 1,
  id: 'nightly:0',
  workflow: 'nightly',
  trigger: 0,
  cron: '30 2 * * *',
  timezone: 'Europe/Berlin',
  inputs: {},
  catch_up: 'last',
  catch_up_window: '90m',
  key: 'k',
  definitionHash: 'h',
  registeredAt: 1_700_000_000_000,
};

describe('trigger registration record', () => {
  it('migrates a v1 record: the window text becomes ms', () => {
    const read = registrationRecord.decode(JSON.stringify(V1), 'gcflow:sched:registered[nightly:0]');
    expect(read.catchUpWindowMs).toBe(90 * 60_000);
    expect(read.catch_up_window).toBe('90m');
  });

  it('writes the current version and reads it back unchanged', () => {
    const read = registrationRecord.decode(JSON.stringify(V1), 'k');
    const again = registrationRecord.decode(registrationRecord.encode(read), 'k');
    expect(again).toEqual(read);
    expect(JSON.parse(registrationRecord.encode(read)).v).toBe(registrationRecord.version);
  });

  it('refuses a v1 record whose window is no duration, naming the key', () => {
    const bad = JSON.stringify({ ...V1, catch_up_window: 'soon' });
    expect(() => registrationRecord.decode(bad, 'gcflow:sched:registered[nightly:0]')).toThrow(
      /gcflow:sched:registered\[nightly:0\]/,
    );
  });
});
