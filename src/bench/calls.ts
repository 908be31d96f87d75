// Benchmark: API calls per job against the fewest the API allows (issue 13). Each of the
// three shipped example workflows (workflows/*.yaml, unchanged) runs with real workers
// against the simulator: office-hours stopping 100 active boxes, nightly-snapshots of
// 100 boxes (each with two older nightly snapshots), gpu-batch on its one box (the
// bench plays the box as `gcflow dev` does: it POSTs the job's report to the report
// route once the box is active). The simulator's recorded calls are counted.
//
// The minimum ("calls strictly needed") is derived from the API alone:
// - a list costs ceil(items / 100) pages (per_page at most 100);
// - every box to change costs its one action (POST), every snapshot its one POST,
//   every snapshot retention deletes its one DELETE;
// - a wait costs one look per poll interval while it lasts: the cheaper of one sweep of
//   the list (its pages) and one GET per unit waiting (max_parallel of them);
//   the poll intervals are counted over the wait's measured span (from the first
//   action sent to the step's end), at least one look per wait.
// The formula of each row is printed in its metric text.
//
// Each workflow is measured alone: its run starts once the process's shared readers no
// longer count the previous run's demand (instances it watched, snapshots it asked for).
// Right after nightly-snapshots' 100 boxes, gpu-batch's one box would be read with them
// (one sweep of the list's pages, not one GET): calls the previous run's demand caused.
import { readFileSync } from 'node:fs';
import { SNAPSHOT_ASK_WINDOW_MS } from '../actions/index.js';
import { startWorkers } from '../daemon/services.js';
import { reportRoutes } from '../daemon/http/report.js';
import { parseWorkflow } from '../dsl/index.js';
import type { WorkflowDefinition } from '../dsl/types.js';
import { isTerminalRun } from '../engine/state.js';
import { createGenesisClient, createRateLimiter, type GenesisClient } from '../genesis/index.js';
import type { RunView } from '../runs/service.js';
import type { Call } from '../simulator/calls.js';
import type { BenchEnv } from './env.js';
import { type BenchRow, fmt } from './table.js';

const POLL_MS = 500;
const TRANSITION_MS = 1_500;
const TARGET = 1.2;
const PAGE = 100;

/**
 * How long the shared readers count a finished run's demand, at most (see "measured
 * alone" above): snapshot asks for SNAPSHOT_ASK_WINDOW_MS; a watched box for two of its
 * waiter's poll intervals (StatusReader.get's span).
 */
const QUIET_MS = Math.max(SNAPSHOT_ASK_WINDOW_MS, 2 * POLL_MS) + 500;

const pages = (items: number): number => Math.max(1, Math.ceil(items / PAGE));
/** Poll intervals a wait of `spanMs` spans; at least one look. */
const polls = (spanMs: number): number => Math.max(1, Math.ceil(spanMs / POLL_MS));

function workflow(file: string): WorkflowDefinition {
  const path = new URL(`../../workflows/${file}`, import.meta.url);
  const { definition, diagnostics } = parseWorkflow(readFileSync(path, 'utf8'), file);
  const errors = diagnostics.filter((d) => d.severity === 'error');
  if (!definition || errors.length > 0) throw new Error(`${file} is invalid: ${errors[0]?.message}`);
  return definition;
}

interface Measured {
  run: RunView;
  calls: Call[];
  wallMs: number;
}

