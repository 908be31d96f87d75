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

  // A reader that went away (`gcflow runs --json | head -1`) ends the command quietly:
  // there is nobody left to tell, and a stack trace helps no one.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE') process.exit(typeof process.exitCode === 'number' ? process.exitCode : 0);
      throw err;
    });
  }

  const args = process.argv.slice(2);
  const json = args.includes('--json');
  const io: CliIO = {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    isTTY: process.stdout.isTTY === true,
    shutdown: shutdown.signal,
    exitCode: ExitCode.ok,
  };
  try {
    const program = await buildProgram(io, { jsonErrors: json }, args);
    if (args.length === 0) {
      // No command is a usage error: say what the commands are, on stderr.
      program.outputHelp({ error: true });
      process.exitCode = ExitCode.usage;
      return;
    }
    await program.parseAsync(process.argv);
    process.exitCode = io.exitCode;
  } catch (err) {
    process.exitCode = report(err, io, json);
  }
}

/** Prints the error (as `{"error": {code, message, hint}}` under --json) and returns the exit code. */
function report(err: unknown, io: CliIO, json: boolean): number {
  let error: GcflowError;
  if (err instanceof CommanderError) {
    const usage = fromCommanderError(err);
    if (!usage) return ExitCode.ok;
    // Commander has printed its own message, unless under --json.
    if (!json) return usage.exitCode;
    error = usage;
  } else if (err instanceof GcflowError) {
    error = err;
  } else {
    const detail = err instanceof Error ? (err.stack ?? err.message) : String(err);
    if (!json) {
      io.stderr.write(`gcflow: unexpected error: ${detail}\n`);
      return ExitCode.failed;
    }
    error = new GcflowError('E_INTERNAL', `unexpected error: ${err instanceof Error ? err.message : detail}`);
  }
  if (json) {
    const body = { error: { code: error.code, message: error.message, hint: error.hint ?? null } };
    io.stderr.write(`${JSON.stringify(body)}\n`);
  } else {
    io.stderr.write(`gcflow: error ${error.code}: ${error.message}\n`);
    if (error.hint) io.stderr.write(`  hint: ${error.hint}\n`);
  }
  return error.exitCode;
}

await main();
