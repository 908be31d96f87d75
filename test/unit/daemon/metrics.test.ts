import { describe, expect, it } from 'vitest';
import { createMetrics } from '../../../src/daemon/metrics.js';
import { event } from '../../../src/engine/events.js';
import { newRunState, type RunState } from '../../../src/engine/state.js';
import { parsePrometheusText, sampleValue } from './prometheus-text.js';

const T0 = Date.parse('2025-03-01T02:00:00.000Z');

function runState(workflow: string): RunState {
  return newRunState({
    id: `${workflow}-r1`,
    workflow,
    definitionHash: 'h',
    trigger: 'manual',
    scheduledAt: null,
    inputs: {},
    now: T0,
    stepIds: ['box', 'wait'],
  });
}

async function scrape(metrics: ReturnType<typeof createMetrics>) {
  return parsePrometheusText(await metrics.registry.metrics());
}

describe('metrics', () => {
  it('counts API calls by route, method and status, and 429s separately', async () => {
    const metrics = createMetrics({ processMetrics: false });
    metrics.onApiCall({ method: 'GET', route: '/instances', status: 200, durationMs: 40, attempt: 1 });
    metrics.onApiCall({ method: 'GET', route: '/instances', status: 200, durationMs: 60, attempt: 1 });
    metrics.onApiCall({ method: 'POST', route: '/instances', status: 429, durationMs: 5, attempt: 1 });
    metrics.onApiCall({ method: 'POST', route: '/instances', status: 'error', durationMs: 3000, attempt: 2 });
    const f = await scrape(metrics);
    const calls = (status: string, method: string) =>
      sampleValue(f, 'gcflow_api_calls_total', { route: '/instances', method, status });
    expect(calls('200', 'GET')).toBe(2);
    expect(calls('429', 'POST')).toBe(1);
    expect(calls('error', 'POST')).toBe(1);
    expect(sampleValue(f, 'gcflow_api_rate_limited_total', { route: '/instances', method: 'POST' })).toBe(1);
    expect(sampleValue(f, 'gcflow_api_rate_limited_total', { method: 'GET' })).toBeUndefined();
    expect(sampleValue(f, 'gcflow_api_call_duration_seconds_count', { method: 'GET' })).toBe(2);
    expect(sampleValue(f, 'gcflow_api_call_duration_seconds_sum', { method: 'GET' })).toBeCloseTo(0.1);
    expect(sampleValue(f, 'gcflow_api_call_duration_seconds_bucket', { method: 'GET', le: '0.05' })).toBe(1);
  });

  it('counts runs started, succeeded, failed and cancelled per workflow', async () => {
    const metrics = createMetrics({ processMetrics: false });
    const a = runState('nightly');
    const b = runState('gpu-batch');
    metrics.onRunEvents(a, [event('run.started', T0), event('run.resumed', T0)]);
    metrics.onRunEvents(a, [event('run.succeeded', T0)]);
    metrics.onRunEvents(b, [event('run.started', T0), event('run.failed', T0)]);
    metrics.onRunEvents(b, [
      event('run.started', T0),
      event('run.cancel_requested', T0),
      event('run.cancelled', T0),
    ]);
    const f = await scrape(metrics);
    expect(sampleValue(f, 'gcflow_runs_started_total', { workflow: 'nightly' })).toBe(1);
    expect(sampleValue(f, 'gcflow_runs_succeeded_total', { workflow: 'nightly' })).toBe(1);
    expect(sampleValue(f, 'gcflow_runs_started_total', { workflow: 'gpu-batch' })).toBe(2);
    expect(sampleValue(f, 'gcflow_runs_failed_total', { workflow: 'gpu-batch' })).toBe(1);
    expect(sampleValue(f, 'gcflow_runs_cancelled_total', { workflow: 'gpu-batch' })).toBe(1);
    expect(sampleValue(f, 'gcflow_runs_failed_total', { workflow: 'nightly' })).toBeUndefined();
  });

  it('observes step durations from the step start and finish times, not per for_each item', async () => {
    const metrics = createMetrics({ processMetrics: false });
    const state = runState('gpu-batch');
    state.steps['box']!.started_at = new Date(T0).toISOString();
    state.steps['box']!.finished_at = new Date(T0 + 90_000).toISOString();
    state.steps['wait']!.started_at = new Date(T0).toISOString();
    state.steps['wait']!.finished_at = new Date(T0 + 2_000).toISOString();
    metrics.onRunEvents(state, [
      event('step.succeeded', T0 + 1_000, { step: 'wait', index: 0 }),
      event('step.succeeded', T0 + 90_000, { step: 'box' }),
      event('step.failed', T0 + 2_000, { step: 'wait' }),
    ]);
    const f = await scrape(metrics);
    const box = { workflow: 'gpu-batch', step: 'box', status: 'succeeded' };
    expect(sampleValue(f, 'gcflow_step_duration_seconds_count', box)).toBe(1);
    expect(sampleValue(f, 'gcflow_step_duration_seconds_sum', box)).toBe(90);
    expect(sampleValue(f, 'gcflow_step_duration_seconds_bucket', { ...box, le: '60' })).toBe(0);
    expect(sampleValue(f, 'gcflow_step_duration_seconds_bucket', { ...box, le: '120' })).toBe(1);
    const wait = { workflow: 'gpu-batch', step: 'wait' };
    expect(sampleValue(f, 'gcflow_step_duration_seconds_count', { ...wait, status: 'failed' })).toBe(1);
    expect(
      sampleValue(f, 'gcflow_step_duration_seconds_count', { ...wait, status: 'succeeded' }),
    ).toBeUndefined();
  });

  it('records schedule lag and overdue triggers', async () => {
    const metrics = createMetrics({ processMetrics: false });
    metrics.onScheduleFire('nightly', 250);
    metrics.onScheduleFire('nightly', 1_500);
    metrics.setScheduleOverdue('nightly', 1, 90_000);
    metrics.setScheduleOverdue('office-hours', 0, 0);
    metrics.onScheduleSkip('nightly', 'overlap_skip');
    metrics.onScheduleSkip('nightly', 'overlap_skip');
    const f = await scrape(metrics);
    expect(
      sampleValue(f, 'gcflow_schedule_skipped_total', { workflow: 'nightly', reason: 'overlap_skip' }),
    ).toBe(2);
    expect(sampleValue(f, 'gcflow_schedule_lag_seconds_count', { workflow: 'nightly' })).toBe(2);
    expect(sampleValue(f, 'gcflow_schedule_lag_seconds_bucket', { workflow: 'nightly', le: '0.25' })).toBe(1);
    expect(sampleValue(f, 'gcflow_schedule_overdue_seconds', { workflow: 'nightly', trigger: '1' })).toBe(90);
    expect(
      sampleValue(f, 'gcflow_schedule_overdue_seconds', { workflow: 'office-hours', trigger: '0' }),
    ).toBe(0);
  });

  it('keeps each instance on its own registry', async () => {
    const one = createMetrics();
    const two = createMetrics();
    one.onScheduleFire('nightly', 100);
    expect(sampleValue(await scrape(one), 'gcflow_schedule_lag_seconds_count', { workflow: 'nightly' })).toBe(
      1,
    );
    expect(
      sampleValue(await scrape(two), 'gcflow_schedule_lag_seconds_count', { workflow: 'nightly' }),
    ).toBeUndefined();
  });

  it('exposes HELP and TYPE for every gcflow metric in valid exposition text', async () => {
    const metrics = createMetrics();
    metrics.onApiCall({ method: 'GET', route: '/instances/{id}', status: 404, durationMs: 12, attempt: 1 });
    const f = await scrape(metrics);
    const names = [...f.keys()].filter((n) => n.startsWith('gcflow_')).sort();
    expect(names).toEqual(
      [
        'gcflow_api_call_duration_seconds',
        'gcflow_api_calls_total',
        'gcflow_api_rate_limited_total',
        'gcflow_build_info',
        'gcflow_queue_jobs',
        'gcflow_run_duration_seconds',
        'gcflow_runs_in_flight',
        'gcflow_runs_cancelled_total',
        'gcflow_runs_failed_total',
        'gcflow_runs_parked',
        'gcflow_runs_started_total',
        'gcflow_runs_succeeded_total',
        'gcflow_schedule_lag_seconds',
        'gcflow_schedule_overdue_seconds',
        'gcflow_schedule_skipped_total',
        'gcflow_step_duration_seconds',
        'gcflow_step_retries_total',
        'gcflow_webhook_failures_total',
        'gcflow_workflow_files_invalid',
        'gcflow_workflow_reload_failures_total',
      ].sort(),
    );
    for (const name of names) expect(f.get(name)!.help, name).toMatch(/\w+/);
    expect(f.get('process_cpu_user_seconds_total')?.type).toBe('counter');
  });
});

describe('the exposition text reader used by these tests', () => {
  it('rejects malformed samples and samples without a TYPE', () => {
    expect(() => parsePrometheusText('# TYPE a counter\na{x="1"} one\n')).toThrow(/not a sample/);
    expect(() => parsePrometheusText('b 1\n')).toThrow(/no TYPE/);
    expect(() => parsePrometheusText('# TYPE h histogram\nh_bucket{x="1"} 1\n')).toThrow(/without le/);
    expect(() => parsePrometheusText('# TYPE a counter\na{x="un"terminated"} 1\n')).toThrow(/not a sample/);
  });

  it('reads labels with escapes and special values', () => {
    const f = parsePrometheusText('# HELP g a "gauge"\n# TYPE g gauge\ng{a="x\\"y",b="\\\\"} +Inf\n');
    expect(f.get('g')).toEqual({
      name: 'g',
      help: 'a "gauge"',
      type: 'gauge',
      samples: [{ name: 'g', labels: { a: 'x"y', b: '\\' }, value: Infinity }],
    });
  });
});
