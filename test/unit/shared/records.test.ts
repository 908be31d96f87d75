// Records read back from Redis are decoded with their schema and version: an older
// shape is migrated, a newer or malformed one refused naming the key.
import { describe, expect, it } from 'vitest';
import { newRunState } from '../../../src/engine/state.js';
import { runStateRecord } from '../../../src/runs/records.js';

const KEY = 'gcflow:run:wf-abc';

function current() {
  return newRunState({
    id: 'wf-abc',
    workflow: 'wf',
    definitionHash: 'h',
    trigger: 'manual',
    scheduledAt: null,
    inputs: { a: 1 },
    now: 1_700_000_000_000,
    stepIds: ['box'],
  });
}

describe('run state records', () => {
  it('round-trips the current shape with its version', () => {
    const state = current();
    const json = runStateRecord.encode(state);
    expect(JSON.parse(json).v).toBe(runStateRecord.version);
    expect(runStateRecord.decode(json, KEY)).toEqual(state);
  });

  it('reads a record of the previous shape (no version, no resources) as the current one', () => {
    const { resources: _, ...previous } = current();
    const decoded = runStateRecord.decode(JSON.stringify(previous), KEY);
    expect(decoded.resources).toEqual([]);
    expect(decoded.steps['box']!.status).toBe('pending');
  });

  it('refuses a record written by a newer gcflow, naming the key', () => {
    const json = JSON.stringify({ ...current(), v: 9 });
    expect(() => runStateRecord.decode(json, KEY)).toThrowError(
      expect.objectContaining({ code: 'E_RECORD_VERSION', message: expect.stringContaining(KEY) }),
    );
  });

  it('refuses a record of the wrong shape, saying where', () => {
    const json = runStateRecord.encode({ ...current(), status: 'sleeping' as 'queued' });
    expect(() => runStateRecord.decode(json, KEY)).toThrowError(
      expect.objectContaining({
        code: 'E_RECORD_INVALID',
        message: expect.stringMatching(/gcflow:run:wf-abc.*status/),
      }),
    );
  });

  it('refuses text that is not JSON', () => {
    expect(() => runStateRecord.decode('{"v":1,', KEY)).toThrowError(
      expect.objectContaining({ code: 'E_RECORD_INVALID' }),
    );
  });
});
