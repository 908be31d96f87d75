#!/usr/bin/env node
// The gcflow executable. The only module that reads process.argv, installs signal
// handlers or calls process.exit; everything else returns exit codes.
import { CommanderError } from 'commander';
import { buildProgram, fromCommanderError } from './cli/program.js';
import type { CliIO } from './cli/io.js';
import { ExitCode, GcflowError } from './shared/errors.js';

async function main(): Promise<void> {
  const shutdown = new AbortController();
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    signals += 1;
    if (signals > 1) process.exit(130); // a second Ctrl-C means now
    shutdown.abort(new Error(`received ${signal}`));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const io: CliIO = {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    isTTY: process.stdout.isTTY === true,
    shutdown: shutdown.signal,
    exitCode: ExitCode.ok,
  };
  try {
    const program = await buildProgram(io);
    await program.parseAsync(process.argv);
    process.exitCode = io.exitCode;
  } catch (err) {
    process.exitCode = report(err, io);
  }
}

function report(err: unknown, io: CliIO): number {
  if (err instanceof CommanderError) {
    const usage = fromCommanderError(err);
    return usage ? usage.exitCode : ExitCode.ok;
  }
  if (err instanceof GcflowError) {
    io.stderr.write(`gcflow: error ${err.code}: ${err.message}\n`);
    if (err.hint) io.stderr.write(`  hint: ${err.hint}\n`);
    return err.exitCode;
  }
  io.stderr.write(
    `gcflow: unexpected error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
  );
  return ExitCode.failed;
}

await main();
