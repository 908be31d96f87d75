// `gcflow validate [PATH...] [--json]`: checks workflow files and directories (default:
// the workflows directory) and prints every problem as file:line:col with a hint
// and a code frame. Exit 0 when valid (warnings allowed), 1 on any error, 2 on bad paths.
import { stat } from 'node:fs/promises';
import type { Command } from 'commander';
import { loadConfig } from '../config/load.js';
import { type Diagnostic, formatDiagnostic } from '../dsl/index.js';
import { ExitCode, UsageError } from '../shared/errors.js';
import { loadWorkflowDir, loadWorkflowFile } from '../workflows/index.js';
import { type CliIO, print, printJson } from './io.js';
import type { RegisterCommand } from './program.js';

export const register: RegisterCommand = (program: Command, io: CliIO) => {
  program
    .command('validate')
    .description('check workflow files: every problem with file:line:col, a hint and the line')
    .argument('[paths...]', 'workflow files or directories (default: the workflows directory)')
    .option('--json', 'print { files, diagnostics } as JSON')
    .action(async (paths: string[], opts: { json?: boolean }) => {
      const targets = paths.length > 0 ? paths : [defaultDir(program, io)];
      const result = await validatePaths(targets);
      if (opts.json) {
        printJson(io, { files: result.files, diagnostics: result.diagnostics });
      } else {
        for (const d of result.diagnostics)
          print(io.stdout, `${formatDiagnostic(d, result.texts.get(d.file) || undefined)}\n`);
        print(io.stdout, summary(result.diagnostics, result.files.length));
      }
      io.exitCode = result.diagnostics.some((d) => d.severity === 'error') ? ExitCode.failed : ExitCode.ok;
    });
};

function defaultDir(program: Command, io: CliIO): string {
  const configFile = (program.opts() as { config?: string }).config;
  return loadConfig({ env: io.env, ...(configFile ? { configFile } : {}) }).config.workflows;
}

export interface ValidateResult {
  files: string[];
  diagnostics: Diagnostic[];
  texts: Map<string, string>;
}

/** Files are checked as given; directories contribute their *.yaml/*.yml files. */
export async function validatePaths(paths: string[]): Promise<ValidateResult> {
  const out: ValidateResult = { files: [], diagnostics: [], texts: new Map() };
  for (const path of paths) {
    const info = await stat(path).catch(() => undefined);
    if (!info)
      throw new UsageError(
        `no such file or directory: ${path}`,
        'give workflow files or directories of them',
      );
    if (info.isDirectory()) {
      const dir = await loadWorkflowDir(path);
      out.files.push(...dir.files);
      out.diagnostics.push(...dir.diagnostics);
      for (const [file, text] of dir.texts) out.texts.set(file, text);
    } else {
      const file = await loadWorkflowFile(path);
      out.files.push(path);
      out.diagnostics.push(...file.diagnostics);
      out.texts.set(path, file.text);
    }
  }
  return out;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** `2 errors, 1 warning in 3 files`. */
export function summary(diagnostics: Diagnostic[], files: number): string {
  const errors = diagnostics.filter((d) => d.severity === 'error').length;
  return `${plural(errors, 'error')}, ${plural(diagnostics.length - errors, 'warning')} in ${plural(files, 'file')}`;
}
