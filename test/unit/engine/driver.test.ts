// The driver's rules on writes. Shutdown: a turn sleeps short waits in-process (polls
// every 100 ms of a box that never comes up would hold it forever), but once the process
// is stopping it parks at its next wait, with the state written, so the shutdown is not
// held. Checkpoints: every outcome is written before a step that acts starts.
import { describe, expect, it } from 'vitest';
import type { WorkflowDefinition } from '../../../src/dsl/types.js';
import { driveRun, type RunEvent, type RunState } from '../../../src/engine/index.js';
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

// Reads in a row share a write: a crash repeats only reads, never an action, and never
// more than READ_WRITE_LAG_MS of them.
describe('when outcomes are written', () => {
  /** Drives `def`; for each task, the steps whose success was written before it started. */
  async function writesBefore(
    def: WorkflowDefinition,
    options: { msPerTask?: number; crashAt?: string; state?: RunState } = {},
  ) {
    const state = options.state ?? start(def);
    let now = 1_000_000;
    const written: string[] = [];
    const seen: Record<string, string[]> = {};
    let writes = 0;
    let stored = structuredClone(state);
    const run = driveRun({
      def,
      state,
      now: () => now,
      sleep: async (ms) => {
        now += ms;
      },
      execute: async (task) => {
        const id = task.ref.stepId;
        seen[id] = [...written];
        if (id === options.crashAt) throw new Error('Redis is gone: the turn ends like a crash');
        now += options.msPerTask ?? 5;
        return { type: 'done', outputs: { at: now } };
      },
      persist: async (s, events) => {
        writes += 1;
        stored = structuredClone(s);
        for (const e of events) if (e.type === 'step.succeeded' && e.step) written.push(e.step);
      },
      cancel: { signal: new AbortController().signal, current: () => null },
      secrets: () => ({}),
      waitDefaults: { pollMs: 100, timeoutMs: 3_600_000 },
      log: quiet,
    });
    const result = await run.catch((err: Error) => err);
    return { result, seen, writes: () => writes, stored: () => stored };
  }

  it('lets reads in a row share one write', async () => {
    const def = workflow({ steps: ['a', 'b', 'c', 'd', 'e'].map((id) => step(id, 'instances.list')) });
    const { result, seen, writes } = await writesBefore(def);
    expect(result).toEqual({ type: 'complete', outcome: 'succeeded' });
    expect(seen['e']).toEqual([]);
    expect(writes()).toBe(1);
  });

  it('writes every earlier outcome before a step that acts starts, and its own before the next read', async () => {
    const def = workflow({
      steps: [
        step('a', 'instances.list'),
        step('b', 'instance.get', { with: { instance: 'box' } }),
        step('stop', 'instance.stop'),
        step('c'),
      ],
    });
    const { seen } = await writesBefore(def);
    expect(seen['b']).toEqual([]);
    expect(seen['stop']).toEqual(['a', 'b']);
    expect(seen['c']).toEqual(['a', 'b', 'stop']);
  });

  it('writes reads at least once a second', async () => {
    const def = workflow({ steps: ['a', 'b', 'c', 'd'].map((id) => step(id, 'instances.list')) });
    const { seen } = await writesBefore(def, { msPerTask: 400 });
    // a and b end 800 ms after the turn began; c's end is past the second.
    expect(seen['c']).toEqual([]);
    expect(seen['d']).toEqual(['a', 'b', 'c']);
  });

  it('after a crash between reads, repeats only the reads since the last write', async () => {
    const def = workflow({
      steps: [step('stop', 'instance.stop'), step('a', 'instances.list'), step('b', 'instances.list')],
    });
    const first = await writesBefore(def, { crashAt: 'b' });
    expect(first.result).toBeInstanceOf(Error);
    // The next turn starts from what was written: the stop's outcome, not a's.
    const next = await writesBefore(def, { state: first.stored() });
    expect(next.result).toEqual({ type: 'complete', outcome: 'succeeded' });
    expect(Object.keys(next.seen)).toEqual(['a', 'b']);
  });
});
