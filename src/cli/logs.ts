// `gcflow logs RUN_ID [--follow]`: a run's event history, one line per transition.
import type { Command } from 'commander';
import { withServices } from './context.js';
import { followRun } from './follow.js';
import { formatEvent } from './format.js';
import { type CliIO, print } from './io.js';
import type { RegisterCommand } from './program.js';

export const register: RegisterCommand = (program: Command, io: CliIO) => {
  program
    .command('logs')
    .description("print a run's history of transitions")
    .argument('<run-id>')
    .option('-f, --follow', 'keep printing until the run ends')
    .action(async (runId: string, opts: { follow?: boolean }, command: Command) => {
      await withServices(command, io, async (services) => {
        await services.store.mustLoad(runId);
        if (opts.follow) {
          await followRun({
            store: services.store,
            runId,
            signal: io.shutdown,
            onEvent: (e) => print(io.stdout, formatEvent(e)),
          });
          return;
        }
        for (const { event } of await services.store.events(runId)) print(io.stdout, formatEvent(event));
      });
    });
};
