// The runtime error catalogue is complete and has nothing stale: every code gcflow
// raises (found by scanning src/ for quoted E_ codes) has an entry, and every entry
// is raised somewhere. Validator diagnostics have their own catalogue (src/dsl).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DIAGNOSTIC_CODES } from '../../../src/dsl/index.js';
import { catalogueEntry, ERROR_CATALOGUE } from '../../../src/shared/error-catalogue.js';
import { GcflowError, UsageError } from '../../../src/shared/errors.js';

/** Not scanned: the validator (its own catalogue) and the simulator (the simulated API's codes). */
const SKIP = ['src/dsl/', 'src/simulator/', 'src/shared/error-catalogue.ts'];

function sources(dir = 'src'): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sources(path);
    return path.endsWith('.ts') && !SKIP.some((s) => path.startsWith(s)) ? [path] : [];
  });
}

interface Found {
  code: string;
  file: string;
  /** A diagnostic the workflow loader emits (`code: 'E_...'` in src/workflows). */
  diagnostic: boolean;
}

function scan(): Found[] {
  const found: Found[] = [];
  for (const file of sources()) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/(code:\s*)?'(E_[A-Z0-9_]+)'/g))
      found.push({ code: m[2]!, file, diagnostic: Boolean(m[1]) && file.startsWith('src/workflows/') });
    // Codes built from a template, such as `E_API_${status}`, stand for their family.
    for (const m of text.matchAll(/`(E_[A-Z0-9_]+)\$\{/g))
      found.push({ code: `${m[1]}{status}`, file, diagnostic: false });
  }
  return found;
}

describe('error catalogue', () => {
  const found = scan();

  it('finds the codes it is meant to find (the scan works)', () => {
    const codes = new Set(found.map((f) => f.code));
    for (const code of ['E_USAGE', 'E_CONFIG_INVALID', 'E_WAIT_TIMEOUT', 'E_LOCK_LOST', 'E_API_{status}'])
      expect(codes).toContain(code);
  });

  it('has an entry for every code gcflow raises', () => {
    const missing = found
      .filter((f) => !(f.diagnostic && f.code in DIAGNOSTIC_CODES))
      .filter((f) => !(f.code in ERROR_CATALOGUE))
      .map((f) => `${f.code} (${f.file})`);
    expect(missing).toEqual([]);
  });

  it('has no entry that nothing raises', () => {
    const raised = new Set(found.map((f) => f.code));
    expect(Object.keys(ERROR_CATALOGUE).filter((code) => !raised.has(code))).toEqual([]);
  });

  it('gives each entry a summary, an exit code of the CLI contract and an HTTP error status', () => {
    for (const [code, entry] of Object.entries(ERROR_CATALOGUE)) {
      expect(entry.summary, code).toBeTruthy();
      expect([1, 2, 3], code).toContain(entry.exit);
      expect(entry.http, code).toBeGreaterThanOrEqual(400);
      expect(entry.http, code).toBeLessThan(600);
    }
  });

  it('has one code for a missing API token (E_NO_API_TOKEN and E_API_TOKEN_MISSING were the same)', () => {
    expect(found.map((f) => f.code)).not.toContain('E_API_TOKEN_MISSING');
    expect(found.filter((f) => f.code === 'E_NO_API_TOKEN').map((f) => f.file)).toEqual(
      expect.arrayContaining(['src/genesis/client.ts', 'src/daemon/services.ts']),
    );
  });

  it('supplies the exit code and default hint of errors that do not give their own', () => {
    const err = new GcflowError('E_INSTANCE_PROTECTED', 'instance x is protected');
    expect(err.hint).toBe(ERROR_CATALOGUE.E_INSTANCE_PROTECTED.hint);
    expect(new GcflowError('E_NO_API_TOKEN', 'no token').exitCode).toBe(2);
    expect(new UsageError('bad flag', 'do this').hint).toBe('do this');
    expect(catalogueEntry('E_API_404')).toBe(ERROR_CATALOGUE['E_API_{status}']);
  });
});
