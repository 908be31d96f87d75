// Workflow files on disk: a directory of workflows, duplicate names across files,
// refusals before reading, and finding a workflow by name or path.
// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${{ }} is the workflow expression syntax, not a JS template
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatDiagnostic } from '../../../src/dsl/index.js';
import { GcflowError } from '../../../src/shared/errors.js';
import { loadWorkflowDir, loadWorkflowFile, resolveWorkflow } from '../../../src/workflows/index.js';

const EXAMPLES = join(import.meta.dirname, '../../../workflows');

function dirWith(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'gcflow-workflows-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

const workflow = (name: string, extra = '') =>
  `${extra}name: ${name}\nsteps:\n  - { id: pause, uses: sleep, with: { duration: 1s } }\n`;

async function errorOf(promise: Promise<unknown>): Promise<GcflowError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof GcflowError) return err;
    throw err;
  }
  throw new Error('expected a GcflowError');
}

describe('loadWorkflowDir', () => {
  it('loads the example workflows and ignores README.md', async () => {
    const { workflows, diagnostics, files } = await loadWorkflowDir(EXAMPLES);
    expect(diagnostics).toEqual([]);
    expect([...workflows.keys()].sort()).toEqual(['gpu-batch', 'nightly-snapshots', 'office-hours']);
    expect(files).toEqual(
      ['gpu-batch.yaml', 'nightly-snapshots.yaml', 'office-hours.yaml'].map((f) => join(EXAMPLES, f)),
    );
    expect(workflows.get('gpu-batch')!.source!.file).toBe(join(EXAMPLES, 'gpu-batch.yaml'));
  });

  it('reports a workflow name defined by two files, at the second name, and keeps the first', async () => {
    const dir = dirWith({
      'a.yaml': workflow('backup'),
      'b.yml': workflow('backup', '# second copy\n'),
      'notes.txt': 'x',
    });
    const { workflows, diagnostics, files, texts } = await loadWorkflowDir(dir);
    expect(files).toEqual([join(dir, 'a.yaml'), join(dir, 'b.yml')]);
    expect(workflows.get('backup')!.source!.file).toBe(join(dir, 'a.yaml'));
    expect(diagnostics.map((d) => formatDiagnostic(d, texts.get(d.file)))).toEqual([
      `${join(dir, 'b.yml')}:2:7: error E_DUPLICATE_WORKFLOW workflow 'backup' is already defined in a.yaml\n` +
        '  hint: workflow names are unique in a directory: rename one of them\n' +
        '  2 | name: backup\n' +
        '    |       ^^^^^^',
    ]);
  });

  it('keeps the valid workflows when another file is broken', async () => {
    const dir = dirWith({ 'good.yaml': workflow('good'), 'bad.yaml': 'name: [\n' });
    const { workflows, diagnostics } = await loadWorkflowDir(dir);
    expect([...workflows.keys()]).toEqual(['good']);
    expect(diagnostics.map((d) => `${d.file}:${d.code}`)).toEqual([`${join(dir, 'bad.yaml')}:E_YAML_SYNTAX`]);
  });

  it('refuses a directory that does not exist', async () => {
    const err = await errorOf(loadWorkflowDir('/nonexistent/gcflow-workflows'));
    expect(err.code).toBe('E_WORKFLOWS_DIR');
    expect(err.message).toBe('cannot read the workflows directory /nonexistent/gcflow-workflows (ENOENT)');
    expect(err.exitCode).toBe(2);
  });
});

describe('loadWorkflowFile', () => {
  it('refuses a file over 1 MiB from its size', async () => {
    const dir = dirWith({ 'huge.yaml': `${workflow('huge')}# ${'x'.repeat(5 * 1024 * 1024)}\n` });
    const { definition, diagnostics, text } = await loadWorkflowFile(join(dir, 'huge.yaml'));
    expect(definition).toBeUndefined();
    expect(text).toBe('');
    expect(diagnostics.map((d) => `${d.line}:${d.column} ${d.code} ${d.message}`)).toEqual([
      '1:1 E_FILE_TOO_LARGE file is 5.0 MiB; workflow files may be at most 1 MiB',
    ]);
  });

  it('reports a file it cannot read', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gcflow-workflows-'));
    mkdirSync(join(dir, 'folder.yaml'));
    const { diagnostics } = await loadWorkflowFile(join(dir, 'folder.yaml'));
    expect(diagnostics).toEqual([
      {
        file: join(dir, 'folder.yaml'),
        line: 1,
        column: 1,
        severity: 'error',
        code: 'E_FILE_UNREADABLE',
        message: 'cannot read the file (EISDIR)',
        hint: 'check the path and its permissions',
      },
    ]);
  });
});

describe('resolveWorkflow', () => {
  it('finds a workflow by name in the directory, or by path', async () => {
    expect((await resolveWorkflow('office-hours', EXAMPLES)).name).toBe('office-hours');
    expect((await resolveWorkflow(join(EXAMPLES, 'gpu-batch.yaml'), '/unused')).name).toBe('gpu-batch');
  });

  it('names the known workflows when the name is unknown', async () => {
    const err = await errorOf(resolveWorkflow('office-hour', EXAMPLES));
    expect(err.code).toBe('E_WORKFLOW_NOT_FOUND');
    expect(err.message).toBe(`no workflow named 'office-hour' in ${EXAMPLES}; did you mean 'office-hours'?`);
    expect(err.hint).toBe('known workflows: gpu-batch, nightly-snapshots, office-hours');
    expect(err.exitCode).toBe(2);
  });

  it('points at broken files when the name is not among the valid ones', async () => {
    const dir = dirWith({ 'good.yaml': workflow('good'), 'broken.yaml': 'name: wanted\nsteps: 3\n' });
    const err = await errorOf(resolveWorkflow('wanted', dir));
    expect(err.hint).toBe(
      'known workflows: good; 1 file(s) with errors, which may hold it: broken.yaml (run gcflow validate)',
    );
  });

  it('refuses an invalid file with its first diagnostics', async () => {
    const dir = dirWith({
      'bad.yaml': 'name: bad\nsteps:\n  - { id: x, uses: sleep, with: { duration: 5 } }\n',
    });
    const err = await errorOf(resolveWorkflow(join(dir, 'bad.yaml'), dir));
    expect(err.code).toBe('E_WORKFLOW_INVALID');
    expect(err.message).toBe(
      `workflow file ${join(dir, 'bad.yaml')} has 1 error:\n` +
        `${join(dir, 'bad.yaml')}:3:45: error E_DURATION step 'x': with.duration needs a unit: 5 is not a duration\n` +
        '  hint: write a number followed by a unit: 250ms, 30s, 15m, 6h, 7d, or combined like 1h30m\n' +
        '  3 |   - { id: x, uses: sleep, with: { duration: 5 } }\n' +
        '    |                                             ^',
    );
  });
});
