// `gcflow simulator` as a process: prints its URL once listening, serves the API there,
// and exits 0 on SIGTERM. Runs the built CLI (dist/main.js, built by the e2e global setup).
import { type ChildProcessByStdio, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { track } from '../../helpers/processes.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const MAIN = fileURLToPath(new URL('../../../dist/main.js', import.meta.url));

type Child = ChildProcessByStdio<null, Readable, Readable>;
const children: Child[] = [];

function gcflow(args: string[]): Child {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run \`npm run build\` first`);
  const child = track(
    spawn(process.execPath, [MAIN, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] }),
  );
  children.push(child);
  return child;
}

/** Resolves with the first stdout line matching `pattern`; rejects on exit or after the deadline. */
function lineMatching(child: Child, pattern: RegExp, timeoutMs = 30_000): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(
      () => reject(new Error(`no line matching ${pattern} in ${timeoutMs} ms: ${out}${err}`)),
      timeoutMs,
    );
    child.stderr.on('data', (chunk: Buffer) => {
      err += chunk.toString();
    });
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = out.match(pattern);
      if (match) {
        clearTimeout(timer);
        resolve(match);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code} before printing ${pattern}: ${out}${err}`));
    });
  });
}

const exitCode = (child: Child): Promise<number | null> =>
  child.exitCode !== null
    ? Promise.resolve(child.exitCode)
    : new Promise((resolve) => child.once('exit', resolve));

afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});

describe('gcflow simulator', () => {
  it('prints one line with its URL, serves /compute/v1 there, and exits 0 on SIGTERM', async () => {
    const child = gcflow(['simulator', '--port', '0', '--host', '127.0.0.1', '--transition-ms', '10']);
    const [line, url] = await lineMatching(child, /^.*(http:\/\/127\.0\.0\.1:\d+).*$/m);
    expect(line).toContain('/compute/v1');
    const list = await fetch(`${url}/compute/v1/instances`, { headers: { authorization: 'Bearer t' } });
    expect(list.status).toBe(200);
    expect(await list.json()).toEqual({ instances: [], total_count: 0, page: 1, per_page: 50 });
    const config = (await (await fetch(`${url}/__sim/config`)).json()) as { transition_ms: number };
    expect(config.transition_ms).toBe(10);
    child.kill('SIGTERM');
    expect(await exitCode(child)).toBe(0);
  });

  it('accepts only the --token it was given', async () => {
    const child = gcflow(['simulator', '--port', '0', '--token', 'secret-token']);
    const [, url] = await lineMatching(child, /(http:\/\/127\.0\.0\.1:\d+)/);
    const ok = await fetch(`${url}/compute/v1/images`, { headers: { 'x-auth-token': 'secret-token' } });
    const wrong = await fetch(`${url}/compute/v1/images`, { headers: { authorization: 'Bearer nope' } });
    expect([ok.status, wrong.status]).toEqual([200, 401]);
    child.kill('SIGTERM');
    expect(await exitCode(child)).toBe(0);
  });

  it('exits 2 on a bad flag value', async () => {
    const child = gcflow(['simulator', '--port', 'abc']);
    expect(await exitCode(child)).toBe(2);
  });
});
