// The `gcflow` command tree (commander). A thin adapter: each command lives in its
// own file under src/cli/ and calls library functions; this file only lists them.
import { Command, type CommanderError } from 'commander';
import { UsageError } from '../shared/errors.js';
import { gcflowVersion } from '../shared/version.js';
import { useDevEnv } from './dev-env.js';
import type { CliIO } from './io.js';
import { builtCommandList, type CommandLine, registerStandIns } from './root-help.js';

/** Each command file exports one of these. */
export type RegisterCommand = (program: Command, io: CliIO) => void;

/** A command file and the commands it registers. */
interface CommandFile {
  names: string[];
  load: () => Promise<{ register: RegisterCommand }>;
}

const COMMANDS: CommandFile[] = [
  // Keep alphabetical; one line per command file.
  { names: ['cancel'], load: () => import('./cancel.js') },
  { names: ['completion'], load: () => import('./completion.js') },
  { names: ['daemon'], load: () => import('./daemon.js') },
  { names: ['dev'], load: () => import('./dev.js') },
  { names: ['hold', 'holds', 'unhold'], load: () => import('./holds.js') },
  { names: ['janitor'], load: () => import('./janitor.js') },
  { names: ['logs'], load: () => import('./logs.js') },
  { names: ['plan'], load: () => import('./plan.js') },
  { names: ['run'], load: () => import('./run.js') },
  { names: ['runs'], load: () => import('./runs.js') },
  { names: ['schedules'], load: () => import('./schedules.js') },
  { names: ['schema'], load: () => import('./schema.js') },
  { names: ['simulator'], load: () => import('./simulator.js') },
  { names: ['status'], load: () => import('./status.js') },
  { names: ['validate'], load: () => import('./validate.js') },
];

/** The program's own options that take a value: the word after them is not a command. */
const GLOBAL_VALUE_OPTIONS = new Set(['-c', '--config']);

/** The command a command line names (the first word that is not an option), if any. */
function namedCommand(args: readonly string[]): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--') return undefined;
    if (GLOBAL_VALUE_OPTIONS.has(arg)) i++;
    else if (!arg.startsWith('-')) return arg;
  }
  return undefined;
}

/**
 * The command files a command line needs. Loading a file loads everything its command
 * uses (Redis, BullMQ, the engine, the dashboard...), about 1 s of CPU for all of them,
 * so a line naming a command loads that command's file alone. The whole tree is loaded
 * for `help`, and for an unknown or missing command (commander's message lists or
 * suggests the commands); none for `--version`. (`completion` prints the scripts the
 * build made from the whole tree; the root help, the list of commands the build wrote:
 * see showsRootHelp.)
 */
export function commandFilesFor(args: readonly string[]): CommandFile[] {
  const named = namedCommand(args);
  if (named === undefined && (args.includes('-V') || args.includes('--version'))) return [];
  const file = named === undefined ? undefined : COMMANDS.find((f) => f.names.includes(named));
  return file ? [file] : COMMANDS;
}

/** `gcflow`, `gcflow --help` (`-h`, with or without `-c FILE`): the help that lists every command. */
export function showsRootHelp(args: readonly string[]): boolean {
  if (namedCommand(args) !== undefined || args.includes('--')) return false;
  return args.length === 0 || args.includes('-h') || args.includes('--help');
}

export interface ProgramOptions {
  /** `--json` was given: usage errors are reported as JSON by main.ts, not printed here. */
  jsonErrors?: boolean;
  /** The root help's command list (default: the one the build wrote; see root-help.ts). */
  commandList?: () => CommandLine[] | undefined;
}

/**
 * The command tree for `args` (the command line without node and the script): only the
 * files `args` needs are loaded (commandFilesFor); for the root help, stand-ins made
 * from the list the build wrote, when there is one; without `args`, every command.
 */
export async function buildProgram(
  io: CliIO,
  options: ProgramOptions = {},
  args?: readonly string[],
): Promise<Command> {
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
  const list = args && showsRootHelp(args) ? (options.commandList ?? builtCommandList)() : undefined;
  if (list) {
    registerStandIns(program, list);
    return program;
  }
  const files = args ? commandFilesFor(args) : COMMANDS;
  for (const module of await Promise.all(files.map((f) => f.load()))) module.register(program, io);
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
