// The run owns what its steps create: a create that fails or is cancelled still says
// which box it made, and after finally the engine's own cleanup step deletes a box
// nothing else deleted, unless it is kept.
import { describe, expect, it } from 'vitest';
import { CLEANUP_STEP_ID } from '../../../src/engine/index.js';
import type { TaskIO } from '../../../src/engine/index.js';
import { drive, fail, ok, start, step, workflow } from './build.js';

const CREATE = { name: 'batch-1', type: 't', region: 'r', image: 'i', password: 'x' };
const box = (extra = {}) => step('box', 'instance.create', { with: CREATE, ...extra });

/** What instance.create reports as it goes: the intent, then the answer. */
function created(io: TaskIO, id: string): void {
  io.track({
    kind: 'instance',
    name: 'batch-1',
    name_hash: 'h',
    state: 'pending',
    intent_at: 1,
    keep: false,
  });
  io.track({ kind: 'instance', id, state: 'live' });
}

describe('engine: what a run creates', () => {
  it('a create that fails after its box exists still exposes outputs.instance for finally', async () => {
    const def = workflow({ steps: [box()], finally: [step('teardown')] });
    const state = start(def);
    let seenByTeardown: unknown;
    await drive(def, state, (id, _i, s, io) => {
      if (id === 'box') {
        created(io, 'i-1');
        return fail('instance i-1 went to status error');
      }
      if (id === 'teardown') seenByTeardown = s.steps['box']!.outputs;
      if (id === 'teardown') io.released('instance', 'i-1');
      return ok();
    });
    expect(seenByTeardown).toEqual({ instance: { id: 'i-1', name: 'batch-1' } });
    expect(state.status).toBe('failed');
    expect(state.steps[CLEANUP_STEP_ID]).toBeUndefined(); // finally deleted it: nothing left to do
  });

  it('a box nothing deleted is deleted by the engine cleanup step after finally', async () => {
    const def = workflow({ steps: [box(), step('after')] });
    const state = start(def);
    const { executed } = await drive(def, state, (id, _i, _s, io) => {
      if (id === 'box') created(io, 'i-2');
      return ok();
    });
    expect(executed).toEqual(['box', 'after', CLEANUP_STEP_ID]);
    expect(state.status).toBe('succeeded');
  });

  it('a cancel during the create still knows the box, and cleanup gets it', async () => {
    const def = workflow({ steps: [box()] });
    const state = start(def);
    const { executed } = await drive(
      def,
      state,
      (id, _i, _s, io) => {
        if (id !== 'box') return ok();
        created(io, 'i-3');
        return { type: 'wait', cursor: {}, wakeAt: 1_000_000 + 3_600_000 };
      },
      { cancelAt: 1_000_500 },
    );
    expect(state.status).toBe('cancelled');
    expect(state.steps['box']!.outputs).toEqual({ instance: { id: 'i-3', name: 'batch-1' } });
    expect(executed).toEqual(['box', CLEANUP_STEP_ID]);
  });

  it('leaves kept boxes alone, and every box when the workflow opts out', async () => {
    for (const def of [
      workflow({ steps: [box({ keep: true })] }),
      workflow({ auto_cleanup: false, steps: [box()] }),
    ]) {
      const state = start(def);
      const { executed } = await drive(def, state, (id, _i, _s, io) => {
        if (id === 'box') {
          created(io, 'i-4');
          if (def.auto_cleanup !== false) io.track({ kind: 'instance', keep: true });
        }
        return ok();
      });
      expect(executed).toEqual(['box']);
    }
  });

  it('a cleanup that cannot delete the box fails the run and names the janitor', async () => {
    const def = workflow({ steps: [box()] });
    const state = start(def);
    await drive(def, state, (id, _i, _s, io) => {
      if (id === 'box') created(io, 'i-5');
      return id === CLEANUP_STEP_ID ? fail('DELETE answered 500') : ok();
    });
    expect(state.status).toBe('failed');
    expect(state.error).toMatch(
      /could not delete what the run left behind: DELETE answered 500.*gcflow janitor/,
    );
  });
});
