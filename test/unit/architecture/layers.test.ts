// The layering rules of ARCHITECTURE.md, checked over every import line of src/: a
// folder imports only folders below it, only src/queue imports bullmq, and the pure
// folders (dsl, expr, engine) import nothing that does I/O. The checker is also run
// on made-up imports, so the test is known to fail when a forbidden one is added.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

/** Lowest first: a folder may import itself and folders before it. */
const ORDER = [
  'shared',
  'expr',
  'dsl',
  'genesis',
  'simulator',
  'config',
  'workflows',
  'engine',
  'queue',
  'runs',
  'actions',
  'holds',
  'plan',
  'scheduler',
  'daemon',
  'dev',
  'cli',
  'bench',
] as const;

const PURE = new Set(['dsl', 'expr', 'engine']);
/** Packages and node modules the pure folders may use: parsing and validation, no I/O. */
const PURE_PACKAGES = /^(zod|yaml|cron-parser|@actions\/expressions(\/.*)?|node:crypto)$/;

interface Import {
  file: string;
  from: string;
}

/** Every `from '...'` of the TypeScript files under `dir`. */
function importsOf(dir: string): Import[] {
  const out: Import[] = [];
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.ts')) continue;
    const file = relative('.', join(entry.parentPath, entry.name));
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(/^(?:import|export)[^'"]*?from\s+'([^']+)'/gm))
      out.push({ file, from: match[1]! });
  }
  return out;
}

const folderOf = (file: string): string =>
  file
    .replace(/^src\//, '')
    .split('/')[0]!
    .replace(/\.ts$/, '');

/** The rule an import breaks, or undefined. */
function violation({ file, from }: Import): string | undefined {
  const folder = folderOf(file);
  if (from === 'bullmq' || from.startsWith('bullmq/'))
    return folder === 'queue' ? undefined : `${file}: only src/queue may import bullmq`;
  if (!from.startsWith('.')) {
    if (PURE.has(folder) && !PURE_PACKAGES.test(from))
      return `${file}: ${folder} is pure and may not import ${from}`;
    return undefined;
  }
  const target = folderOf(relative('.', join(file, '..', from)));
  if (folder === 'main') return undefined;
  const mine = ORDER.indexOf(folder as (typeof ORDER)[number]);
  const theirs = ORDER.indexOf(target as (typeof ORDER)[number]);
  if (mine < 0) return `${file}: folder ${folder} is not in the layer order`;
  if (theirs < 0) return `${file}: imports ${from}, outside the layer order`;
  if (theirs > mine) return `${file}: ${folder} may not import ${target} (a higher layer)`;
  return undefined;
}

describe('layering', () => {
  it('holds for every import in src/', () => {
    const broken = importsOf('src').map(violation).filter(Boolean);
    expect(broken).toEqual([]);
  });

  it('catches a forbidden import (the checker itself)', () => {
    expect(violation({ file: 'src/runs/store.ts', from: '../daemon/services.js' })).toMatch(/higher layer/);
    expect(violation({ file: 'src/daemon/metrics.ts', from: 'bullmq' })).toMatch(/only src\/queue/);
    expect(violation({ file: 'src/engine/driver.ts', from: 'ioredis' })).toMatch(/pure/);
    expect(violation({ file: 'src/engine/driver.ts', from: 'node:fs' })).toMatch(/pure/);
    expect(violation({ file: 'src/daemon/metrics.ts', from: '../runs/store.js' })).toBeUndefined();
  });
});
