// `gcflow completion bash|zsh|fish`: the bash script is loaded into a real bash and
// asked for completions; the zsh and fish scripts must name every command and flag.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { completionScript, SHELLS } from '../../../src/cli/completion.js';
import { buildProgram } from '../../../src/cli/program.js';
import { testIO } from '../../helpers/cli-io.js';
import { runCli } from '../../helpers/processes.js';

const COMMANDS = ['cancel', 'completion', 'daemon', 'dev', 'janitor', 'logs', 'plan', 'run', 'runs'];

async function script(shell: string): Promise<string> {
  const { code, stdout, stderr } = await runCli(['completion', shell], {});
  expect(stderr).toBe('');
  expect(code).toBe(0);
  return stdout;
}

/** What bash offers for the words typed so far (the last one is being completed). */
function complete(bashScript: string, words: string[], cwd = resolve('.')): string[] {
  const program = `${bashScript}
COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}
_gcflow; printf '%s\\n' "\${COMPREPLY[@]}"`;
  const out = spawnSync('bash', ['-c', program], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, GCFLOW_WORKFLOWS: '' },
  });
  expect(out.stderr).toBe('');
  return out.stdout.split('\n').filter(Boolean).sort();
}

describe('gcflow completion', () => {
  it('prints the scripts the build wrote, which are those the whole command tree makes now', async () => {
    const program = await buildProgram(testIO());
    for (const shell of SHELLS) {
      expect(
        existsSync(fileURLToPath(new URL(`../../../dist/cli/completion/${shell}.sh`, import.meta.url))),
      ).toBe(true);
      expect(await script(shell)).toBe(`${completionScript(program, shell).trimEnd()}\n`);
    }
  });

  it('completes commands, flags, flag values and workflow names in bash', async () => {
    const bash = await script('bash');
    expect(complete(bash, ['gcflow', 'ru'])).toEqual(['run', 'runs']);
    expect(complete(bash, ['gcflow', 'run', '--w'])).toEqual(['--wait']);
    expect(complete(bash, ['gcflow', 'runs', '--status', ''])).toEqual(
      ['cancelled', 'failed', 'queued', 'running', 'succeeded', 'waiting'].sort(),
    );
    expect(complete(bash, ['gcflow', '-c', 'x.yaml', 'run', 'gpu'])).toEqual(['gpu-batch']);
    expect(complete(bash, ['gcflow', 'plan', ''])).toEqual([
      'gpu-batch',
      'nightly-snapshots',
      'office-hours',
    ]);
    expect(complete(bash, ['gcflow', 'completion', 'z'])).toEqual(['zsh']);
  });

  it('names every command and flag in the zsh and fish scripts', async () => {
    const zsh = await script('zsh');
    const fish = await script('fish');
    expect(zsh.startsWith('#compdef gcflow')).toBe(true);
    for (const command of COMMANDS) {
      expect(zsh).toContain(`'${command}:`);
      expect(fish).toContain(`-a ${command} -d`);
    }
    expect(zsh).toMatch(
      /--status'\[only runs in this status\]:value:\(queued running waiting succeeded failed cancelled\)'/,
    );
    expect(fish).toContain(
      "complete -c gcflow -n '__fish_seen_subcommand_from runs' -l status -x -a 'queued running waiting succeeded failed cancelled'",
    );
    expect(fish).toContain(
      "complete -c gcflow -n '__fish_seen_subcommand_from run' -F -a '(__gcflow_workflows)'",
    );
    // An apostrophe in a description must not end zsh's single-quoted spec early.
    expect(zsh).toContain("'logs:print a run'\\''s history of transitions'");
  });

  it('refuses a shell it does not know, with exit 2', async () => {
    const { code, stderr } = await runCli(['completion', 'tcsh'], {});
    expect(code).toBe(2);
    expect(stderr).toMatch(/bash, zsh, fish/);
  });
});
