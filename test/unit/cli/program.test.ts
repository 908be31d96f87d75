// A command line loads only the command file it names (program.ts, commandFilesFor):
// the rest of the tree costs about 1 s of CPU at every start.
import { describe, expect, it } from 'vitest';
import type { Command } from 'commander';
import { buildProgram, commandFilesFor, showsRootHelp } from '../../../src/cli/program.js';
import { commandList } from '../../../src/cli/root-help.js';
import { testIO as io } from '../../helpers/cli-io.js';

/** The commands each file of `args`'s selection registers, as listed. */
const named = (args: string[]) => commandFilesFor(args).map((f) => f.names);
const everyFile = () => named(['--help']);
const commandNames = async (args: string[] = []) =>
  (await buildProgram(io(), {}, args)).commands.map((c) => c.name());

describe('commandFilesFor', () => {
  it('a command line naming a command selects that command file alone', () => {
    expect(named(['status', 'r-1', '--json'])).toEqual([['status']]);
    expect(named(['unhold', 'box-1'])).toEqual([['hold', 'holds', 'unhold']]);
  });

  it('the value of --config is not taken for the command', () => {
    expect(named(['-c', 'status', 'runs'])).toEqual([['runs']]);
    expect(named(['--config', 'run', 'validate', 'wf.yaml'])).toEqual([['validate']]);
    expect(named(['--config=status', 'logs', 'r-1'])).toEqual([['logs']]);
  });

  it('help, an unknown command and no command select every file; --version none', () => {
    const all = everyFile();
    expect(all.length).toBeGreaterThan(10);
    for (const args of [['--help'], ['help', 'run'], ['stauts'], ['--json'], ['--', 'run']])
      expect(named(args), args.join(' ')).toEqual(all);
    // completion prints the scripts the build made from the whole tree.
    expect(named(['completion', 'bash'])).toEqual([['completion']]);
    expect(named(['--version'])).toEqual([]);
    expect(named(['-V'])).toEqual([]);
    // A command's own --version-like flag is the command's: its file is loaded.
    expect(named(['run', 'wf', '--version'])).toEqual([['run']]);
  });
});

describe('buildProgram', () => {
  it("the files' lists name exactly the commands the whole tree registers", async () => {
    const registered = await commandNames();
    expect(everyFile().flat().sort()).toEqual([...registered].sort());
  });

  it('each command, named on its own, is registered with its whole file and nothing else', async () => {
    for (const names of everyFile())
      for (const name of names) expect(await commandNames([name, '--help'])).toEqual(names);
  });

  it('completion, run from src/ (no script built), makes its script from the whole tree', async () => {
    const cli = io();
    const program = await buildProgram(cli, {}, ['completion', 'fish']);
    await program.parseAsync(['node', 'gcflow', 'completion', 'fish']);
    for (const name of everyFile().flat()) expect(cli.printed()).toContain(`-a ${name} -d`);
  });
});

/** The help `program` prints on a terminal `columns` wide. */
function helpAt(program: Command, columns: number): string {
  program.configureOutput({ ...program.configureOutput(), getOutHelpWidth: () => columns });
  return program.helpInformation();
}

describe('root help', () => {
  it('is what `gcflow`, `gcflow --help` and `-h` show, with or without -c; not help on a command', () => {
    for (const args of [[], ['--help'], ['-h'], ['-c', 'x.yaml', '--help'], ['--config=x', '-h']])
      expect(showsRootHelp(args), args.join(' ')).toBe(true);
    for (const args of [
      ['run', '--help'],
      ['help'],
      ['help', 'run'],
      ['-c', 'run', 'runs', '-h'],
      ['--version'],
      ['--', '-h'],
    ])
      expect(showsRootHelp(args), args.join(' ')).toBe(false);
  });

  it('stand-ins made from the written list print the help the whole tree prints, at any width', async () => {
    const whole = await buildProgram(io());
    const list = commandList(whole);
    expect(list.map((l) => l.name)).toEqual(whole.commands.map((c) => c.name()));
    for (const args of [[], ['--help'], ['-c', 'x.yaml', '-h']]) {
      const standIns = await buildProgram(io(), { commandList: () => list }, args);
      // Stand-ins: no command file was loaded (the real `run` has options and an action).
      expect(standIns.commands.every((c) => c.options.length === 0)).toBe(true);
      expect(whole.commands.find((c) => c.name() === 'run')!.options.length).toBeGreaterThan(0);
      for (const columns of [80, 160]) expect(helpAt(standIns, columns)).toBe(helpAt(whole, columns));
    }
  });

  it('without a written list (run from src/), the whole tree is loaded', async () => {
    const program = await buildProgram(io(), { commandList: () => undefined }, ['--help']);
    expect(program.commands.find((c) => c.name() === 'run')!.options.length).toBeGreaterThan(0);
  });
});
