// Golden tests: each invalid fixture in test/fixtures/dsl/ is validated and its
// formatted diagnostics (file:line:col, code, message, hint, code frame) must equal
// the .expected file next to it, exactly. Fixtures named after a code must produce it.
// To review a deliberate change of wording: UPDATE_GOLDEN=1 npx vitest run test/unit/dsl/golden.test.ts
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DIAGNOSTIC_CODES, formatDiagnostic, parseWorkflow } from '../../../src/dsl/index.js';

const DIR = join(import.meta.dirname, '../../fixtures/dsl');
const fixtures = readdirSync(DIR)
  .filter((f) => f.endsWith('.yaml'))
  .sort();
/** Codes that need the file system or a huge input: tested in limits.test.ts and test/integration/workflows. */
const NOT_FROM_TEXT = new Set(['E_FILE_TOO_LARGE', 'E_FILE_UNREADABLE', 'E_DUPLICATE_WORKFLOW']);

function render(file: string): string {
  const text = readFileSync(join(DIR, file), 'utf8');
  const { diagnostics } = parseWorkflow(text, file);
  return `${diagnostics.map((d) => formatDiagnostic(d, text)).join('\n\n')}\n`;
}

describe('golden diagnostics', () => {
  it.each(fixtures)('%s reports exactly what its .expected file says', (file) => {
    const expectedPath = join(DIR, file.replace(/\.yaml$/, '.expected'));
    const actual = render(file);
    if (process.env['UPDATE_GOLDEN'] === '1') writeFileSync(expectedPath, actual);
    expect(existsSync(expectedPath), `${expectedPath} is missing`).toBe(true);
    expect(actual).toBe(readFileSync(expectedPath, 'utf8'));
  });

  it.each(fixtures.filter((f) => /^[EW]_[A-Z_]+\.yaml$/.test(f)))(
    '%s produces the code it is named after',
    (file) => {
      const code = file.replace(/\.yaml$/, '');
      const { diagnostics, definition } = parseWorkflow(readFileSync(join(DIR, file), 'utf8'), file);
      expect(diagnostics.map((d) => d.code)).toContain(code);
      if (code.startsWith('E_')) expect(definition).toBeUndefined();
      else expect(definition?.name).toBe('fixture'); // warnings alone do not block the workflow
    },
  );

  it('has a fixture for every code the parser can emit', () => {
    const missing = Object.keys(DIAGNOSTIC_CODES).filter(
      (code) => !NOT_FROM_TEXT.has(code) && !fixtures.includes(`${code}.yaml`),
    );
    expect(missing).toEqual([]);
  });
});
