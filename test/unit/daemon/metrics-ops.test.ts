// The operator's metrics around runs: run durations, retries, webhook failures,
// invalid workflow files and the build info.
import { EventEmitter } from 'node:events';
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
    stepIds: ['box', 'alert'],
  });
}

const scrape = async (metrics: ReturnType<typeof createMetrics>) =>
  parsePrometheusText(await metrics.registry.metrics());

describe('run metrics', () => {
  it('observes run durations from start to end by workflow and final status', async () => {
    const metrics = createMetrics({ processMetrics: false });
    const state = runState('gpu-batch');
    state.started_at = new Date(T0 + 1_000).toISOString();
    state.finished_at = new Date(T0 + 1_000 + 40 * 60_000).toISOString();
    metrics.onRunEvents(state, [event('run.failed', T0 + 40 * 60_000)]);
    const f = await scrape(metrics);
    const labels = { workflow: 'gpu-batch', status: 'failed' };
    expect(sampleValue(f, 'gcflow_run_duration_seconds_count', labels)).toBe(1);
    expect(sampleValue(f, 'gcflow_run_duration_seconds_sum', labels)).toBe(2_400);
    expect(sampleValue(f, 'gcflow_run_duration_seconds_bucket', { ...labels, le: '1800' })).toBe(0);
    expect(sampleValue(f, 'gcflow_run_duration_seconds_bucket', { ...labels, le: '3600' })).toBe(1);
  });

  it('counts step retries, and webhook failures (retried and final) of notify.webhook steps only', async () => {
    const metrics = createMetrics({ processMetrics: false });
    const state = runState('nightly');
    const kindOf = (_w: string, step: string) => (step === 'alert' ? 'notify.webhook' : 'instance.create');
    metrics.onRunEvents(
      state,
      [
        event('step.retrying', T0, { step: 'box', attempt: 1 }),
        event('step.retrying', T0, { step: 'alert', attempt: 1 }),
        event('step.retrying', T0, { step: 'alert', attempt: 2 }),
        event('step.failed', T0, { step: 'alert', attempt: 3 }),
        event('step.failed', T0, { step: 'box', attempt: 2 }),
      ],
      kindOf,
    );
    const f = await scrape(metrics);
    expect(sampleValue(f, 'gcflow_step_retries_total', { workflow: 'nightly', step: 'box' })).toBe(1);
    expect(sampleValue(f, 'gcflow_step_retries_total', { workflow: 'nightly', step: 'alert' })).toBe(2);
    expect(sampleValue(f, 'gcflow_webhook_failures_total', { workflow: 'nightly', step: 'alert' })).toBe(3);
    expect(sampleValue(f, 'gcflow_webhook_failures_total', { step: 'box' })).toBeUndefined();
  });

  it('follows invalid workflow files and counts loads that failed', async () => {
    const metrics = createMetrics({ processMetrics: false });
    const registry = Object.assign(new EventEmitter(), { invalidFiles: () => 1 });
    metrics.watchRegistry(registry);
    let f = await scrape(metrics);
    expect(sampleValue(f, 'gcflow_workflow_files_invalid')).toBe(1);
    expect(sampleValue(f, 'gcflow_workflow_reload_failures_total')).toBe(1);
    registry.emit('loaded', 0);
    registry.emit('load_failed', new Error('EACCES'));
    f = await scrape(metrics);
    expect(sampleValue(f, 'gcflow_workflow_files_invalid')).toBe(0);
    expect(sampleValue(f, 'gcflow_workflow_reload_failures_total')).toBe(2);
  });

  it('says which gcflow and Node.js run, in gcflow_build_info', async () => {
    const f = await scrape(createMetrics({ processMetrics: false }));
    const version = (await import('../../../package.json', { with: { type: 'json' } })).default.version;
    expect(sampleValue(f, 'gcflow_build_info', { version, node: process.version })).toBe(1);
  });
});
