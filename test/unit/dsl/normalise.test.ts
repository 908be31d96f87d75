// What the engine receives: every default filled in, `wait` in one shape, each step's
// place in the file, the source hash; plain JSON.
// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${{ }} is the workflow expression syntax, not a JS template
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parseWorkflow, type WorkflowDefinition } from '../../../src/dsl/index.js';

function parse(text: string): WorkflowDefinition {
  const { definition, diagnostics } = parseWorkflow(text, 'wf.yaml');
  expect(diagnostics).toEqual([]);
  return definition!;
}

const MINIMAL = `name: minimal
triggers:
  - cron: "0 2 * * *"
steps:
  - id: pause
    uses: sleep
    with: { duration: 1s }
`;

describe('normalised definition', () => {
  it('fills every default', () => {
    expect(parse(MINIMAL)).toEqual({
      name: 'minimal',
      inputs: {},
      triggers: [{ cron: '0 2 * * *', timezone: 'UTC', inputs: {}, catch_up: 'last', catch_up_window: '1h' }],
      concurrency: { group: 'minimal', overlap: 'skip' },
      steps: [
        {
          id: 'pause',
          uses: 'sleep',
          with: { duration: '1s' },
          max_parallel: 1,
          continue_on_error: false,
          keep: false,
          loc: { file: 'wf.yaml', line: 5, column: 5 },
        },
      ],
      finally: [],
      on_failure: [],
      source: { file: 'wf.yaml', hash: createHash('sha256').update(MINIMAL).digest('hex') },
    });
  });

  it('puts wait in one shape', () => {
    const def = parse(`name: waits
steps:
  - { id: a, uses: instance.stop, with: { instance: x }, wait: true }
  - { id: b, uses: instance.stop, with: { instance: x }, wait: stopped }
  - { id: c, uses: instance.stop, with: { instance: x }, wait: [stopped, error] }
  - { id: d, uses: instance.stop, with: { instance: x }, wait: { status: stopped, timeout: 5m, poll: 5s } }
  - { id: e, uses: instance.stop, with: { instance: x }, wait: false }
  - { id: f, uses: instance.stop, with: { instance: x } }
`);
    expect(def.steps.map((s) => s.wait)).toEqual([
      {},
      { status: 'stopped' },
      { status: ['stopped', 'error'] },
      { status: 'stopped', timeout: '5m', poll: '5s' },
      false,
      undefined,
    ]);
  });

  it('keeps what was written and completes a partial retry', () => {
    const def = parse(`name: full
description: All keys.
inputs:
  n: { type: integer, default: 2, description: how many, enum: [1, 2] }
  s: { type: string, required: true }
triggers:
  - { cron: "*/30 * * * * *", timezone: Europe/Berlin, inputs: { s: x }, catch_up: none, catch_up_window: 2h }
concurrency: { group: shared, overlap: cancel_running }
timeout: 2h
steps:
  - id: boxes
    name: List
    uses: instances.list
    if: inputs.n > 1
    retry: { attempts: 5, backoff: fixed }
    timeout: \${{ inputs.n }}m
    continue_on_error: true
  - id: keep
    uses: instance.create
    for_each: [a, b]
    max_parallel: 2
    keep: true
    with: { name: "k-\${{ item }}-\${{ run.id }}", type: t, region: r, image: i, password: "0123456789abcdef" }
finally:
  - { id: bye, uses: sleep, with: { duration: 1s } }
on_failure:
  - { id: oops, uses: sleep, if: true, with: { duration: 1s } }
`);
    expect(def.description).toBe('All keys.');
    expect(def.inputs).toEqual({
      n: { type: 'integer', default: 2, description: 'how many', enum: [1, 2], required: false },
      s: { type: 'string', required: true },
    });
    expect(def.triggers[0]).toEqual({
      cron: '*/30 * * * * *',
      timezone: 'Europe/Berlin',
      inputs: { s: 'x' },
      catch_up: 'none',
      catch_up_window: '2h',
    });
    expect(def.concurrency).toEqual({ group: 'shared', overlap: 'cancel_running' });
    expect(def.timeout).toBe('2h');
    expect(def.steps[0]).toMatchObject({
      name: 'List',
      if: 'inputs.n > 1',
      retry: { attempts: 5, backoff: 'fixed', delay: '10s', max_delay: '5m', jitter: 0.2 },
      timeout: '${{ inputs.n }}m',
      continue_on_error: true,
      with: {},
    });
    expect(def.steps[1]).toMatchObject({
      for_each: ['a', 'b'],
      max_parallel: 2,
      keep: true,
      loc: { line: 18, column: 5 },
    });
    expect(def.finally.map((s) => s.id)).toEqual(['bye']);
    expect(def.on_failure[0]!.if).toBe('true');
  });

  it('is plain JSON, so a run can store it', () => {
    const def = parse(MINIMAL);
    expect(JSON.parse(JSON.stringify(def))).toEqual(def);
  });
});
