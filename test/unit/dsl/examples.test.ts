// The example workflows are valid, warning-free, point editors at the schema, and
// their expressions evaluate against a sample run into parameters each step kind accepts.
// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${{ }} is the workflow expression syntax, not a JS template
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  coerceInputs,
  parseWorkflow,
  RUNTIME_STEP_PARAMS,
  type StepSpec,
  type WorkflowDefinition,
} from '../../../src/dsl/index.js';
import { evaluateCondition, type ExprContext, interpolate } from '../../../src/expr/index.js';

const DIR = join(import.meta.dirname, '../../../workflows');
const EXAMPLES = ['nightly-snapshots', 'office-hours', 'gpu-batch'];

function load(name: string): WorkflowDefinition {
  const file = join(DIR, `${name}.yaml`);
  const text = readFileSync(file, 'utf8');
  const { definition, diagnostics } = parseWorkflow(text, file);
  expect(diagnostics).toEqual([]);
  return definition!;
}

/** What each step kind puts in outputs (workflows/README.md), for the steps a sample run has done. */
const instances = [
  { id: '5d1c8e8e-0000-4000-8000-000000000001', name: 'dev-alice', status: 'active' },
  { id: '5d1c8e8e-0000-4000-8000-000000000002', name: 'dev-bob', status: 'active' },
];
const SAMPLE_OUTPUTS: Record<string, Record<string, unknown>> = {
  'instances.list': { instances, count: instances.length },
  'instance.create': {
    instance: { id: '9e8ce501-d692-402c-8fca-5a8f5d8ddd57', name: 'batch-run-1', status: 'active' },
  },
  'instance.wait': { instance: { id: '9e8ce501-d692-402c-8fca-5a8f5d8ddd57', status: 'stopped' } },
  'job.wait': { status: 'succeeded', exit_code: 0, output: 'epoch 3/3 done' },
  'instance.snapshot': { snapshot: { id: 'snap-1', name: 'result-run-1', status: 'created' } },
};

function sampleContext(def: WorkflowDefinition, inputs: Record<string, unknown>): ExprContext {
  const steps: ExprContext['steps'] = {};
  for (const step of def.steps)
    steps[step.id] = { status: 'succeeded', outputs: SAMPLE_OUTPUTS[step.uses] ?? {} };
  return {
    inputs,
    steps,
    run: {
      id: 'run-1',
      report_url: 'http://127.0.0.1:8080/report/run-1/gcr_sampletokensampletoken',
      workflow: def.name,
      trigger: 'schedule',
      scheduled_at: '2024-05-06T00:30:00.000Z',
      started_at: '2024-05-06T00:30:01.000Z',
      attempt: 1,
      error: 'step job: timed out',
    },
    secrets: { slack_webhook: 'https://hooks.slack.example/T000/B000/XXXX' },
  };
}

/** Evaluates a step as the engine does: if, for_each, then with and wait per item; checks the result. */
function evaluateStep(step: StepSpec, ctx: ExprContext) {
  const runs = step.if === undefined ? true : evaluateCondition(step.if, ctx);
  const list = step.for_each === undefined ? undefined : interpolate(step.for_each, ctx);
  if (list !== undefined) expect(Array.isArray(list), `${step.id}: for_each yields a list`).toBe(true);
  const itemCtx = list === undefined ? ctx : { ...ctx, item: (list as unknown[])[0], index: 0 };
  const params = interpolate(step.with, itemCtx) as Record<string, unknown>;
  const checked = RUNTIME_STEP_PARAMS[step.uses].safeParse(params);
  expect(checked.error?.issues ?? [], `${step.id}: evaluated with fits ${step.uses}`).toEqual([]);
  const wait = interpolate(step.wait, itemCtx);
  const timeout = step.timeout === undefined ? undefined : interpolate(step.timeout, ctx);
  return { runs, list, params, wait, timeout };
}

