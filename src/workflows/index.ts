// Workflow files on disk: reads one file or a directory of *.yaml/*.yml and hands
// the text to the pure parser (src/dsl). The only part of the workflow language that
// does I/O.
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import {
  type Diagnostic,
  didYouMean,
  formatDiagnostic,
  MAX_FILE_BYTES,
  parseWorkflow,
  sortDiagnostics,
  spanOfPath,
  tooLarge,
  type WorkflowDefinition,
} from '../dsl/index.js';
import { ExitCode, GcflowError } from '../shared/errors.js';

export interface LoadedFile {
  definition?: WorkflowDefinition;
  diagnostics: Diagnostic[];
  text: string;
}

export interface LoadedDir {
  workflows: Map<string, WorkflowDefinition>;
  diagnostics: Diagnostic[];
  /** The workflow files looked at, sorted. */
  files: string[];
  /** Text of each file read (for code frames). */
  texts: Map<string, string>;
}

const isWorkflowFile = (name: string) => /\.ya?ml$/i.test(name);

/** One file; a file over 1 MiB is refused from its size, without reading it. */
export async function loadWorkflowFile(path: string): Promise<LoadedFile> {
  try {
    const info = await stat(path);
    if (info.size > MAX_FILE_BYTES) return { diagnostics: [tooLarge(path, info.size)], text: '' };
    const text = await readFile(path, 'utf8');
    return { ...parseWorkflow(text, path), text };
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    return {
      diagnostics: [
        {
          file: path,
          line: 1,
          column: 1,
          severity: 'error',
          code: 'E_FILE_UNREADABLE',
          message: `cannot read the file (${reason})`,
          hint: 'check the path and its permissions',
        },
      ],
      text: '',
    };
  }
}

/** Every *.yaml/*.yml directly in `dir` (not recursive; other files ignored). Two files with one name is an error. */
export async function loadWorkflowDir(dir: string): Promise<LoadedDir> {
  let names: string[];
  try {
    const entries = await readdir(dir, { withFileTypes: true });
    names = entries
      .filter((e) => (e.isFile() || e.isSymbolicLink()) && isWorkflowFile(e.name))
      .map((e) => e.name);
  } catch (err) {
    throw new GcflowError(
      'E_WORKFLOWS_DIR',
      `cannot read the workflows directory ${dir} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`,
      {
        hint: 'set GCFLOW_WORKFLOWS or `workflows:` in the config file to a directory of workflow files',
        exitCode: ExitCode.usage,
      },
    );
  }
  const files = names.sort().map((n) => join(dir, n));
  const loaded = await Promise.all(files.map(async (file) => ({ file, ...(await loadWorkflowFile(file)) })));
  const workflows = new Map<string, WorkflowDefinition>();
  const owners = new Map<string, string>();
  const texts = new Map<string, string>();
  const diagnostics: Diagnostic[] = [];
  for (const { file, definition, diagnostics: found, text } of loaded) {
    texts.set(file, text);
    diagnostics.push(...found);
    if (!definition) continue;
    const first = owners.get(definition.name);
    if (first !== undefined) {
      diagnostics.push({
        file,
        ...spanOfPath(text, file, ['name']),
        severity: 'error',
        code: 'E_DUPLICATE_WORKFLOW',
        message: `workflow '${definition.name}' is already defined in ${basename(first)}`,
        hint: 'workflow names are unique in a directory: rename one of them',
      });
      continue;
    }
    owners.set(definition.name, file);
    workflows.set(definition.name, definition);
  }
  return { workflows, diagnostics: sortDiagnostics(diagnostics), files, texts };
}

/** A path to a workflow file, or the name of a workflow in `dir`. */
export async function resolveWorkflow(nameOrFile: string, dir: string): Promise<WorkflowDefinition> {
  if (looksLikeFile(nameOrFile)) {
    const { definition, diagnostics, text } = await loadWorkflowFile(nameOrFile);
    if (definition) return definition;
    throw invalid(nameOrFile, diagnostics, text);
  }
  const loaded = await loadWorkflowDir(dir);
  const found = loaded.workflows.get(nameOrFile);
  if (found) return found;
  const known = [...loaded.workflows.keys()].sort();
  const broken = [...new Set(loaded.diagnostics.filter((d) => d.severity === 'error').map((d) => d.file))];
  const hints = [known.length > 0 ? `known workflows: ${known.join(', ')}` : `no valid workflows in ${dir}`];
  if (broken.length > 0) {
    hints.push(
      `${broken.length} file(s) with errors, which may hold it: ${broken.map((f) => basename(f)).join(', ')} (run gcflow validate)`,
    );
  }
  throw new GcflowError(
    'E_WORKFLOW_NOT_FOUND',
    `no workflow named '${nameOrFile}' in ${dir}${didYouMean(nameOrFile, known)}`,
    {
      hint: hints.join('; '),
      exitCode: ExitCode.usage,
    },
  );
}

function looksLikeFile(text: string): boolean {
  return isWorkflowFile(text) || text.includes('/') || text.includes('\\');
}

const SHOWN = 3;

function invalid(file: string, diagnostics: Diagnostic[], text: string): GcflowError {
  const errors = diagnostics.filter((d) => d.severity === 'error');
  const shown = errors.slice(0, SHOWN).map((d) => formatDiagnostic(d, text || undefined));
  const more = errors.length > SHOWN ? `\n... and ${errors.length - SHOWN} more` : '';
  return new GcflowError(
    'E_WORKFLOW_INVALID',
    `workflow file ${file} has ${errors.length} error${errors.length === 1 ? '' : 's'}:\n${shown.join('\n')}${more}`,
    { hint: `run gcflow validate ${file} to see every problem` },
  );
}
