// `gcflow --help` and `gcflow` alone list every command, and loading every command
// file for that costs about 1 s of CPU. The build writes that list (each command's term
// and description, as commander prints them) beside this module (scripts/completions.mjs);
// root help registers stand-ins made from it, which commander lays out as it would the
// real commands, at the terminal's width, without loading any command file. Run from
// src/ (nothing built), the whole tree is loaded instead.
import { existsSync, readFileSync } from 'node:fs';
import { type Command, Help } from 'commander';

/** One line of the root help's command list. */
export interface CommandLine {
  name: string;
  /** e.g. `run [options] <workflow>` */
  term: string;
  description: string;
}

/** Where the build writes the list: dist/cli/root-help.json. */
export const BUILT_COMMAND_LIST = new URL('./root-help.json', import.meta.url);

/** The root help's command list of a whole command tree (what the build writes). */
export function commandList(program: Command): CommandLine[] {
  const help = program.createHelp();
  return help
    .visibleCommands(program)
    .filter((c) => program.commands.includes(c)) // not commander's own `help [command]`
    .map((c) => ({
      name: c.name(),
      term: help.subcommandTerm(c),
      description: help.subcommandDescription(c),
    }));
}

/** The list the build wrote; undefined when there is none (run from src/). */
export function builtCommandList(): CommandLine[] | undefined {
  if (!existsSync(BUILT_COMMAND_LIST)) return undefined;
  return JSON.parse(readFileSync(BUILT_COMMAND_LIST, 'utf8')) as CommandLine[];
}

/** Registers `list` on `program` as help-only stand-ins: listed as the real commands are, never run. */
export function registerStandIns(program: Command, list: readonly CommandLine[]): void {
  const terms = new Map(list.map((line) => [line.name, line.term]));
  program.configureHelp({
    subcommandTerm(this: Help, command: Command) {
      return terms.get(command.name()) ?? Help.prototype.subcommandTerm.call(this, command);
    },
  });
  for (const line of list) program.command(line.name).description(line.description);
}
