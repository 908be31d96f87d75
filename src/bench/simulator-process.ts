// The simulator in a child process (`gcflow simulator`), for figures over real HTTP:
// a real API is another machine, so it must not share the event loop (and the CPU
// time) of the engine being measured, as the in-process simulator does.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const MAIN = fileURLToPath(new URL('../main.js', import.meta.url));

export interface SimulatorProcess {
  /** `<url>/compute/v1` */
  apiUrl: string;
  /** The child's process id (its CPU time is read from /proc by the throughput bench). */
  pid: number;
  stop(): Promise<void>;
}

export async function startSimulatorProcess(args: string[] = []): Promise<SimulatorProcess> {
  const child = spawn(process.execPath, [MAIN, 'simulator', '--port', '0', ...args], {
    env: { ...process.env, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const look = (d: Buffer) => {
      output += d;
      const found = /listening on (http:\/\/\S+)/.exec(output);
      if (found) resolve(found[1]!);
    };
    child.stdout!.on('data', look);
    child.stderr!.on('data', (d) => (output += d));
    void exited.then(() => reject(new Error(`the benchmark's simulator exited early:\n${output}`)));
  });
  return {
    apiUrl: `${url}/compute/v1`,
    pid: child.pid!,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
