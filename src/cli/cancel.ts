// `gcflow cancel RUN_ID [--json]`: request cancellation; the run's finally steps still run.
import type { Command } from 'commander';
import { withServices } from './context.js';
import { type CliIO, print, printJson } from './io.js';
import type { RegisterCommand } from './program.js';
import { runCommandParts } from '../daemon/parts.js';

export const register: RegisterCommand = (program: Command, io: CliIO) => {
  program
    .command('cancel')
    .description('cancel a run; its finally steps still run')
    .argument('<run-id>')
    .option('--json', 'print {run_id, cancel_requested, status} as JSON')
    .action(async (runId: string, opts: { json?: boolean }, command: Command) => {
      await withServices(command, io, runCommandParts, async (services) => {
        const accepted = await services.runs.cancel(runId);
        if (opts.json) {
          const { status } = await services.runs.get(runId);
          printJson(io, { run_id: runId, cancel_requested: accepted, status });
          return;
        }
        print(
          io.stdout,
          accepted
            ? `cancelling run ${runId}; its finally steps run next (gcflow logs ${runId} --follow)`
            : `run ${runId} has already ended`,
        );
      });
    });
};
