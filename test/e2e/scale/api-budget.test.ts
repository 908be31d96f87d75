// Acceptance of the one API budget per account through real processes: three
// `gcflow daemon` children on one Redis (the injected URL, a fresh prefix), a
// `gcflow simulator` child limiting the account to SIM_RATE requests per rolling second,
// 100 runs of 10 API calls each, started through the run service on the same Redis.
// Every run succeeds; in no second does the simulator see more than its limit plus the
// client's burst; at most 1 % of the calls are answered 429.
//
// The simulator's limit is 30 req/s: three replicas with a bucket each would send 3x the
// account's rate, exactly as 3 x 10 against 10 does, and the 1,000 calls take ~35 s
// instead of ~100 s. BUDGET_SIM_RATE=10 runs the figures as they are;
// BUDGET_SCOPE=process runs the old per-process buckets (the control: it fails).
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { loadConfig } from '../../../src/config/load.js';
import { openServices, type Services } from '../../../src/daemon/services.js';
import { parseWorkflow } from '../../../src/dsl/index.js';
import type { WorkflowDefinition } from '../../../src/dsl/types.js';
import { silentLogger } from '../../../src/shared/logger.js';
import type { Call } from '../../../src/simulator/calls.js';
import { testPrefix } from '../../helpers/prefix.js';
import { eventually, type GcflowProcess, spawnGcflow, workspace } from '../../helpers/processes.js';

const TOKEN = 'e2e-token-budget-7a41';
const SIM_RATE = Number(process.env['BUDGET_SIM_RATE'] ?? 30);
const SCOPE = process.env['BUDGET_SCOPE'] ?? 'account';
// The client's bucket runs just under the account's limit: a client spaced at exactly
// the server's rolling-second limit is refused whenever one call is delayed more than
// the one a second before it (measured: rate = burst = limit gave 4 % 429s), and a
// burst of a full second's worth on top of a full second's rate is refused at once.
const CLIENT_RATE = Number(process.env['BUDGET_CLIENT_RATE'] ?? SIM_RATE * 0.9);
const CLIENT_BURST = Number(process.env['BUDGET_CLIENT_BURST'] ?? Math.max(1, Math.round(SIM_RATE / 10)));
const RUNS = 100;
const CALLS_PER_RUN = 10;

const WORKFLOW = `
name: budget
steps:
${Array.from({ length: CALLS_PER_RUN }, (_, i) => `  - id: look${i}\n    uses: instances.list\n    with: {}\n`).join('')}`;

/** The largest number of timestamps inside any window of `ms` that starts at one of them. */
function busiestWindow(times: number[], ms: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let best = 0;
  let end = 0;
  for (let start = 0; start < sorted.length; start++) {
    while (end < sorted.length && sorted[end]! < sorted[start]! + ms) end++;
    best = Math.max(best, end - start);
  }
  return best;
}

