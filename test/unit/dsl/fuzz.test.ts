// Property test: random mutations of the example workflows (deleted lines, shifted
// indentation, random scalars, truncation, ...) never make the validator throw, and
// every diagnostic it returns is well-formed. Seeded: a failure names its seed and case.
// By default a fixed seed and 150 cases (part of the unit layer: ~2 s of CPU; the time limit
// is generous because a loaded machine stretches CPU-bound work many times over);
// `npm run test:fuzz` runs 20,000 cases from a fresh seed (FUZZ_RUNS, FUZZ_SEED).
// Reproduce with FUZZ_SEED=<seed> FUZZ_RUNS=<n> npx vitest run test/unit/dsl/fuzz.test.ts
// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${{ }} is the workflow expression syntax, not a JS template
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { DIAGNOSTIC_CODES, formatDiagnostic, parseWorkflow } from '../../../src/dsl/index.js';

/** FUZZ_SEED: a number, or `random` for a fresh one (printed in the test's name). */
const SEED =
  process.env['FUZZ_SEED'] === 'random'
    ? Math.floor(Math.random() * 2 ** 32)
    : Number(process.env['FUZZ_SEED'] ?? 0x6cf10);
const CASES = Number(process.env['FUZZ_RUNS'] ?? 150);
const DIR = join(import.meta.dirname, '../../../workflows');
const examples = readdirSync(DIR)
  .filter((f) => f.endsWith('.yaml'))
  .map((f) => ({ file: f, text: readFileSync(join(DIR, f), 'utf8') }));

/** mulberry32: small, fast, and the same sequence for the same seed everywhere. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SCALARS = [
  '',
  '~',
  'null',
  '0',
  '-1',
  '3.5',
  '1e309',
  'true',
  'no',
  '"',
  "'",
  '[',
  '{',
  '}',
  ']',
  '- x',
  '&a',
  '*a',
  '!tag',
  '${{',
  '}}',
  '${{ }}',
  '${{ steps. }}',
  '${{ inputs.x }}',
  '${{ item }}',
  '${{ run.nope }}',
  '${{ fromJSON(x) }}',
  '15m',
  '1h30m',
  '61 * * * *',
  '0 2 * * *',
  'Europe/Nowhere',
  'instance.create',
  'sleep',
  ': :',
  '#',
  '|',
  '>',
  '\t',
  'ü',
  '💥',
  'x'.repeat(300),
  '{ a: 1 }',
  '[1, 2]',
  '? a',
  '%YAML 1.2',
  '---',
  '...',
  '"\\u00"',
];

type Mutation = (lines: string[], rnd: () => number) => string[];
const pick = <T>(list: readonly T[], rnd: () => number): T => list[Math.floor(rnd() * list.length)]!;
const at = (lines: string[], rnd: () => number) => Math.floor(rnd() * lines.length);

const MUTATIONS: Record<string, Mutation> = {
  deleteLine: (lines, rnd) => lines.filter((_, i) => i !== at(lines, rnd)),
  duplicateLine: (lines, rnd) => {
    const i = at(lines, rnd);
    return [...lines.slice(0, i + 1), lines[i] ?? '', ...lines.slice(i + 1)];
  },
  swapLines: (lines, rnd) => {
    const out = [...lines];
    const i = at(out, rnd);
    const j = at(out, rnd);
    [out[i], out[j]] = [out[j] ?? '', out[i] ?? ''];
    return out;
  },
  shiftIndent: (lines, rnd) => {
    const out = [...lines];
    const i = at(out, rnd);
    const line = out[i] ?? '';
    out[i] = rnd() < 0.5 ? `${' '.repeat(1 + Math.floor(rnd() * 4))}${line}` : line.replace(/^ {1,3}/, '');
    return out;
  },
  swapIndentation: (lines, rnd) => {
    const out = [...lines];
    const i = at(out, rnd);
    const j = at(out, rnd);
    const indent = (s: string) => /^\s*/.exec(s)![0];
    const a = out[i] ?? '';
    const b = out[j] ?? '';
    out[i] = indent(b) + a.trimStart();
    out[j] = indent(a) + b.trimStart();
    return out;
  },
  randomScalar: (lines, rnd) => {
    const out = [...lines];
    const i = at(out, rnd);
    const line = out[i] ?? '';
    const colon = line.indexOf(': ');
    out[i] = colon >= 0 ? `${line.slice(0, colon + 2)}${pick(SCALARS, rnd)}` : `${line}${pick(SCALARS, rnd)}`;
    return out;
  },
  randomKey: (lines, rnd) => {
    const out = [...lines];
    const i = at(out, rnd);
    out[i] = (out[i] ?? '').replace(
      /^(\s*-?\s*)[a-z_]+:/,
      `$1${pick(['nmae', 'with', 'uses', 'if', 'for_each', 'x y', '"q"', '1'], rnd)}:`,
    );
    return out;
  },
  insertChars: (lines, rnd) => {
    const out = [...lines];
    const i = at(out, rnd);
    const line = out[i] ?? '';
    const k = Math.floor(rnd() * (line.length + 1));
    out[i] = line.slice(0, k) + pick(SCALARS, rnd) + line.slice(k);
    return out;
  },
  truncate: (lines, rnd) => {
    const text = lines.join('\n');
    return text.slice(0, Math.floor(rnd() * text.length)).split('\n');
  },
};
const NAMES = Object.keys(MUTATIONS);

it(
  `never throws on ${CASES} mutated example workflows (seed ${SEED})`,
  () => {
    const rnd = prng(SEED);
    const stats = { withDefinition: 0, withErrors: 0 };
    for (let n = 0; n < CASES; n++) {
      const example = examples[n % examples.length]!;
      let lines = example.text.split('\n');
      const applied: string[] = [];
      const count = 1 + Math.floor(rnd() * 3);
      for (let k = 0; k < count; k++) {
        const name = pick(NAMES, rnd);
        applied.push(name);
        lines = MUTATIONS[name]!(lines, rnd);
      }
      const text = lines.join('\n');
      const where = `seed ${SEED}, case ${n} (${example.file}: ${applied.join(', ')})`;
      let result: ReturnType<typeof parseWorkflow>;
      try {
        result = parseWorkflow(text, example.file);
        for (const d of result.diagnostics) formatDiagnostic(d, text);
      } catch (err) {
        throw new Error(`validator threw at ${where}: ${(err as Error).stack}\n--- input ---\n${text}`);
      }
      for (const d of result.diagnostics) {
        expect(d.line, where).toBeGreaterThanOrEqual(1);
        expect(d.column, where).toBeGreaterThanOrEqual(1);
        expect(Object.keys(DIAGNOSTIC_CODES), where).toContain(d.code);
        expect(d.severity, where).toBe(d.code.startsWith('W_') ? 'warning' : 'error');
        expect(d.message.length, where).toBeGreaterThan(0);
      }
      const positions = result.diagnostics.map((d) => d.line * 1e6 + d.column);
      expect(positions, `${where}: sorted by position`).toEqual([...positions].sort((a, b) => a - b));
      const hasErrors = result.diagnostics.some((d) => d.severity === 'error');
      expect(result.definition === undefined, where).toBe(hasErrors);
      if (hasErrors) stats.withErrors++;
      else stats.withDefinition++;
    }
    // The mutations must actually break files (and sometimes not): otherwise this test proves nothing.
    expect(stats.withErrors).toBeGreaterThan(CASES / 4);
    expect(stats.withDefinition).toBeGreaterThan(0);
  },
  120_000 + CASES * 50,
);
