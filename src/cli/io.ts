// What a CLI command may touch of the outside world, passed in by src/main.ts:
// streams, environment, a signal that aborts on SIGINT/SIGTERM. Commands return an
// exit code instead of calling process.exit.
import type { Writable } from 'node:stream';
import type { Env } from '../config/load.js';
import type { ExitCode } from '../shared/errors.js';

export interface CliIO {
  stdout: Writable;
  stderr: Writable;
  env: Env;
  /** True when stdout is a terminal: live progress, colours. */
  isTTY: boolean;
  /** Aborts on SIGINT/SIGTERM; long-running commands shut down when it fires. */
  shutdown: AbortSignal;
  /** Set by the command that ran; read by main.ts. */
  exitCode: ExitCode;
}

export const print = (stream: Writable, line = ''): void => {
  stream.write(`${line}\n`);
};

export const printJson = (io: CliIO, value: unknown): void =>
  print(io.stdout, JSON.stringify(value, null, 2));
