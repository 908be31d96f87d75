// A real `gcflow daemon` in a child process, for figures that belong to the daemon
// alone (its RSS), not to the benchmark process that also hosts the simulator and
// the heap left over from earlier benchmarks.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const MAIN = fileURLToPath(new URL('../main.js', import.meta.url));

export interface DaemonProcess {
  /** Resident set size in MiB. */
  rssMb(): Promise<number>;
  stop(): Promise<void>;
  /** The last 4,000 characters of its stderr (its log lines). */
  stderr(): string;
}

export function startDaemonProcess(env: Record<string, string>, args: string[]): DaemonProcess {
  const child: ChildProcess = spawn(process.execPath, [MAIN, 'daemon', ...args], {
    env: { ...process.env, ...env, NO_COLOR: '1' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on(
    'data',
    (d) => (stderr = (stderr + d).slice(process.env['GCFLOW_BENCH_DEBUG'] ? -50_000_000 : -4_000)),
  );
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  const alive = () => child.exitCode === null && child.signalCode === null;
  return {
    stderr: () => stderr,
    async rssMb() {
      if (!alive()) throw new Error(`the benchmark's gcflow daemon exited early:\n${stderr}`);
      const kb = await rssKb(child.pid!);
      if (!Number.isFinite(kb)) throw new Error(`cannot read the RSS of process ${child.pid}`);
      return kb / 1024;
    },
    async stop() {
      if (alive()) child.kill('SIGTERM');
      await exited;
    },
  };
}

/** From /proc on Linux, else from `ps` (macOS). */
async function rssKb(pid: number): Promise<number> {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    return Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1]);
  } catch {
    const { stdout } = await promisify(execFile)('ps', ['-o', 'rss=', '-p', String(pid)]);
    return Number(stdout.trim());
  }
}
