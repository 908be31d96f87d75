// `gcflow cancel RUN_ID`: request cancellation; the run's finally steps still run.
import type { Command } from 'commander';
import { withServices } from './context.js';
import { type CliIO, print } from './io.js';
import type { RegisterCommand } from './program.js';

export const register: RegisterCommand = (program: Command, io: CliIO) => {
  program
    .command('cancel')
    .description('cancel a run; its finally steps still run')
    .argument('<run-id>')
    .action(async (runId: string, _opts: unknown, command: Command) => {
      await withServices(command, io, async (services) => {
        const accepted = await services.runs.cancel(runId);
        print(
          io.stdout,
          accepted
            ? `cancelling run ${runId}; its finally steps run next (gcflow logs ${runId} --follow)`
            : `run ${runId} has already ended`,
        );
      });
    });
};
