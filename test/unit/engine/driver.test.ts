// The driver's shutdown rule: a turn sleeps short waits in-process (polls every 100 ms
// of a box that never comes up would hold it forever), but once the process is
// stopping it parks at its next wait, with the state written, so the shutdown is not held.
import { expect, it } from 'vitest';
import { driveRun, type RunEvent } from '../../../src/engine/index.js';
import { start, step, workflow } from './build.js';

const quiet = { debug() {}, info() {}, warn() {}, error() {}, child: () => quiet };

it('parks at the next wait once stopping, instead of sleeping it in-process', async () => {
  const def = workflow({ steps: [step('box', 'instance.wait')] });
  const state = start(def);
  let now = 1_000_000;
  let polls = 0;
  let stopping = false;
  const slept: number[] = [];
  const written: RunEvent[] = [];
  const result = await driveRun({
    def,
    state,
    now: () => now,
    sleep: async (ms) => {
      slept.push(ms);
      now += ms;
    },
    execute: async () => {
      polls += 1;
      // Without the rule the turn goes on polling: the box comes up at the sixth poll.
      if (polls === 6) return { type: 'done', outputs: {} };
      // The shutdown begins during the third poll.
      if (polls === 3) stopping = true;
      return { type: 'wait', cursor: { polls }, wakeAt: now + 100 };
    },
    persist: async (_, events) => {
      written.push(...events);
    },
    cancel: { signal: new AbortController().signal, current: () => null },
    secrets: () => ({}),
    waitDefaults: { pollMs: 100, timeoutMs: 3_600_000 },
    log: quiet,
    stopping: () => stopping,
  });
  expect(slept).toEqual([100, 100]);
  expect(polls).toBe(3);
  expect(result).toEqual({ type: 'park', until: now + 100 });
  expect(state.status).toBe('waiting');
  expect(state.steps['box']!.cursor).toEqual({ polls: 3 });
  expect(written.map((e) => e.type)).toContain('run.started');
});
