import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parsePrometheusText, sampleValue } from '../../unit/daemon/prometheus-text.js';
import { eventually, type Harness, startHarness } from './harness.js';
import { LISTER, NAPPER } from './workflows.js';

describe('GET /metrics', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ workers: true, httpToken: 'metrics-token-8e2f', workflows: [LISTER, NAPPER] });
  });
  afterAll(() => h.close());

  const scrape = async () => {
    const reply = await h.request('/metrics', { token: null });
    expect(reply.status).toBe(200);
    expect(reply.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    return parsePrometheusText(reply.text);
  };

  it('parses as Prometheus text with HELP and TYPE for every gcflow metric', async () => {
    const families = await scrape();
    const gcflow = [...families.values()].filter((f) => f.name.startsWith('gcflow_'));
    expect(gcflow.length).toBe(20); // every metric in src/daemon/metrics.ts and metrics-runs.ts
    for (const f of gcflow) {
      expect(f.help, f.name).toBeTruthy();
      expect(f.type, f.name).toMatch(/^(counter|gauge|histogram)$/);
    }
  });

  it('reflects a run carried out by the workers: run counters, step durations and API calls', async () => {
    const { json } = await h.request('/api/workflows/lister/runs', { method: 'POST', body: {} });
    await h.waitForRun(json.run_id, (r) => r.status === 'succeeded');
    const f = await scrape();
    expect(sampleValue(f, 'gcflow_runs_started_total', { workflow: 'lister' })).toBe(1);
    expect(sampleValue(f, 'gcflow_runs_succeeded_total', { workflow: 'lister' })).toBe(1);
    expect(sampleValue(f, 'gcflow_runs_failed_total', { workflow: 'lister' })).toBeUndefined();
    expect(
      sampleValue(f, 'gcflow_step_duration_seconds_count', {
        workflow: 'lister',
        step: 'look',
        status: 'succeeded',
      }),
    ).toBe(1);
    const calls = sampleValue(f, 'gcflow_api_calls_total', {
      route: '/instances',
      method: 'GET',
      status: '200',
    });
    expect(calls).toBeGreaterThanOrEqual(1);
    expect(
      sampleValue(f, 'gcflow_api_call_duration_seconds_count', { route: '/instances', method: 'GET' }),
    ).toBe(calls);
  });

  it('counts 429s from the API', async () => {
    const fault = await fetch(`${h.sim!.url}/__sim/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        match: { method: 'GET', path: '/compute/v1/instances' },
        status: 429,
        count: 1,
        retry_after: 0,
      }),
    });
    expect(fault.ok).toBe(true);
    const { json } = await h.request('/api/workflows/lister/runs', { method: 'POST', body: {} });
    await h.waitForRun(json.run_id, (r) => r.status === 'succeeded');
    const f = await scrape();
    expect(sampleValue(f, 'gcflow_api_rate_limited_total', { route: '/instances', method: 'GET' })).toBe(1);
    expect(
      sampleValue(f, 'gcflow_api_calls_total', { route: '/instances', method: 'GET', status: '429' }),
    ).toBe(1);
  });

  it('shows queue depths and parked runs', async () => {
    const { json } = await h.request('/api/workflows/napper/runs', { method: 'POST', body: {} });
    await h.waitForRun(json.run_id, (r) => r.steps[0]?.status === 'waiting');
    const f = await eventually(async () => {
      const families = await scrape();
      return (sampleValue(families, 'gcflow_runs_parked') ?? 0) >= 1 ? families : undefined;
    }, 'gcflow_runs_parked >= 1');
    expect(sampleValue(f, 'gcflow_queue_jobs', { queue: 'runs', state: 'delayed' })).toBe(
      sampleValue(f, 'gcflow_runs_parked'),
    );
    expect(sampleValue(f, 'gcflow_queue_jobs', { queue: 'runs', state: 'completed' })).toBeGreaterThanOrEqual(
      1,
    );
    expect(sampleValue(f, 'gcflow_queue_jobs', { queue: 'triggers', state: 'waiting' })).toBe(0);
  });
});
