// Preparing a task: a step whose `with` and `wait` hold no expression is checked once
// and its parameters shared by every run (frozen, so an action cannot change them for
// the next run); a step with an expression anywhere is evaluated for each run.
// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${{ }} is the workflow expression syntax
import { describe, expect, it } from 'vitest';
import { prepareTask, type RunState, type WaitDefaults } from '../../../src/engine/index.js';
import type { PreparedTask } from '../../../src/engine/task.js';
import { start, step, workflow } from './build.js';

const defaults: WaitDefaults = { pollMs: 1_000, timeoutMs: 60_000 };

const runOf = (
  def: ReturnType<typeof workflow>,
  id: string,
  inputs: Record<string, unknown> = {},
): RunState => start(def, 1_000_000, { id, inputs });

function prepared(def: ReturnType<typeof workflow>, state: RunState, waitDefaults = defaults): PreparedTask {
  const result = prepareTask(def, state, { stepId: 's' }, { token: 'secret-1' }, waitDefaults);
  if (!result.ok) throw new Error(result.message);
  return result.task;
}

describe('prepareTask', () => {
  it('checks the parameters of a step without expressions once, and shares them frozen', () => {
    const def = workflow({
      steps: [step('s', 'instances.list', { with: { region: 'NORD-NO-KRS-1', status: ['active'] } })],
    });
    const first = prepared(def, runOf(def, 'run-a'));
    const second = prepared(def, runOf(def, 'run-b'));
    expect(first.params).toEqual({ region: 'NORD-NO-KRS-1', status: ['active'] });
    expect(second.params).toBe(first.params);
    // The task itself is per run: its key names the run.
    expect([first.key, second.key]).toEqual(['run-a/s', 'run-b/s']);
    const params = first.params as { region: string; status: string[] };
    expect(() => {
      params.region = 'elsewhere';
    }).toThrow(TypeError);
    expect(() => params.status.push('stopped')).toThrow(TypeError);
    // The definition's own `with` stays as it was, unfrozen.
    expect(Object.isFrozen(def.steps[0]!.with)).toBe(false);
  });

  it('evaluates a step with an expression for each run', () => {
    const def = workflow({
      steps: [step('s', 'instance.stop', { with: { instance: '${{ inputs.box }}' } })],
    });
    expect(prepared(def, runOf(def, 'run-a', { box: 'box-a' })).params).toEqual({ instance: 'box-a' });
    expect(prepared(def, runOf(def, 'run-b', { box: 'box-b' })).params).toEqual({ instance: 'box-b' });
  });

  it('evaluates a step for each run when only its wait holds an expression', () => {
    const def = workflow({
      steps: [
        step('s', 'instance.stop', {
          with: { instance: 'box' },
          wait: { timeout: '${{ inputs.timeout }}' },
        }),
      ],
    });
    expect(prepared(def, runOf(def, 'run-a', { timeout: '5m' })).wait?.timeoutMs).toBe(300_000);
    expect(prepared(def, runOf(def, 'run-b', { timeout: '10s' })).wait?.timeoutMs).toBe(10_000);
  });

  it('resolves a constant wait with the defaults it is given', () => {
    const def = workflow({ steps: [step('s', 'instance.stop', { with: { instance: 'box' } })] });
    const state = runOf(def, 'run-a');
    expect(prepared(def, state).wait).toEqual({ statuses: ['stopped'], timeoutMs: 60_000, pollMs: 1_000 });
    const other = { pollMs: 5_000, timeoutMs: 600_000 };
    expect(prepared(def, state, other).wait).toEqual({
      statuses: ['stopped'],
      timeoutMs: 600_000,
      pollMs: 5_000,
    });
  });

  it('fails each task of a constant step whose parameters do not pass the check', () => {
    const def = workflow({ steps: [step('s', 'instance.stop', { with: { instance: 42 } })] });
    for (const id of ['run-a', 'run-b']) {
      const result = prepareTask(def, runOf(def, id), { stepId: 's' }, {}, defaults);
      expect(result.ok).toBe(false);
      expect(!result.ok && result.message).toMatch(/^with\.instance: /);
    }
  });
});