describe('one API budget across replicas (daemon processes)', () => {
  // The simulator runs in its own process, as the real API does. In the test process
  // it shared an event loop with the vitest worker and this test's polling of 100 runs:
  // on a loaded machine that loop stalled for tens of ms, requests queued in its socket
  // buffers, and the simulator then stamped and counted them together, so calls the
  // daemons had sent spaced out were counted (and refused) as one burst.
  let sim: GcflowProcess;
  let simUrl = '';
  let services: Services | undefined;
  const daemons: GcflowProcess[] = [];

  beforeAll(async () => {
    sim = spawnGcflow(['simulator', '--port', '0', '--rate-limit', String(SIM_RATE)], {});
    simUrl = await eventually(
      async () => /listening on (http:\/\/\S+)/.exec(sim.output())?.[1],
      60_000,
      'the simulator to listen',
    );
  });
  afterAll(async () => {
    for (const d of daemons) await d.kill('SIGKILL');
    await services?.close();
    await sim?.kill('SIGKILL');
  });

  it(`3 daemons, ${RUNS} runs x ${CALLS_PER_RUN} calls, simulator at ${SIM_RATE} req/s: all succeed, 429s <= 1 %`, async () => {
    const ws = workspace({ 'budget.yaml': WORKFLOW });
    const env = {
      REDIS_URL: inject('redisUrl'),
      GCFLOW_REDIS_PREFIX: testPrefix('e2e-budget'),
      GCFLOW_WORKFLOWS: ws.workflows,
      GCFLOW_CONFIG: ws.config,
      GCFLOW_HTTP: '127.0.0.1:0',
      GENESISCLOUD_API_URL: `${simUrl}/compute/v1`,
      GENESISCLOUD_TOKEN: TOKEN,
      GCFLOW_GENESIS_RATE_LIMIT_PER_S: String(CLIENT_RATE),
      GCFLOW_GENESIS_RATE_LIMIT_BURST: String(CLIENT_BURST),
      GCFLOW_GENESIS_RATE_LIMIT_SCOPE: SCOPE,
    };
    for (let i = 0; i < 3; i++) daemons.push(spawnGcflow(['daemon'], env));
    for (const d of daemons) {
      await eventually(
        async () => (d.output().includes('gcflow daemon started') ? true : undefined),
        60_000,
        `a daemon to start:\n${d.output()}`,
      );
    }
    const { config, secrets } = loadConfig({ env });
    services = await openServices({ config, secrets, logger: silentLogger() });
    const parsed = parseWorkflow(WORKFLOW, 'budget.yaml');
    if (!parsed.definition) throw new Error(JSON.stringify(parsed.diagnostics));
    const def: WorkflowDefinition = parsed.definition;
    expect((await fetch(`${simUrl}/__sim/calls`, { method: 'DELETE' })).ok).toBe(true);
    const started = Date.now();
    const ids: string[] = [];
    for (let i = 0; i < RUNS; i++)
      ids.push((await services.runs.start({ def, inputs: {}, trigger: 'manual' })).runId);

    const deadline = (RUNS * CALLS_PER_RUN * 1000) / SIM_RATE + 90_000;
    const ended = async () => {
      const all = await Promise.all(ids.map((id) => services!.runs.get(id)));
      return all.every((v) => ['succeeded', 'failed', 'cancelled'].includes(v.status)) ? all : undefined;
    };
    // Waited for without failing here, so the figures below are printed either way.
    await eventually(ended, deadline, 'all runs to end').catch(() => undefined);
    const views = await Promise.all(ids.map((id) => services!.runs.get(id)));
    const elapsed = Date.now() - started;
    const { calls } = (await (await fetch(`${simUrl}/__sim/calls`)).json()) as { calls: Call[] };
    const api = calls.filter((c) => c.path.startsWith('/compute/v1'));
    const rejected = api.filter((c) => c.status === 429).length;
    const busiest = busiestWindow(
      api.map((c) => c.at),
      1_000,
    );
    console.log(
      `api budget (${SCOPE}): ${api.length} calls, ${rejected} answered 429 (${((100 * rejected) / api.length).toFixed(2)} %), busiest second ${busiest} calls (limit ${SIM_RATE}; client ${CLIENT_RATE}/s, burst ${CLIENT_BURST}), ${(elapsed / 1000).toFixed(1)} s`,
    );
    expect(views.filter((v) => v.status !== 'succeeded').map((v) => [v.id, v.status])).toEqual([]);
    expect(api.length - rejected).toBe(RUNS * CALLS_PER_RUN);
    // Arrivals as the simulator stamps them, refused ones included: the bound,
    // the limit plus the client's burst. The bucket grants at most CLIENT_RATE +
    // CLIENT_BURST (= the limit) in a second; a caller that resumes more than one slot
    // after its slot (counted from when it asked) takes a new one instead of sending
    // late. With the simulator in this process and lateness counted from Redis's answer,
    // a loaded machine gave 35-38 here (and 1.5 % 429s); per-process buckets give 53.
    expect(busiest).toBeLessThanOrEqual(SIM_RATE + CLIENT_BURST);
    expect(rejected / api.length).toBeLessThanOrEqual(0.01);
  }, 400_000);
});
