// workflows/README.md lists every diagnostic code, and its example messages are the
// ones the validator really prints (taken from the golden fixtures), so it cannot drift.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { DIAGNOSTIC_CODES, STEP_KINDS } from '../../../src/dsl/index.js';

const README = readFileSync(join(import.meta.dirname, '../../../workflows/README.md'), 'utf8');
const FIXTURES = join(import.meta.dirname, '../../fixtures/dsl');

it('documents every diagnostic code with a message the validator prints', () => {
  const rows = new Map(
    [...README.matchAll(/^\| `([EW]_[A-Z_]+)` \| `(.+)` \|$/gm)].map((m) => [
      m[1]!,
      m[2]!.replace(/\\\|/g, '|'),
    ]),
  );
  expect([...rows.keys()].sort()).toEqual(Object.keys(DIAGNOSTIC_CODES).sort());
  for (const [code, message] of rows) {
    let expected: string;
    try {
      expected = readFileSync(join(FIXTURES, `${code}.expected`), 'utf8');
    } catch {
      continue; // codes from the file system (E_FILE_*, E_DUPLICATE_WORKFLOW) are asserted in their own tests
    }
    expect(expected, code).toContain(` ${code} ${message}`);
  }
});

it('documents every step kind', () => {
  for (const kind of STEP_KINDS)
    expect(README, kind).toMatch(new RegExp(`^### .*\`${kind.replace('.', '\\.')}\``, 'm'));
});
