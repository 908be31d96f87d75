import { describe, expect, it } from 'vitest';
import { advance, applyOutcome, retryDelayMs } from '../../../src/engine/index.js';
import { drive, fail, ok, start, step, workflow } from './build.js';

describe('engine: sequencing', () => {
  it('runs main steps in order, then finally, and succeeds', async () => {
    const def = workflow({
      steps: [step('a'), step('b')],
      finally: [step('z')],
      on_failure: [step('alert')],
    });
    const state = start(def);
    const { executed } = await drive(def, state, (id) => ok({ from: id }));
    expect(executed).toEqual(['a', 'b', 'z']);
    expect(state.status).toBe('succeeded');
    expect(state.steps['a']!.outputs).toEqual({ from: 'a' });
    expect(state.steps['alert']!.status).toBe('skipped');
    expect(state.finished_at).not.toBeNull();
  });

  it('skips a step whose `if` is false and lets later steps see its status', async () => {
    const def = workflow({
      steps: [
        step('a', 'instances.list', { if: "${{ inputs.go == 'yes' }}" }),
        step('b', 'instances.list', { if: "${{ steps.a.status == 'skipped' }}" }),
      ],
    });
    const state = start(def);
    const { executed } = await drive(def, state, () => ok());
    expect(executed).toEqual(['b']);
    expect(state.steps['a']!.status).toBe('skipped');
    expect(state.status).toBe('succeeded');
  });

  it('on a failed step skips the rest, runs on_failure then finally, and fails the run with the error', async () => {
    const def = workflow({
      steps: [step('a'), step('b'), step('c')],
      on_failure: [step('alert')],
      finally: [step('z')],
    });
    const state = start(def);
    const { executed } = await drive(def, state, (id) => (id === 'b' ? fail('quota exceeded') : ok()));
    expect(executed).toEqual(['a', 'b', 'alert', 'z']);
    expect(state.status).toBe('failed');
    expect(state.error).toBe('step b failed: quota exceeded');
    expect(state.steps['c']!.status).toBe('skipped');
  });

  it('continues past a failed step marked continue_on_error', async () => {
    const def = workflow({ steps: [step('a', 'instances.list', { continue_on_error: true }), step('b')] });
    const state = start(def);
    await drive(def, state, (id) => (id === 'a' ? fail() : ok()));
    expect(state.steps['a']!.status).toBe('failed');
    expect(state.status).toBe('succeeded');
  });

  it('a failing finally step fails an otherwise successful run but the other finally steps still run', async () => {
    const def = workflow({ steps: [step('a')], finally: [step('y'), step('z')] });
    const state = start(def);
    const { executed } = await drive(def, state, (id) => (id === 'y' ? fail('delete refused') : ok()));
    expect(executed).toEqual(['a', 'y', 'z']);
    expect(state.status).toBe('failed');
    expect(state.error).toBe('finally step y failed: delete refused');
  });
});

describe('engine: waiting and retries', () => {
  it('parks until the wake time an action asks for, holding nothing', async () => {
    const def = workflow({ steps: [step('w', 'instance.wait')] });
    const state = start(def);
    advance({ def, state, now: 1000, secrets: {}, cancel: null });
    applyOutcome(
      def,
      state,
      { stepId: 'w' },
      { type: 'wait', cursor: { n: 1 }, wakeAt: 6000, waitingFor: 'status active' },
      1000,
    );
    const { decision } = advance({ def, state, now: 1001, secrets: {}, cancel: null });
    expect(decision).toEqual({ type: 'park', until: 6000 });
    expect(state.steps['w']!.status).toBe('waiting');
    const woken = advance({ def, state, now: 6000, secrets: {}, cancel: null });
    expect(woken.decision).toEqual({ type: 'execute', tasks: [{ stepId: 'w' }] });
    expect(state.steps['w']!.cursor).toEqual({ n: 1 });
    expect(state.steps['w']!.attempts).toBe(1);
  });

  it('retries a retryable failure after the backoff, counting attempts, then succeeds', async () => {
    const retry = { attempts: 3, backoff: 'exponential' as const, delay: '10s', max_delay: '5m', jitter: 0 };
    const def = workflow({ steps: [step('a', 'instances.list', { retry })] });
    const state = start(def);
    let calls = 0;
    const { parks } = await drive(def, state, () => (++calls < 3 ? fail('503', true) : ok()));
    expect(calls).toBe(3);
    expect(state.steps['a']!.attempts).toBe(3);
    expect(state.status).toBe('succeeded');
    expect(parks[1]! - parks[0]!).toBeGreaterThanOrEqual(20_000); // 10 s, then 20 s
  });

  it('fails fast on a non-retryable error even with retries left', async () => {
    const def = workflow({
      steps: [
        step('a', 'instances.list', {
          retry: { attempts: 5, backoff: 'fixed', delay: '1s', max_delay: '1s', jitter: 0 },
        }),
      ],
    });
    const state = start(def);
    let calls = 0;
    await drive(def, state, () => {
      calls++;
      return fail('400 bad image');
    });
    expect(calls).toBe(1);
    expect(state.status).toBe('failed');
  });

  it('honours Retry-After as a floor for the backoff', async () => {
    expect(retryDelayMs({ delay: '1s', backoff: 'fixed', jitter: 0 }, 1, () => 0, 30_000)).toBe(30_000);
    expect(
      retryDelayMs({ delay: '10s', backoff: 'exponential', max_delay: '15s', jitter: 0 }, 3, () => 0),
    ).toBe(15_000);
    const jittered = retryDelayMs({ delay: '10s', backoff: 'fixed', jitter: 0.5 }, 1, () => 1);
    expect(jittered).toBe(5_000);
  });
});

