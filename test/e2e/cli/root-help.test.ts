// `gcflow --help` and `gcflow` alone list every command from the list the build wrote
// (dist/cli/root-help.json), without loading the command files: the built list and the
// printed help must be what the whole command tree gives now.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../../../src/cli/program.js';
import { commandList } from '../../../src/cli/root-help.js';
import { testIO } from '../../helpers/cli-io.js';
import { runCli } from '../../helpers/processes.js';

const BUILT = fileURLToPath(new URL('../../../dist/cli/root-help.json', import.meta.url));

/** The whole tree's root help on a pipe (commander's default width, 80 columns). */
async function wholeTreeHelp(): Promise<string> {
  const program = await buildProgram(testIO());
  program.configureOutput({ ...program.configureOutput(), getOutHelpWidth: () => 80 });
  return program.helpInformation();
}

describe('gcflow root help', () => {
  it('the build wrote the list of commands the whole tree has now', async () => {
    const whole = await buildProgram(testIO());
    expect(JSON.parse(readFileSync(BUILT, 'utf8'))).toEqual(commandList(whole));
  });

  it('gcflow --help prints, from that list, the help the whole tree prints', async () => {
    const { code, stdout, stderr } = await runCli(['--help'], {});
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toBe(await wholeTreeHelp());
  });

  it('gcflow alone prints it on stderr and exits 2: no command is a usage error', async () => {
    const { code, stdout, stderr } = await runCli([], {});
    expect(stdout).toBe('');
    expect(code).toBe(2);
    expect(stderr).toBe(await wholeTreeHelp());
  });
});
