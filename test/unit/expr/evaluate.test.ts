// The `${{ }}` language at run time: GitHub Actions semantics for typed values, text,
// truthiness, loose equality, missing properties and functions.
// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${{ }} is the workflow expression syntax, not a JS template
import { describe, expect, it } from 'vitest';
import {
  evaluateCondition,
  type ExprContext,
  ExpressionError,
  interpolate,
} from '../../../src/expr/index.js';
import { GcflowError } from '../../../src/shared/errors.js';

function context(over: Partial<ExprContext> = {}): ExprContext {
  return {
    inputs: {
      count: 3,
      ratio: 1.5,
      name: 'Box',
      empty: '',
      zero: 0,
      flag: false,
      tags: ['a', 'b'],
      meta: { team: 'ml' },
    },
    steps: {
      boxes: {
        status: 'succeeded',
        outputs: {
          count: 2,
          instances: [
            { id: 'i-1', name: 'dev-1' },
            { id: 'i-2', name: 'dev-2' },
          ],
        },
      },
    },
    run: {
      id: 'run-42',
      report_url: '',
      workflow: 'office-hours',
      trigger: 'schedule',
      scheduled_at: '2024-05-06T17:00:00.000Z',
      started_at: '2024-05-06T17:00:01.000Z',
      attempt: 1,
      error: null,
    },
    secrets: { token: 'sup3r-s3cret{' },
    ...over,
  };
}

describe('interpolate', () => {
  it('keeps the type of a value that is exactly one expression', () => {
    const ctx = context();
    expect(interpolate('${{ inputs.count }}', ctx)).toBe(3);
    expect(interpolate('  ${{ inputs.flag }}  ', ctx)).toBe(false);
    expect(interpolate('${{ steps.boxes.outputs.instances }}', ctx)).toEqual([
      { id: 'i-1', name: 'dev-1' },
      { id: 'i-2', name: 'dev-2' },
    ]);
    expect(interpolate('${{ inputs.meta }}', ctx)).toEqual({ team: 'ml' });
    expect(interpolate('${{ steps.boxes.outputs.instances.*.id }}', ctx)).toEqual(['i-1', 'i-2']);
    expect(interpolate('${{ 1 == 1 }}', ctx)).toBe(true);
  });

  it('turns each expression into text inside a longer string', () => {
    const ctx = context();
    expect(interpolate('batch-${{ run.id }}-${{ inputs.count }}', ctx)).toBe('batch-run-42-3');
    expect(interpolate('r=${{ inputs.ratio }} f=${{ inputs.flag }} n=${{ run.error }}.', ctx)).toBe(
      'r=1.5 f=false n=.',
    );
    expect(interpolate('${{ inputs.meta }} ${{ inputs.tags }}', ctx)).toBe('Object Array');
  });

  it('goes deep into objects and lists, leaves keys and non-strings alone', () => {
    const out = interpolate(
      {
        name: 'x-${{ run.id }}',
        list: ['${{ inputs.count }}', 7, null, true],
        nested: { '${{ run.id }}': '${{ inputs.name }}' },
      },
      context(),
    );
    expect(out).toEqual({ name: 'x-run-42', list: [3, 7, null, true], nested: { '${{ run.id }}': 'Box' } });
  });

  it('reads missing properties as null, which is empty text', () => {
    const ctx = context();
    expect(interpolate('${{ inputs.nope }}', ctx)).toBeNull();
    expect(interpolate('${{ steps.missing.outputs.instance.id }}', ctx)).toBeNull();
    expect(interpolate('id=${{ steps.missing.outputs.instance.id }}', ctx)).toBe('id=');
    expect(interpolate('${{ steps.boxes.outputs.instances[7].id }}', ctx)).toBeNull();
    expect(interpolate('${{ item }}', ctx)).toBeNull();
  });

  it('reads item and index of a for_each unit and property names case-insensitively', () => {
    const ctx = context({ item: { id: 'i-9', Name: 'dev-9' }, index: 4 });
    expect(interpolate('${{ item.name }}/${{ index }}', ctx)).toBe('dev-9/4');
    expect(interpolate('${{ index }}', ctx)).toBe(4);
    expect(interpolate('${{ Inputs.NAME }}', ctx)).toBe('Box');
  });

  it('returns the deciding operand of || and && (GitHub)', () => {
    const ctx = context();
    expect(interpolate("${{ inputs.nope || 'fallback' }}", ctx)).toBe('fallback');
    expect(interpolate("${{ inputs.name && 'yes' }}", ctx)).toBe('yes');
    expect(interpolate("${{ inputs.flag == false && 'active' || 'stopped' }}", ctx)).toBe('active');
  });

  it('offers GitHub functions', () => {
    const ctx = context();
    expect(interpolate("${{ contains(inputs.tags, 'B') }}", ctx)).toBe(true);
    expect(interpolate("${{ contains('Hello', 'ELL') }}", ctx)).toBe(true);
    expect(interpolate("${{ startsWith(inputs.name, 'bo') }}", ctx)).toBe(true);
    expect(interpolate("${{ endsWith(inputs.name, 'x') }}", ctx)).toBe(true);
    expect(interpolate("${{ format('{0}-{1}-{{x}}', run.id, inputs.count) }}", ctx)).toBe('run-42-3-{x}');
    expect(interpolate("${{ join(inputs.tags, '+') }}", ctx)).toBe('a+b');
    expect(interpolate('${{ toJSON(inputs.meta) }}', ctx)).toBe('{\n  "team": "ml"\n}');
    expect(interpolate('${{ fromJSON(\'{"a":[1,2]}\').a[1] }}', ctx)).toBe(2);
    expect(interpolate('${{ fromJSON(toJSON(steps.boxes.outputs)).count }}', ctx)).toBe(2);
  });

  it('treats a }} inside a quoted string as text, not the end of the expression', () => {
    expect(interpolate("a${{ format('{0}}}', 'b') }}c", context())).toBe('ab}c');
  });
});

