// The four overlap policies with runs (5 s of sleep) that outlast their interval
// (a fire every 2 s): one replica with run workers and the concurrency gate.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isTerminalRun } from '../../../src/engine/state.js';
import type { RunView } from '../../../src/runs/service.js';
import { type Harness, type Replica, startHarness, until } from './harness.js';

const workflow = (name: string, overlap: string) => `
name: ${name}
triggers:
  - cron: "*/2 * * * * *"
concurrency: { group: ${name}, overlap: ${overlap} }
steps:
  - id: work
    uses: sleep
    with: { duration: 5s }
finally:
  - id: cleanup
    uses: sleep
    with: { duration: 10ms }
`;

const POLICIES = ['skip', 'queue', 'cancel_running', 'allow'] as const;
const nameOf = (p: string) => `ov-${p.replace('_', '-')}`;

/** Whether two runs were executing at the same time. */
const overlapping = (a: RunView, b: RunView): boolean =>
  Date.parse(a.started_at!) < Date.parse(b.finished_at!) &&
  Date.parse(b.started_at!) < Date.parse(a.finished_at!);
const anyOverlap = (runs: RunView[]) => runs.some((a, i) => runs.slice(i + 1).some((b) => overlapping(a, b)));

describe('overlap policies with runs that outlast their interval', () => {
  let h: Harness;
  let replica: Replica;
  const runs = new Map<string, RunView[]>();

  beforeAll(async () => {
    h = await startHarness(Object.fromEntries(POLICIES.map((p) => [`${p}.yaml`, workflow(nameOf(p), p)])));
    replica = await h.replica({ workers: true });
    // Long enough for three fires to meet a run still going (slots at 0, 2, 4, 6, 8 s of a 5 s run).
    await until(
      async () => ((await h.runs(nameOf('skip'))).some((r) => r.status === 'succeeded') ? true : undefined),
      20_000,
      'the first skip-policy run to finish',
    );
    await until(
      async () => ((await h.runs(nameOf('allow'))).length >= 4 ? true : undefined),
      20_000,
      '4 allow runs',
    );
    await replica.scheduler.close(); // no more fires; let the started runs end
    for (const p of POLICIES) {
      runs.set(
        p,
        await until(
          async () => {
            const list = await h.runs(nameOf(p));
            return list.every(isTerminalRun) ? list : undefined;
          },
          30_000,
          `every ${p} run to end`,
        ),
      );
    }
  }, 90_000);
  afterAll(() => h?.close());

  const skipsOf = (p: string) =>
    replica.outcomes.filter((o) => o.type === 'skipped' && o.runId.startsWith(`${nameOf(p)}-`));

  it('skip: never runs two at once and records the skipped slots', () => {
    const list = runs.get('skip')!;
    expect(list.length).toBeGreaterThanOrEqual(1);
    expect(anyOverlap(list)).toBe(false);
    expect(list.every((r) => r.status === 'succeeded')).toBe(true);
    expect(skipsOf('skip').length).toBeGreaterThanOrEqual(2);
    expect(replica.metrics.skips.filter((s) => s.workflow === nameOf('skip'))).toEqual(
      skipsOf('skip').map(() => ({ workflow: nameOf('skip'), reason: 'overlap_skip' })),
    );
    expect(h.logs.some((l) => l.includes('skipped a schedule slot: overlap skip'))).toBe(true);
  });

  it('queue: the next run waits for the running one; at most one waits, the rest are skipped', () => {
    const list = runs.get('queue')!;
    expect(list.length).toBeGreaterThanOrEqual(2);
    expect(anyOverlap(list)).toBe(false);
    expect(list.every((r) => r.status === 'succeeded')).toBe(true);
    // The second was created 2 s after the first but started only when the first ended.
    const [first, second] = list;
    expect(Date.parse(second!.created_at)).toBeLessThan(Date.parse(first!.finished_at!));
    expect(Date.parse(second!.started_at!)).toBeGreaterThanOrEqual(Date.parse(first!.finished_at!));
    expect(skipsOf('queue').length).toBeGreaterThanOrEqual(1);
  });

  it('cancel_running: each fire cancels the run still going (its finally steps run) and starts a new one', () => {
    const list = runs.get('cancel_running')!;
    expect(list.length).toBeGreaterThanOrEqual(3);
    const cancelled = list.filter((r) => r.status === 'cancelled');
    expect(cancelled.length).toBeGreaterThanOrEqual(2);
    for (const run of cancelled) {
      expect(run.steps.find((s) => s.id === 'work')!.status).toBe('cancelled');
      expect(run.steps.find((s) => s.id === 'cleanup')!.status).toBe('succeeded');
    }
    expect(skipsOf('cancel_running')).toHaveLength(0);
  });

  it('allow: starts every slot, runs overlap', () => {
    const list = runs.get('allow')!;
    expect(list.length).toBeGreaterThanOrEqual(4);
    expect(anyOverlap(list)).toBe(true);
    expect(list.every((r) => r.status === 'succeeded')).toBe(true);
    expect(skipsOf('allow')).toHaveLength(0);
  });
});
