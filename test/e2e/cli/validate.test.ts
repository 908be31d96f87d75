// `gcflow validate` and `gcflow schema` as users run them: the built CLI
// (dist/main.js, built by the e2e global setup), exit codes 0 / 1 / 2, text and JSON output.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, workspace } from '../../helpers/processes.js';

const FIXTURES = 'test/fixtures/dsl';
/** Keep the caller's environment from choosing the workflows directory. */
const ENV = { GCFLOW_WORKFLOWS: '', GCFLOW_CONFIG: 'config/default.yaml' };
const WARNING_ONLY = `name: warned
steps:
  - id: box
    uses: instance.create
    with: { name: gpu-box, type: t, region: r, image: i, ssh_keys: [k] }
`;

describe('gcflow validate', () => {
  it('exits 0 on the example workflows', async () => {
    const { code, stdout, stderr } = await runCli(['validate', 'workflows/'], ENV);
    expect(stderr).toBe('');
    expect(stdout).toBe('0 errors, 0 warnings in 3 files\n');
    expect(code).toBe(0);
  });

  it('exits 1 and prints each diagnostic with hint and code frame, then a summary', async () => {
    const file = join(FIXTURES, 'all-problems-in-one-pass.yaml');
    const { code, stdout } = await runCli(['validate', file], ENV);
    expect(code).toBe(1);
    const golden = readFileSync(join(FIXTURES, 'all-problems-in-one-pass.expected'), 'utf8')
      .trimEnd()
      .split('\n\n')
      .map((block) => block.replace(/^all-problems-in-one-pass\.yaml:/, `${file}:`));
    expect(stdout).toBe(`${golden.map((b) => `${b}\n\n`).join('')}6 errors, 0 warnings in 1 file\n`);
  });

  it('exits 0 when there are only warnings, and counts them', async () => {
    const ws = workspace({ 'warned.yaml': WARNING_ONLY });
    const { code, stdout } = await runCli(['validate', ws.workflows], ENV);
    expect(stdout).toMatch(/warning W_INSTANCE_NAME_NOT_UNIQUE/);
    expect(stdout.trimEnd().split('\n').at(-1)).toBe('0 errors, 1 warning in 1 file');
    expect(code).toBe(0);
  });

  it('exits 2 on a path that does not exist', async () => {
    const { code, stdout, stderr } = await runCli(['validate', 'workflows/', 'no/such/file.yaml'], ENV);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toBe(
      'gcflow: error E_USAGE: no such file or directory: no/such/file.yaml\n  hint: give workflow files or directories of them\n',
    );
  });

  it('prints { files, diagnostics } with --json', async () => {
    const bad = join(FIXTURES, 'E_CRON.yaml');
    const { code, stdout } = await runCli(['validate', '--json', 'workflows/gpu-batch.yaml', bad], ENV);
    expect(code).toBe(1);
    expect(JSON.parse(stdout)).toEqual({
      files: ['workflows/gpu-batch.yaml', bad],
      diagnostics: [
        {
          file: bad,
          line: 3,
          column: 11,
          endLine: 3,
          endColumn: 23,
          severity: 'error',
          code: 'E_CRON',
          message:
            "triggers[0]: cron '0 25 * * *' is invalid: Constraint error, got value 25 expected range 0-23",
          hint: 'fields are minute (0-59) hour (0-23) day-of-month (1-31) month (1-12) weekday (0-7, MON-SUN)',
        },
      ],
    });
  });

  it('checks the workflows directory from the environment, or from --config, by default', async () => {
    const ws = workspace({ 'bad.yaml': 'name: bad\n' });
    const fromEnv = await runCli(['validate'], { ...ENV, GCFLOW_WORKFLOWS: ws.workflows });
    expect(fromEnv.code).toBe(1);
    expect(fromEnv.stdout).toContain(
      `${join(ws.workflows, 'bad.yaml')}:1:1: error E_MISSING_KEY missing required key 'steps'`,
    );
    writeFileSync(ws.config, `workflows: ${JSON.stringify(ws.workflows)}\n`);
    const fromConfig = await runCli(['--config', ws.config, 'validate', '--json'], ENV);
    expect(fromConfig.code).toBe(1);
    expect(JSON.parse(fromConfig.stdout).files).toEqual([join(ws.workflows, 'bad.yaml')]);
  });
});

describe('gcflow schema', () => {
  it('prints the JSON Schema that schema/workflow.schema.json holds', async () => {
    const { code, stdout } = await runCli(['schema'], ENV);
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual(JSON.parse(readFileSync('schema/workflow.schema.json', 'utf8')));
  });
});