describe('evaluateCondition', () => {
  it('accepts a condition with or without ${{ }}', () => {
    const ctx = context();
    expect(evaluateCondition("steps.boxes.status == 'succeeded'", ctx)).toBe(true);
    expect(evaluateCondition("${{ steps.boxes.status == 'failed' }}", ctx)).toBe(false);
  });

  it('follows GitHub truthiness', () => {
    const ctx = context();
    for (const falsy of ['inputs.empty', 'inputs.zero', 'inputs.flag', 'inputs.nope', 'run.error', 'NaN']) {
      expect(evaluateCondition(falsy, ctx), falsy).toBe(false);
    }
    for (const truthy of [
      'inputs.name',
      'inputs.count',
      'inputs.tags',
      'inputs.meta',
      "fromJSON('[]')",
      "'false'",
    ]) {
      expect(evaluateCondition(truthy, ctx), truthy).toBe(true);
    }
  });

  it('compares loosely: numbers with strings, case-insensitive text, null as 0', () => {
    const ctx = context();
    expect(evaluateCondition("inputs.count == '3'", ctx)).toBe(true);
    expect(evaluateCondition("inputs.name == 'BOX'", ctx)).toBe(true);
    expect(evaluateCondition('run.error == 0', ctx)).toBe(true);
    expect(evaluateCondition("inputs.nope != ''", ctx)).toBe(false);
    expect(evaluateCondition('inputs.flag == 0', ctx)).toBe(true);
    expect(evaluateCondition("inputs.count > '2'", ctx)).toBe(true);
    expect(evaluateCondition('inputs.tags == inputs.tags', ctx)).toBe(true);
  });

  it('is always true when text surrounds the ${{ }} (a non-empty string), as on GitHub', () => {
    expect(evaluateCondition("${{ inputs.flag }} == 'true'", context())).toBe(true);
  });
});

describe('expression errors', () => {
  const errorOf = (fn: () => unknown): ExpressionError => {
    try {
      fn();
    } catch (err) {
      if (err instanceof ExpressionError) return err;
      throw err;
    }
    throw new Error('expected an ExpressionError');
  };

  it('reports syntax errors with a code, the expression and the offset', () => {
    const err = errorOf(() => interpolate("${{ inputs.name = 'x' }}", context()));
    expect(err).toBeInstanceOf(GcflowError);
    expect(err.code).toBe('E_EXPR_SYNTAX');
    expect(err.message).toBe("unexpected symbol '=' in ${{ inputs.name = 'x' }}");
    expect(err.offset).toBe(13);
    expect(errorOf(() => evaluateCondition('(inputs.a', context())).code).toBe('E_EXPR_SYNTAX');
    expect(errorOf(() => evaluateCondition("inputs.name == 'open", context())).detail).toBe(
      'unterminated string literal',
    );
    expect(errorOf(() => interpolate("${{ 'open }}", context())).detail).toBe(
      'unterminated ${{ (no closing }})',
    );
    expect(errorOf(() => interpolate('a ${{ inputs.name', context())).detail).toBe(
      'unterminated ${{ (no closing }})',
    );
    expect(errorOf(() => interpolate('${{ }}', context())).detail).toBe('empty expression');
  });

  it('names unknown contexts and functions', () => {
    expect(errorOf(() => interpolate('${{ github.sha }}', context())).code).toBe('E_EXPR_UNKNOWN_CONTEXT');
    const fn = errorOf(() => evaluateCondition('success()', context()));
    expect(fn.code).toBe('E_EXPR_UNKNOWN_FUNCTION');
    expect(fn.message).toBe("unknown function 'success()' in ${{ success() }}");
    expect(errorOf(() => interpolate('${{ case(true, 1, 2) }}', context())).code).toBe(
      'E_EXPR_UNKNOWN_FUNCTION',
    );
  });

  it('reports evaluation failures without revealing secrets', () => {
    const bad = errorOf(() => interpolate("${{ fromJSON('{nope') }}", context()));
    expect(bad.code).toBe('E_EXPR_EVAL');
    const leaky = errorOf(() => interpolate('${{ format(secrets.token, 1) }}', context()));
    expect(leaky.code).toBe('E_EXPR_EVAL');
    expect(leaky.message).not.toContain('sup3r-s3cret');
    expect(leaky.message).toContain('***');
  });
});
