// What a CLI command loads at start, read from the import lines of src/ the way tsc
// emits them (type-only imports are erased): a command that reads or changes runs and
// holds over Redis loads neither the engine, the actions, the scheduler nor the
// dashboard. Those are the daemon's, loaded when it starts workers or its HTTP app
// (daemon/services.ts, daemon/parts.ts); each costs a tenth of a second or more at
// every `gcflow` start. The walker is also run from the daemon, so it is known to see them.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The modules and packages a file imports at run time (`import type` and all-type lists
 * are erased); with `dynamic`, also those it loads later with `import(...)`.
 */
function runtimeImports(file: string, dynamic = false): string[] {
  const text = readFileSync(file, 'utf8');
  const out: string[] = [];
  for (const m of text.matchAll(/^(?:import|export)\s+(type\s+)?([^'"]*?)\s*from\s+'([^']+)'/gms)) {
    const [, typeOnly, clause, from] = m;
    if (typeOnly) continue;
    const braces = /\{([^}]*)\}/.exec(clause!);
    const outside = clause!.replace(/\{[^}]*\}/, '').replace(/[,\s]/g, '');
    const values = (braces?.[1] ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s && !s.startsWith('type '));
    if (outside || values.length > 0 || !braces) out.push(from!);
  }
  for (const m of text.matchAll(/^import\s+'([^']+)'/gm)) out.push(m[1]!);
  if (dynamic) for (const m of text.matchAll(/\bimport\('([^']+)'\)/g)) out.push(m[1]!);
  return out;
}

/** Every src module (as a path) and package `entry` loads, following run-time imports. */
function loadedBy(entry: string, dynamic = false): Set<string> {
  const seen = new Set<string>();
  const todo = [entry];
  while (todo.length > 0) {
    const file = todo.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    for (const from of runtimeImports(file, dynamic)) {
      if (!from.startsWith('.')) {
        seen.add(from.startsWith('@') ? from.split('/').slice(0, 2).join('/') : from.split('/')[0]!);
        continue;
      }
      const target = relative('.', join(dirname(file), from)).replace(/\.js$/, '.ts');
      if (!existsSync(target)) throw new Error(`${file} imports ${from}: no ${target}`);
      todo.push(target);
    }
  }
  return seen;
}

/** What only the daemon's workers, scheduler and HTTP app use. */
const DAEMON_ONLY = [
  'src/engine/driver.ts',
  'src/actions/index.ts',
  'src/runs/runner.ts',
  'src/scheduler/index.ts',
  'src/queue/dashboard.ts',
  'src/dsl/parse.ts',
  '@bull-board/api',
  '@actions/expressions',
  'cron-parser',
];

describe('what a CLI command loads at start', () => {
  it('the daemon loads all of the daemon-only modules, some when it starts them (the walker sees them)', () => {
    const daemon = loadedBy('src/cli/daemon.ts', true);
    for (const name of [...DAEMON_ONLY, 'undici']) expect(daemon.has(name), name).toBe(true);
    // ...the engine and the actions only when it starts workers.
    const atStart = loadedBy('src/cli/daemon.ts');
    for (const name of ['src/actions/index.ts', 'src/runs/runner.ts'])
      expect(atStart.has(name), name).toBe(false);
  });

  it.each(['status', 'runs', 'cancel', 'logs', 'holds', 'schedules'])(
    'gcflow %s loads none of them',
    (command) => {
      const loaded = loadedBy(`src/cli/${command}.ts`);
      expect(DAEMON_ONLY.filter((name) => loaded.has(name))).toEqual([]);
      // Nor the HTTP client: the services open an API client, which loads it at its first call.
      expect(loaded.has('undici')).toBe(false);
      // It does load what it uses: Redis through the run store and queue.
      expect(loaded.has('src/daemon/services.ts')).toBe(true);
      expect(loaded.has('bullmq')).toBe(true);
    },
  );

  it('the reader erases type-only imports as tsc does, and keeps the rest', () => {
    // This file's own imports: all value imports.
    expect(runtimeImports('test/unit/architecture/cli-start.test.ts')).toEqual([
      'node:fs',
      'node:path',
      'vitest',
    ]);
    // daemon/parts.ts imports services for values, the scheduler's views for a type only.
    const parts = runtimeImports('src/daemon/parts.ts');
    expect(parts).toContain('./services.js');
    expect(parts).not.toContain('../scheduler/index.js');
  });
});
