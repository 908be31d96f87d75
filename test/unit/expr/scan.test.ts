// Finding `${{ }}` in text, and the guarantee that evaluation never runs code.
// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${{ }} is the workflow expression syntax, not a JS template
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scanExpressions, singleExpression } from '../../../src/expr/index.js';

describe('scanExpressions', () => {
  it('finds each expression with its offsets', () => {
    const text = 'a-${{ run.id }}-${{ inputs.x }}';
    const { segments } = scanExpressions(text);
    expect(segments.map((s) => [s.start, s.end, s.inner])).toEqual([
      [2, 15, ' run.id '],
      [16, 31, ' inputs.x '],
    ]);
  });

  it('does not end an expression at }} inside a quoted string', () => {
    const { segments } = scanExpressions("${{ format('}}{0}', 'it''s') }} tail");
    expect(segments).toHaveLength(1);
    expect(segments[0]!.inner).toBe(" format('}}{0}', 'it''s') ");
  });

  it('reports a ${{ without its }}', () => {
    expect(scanExpressions('ok ${{ a }} then ${{ b').unterminatedAt).toBe(17);
  });

  it('knows a value that is exactly one expression', () => {
    expect(singleExpression(' ${{ a }} ')?.inner).toBe(' a ');
    expect(singleExpression('x${{ a }}')).toBeUndefined();
    expect(singleExpression('${{ a }}${{ b }}')).toBeUndefined();
  });
});

describe('src/expr', () => {
  it('never evaluates with eval or Function', () => {
    const dir = join(import.meta.dirname, '../../../src/expr');
    for (const file of readdirSync(dir)) {
      const code = readFileSync(join(dir, file), 'utf8');
      expect(code, file).not.toMatch(/\beval\s*\(|new\s+Function\b|\bFunction\s*\(/);
    }
  });
});
