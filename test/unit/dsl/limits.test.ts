// Inputs that could cost a lot are refused before they cost anything: anchors and
// aliases (a "billion laughs" alias bomb) and files over 1 MiB.
import { describe, expect, it } from 'vitest';
import { MAX_FILE_BYTES, parseWorkflow } from '../../../src/dsl/index.js';

/** `levels` rows of nine aliases each: expanded, this is 9^levels strings. */
function aliasBomb(levels: number): string {
  const rows = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
  for (let i = 1; i < levels; i++)
    rows.push(
      `a${i}: &a${i} [${Array(9)
        .fill(`*a${i - 1}`)
        .join(',')}]`,
    );
  return `name: bomb\nsteps:\n  - { id: pause, uses: sleep, with: { duration: 1s } }\nx:\n${rows.map((r) => `  ${r}`).join('\n')}\n`;
}

describe('limits', () => {
  it('refuses an alias bomb without expanding it', () => {
    // 9^40 strings if anything resolved the aliases: this returns only because nothing does.
    const { definition, diagnostics } = parseWorkflow(aliasBomb(40), 'bomb.yaml');
    expect(definition).toBeUndefined();
    expect(diagnostics.map((d) => `${d.line}:${d.column} ${d.code} ${d.message}`)).toEqual([
      '5:7 E_YAML_ALIAS anchor &a0 refused (40 anchors and 351 aliases in this file)',
      '6:12 E_YAML_ALIAS alias *a0 refused (40 anchors and 351 aliases in this file)',
    ]);
    expect(diagnostics[0]!.hint).toMatch(/anchors and aliases/);
  });

  it('refuses a 5 MiB file before parsing it', () => {
    const line = '  # padding padding padding padding padding padding padding padding padding padding\n';
    const text = `name: big\nsteps:\n  - { id: pause, uses: sleep, with: { duration: 1s } }\n${line.repeat(Math.ceil((5 * 1024 * 1024) / line.length))}`;
    expect(text.length).toBeGreaterThan(5 * 1024 * 1024);
    const { definition, diagnostics } = parseWorkflow(text, 'big.yaml');
    expect(definition).toBeUndefined();
    expect(diagnostics).toEqual([
      {
        file: 'big.yaml',
        line: 1,
        column: 1,
        severity: 'error',
        code: 'E_FILE_TOO_LARGE',
        message: 'file is 5.0 MiB; workflow files may be at most 1 MiB',
        hint: 'a workflow this large is almost certainly not one: split it, or move data out of the file',
      },
    ]);
  });

  it('counts bytes, not characters, against the 1 MiB limit', () => {
    // 400k three-byte characters: 1.2 MB of UTF-8 in fewer than 1 Mi characters.
    const text = `name: wide\ndescription: "${'€'.repeat(400_000)}"\nsteps:\n  - { id: pause, uses: sleep, with: { duration: 1s } }\n`;
    expect(text.length).toBeLessThan(MAX_FILE_BYTES);
    expect(parseWorkflow(text, 'wide.yaml').diagnostics.map((d) => d.code)).toEqual(['E_FILE_TOO_LARGE']);
  });

  it('refuses nesting deeper than any workflow needs', () => {
    const deep = `name: deep\nsteps:\n  - id: pause\n    uses: sleep\n    with: { duration: 1s, x: ${'['.repeat(200)}${']'.repeat(200)} }\n`;
    const { diagnostics } = parseWorkflow(deep, 'deep.yaml');
    expect(diagnostics.map((d) => `${d.code} ${d.message}`)).toEqual([
      'E_YAML_SYNTAX nested deeper than 64 levels',
    ]);
  });
});
