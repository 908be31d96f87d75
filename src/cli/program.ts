// The `gcflow` command tree (commander). A thin adapter: each command lives in its
// own file under src/cli/ and calls library functions; this file only lists them.
import { Command, type CommanderError } from 'commander';
import { UsageError } from '../shared/errors.js';
import { gcflowVersion } from '../shared/version.js';
import { useDevEnv } from './dev-env.js';
import type { CliIO } from './io.js';

/** Each command file exports one of these. */
export type RegisterCommand = (program: Command, io: CliIO) => void;

const COMMANDS: Array<() => Promise<{ register: RegisterCommand }>> = [
  // Keep alphabetical; one line per command file.
  () => import('./cancel.js'),
  () => import('./completion.js'),
  () => import('./daemon.js'),
  () => import('./dev.js'),
  () => import('./holds.js'),
  () => import('./janitor.js'),
  () => import('./logs.js'),
  () => import('./plan.js'),
  () => import('./run.js'),
  () => import('./runs.js'),
  () => import('./schedules.js'),
  () => import('./schema.js'),
  () => import('./simulator.js'),
  () => import('./status.js'),
  () => import('./validate.js'),
];

export interface ProgramOptions {
  /** `--json` was given: usage errors are reported as JSON by main.ts, not printed here. */
  jsonErrors?: boolean;
}

export async function buildProgram(io: CliIO, options: ProgramOptions = {}): Promise<Command> {
  const program = new Command('gcflow')
    .description('Workflow automation and job scheduling for the Genesis Cloud compute API')
    .version(gcflowVersion())
    .option('-c, --config <file>', 'config file (default: $GCFLOW_CONFIG, else ./config/default.yaml)')
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
      outputError: (s, write) => {
        if (!options.jsonErrors) write(s);
      },
    })
    .exitOverride();
  if (!options.jsonErrors) program.showHelpAfterError('(run gcflow --help for usage)');
  // Next to a running `gcflow dev`, commands use its settings (see cli/dev-env.ts).
  program.hook('preAction', (_root, command) => useDevEnv(io, command.name()));
  for (const load of COMMANDS) (await load()).register(program, io);
  return program;
}

/** Commander's own parse errors become UsageError (exit 2); help/version exit 0. */
export function fromCommanderError(err: CommanderError): UsageError | undefined {
  if (
    err.code === 'commander.helpDisplayed' ||
    err.code === 'commander.version' ||
    err.code === 'commander.help'
  ) {
    return undefined;
  }
  return new UsageError(err.message.replace(/^error: /, ''));
}