describe('example workflows', () => {
  it.each(EXAMPLES)('%s starts with the yaml-language-server schema line', (name) => {
    const first = readFileSync(join(DIR, `${name}.yaml`), 'utf8').split('\n')[0];
    expect(first).toBe('# yaml-language-server: $schema=../schema/workflow.schema.json');
  });

  it.each(EXAMPLES)("%s: every step's expressions evaluate for each trigger", (name) => {
    const def = load(name);
    expect(def.name).toBe(name);
    expect(def.triggers.length).toBeGreaterThan(0);
    for (const trigger of def.triggers) {
      const { values, errors } = coerceInputs(def, trigger.inputs, 'trigger');
      expect(errors).toEqual([]);
      const ctx = sampleContext(def, values);
      for (const step of [...def.steps, ...def.finally, ...def.on_failure]) evaluateStep(step, ctx);
    }
  });

  it('nightly-snapshots names each snapshot by instance and slot, and prunes with the inputs', () => {
    const def = load('nightly-snapshots');
    const { values } = coerceInputs(def, { keep_daily: '3' }, 'cli');
    const ctx = sampleContext(def, values);
    const [list, snapshot, prune] = def.steps.map((s) => evaluateStep(s, ctx));
    expect(list!.params).toEqual({ name: 'prod-*', status: ['active', 'stopped'] });
    expect(snapshot!.list).toEqual(instances);
    expect(snapshot!.params).toEqual({
      instance: instances[0]!.id,
      name: 'nightly-dev-alice-2024-05-06T00:30:00.000Z',
    });
    expect(prune!.params).toEqual({
      instance: instances[0]!.id,
      match: 'nightly-dev-alice-*',
      keep_daily: 3,
      keep_weekly: 4,
      keep_monthly: 6,
      timezone: 'Europe/Berlin',
    });
    const manual = sampleContext(def, values);
    manual.run.scheduled_at = null;
    expect(evaluateStep(def.steps[1]!, manual).params['name']).toBe('nightly-dev-alice-run-1');
  });

  it('office-hours stops active boxes in the off period and starts stopped ones in the morning', () => {
    const def = load('office-hours');
    expect(def.triggers.map((t) => [t.cron, t.timezone, t.inputs['action']])).toEqual([
      ['*/15 0-6,19-23 * * 1-5', 'Europe/Berlin', 'stop'],
      ['*/15 7-8 * * 1-5', 'Europe/Berlin', 'start'],
      ['*/15 * * * 0,6', 'Europe/Berlin', 'stop'],
    ]);
    // Overlapping fires are skipped: never two enforcement runs at once.
    expect(def.concurrency.overlap).toBe('skip');
    const evening = sampleContext(def, coerceInputs(def, { action: 'stop' }, 'trigger').values);
    const [list, stop, start] = def.steps.map((s) => evaluateStep(s, evening));
    expect(list!.params).toEqual({ name: 'dev-*', status: 'active' });
    expect([stop!.runs, start!.runs]).toEqual([true, false]);
    const morning = sampleContext(def, coerceInputs(def, { action: 'start' }, 'trigger').values);
    const [list2, stop2, start2] = def.steps.map((s) => evaluateStep(s, morning));
    expect(list2!.params).toEqual({ name: 'dev-*', status: 'stopped' });
    expect([stop2!.runs, start2!.runs]).toEqual([false, true]);
    expect(start2!.params).toEqual({ instance: instances[0]!.id });
  });

  it('gpu-batch wraps the script to report its exit code and output tail, waits for the report, and tears down only a created box', () => {
    const def = load('gpu-batch');
    const { values } = coerceInputs(def, { script: 'python train.py --epochs 3', max_runtime: '2h' }, 'cli');
    const ctx = sampleContext(def, values);
    const [box, job, snapshot] = def.steps.map((s) => evaluateStep(s, ctx));
    expect(box!.params['name']).toBe('batch-run-1');
    expect(box!.params['ssh_keys']).toEqual(['ops-laptop']);
    const script = box!.params['startup_script'] as string;
    expect(script).toMatch(/^#!\/bin\/bash\n/);
    expect(script).toContain('trap poweroff EXIT');
    expect(script).toContain("REPORT_URL='http://127.0.0.1:8080/report/run-1/gcr_sampletokensampletoken'");
    expect(script).toContain('(\npython train.py --epochs 3\n) > /root/job.log 2>&1\nCODE=$?');
    expect(script).toContain(
      `curl -fsS --retry 5 --retry-all-errors -X POST -H 'content-type: application/json' -d @- "$REPORT_URL"`,
    );
    expect(script).toContain('"status":"running"');
    expect(box!.wait).toEqual({ status: 'active', timeout: '20m' });
    expect(job!.params).toEqual({
      instance: '9e8ce501-d692-402c-8fca-5a8f5d8ddd57',
      heartbeat_timeout: '5m',
      timeout: '2h',
    });
    expect(snapshot!.params).toEqual({
      instance: '9e8ce501-d692-402c-8fca-5a8f5d8ddd57',
      name: 'result-run-1',
    });
    const teardown = def.finally[0]!;
    expect(evaluateStep(teardown, ctx).runs).toBe(true);
    const noBox = { ...ctx, steps: { box: { status: 'failed', outputs: {} } } };
    expect(evaluateCondition(teardown.if!, noBox)).toBe(false);
    const alert = def.on_failure[0]!;
    expect(evaluateStep(alert, ctx).params).toEqual({
      url: 'https://hooks.slack.example/T000/B000/XXXX',
      text: 'gpu-batch run-1 failed: step job: timed out',
    });
    expect(evaluateCondition(alert.if!, { ...ctx, secrets: {} })).toBe(false);
  });
});
