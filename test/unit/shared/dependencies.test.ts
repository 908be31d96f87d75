// Every runtime dependency is imported by gcflow's source: nothing ships that nobody uses.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

it('imports every runtime dependency somewhere under src/', () => {
  const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { dependencies: Record<string, string> };
  const text = sources('src')
    .map((f) => readFileSync(f, 'utf8'))
    .join('\n');
  const unused = Object.keys(pkg.dependencies).filter(
    (dep) => !new RegExp(`from '${dep}(/[^']*)?'|import\\('${dep}(/[^']*)?'\\)`).test(text),
  );
  expect(unused).toEqual([]);
});