export async function callsBench(env: BenchEnv, boxes = 100): Promise<BenchRow[]> {
  const sim = env.sim.simulator;
  sim.reset();
  sim.configure({ transition_ms: TRANSITION_MS, script_runtime_ms: 3_000, latency_ms: 0 });
  const client = createGenesisClient({
    baseUrl: env.sim.apiUrl,
    token: 'bench-token',
    rateLimiter: createRateLimiter({ ratePerSecond: 1_000_000, burst: 1_000_000 }),
  });
  const services = await env.open(`bench-calls-${Date.now()}`, (c) => {
    c.engine.poll_interval_ms = POLL_MS;
  });
  const workers = await startWorkers(services, { concurrency: 10 });
  const report = reportRoutes({
    reports: services.reports,
    store: services.store,
    queue: services.queue,
    clock: services.clock,
    logger: services.logger,
  });

  const runOnce = async (
    def: WorkflowDefinition,
    inputs: Record<string, unknown>,
    playBox = false,
  ): Promise<Measured> => {
    await new Promise((r) => setTimeout(r, QUIET_MS));
    sim.clearCalls();
    const started = Date.now();
    const { runId } = await services.runs.start({ def, inputs, trigger: 'manual' });
    const reported = new Set<string>();
    for (;;) {
      const run = await services.runs.get(runId);
      if (isTerminalRun(run)) {
        const calls = sim.calls().calls.filter((c) => c.path.startsWith('/compute/v1/'));
        return { run, calls, wallMs: Date.now() - started };
      }
      if (playBox) {
        for (const box of sim.state().instances) {
          if (box.status !== 'active' || reported.has(box.id)) continue;
          const path = /\/report\/[^\s'"]+/.exec(box.startup_script ?? '')?.[0];
          if (!path) continue;
          reported.add(box.id);
          await report.fetch(
            new Request(`http://bench${path.slice('/report'.length)}`, {
              method: 'POST',
              headers: { 'content-type': 'application/json' },
              body: JSON.stringify({ status: 'succeeded', exit_code: 0, output: 'bench\n' }),
            }),
          );
        }
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  };

  try {
    const rows: BenchRow[] = [];
    const keys = await client.sshKeys.list();
    const fleet = async (prefix: string) => {
      const ids: string[] = [];
      for (let i = 0; i < boxes; i++) {
        const name = `${prefix}-${String(i).padStart(3, '0')}`;
        const box = await client.instances.create({
          name,
          hostname: name,
          type: 'vcpu-2_memory-4g',
          region: 'NORD-NO-KRS-1',
          image: 'ubuntu-22.04',
          ssh_keys: [keys[0]!.id],
        });
        ids.push(box.id);
      }
      await settled(client, ids, 'active');
      return ids;
    };

    // office-hours: stop 100 active boxes.
    await fleet('dev');
    const office = await runOnce(workflow('office-hours.yaml'), { action: 'stop', name_glob: 'dev-*' });
    rows.push(...officeRows(office, sim.state().instances.length, boxes));

    // nightly-snapshots: 100 boxes, each with two older nightly snapshots.
    const prod = await fleet('prod');
    for (const [i, id] of prod.entries()) {
      for (const daysAgo of [1, 2]) {
        const name = `nightly-prod-${String(i).padStart(3, '0')}-old${daysAgo}`;
        const snap = await client.instances.createSnapshot(id, { name });
        sim.editSnapshot(snap.id, { created_at: Date.now() - daysAgo * 86_400_000 });
      }
    }
    await new Promise((r) => setTimeout(r, TRANSITION_MS + 200));
    const nightly = await runOnce(workflow('nightly-snapshots.yaml'), { name_glob: 'prod-*' });
    rows.push(...nightlyRows(nightly, sim.state().instances.length, boxes));

    // gpu-batch: its one box.
    const batch = await runOnce(workflow('gpu-batch.yaml'), { script: 'python train.py' }, true);
    rows.push(...batchRows(batch));
    return rows;
  } finally {
    await workers.close(5_000);
    await services.close();
    sim.reset();
  }
}

async function settled(client: GenesisClient, ids: string[], status: string): Promise<void> {
  const want = new Set(ids);
  for (;;) {
    const all = await client.instances.listAll();
    if (all.filter((i) => want.has(i.id)).every((i) => i.status === status)) return;
    await new Promise((r) => setTimeout(r, 200));
  }
}

const count = (calls: Call[], route: string): number => calls.filter((c) => c.route === route).length;
const stepOf = (run: RunView, id: string) => run.steps.find((s) => s.id === id);
const at = (iso: string | null | undefined): number => (iso ? Date.parse(iso) : Number.NaN);

/** The wait's span: from the first call on `route` to the step's end. */
function waitSpan(run: RunView, stepId: string, calls: Call[], route: string): number {
  const first = calls.find((c) => c.route === route)?.at;
  const end = at(stepOf(run, stepId)?.finished_at);
  return first === undefined || !Number.isFinite(end) ? 0 : Math.max(0, end - first);
}

function breakdown(calls: Call[]): string {
  const by = new Map<string, number>();
  for (const c of calls) by.set(c.route, (by.get(c.route) ?? 0) + 1);
  return [...by]
    .sort((a, b) => b[1] - a[1])
    .map(([r, n]) => `${n} ${r}`)
    .join(', ');
}

function verdictRows(name: string, m: Measured, needed: number, formula: string): BenchRow[] {
  const made = m.calls.length;
  const ratio = made / needed;
  return [
    {
      metric: `${name}: calls made / strictly needed (${m.run.status}); needed = ${formula}`,
      value: `${made} / ${needed} = ${fmt(ratio)}`,
      target: `<= ${TARGET}`,
      pass: m.run.status === 'succeeded' && ratio <= TARGET,
    },
    { metric: `${name}: calls by route`, value: breakdown(m.calls) },
    {
      metric: `${name}: wall time (simulator, no rate limit, poll ${POLL_MS} ms)`,
      value: `${fmt(m.wallMs / 1000, 1)} s`,
    },
  ];
}

function officeRows(m: Measured, instances: number, boxes: number): BenchRow[] {
  const listPages = pages(instances);
  const span = waitSpan(m.run, 'stop', m.calls, 'POST /instances/{id}/actions');
  const w = polls(span);
  const perPoll = Math.min(listPages, 10);
  const needed = listPages + boxes + w * perPoll;
  return verdictRows(
    `office-hours stop, ${boxes} boxes`,
    m,
    needed,
    `list ${listPages} + ${boxes} actions + ${w} polls x ${perPoll} (min(list pages, max_parallel 10 GETs)) = ${needed}`,
  );
}

function nightlyRows(m: Measured, instances: number, boxes: number): BenchRow[] {
  const listPages = pages(instances);
  const snapshotsBefore = boxes * 2;
  const snapshotsAfter = snapshotsBefore + boxes;
  const posts = boxes;
  const deletes = count(m.calls, 'DELETE /snapshots/{id}');
  const route = 'POST /instances/{id}/snapshots';
  const span = waitSpan(m.run, 'snapshot', m.calls, route);
  const w = polls(span);
  // Each poll interval: the cheaper of one sweep of the snapshot list as long as it is
  // then (the snapshots before the run plus those POSTed so far) and a GET per snapshot
  // waited on (max_parallel 5).
  const postTimes = m.calls.filter((c) => c.route === route).map((c) => c.at);
  const start = postTimes[0] ?? 0;
  let waits = 0;
  for (let k = 1; k <= w; k++) {
    const t = start + k * POLL_MS;
    waits += Math.min(pages(snapshotsBefore + postTimes.filter((p) => p <= t).length), 5);
  }
  const look = pages(snapshotsBefore);
  const prune = pages(snapshotsAfter);
  const needed = listPages + look + posts + waits + prune + deletes;
  return verdictRows(
    `nightly-snapshots, ${boxes} boxes`,
    m,
    needed,
    `instances ${listPages} + look by name (snapshot list) ${look} + ${posts} POST + ${waits} over ${w} polls (each min(snapshot list pages then, max_parallel 5 GETs)) + prune list ${prune} + ${deletes} DELETE = ${needed}`,
  );
}

function batchRows(m: Measured): BenchRow[] {
  const fixed = 1 /* ssh keys */ + 2 /* availability + quotas */ + 1 /* create */;
  const wBox = polls(waitSpan(m.run, 'box', m.calls, 'POST /instances'));
  const job = stepOf(m.run, 'job');
  const jobSpan = at(job?.finished_at) - at(job?.started_at);
  // The job's box is looked at once per poll while the job runs (a report ends it at once).
  const wJob = Number.isFinite(jobSpan) ? Math.floor(jobSpan / POLL_MS) : 0;
  const wSnap = polls(waitSpan(m.run, 'snapshot', m.calls, 'POST /instances/{id}/snapshots'));
  const wGone = polls(waitSpan(m.run, 'teardown', m.calls, 'DELETE /instances/{id}'));
  const needed =
    fixed + wBox + wJob + 1 /* look by name */ + 1 /* snapshot */ + wSnap + 1 /* delete */ + wGone;
  return verdictRows(
    'gpu-batch, 1 box',
    m,
    needed,
    `ssh keys 1 + capacity 2 + create 1 + ${wBox} polls (active) + ${wJob} polls (job) + look 1 + snapshot 1 + ${wSnap} polls (created) + delete 1 + ${wGone} polls (gone) = ${needed}`,
  );
}
