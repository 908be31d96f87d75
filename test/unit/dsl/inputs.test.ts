// Run inputs against a workflow's declarations: CLI strings converted, API values
// checked as they are, defaults applied, every problem listed.
import { describe, expect, it } from 'vitest';
import { coerceInputs, parseWorkflow, type WorkflowDefinition } from '../../../src/dsl/index.js';

const def = (() => {
  const text = `name: inputs
inputs:
  script: { type: string, required: true }
  count: { type: integer, default: 2 }
  ratio: { type: number }
  dry_run: { type: boolean, default: false }
  max_runtime: { type: duration, default: 6h }
  keys: { type: list, default: [ops-laptop] }
  labels: { type: object }
  size: { type: string, enum: [small, large], default: small }
steps:
  - { id: pause, uses: sleep, with: { duration: 1s } }
`;
  return parseWorkflow(text, 'inputs.yaml').definition as WorkflowDefinition;
})();

describe('coerceInputs', () => {
  it('converts CLI strings to the declared types', () => {
    const { values, errors } = coerceInputs(
      def,
      {
        script: 'python train.py',
        count: '3',
        ratio: '0.25',
        dry_run: 'TRUE',
        max_runtime: '1h30m',
        keys: '["a","b"]',
        labels: '{"team":"ml"}',
        size: 'large',
      },
      'cli',
    );
    expect(errors).toEqual([]);
    expect(values).toEqual({
      script: 'python train.py',
      count: 3,
      ratio: 0.25,
      dry_run: true,
      max_runtime: '1h30m',
      keys: ['a', 'b'],
      labels: { team: 'ml' },
      size: 'large',
    });
  });

  it('applies defaults (as copies) and leaves undeclared optional inputs out', () => {
    const first = coerceInputs(def, { script: 'x' }, 'api');
    expect(first).toEqual({
      values: {
        script: 'x',
        count: 2,
        dry_run: false,
        max_runtime: '6h',
        keys: ['ops-laptop'],
        size: 'small',
      },
      errors: [],
    });
    (first.values['keys'] as string[]).push('changed');
    expect(def.inputs['keys']!.default).toEqual(['ops-laptop']);
  });

  it('lists every problem: unknown, missing, wrong types, enum, durations', () => {
    const { errors } = coerceInputs(
      def,
      {
        scrpit: 'x',
        count: '3.5',
        ratio: 'lots',
        dry_run: 'maybe',
        max_runtime: '90',
        keys: 'a,b',
        size: 'huge',
      },
      'cli',
    );
    expect(errors).toEqual([
      "unknown input 'scrpit'; did you mean 'script'? (declared: script, count, ratio, dry_run, max_runtime, keys, labels, size)",
      "missing required input 'script'",
      "input 'count' must be an integer, got '3.5'",
      "input 'ratio' must be a number, got 'lots'",
      "input 'dry_run' must be true or false, got 'maybe'",
      "input 'max_runtime' must be a duration such as 30s, 15m, 1h30m or 7d, got '90'",
      `input 'keys' must be a list, got 'a,b' (write JSON: -i key='["a","b"]')`,
      "input 'size' must be one of 'small', 'large', got 'huge'",
    ]);
  });

  it('takes API and trigger values as they are: no string conversion', () => {
    expect(coerceInputs(def, { script: 'x', count: '3' }, 'api').errors).toEqual([
      "input 'count' must be an integer, got '3'",
    ]);
    expect(coerceInputs(def, { script: 'x', count: 4, keys: ['k'] }, 'trigger')).toMatchObject({
      values: { count: 4, keys: ['k'] },
      errors: [],
    });
  });

  it('treats null as not given', () => {
    expect(coerceInputs(def, { script: null, count: null }, 'api').errors).toEqual([
      "missing required input 'script'",
    ]);
  });

  it('names the workflow when it declares no inputs', () => {
    const bare = parseWorkflow(
      'name: bare\nsteps:\n  - { id: p, uses: sleep, with: { duration: 1s } }\n',
      'b.yaml',
    ).definition!;
    expect(coerceInputs(bare, { x: 1 }, 'api').errors).toEqual([
      "unknown input 'x': workflow 'bare' declares no inputs",
    ]);
  });
});
