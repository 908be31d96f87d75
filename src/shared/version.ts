// gcflow's version, read once from its package.json (next to dist/ and src/ alike).
// For --version and gcflow_build_info; reads the file on first call, not at import.
import { readFileSync } from 'node:fs';

let cached: string | undefined;

export function gcflowVersion(): string {
  if (cached === undefined) {
    try {
      const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
        version?: unknown;
      };
      cached = typeof pkg.version === 'string' ? pkg.version : 'unknown';
    } catch {
      cached = 'unknown';
    }
  }
  return cached;
}
