// Real gcflow child processes for e2e and fault tests: the built CLI
// (`node dist/main.js`), its output captured, killable like a crashing machine.
// Every child is registered: test/helpers/children.ts kills those still running
// when a test file ends, whatever path the test took (a failed assertion included).
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { waitFor } from './poll.js';

const MAIN = resolve('dist/main.js');

const live = new Set<ChildProcess>();

/** Registers a child so that killChildren() ends it if the test does not. */
export function track<C extends ChildProcess>(child: C): C {
  live.add(child);
  child.once('exit', () => live.delete(child));
  return child;
}

/** SIGKILLs every registered child still running and waits for each to exit. */
export async function killChildren(): Promise<void> {
  await Promise.all(
    [...live].map(
      (child) =>
        new Promise<void>((done) => {
          live.delete(child);
          if (child.exitCode !== null || child.signalCode !== null) return done();
          child.once('exit', () => done());
          child.kill('SIGKILL');
        }),
    ),
  );
}

// Last resort when the test worker itself goes away: no child outlives it.
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

export interface GcflowProcess {
  child: ChildProcess;
  output(): string;
  /** Resolves with the exit code (or the signal name) once the process has ended. */
  exited: Promise<number | string>;
  kill(signal?: NodeJS.Signals): Promise<number | string>;
}

export function spawnGcflow(args: string[], env: Record<string, string>, cwd?: string): GcflowProcess {
  const child = track(
    spawn(process.execPath, [MAIN, ...args], {
      cwd,
      env: { ...process.env, ...env, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const exited = new Promise<number | string>((done) =>
    child.once('exit', (code, signal) => done(code ?? signal ?? -1)),
  );
  return {
    child,
    output: () => output,
    exited,
    kill: async (signal = 'SIGKILL') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function runCli(args: string[], env: Record<string, string>, timeoutMs = 60_000): Promise<CliResult> {
  return new Promise((done, fail) => {
    const child = track(
      spawn(process.execPath, [MAIN, ...args], {
        env: { ...process.env, ...env, NO_COLOR: '1' },
        stdio: ['ignore', 'pipe', 'pipe'],
      }),
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      fail(new Error(`gcflow ${args.join(' ')} did not finish in ${timeoutMs} ms\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      done({ code: code ?? -1, stdout, stderr });
    });
  });
}

/** A temp dir holding the given workflow files and a config file; returns their paths. */
export function workspace(
  files: Record<string, string>,
  configYaml = '',
): { dir: string; workflows: string; config: string } {
  const dir = mkdtempSync(join(tmpdir(), 'gcflow-e2e-'));
  const workflows = join(dir, 'workflows');
  mkdirSync(workflows, { recursive: true });
  for (const [name, text] of Object.entries(files)) writeFileSync(join(workflows, name), text);
  const config = join(dir, 'config.yaml');
  writeFileSync(config, configYaml);
  return { dir, workflows, config };
}

/** Polls `check` until it returns a value (not undefined) or the deadline passes. */
export async function eventually<T>(
  check: () => Promise<T | undefined>,
  timeoutMs: number,
  what: string,
): Promise<T> {
  return waitFor(check, { timeoutMs, what, everyMs: 100, retryErrors: true });
}
