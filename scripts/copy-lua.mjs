// Copies src/**/*.lua to the same places under dist/: tsc compiles only TypeScript,
// and the Redis scripts are read next to the modules that run them (src/shared/lua.ts).
import { cpSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';

const copied = [];
for (const entry of readdirSync('src', { recursive: true, withFileTypes: true })) {
  if (!entry.isFile() || !entry.name.endsWith('.lua')) continue;
  const from = join(entry.parentPath ?? entry.path, entry.name);
  cpSync(from, join('dist', relative('src', from)));
  copied.push(from);
}
if (copied.length === 0) throw new Error('copy-lua: no .lua files under src/');
