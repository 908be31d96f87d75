// `gcflow simulator`: serves the Genesis Cloud API simulator until SIGINT/SIGTERM.
// A thin adapter over src/simulator; prints one line with its URL once listening.
import { type Command, InvalidArgumentError } from 'commander';
import { UnreachableError } from '../shared/errors.js';
import { startSimulator } from '../simulator/index.js';
import { type CliIO, print } from './io.js';
import type { RegisterCommand } from './program.js';

/** The port when --port is not given (0 picks a free one). */
export const DEFAULT_SIMULATOR_PORT = 8089;

const nonNegativeInt = (flag: string) => (value: string) => {
  if (!/^\d+$/.test(value))
    throw new InvalidArgumentError(`${flag} needs a whole number ≥ 0, got "${value}"`);
  return Number(value);
};

const positiveInt = (flag: string) => (value: string) => {
  const n = nonNegativeInt(flag)(value);
  if (n === 0) throw new InvalidArgumentError(`${flag} needs a whole number ≥ 1, got "${value}"`);
  return n;
};

/** `--capacity NORD-NO-KRS-1/vcpu-2_memory-4g=3`, repeatable. */
const capacityEntry = (value: string, previous: Record<string, number>) => {
  const match = /^([^/=]+\/[^/=]+)=(\d+)$/.exec(value);
  if (!match) throw new InvalidArgumentError(`--capacity looks like REGION/TYPE=N, got "${value}"`);
  return { ...previous, [match[1]!]: Number(match[2]) };
};

interface SimulatorFlags {
  port: number;
  host: string;
  token?: string;
  transitionMs?: number;
  scriptRuntimeMs?: number;
  rateLimit?: number;
  latencyMs?: number;
  capacity: Record<string, number>;
}

async function runSimulator(flags: SimulatorFlags, io: CliIO): Promise<void> {
  const settings = {
    ...(flags.transitionMs !== undefined ? { transition_ms: flags.transitionMs } : {}),
    ...(flags.scriptRuntimeMs !== undefined ? { script_runtime_ms: flags.scriptRuntimeMs } : {}),
    ...(flags.rateLimit !== undefined ? { rate_limit_per_s: flags.rateLimit } : {}),
    ...(flags.latencyMs !== undefined ? { latency_ms: flags.latencyMs } : {}),
    capacity: flags.capacity,
  };
  let running: Awaited<ReturnType<typeof startSimulator>>;
  try {
    running = await startSimulator({
      port: flags.port,
      host: flags.host,
      settings,
      ...(flags.token !== undefined ? { token: flags.token } : {}),
    });
  } catch (err) {
    throw new UnreachableError(
      'a free port for the simulator',
      `${flags.host}:${flags.port}`,
      'pick another --port (0 = any free port) or --host',
      err,
    );
  }
  print(io.stdout, `gcflow simulator listening on ${running.url} (API under /compute/v1)`);
  await new Promise<void>((resolve) => {
    if (io.shutdown.aborted) resolve();
    else io.shutdown.addEventListener('abort', () => resolve(), { once: true });
  });
  await running.close();
  print(io.stderr, 'gcflow simulator stopped');
}

export const register: RegisterCommand = (program: Command, io: CliIO) => {
  program
    .command('simulator')
    .description('serve the Genesis Cloud compute API simulator (API under /compute/v1, admin under /__sim)')
    .option(
      '--port <n>',
      `port to listen on (0 = any free port)`,
      nonNegativeInt('--port'),
      DEFAULT_SIMULATOR_PORT,
    )
    .option('--host <host>', 'address to bind', '127.0.0.1')
    .option('--token <token>', 'accept only this API token (default: any non-empty token)')
    .option(
      '--transition-ms <n>',
      'duration of every status transition (default 3000)',
      nonNegativeInt('--transition-ms'),
    )
    .option(
      '--script-runtime-ms <n>',
      'how long a startup script that powers off runs (default 10000)',
      nonNegativeInt('--script-runtime-ms'),
    )
    .option(
      '--rate-limit <n>',
      'requests per second before 429 (default: no limit)',
      positiveInt('--rate-limit'),
    )
    .option(
      '--latency-ms <n>',
      'delay added to every API request (default 0)',
      nonNegativeInt('--latency-ms'),
    )
    .option(
      '--capacity <REGION/TYPE=N>',
      'max instances of a type in a region (repeatable)',
      capacityEntry,
      {},
    )
    .action(async (flags: SimulatorFlags) => {
      await runSimulator(flags, io);
    });
};
