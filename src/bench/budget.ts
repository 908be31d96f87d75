// One API budget across replicas: three `gcflow daemon` child processes (workers only)
// share one account against the simulator limited to `limit` requests per rolling
// second; `runs` runs of 10 `instances.list` calls each. The figure is the share of
// calls answered 429 (target <= 1 %): each replica's own bucket would send 3x the
// limit. The daemons' bucket runs at 0.9x the limit with a burst of a tenth of it (a
// client paced at exactly a rolling-second limit is refused whenever one call is late).
import type { Services } from '../daemon/services.js';
import { parseWorkflow } from '../dsl/index.js';
import { type DaemonProcess, startDaemonProcess } from './daemon-process.js';
import type { BenchEnv } from './env.js';
import { type BenchRow, fmt } from './table.js';

const CALLS_PER_RUN = 10;
const WORKFLOW = `
name: bench-budget
steps:
${Array.from({ length: CALLS_PER_RUN }, (_, i) => `  - id: look${i}\n    uses: instances.list\n    with: {}\n`).join('')}`;

export async function budgetBench(env: BenchEnv, runs: number, limit: number): Promise<BenchRow[]> {
  const { definition } = parseWorkflow(WORKFLOW, 'bench-budget.yaml');
  if (!definition) throw new Error('bench workflow is invalid');
  const prefix = `bench-budget-${Date.now()}`;
  const services: Services = await env.open(prefix);
  const rate = limit * 0.9;
  const burst = Math.max(1, Math.round(limit / 10));
  const daemons: DaemonProcess[] = [];
  const sim = env.sim.simulator;
  // The seed's boxes only: a list step must cost one call, whatever earlier tables
  // created (after the polling table's 1,000 boxes, each took 11 pages and no run ended).
  sim.reset();
  const before = sim.settings.rate_limit_per_s;
  sim.configure({ rate_limit_per_s: limit });
  try {
    for (let i = 0; i < 3; i++)
      daemons.push(
        startDaemonProcess(
          {
            ...env.childEnv(prefix),
            GCFLOW_GENESIS_RATE_LIMIT_PER_S: String(rate),
            GCFLOW_GENESIS_RATE_LIMIT_BURST: String(burst),
          },
          ['--no-http', '--no-scheduler', '--concurrency', '50'],
        ),
      );
    sim.clearCalls();
    const started = Date.now();
    const ids: string[] = [];
    for (let i = 0; i < runs; i++)
      ids.push((await services.runs.start({ def: definition, inputs: {}, trigger: 'api' })).runId);
    const deadline = started + (runs * CALLS_PER_RUN * 1000) / rate + 120_000;
    let ended = 0;
    let succeeded = 0;
    while (Date.now() < deadline) {
      const views = await Promise.all(ids.map((id) => services.runs.get(id)));
      const done = views.filter((v) => ['succeeded', 'failed', 'cancelled'].includes(v.status));
      ended = done.length;
      succeeded = done.filter((v) => v.status === 'succeeded').length;
      if (ended === ids.length) break;
      await new Promise((r) => setTimeout(r, 1_000));
    }
    const seconds = (Date.now() - started) / 1000;
    if (process.env['GCFLOW_BENCH_DEBUG'])
      for (const d of daemons)
        process.stderr.write(
          d
            .stderr()
            .split('\n')
            .filter((l) => /api_budget|"level":[456]0/.test(l))
            .join('\n'),
        );
    const calls = sim.calls().calls.filter((c) => c.path.startsWith('/compute/v1'));
    const refused = calls.filter((c) => c.status === 429).length;
    if (process.env['GCFLOW_BENCH_DEBUG']) {
      const t0 = calls[0]?.at ?? 0;
      for (const c of calls)
        if (c.status === 429)
          process.stderr.write(
            `429 at +${c.at - t0} ms; arrivals in the second before: ${calls.filter((x) => x.at > c.at - 1000 && x.at <= c.at).length}; gaps: ${calls
              .filter((x) => x.at > c.at - 1000 && x.at <= c.at)
              .map((x, i, a) => (i === 0 ? 0 : x.at - a[i - 1]!.at))
              .join(',')}\n`,
          );
    }
    const share = calls.length === 0 ? Number.NaN : (100 * refused) / calls.length;
    return [
      {
        metric: `3 replicas against a simulator limited to ${limit} req/s: answered 429s / calls`,
        value: `${refused} / ${calls.length} (${fmt(share)} %)`,
        target: '<= 1 %',
        pass: share <= 1,
      },
      { metric: 'runs succeeded', value: `${succeeded} / ${runs}`, target: 'all', pass: succeeded === runs },
      { metric: 'busiest second (calls arriving)', value: String(busiestWindow(calls.map((c) => c.at))) },
      {
        metric: 'calls accepted per second',
        value: `${fmt((calls.length - refused) / seconds, 1)} (client ${fmt(rate, 1)}/s, burst ${burst})`,
      },
    ];
  } finally {
    await Promise.all(daemons.map((d) => d.stop()));
    sim.configure({ rate_limit_per_s: before });
    await services.close();
  }
}

function busiestWindow(times: number[], ms = 1_000): number {
  const sorted = [...times].sort((a, b) => a - b);
  let best = 0;
  let end = 0;
  for (let start = 0; start < sorted.length; start++) {
    while (end < sorted.length && sorted[end]! < sorted[start]! + ms) end++;
    best = Math.max(best, end - start);
  }
  return best;
}
