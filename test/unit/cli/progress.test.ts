// `run --wait`'s status line: the current step, its elapsed time, its next check and
// its wait's deadline; redrawn in place on a terminal, plain lines otherwise.
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { PLAIN_REPEAT_MS, progress, StatusLine } from '../../../src/cli/progress.js';
import { newItemState, newRunState, type RunState } from '../../../src/engine/state.js';

const T0 = Date.parse('2026-03-01T10:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();

function run(): RunState {
  const state = newRunState({
    id: 'r1',
    workflow: 'gpu-batch',
    definitionHash: 'h',
    trigger: 'manual',
    scheduledAt: null,
    inputs: {},
    now: T0,
    stepIds: ['box', 'job', 'teardown'],
  });
  state.status = 'waiting';
  state.started_at = iso(T0);
  state.steps['box']!.status = 'succeeded';
  const job = state.steps['job']!;
  job.status = 'waiting';
  job.attempts = 1;
  job.started_at = iso(T0 + 60_000);
  job.waiting_for = 'status stopped (now active)';
  job.wake_at = T0 + 70_000 + 10_000;
  return state;
}

function capture() {
  let text = '';
  const out = new Writable({
    write(chunk, _enc, done) {
      text += String(chunk);
      done();
    },
  });
  return { out, text: () => text };
}

describe('run --wait status line', () => {
  it("shows the waiting step, its elapsed time, the next check and the wait's deadline", () => {
    const state = run();
    (state.steps['job'] as { wait_deadline?: number }).wait_deadline = T0 + 60_000 + 6 * 3_600_000;
    expect(progress(state, T0 + 70_000)?.line).toBe(
      'job: waiting for status stopped (now active) · 10s so far · next check in 10s · wait deadline 16:01:00Z (in 5h59m50s)',
    );
  });

  it("falls back to the step's timeout, then the run's, when the wait has no deadline of its own", () => {
    const state = run();
    state.deadline_at = T0 + 8 * 3_600_000;
    expect(progress(state, T0 + 70_000)?.line).toMatch(/run timeout 18:00:00Z \(in 7h58m50s\)$/);
    state.steps['job']!.deadline_at = T0 + 3_600_000;
    expect(progress(state, T0 + 70_000)?.line).toMatch(/step timeout 11:00:00Z \(in 58m50s\)$/);
  });

  it('names the item of a for_each step and a retry in progress', () => {
    const state = run();
    const job = state.steps['job']!;
    job.status = 'running';
    job.items = [newItemState(0), newItemState(1), newItemState(2)];
    job.items[0]!.status = 'succeeded';
    job.items[1]!.status = 'waiting';
    job.items[1]!.attempts = 2;
    job.items[1]!.retry_pending = true;
    job.items[1]!.error = 'API answered 503';
    job.items[2]!.status = 'running';
    expect(progress(state, T0 + 70_000)?.what).toBe(
      'job[1] (+1 more) (attempt 2): retrying after: API answered 503',
    );
  });

  it('shows nothing when no step is running or waiting', () => {
    const state = run();
    state.steps['job']!.status = 'succeeded';
    expect(progress(state, T0)).toBeUndefined();
  });

  it('redraws one line in place on a terminal', () => {
    const { out, text } = capture();
    const line = new StatusLine(out, true);
    line.update(run(), T0 + 70_000);
    line.update(run(), T0 + 71_000);
    line.clear();
    expect(text().split('\r\u001b[2K')).toEqual([
      '',
      `… ${progress(run(), T0 + 70_000)!.line}`,
      `… ${progress(run(), T0 + 71_000)!.line}`,
      '',
    ]);
    expect(text()).not.toContain('\n');
  });

  it('prints a plain line when what is shown changes, and again after a quiet minute', () => {
    const { out, text } = capture();
    const line = new StatusLine(out, false);
    const state = run();
    line.update(state, T0 + 70_000);
    line.update(state, T0 + 75_000);
    state.steps['job']!.waiting_for = 'status stopped (now stopping)';
    line.update(state, T0 + 80_000);
    line.update(state, T0 + 80_000 + PLAIN_REPEAT_MS);
    const lines = text().trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^… job: waiting for status stopped \(now active\) · 10s so far/);
    expect(lines[1]).toMatch(/now stopping/);
    expect(lines[2]).toMatch(/1m20s so far/);
    expect(text()).not.toContain('\r');
  });
});