describe('engine: for_each', () => {
  it('runs items at most max_parallel at a time and gathers their outputs', async () => {
    const def = workflow({
      steps: [
        step('each', 'instance.stop', { for_each: '${{ fromJSON(\'["a","b","c"]\') }}', max_parallel: 2 }),
      ],
    });
    const state = start(def);
    const { batches } = await drive(def, state, (_id, index) => ok({ n: index }));
    expect(batches[0]!.map((t) => t.index)).toEqual([0, 1]);
    expect(state.steps['each']!.outputs).toEqual({ items: [{ n: 0 }, { n: 1 }, { n: 2 }], count: 3 });
    expect(state.status).toBe('succeeded');
  });

  it('tries every item, then fails the step when one failed', async () => {
    const def = workflow({ steps: [step('each', 'instance.stop', { for_each: ['a', 'b', 'c'] })] });
    const state = start(def);
    const { executed } = await drive(def, state, (_id, index) => (index === 1 ? fail('409') : ok()));
    expect(executed).toEqual(['each[0]', 'each[1]', 'each[2]']);
    expect(state.steps['each']!.status).toBe('failed');
    expect(state.error).toMatch(/1 of 3 items failed; item 1: 409/);
  });

  it('fails a step whose for_each is not a list', async () => {
    const def = workflow({ steps: [step('each', 'instance.stop', { for_each: '${{ inputs.missing }}' })] });
    const state = start(def);
    await drive(def, state, () => ok());
    expect(state.steps['each']!.error).toMatch(/for_each must give a list/);
  });
});

describe('engine: cancel and timeouts', () => {
  /** A run waiting an hour in `w` when the request `kind` arrives. */
  const interrupted = async (kind: 'cancel' | 'gave_up') => {
    const def = workflow({
      steps: [step('w', 'instance.wait'), step('after')],
      on_failure: [step('alert')],
      finally: [step('z')],
    });
    const state = start(def);
    const { executed } = await drive(
      def,
      state,
      (id) => (id === 'w' ? { type: 'wait', cursor: {}, wakeAt: 1_000_000 + 3_600_000 } : ok()),
      { cancelAt: 1_000_500, cancelKind: kind },
    );
    return { state, executed };
  };

  it('cancel ends the main steps, skips on_failure, runs finally, and ends cancelled', async () => {
    const { state, executed } = await interrupted('cancel');
    expect(executed[executed.length - 1]).toBe('z');
    expect(executed).not.toContain('alert');
    expect(state.status).toBe('cancelled');
    expect(state.steps['w']!.status).toBe('cancelled');
    expect(state.steps['after']!.status).toBe('skipped');
  });

  it('giving up ends the main steps, fails the run with the reason, then on_failure and finally run', async () => {
    const { state, executed } = await interrupted('gave_up');
    expect(executed.slice(-2)).toEqual(['alert', 'z']);
    expect(state.status).toBe('failed');
    expect(state.error).toBe('test');
    expect(state.steps['w']!.status).toBe('cancelled');
    expect(state.steps['after']!.status).toBe('skipped');
  });

  it('the run timeout fails the run, then on_failure and finally run', async () => {
    const def = workflow({
      timeout: '1h',
      steps: [step('w', 'instance.wait')],
      on_failure: [step('alert')],
      finally: [step('z')],
    });
    const state = start(def);
    state.deadline_at = 1_000_000 + 3_600_000;
    const { executed } = await drive(def, state, (id) =>
      id === 'w' ? { type: 'wait', cursor: {}, wakeAt: 1_000_000 + 7_200_000 } : ok(),
    );
    expect(executed).toEqual(['w', 'alert', 'z']);
    expect(state.status).toBe('failed');
    expect(state.error).toBe('run timed out after 1h');
  });

  it('a step timeout fails the step when its deadline passes while waiting', async () => {
    const def = workflow({ steps: [step('w', 'instance.wait', { timeout: '10m' })] });
    const state = start(def);
    await drive(def, state, () => ({ type: 'wait', cursor: {}, wakeAt: 1_000_000 + 3_600_000 }));
    expect(state.steps['w']!.status).toBe('failed');
    expect(state.steps['w']!.error).toBe('timed out after 10m');
  });

  it('an aborted task is not a failure: it runs again unless cancel or a deadline ended it', async () => {
    const def = workflow({ steps: [step('a')] });
    const state = start(def);
    let calls = 0;
    await drive(def, state, () =>
      ++calls === 1
        ? { type: 'error', code: 'E_ABORTED', message: 'interrupted', retryable: false, aborted: true }
        : ok(),
    );
    expect(calls).toBe(2);
    expect(state.status).toBe('succeeded');
  });
});
