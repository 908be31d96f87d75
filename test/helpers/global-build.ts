// Vitest global setup of the e2e project: the e2e tests run the built CLI
// (dist/main.js), so dist/ is built here once, before any test starts, when it is
// missing or older than src/ (its .ts and .lua files). A test never builds: tsc
// rewrites every file of dist/ in place (truncate, then write), and a CLI started
// meanwhile by another test reads a half-written module and exits 1.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const ROOT = join(import.meta.dirname, '../..');

/** Why dist/ must be built, or undefined when every output is newer than its source. */
export function staleReason(root = ROOT): string | undefined {
  const dist = join(root, 'dist');
  const main = join(dist, 'main.js');
  if (!existsSync(main)) return 'dist/main.js is missing';
  const built = statSync(main).mtimeMs;
  for (const file of ['tsconfig.json', 'package.json']) {
    if (statSync(join(root, file)).mtimeMs > built) return `${file} changed after the last build`;
  }
  for (const source of sources(join(root, 'src'))) {
    // tsc turns x.ts into x.js; the build copies Lua scripts as they are.
    const output = join(dist, relative(join(root, 'src'), source)).replace(/\.ts$/, '.js');
    if (!existsSync(output)) return `${relative(root, output)} is missing`;
    if (statSync(source).mtimeMs > statSync(output).mtimeMs)
      return `${relative(root, source)} changed after the last build`;
  }
  return undefined;
}

function* sources(dir: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* sources(path);
    else if ((entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) || entry.name.endsWith('.lua'))
      yield path;
  }
}

export default function setup(): void {
  const reason = staleReason();
  if (!reason) return;
  process.stderr.write(`e2e: ${reason}; building once with \`npm run build\`\n`);
  execFileSync('npm', ['run', 'build', '--silent'], { cwd: ROOT, stdio: 'inherit' });
}
