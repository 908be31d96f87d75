// `gcflow status RUN_ID [--json]`: one run: steps, timings, outputs, errors.
import type { Command } from 'commander';
import { withServices } from './context.js';
import { formatRun } from './format.js';
import { type CliIO, print, printJson } from './io.js';
import type { RegisterCommand } from './program.js';
import { runCommandParts } from '../daemon/parts.js';

export const register: RegisterCommand = (program: Command, io: CliIO) => {
  program
    .command('status')
    .description('show one run: steps, timings, outputs (secrets redacted), errors')
    .argument('<run-id>')
    .option('--json', 'print JSON')
    .action(async (runId: string, opts: { json?: boolean }, command: Command) => {
      await withServices(command, io, runCommandParts, async (services) => {
        const run = await services.runs.get(runId);
        if (opts.json) printJson(io, run);
        else print(io.stdout, formatRun(run));
      });
    });
};
