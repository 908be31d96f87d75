// The e2e global setup builds dist/ only when it is missing or older than src/:
// an up-to-date build is not redone (a rebuild mid-suite broke CLIs started meanwhile).
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { staleReason } from '../../helpers/global-build.js';

const roots: string[] = [];
afterEach(() => {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
});

/** A project with src/ and dist/ files, every file at `at` (seconds since the epoch). */
function project(files: string[], at = 1_000): string {
  const root = mkdtempSync(join(tmpdir(), 'gcflow-build-'));
  roots.push(root);
  for (const file of ['tsconfig.json', 'package.json', ...files]) {
    mkdirSync(join(root, file, '..'), { recursive: true });
    writeFileSync(join(root, file), '');
    utimesSync(join(root, file), at, at);
  }
  return root;
}

describe('staleReason', () => {
  const built = ['src/main.ts', 'src/a/b.ts', 'src/a/s.lua', 'dist/main.js', 'dist/a/b.js', 'dist/a/s.lua'];

  it('is undefined when every output is as new as its source', () => {
    expect(staleReason(project(built))).toBeUndefined();
  });

  it('names a missing dist/main.js, a missing output and a source changed after the build', () => {
    expect(staleReason(project(['src/main.ts']))).toBe('dist/main.js is missing');
    expect(staleReason(project(built.filter((f) => f !== 'dist/a/s.lua')))).toBe('dist/a/s.lua is missing');
    const root = project(built);
    utimesSync(join(root, 'src/a/b.ts'), 2_000, 2_000);
    expect(staleReason(root)).toBe('src/a/b.ts changed after the last build');
  });
});
