// A real `gcflow daemon` in a child process, for figures that belong to the daemon
// alone (its RSS), not to the benchmark process that also hosts the simulator and
// the heap left over from earlier benchmarks.
import { type ChildProcess, spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

const MAIN = fileURLToPath(new URL('../main.js', import.meta.url));

export interface DaemonProcess {
  /** Resident set size in MiB, from /proc (Linux). */
  rssMb(): Promise<number>;
  stop(): Promise<void>;
}

export function startDaemonProcess(env: Record<string, string>, args: string[]): DaemonProcess {
  const child: ChildProcess = spawn(process.execPath, [MAIN, 'daemon', ...args], {
    env: { ...process.env, ...env, NO_COLOR: '1' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr = (stderr + d).slice(-4_000)));
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  const alive = () => child.exitCode === null && child.signalCode === null;
  return {
    async rssMb() {
      if (!alive()) throw new Error(`the benchmark's gcflow daemon exited early:\n${stderr}`);
      const status = await readFile(`/proc/${child.pid}/status`, 'utf8');
      const kb = Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1]);
      if (!Number.isFinite(kb)) throw new Error(`no VmRSS in /proc/${child.pid}/status`);
      return kb / 1024;
    },
    async stop() {
      if (alive()) child.kill('SIGTERM');
      await exited;
    },
  };
}
