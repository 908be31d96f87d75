// `gcflow logs RUN_ID [--follow] [--json]`: a run's event history, one line per
// transition; with --json one JSON object per line (JSON Lines), so it streams.
import type { Command } from 'commander';
import type { RunEvent } from '../engine/events.js';
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
    .option('--json', 'one JSON object per event and line')
    .action(async (runId: string, opts: { follow?: boolean; json?: boolean }, command: Command) => {
      const show = (e: RunEvent) => print(io.stdout, opts.json ? JSON.stringify(e) : formatEvent(e));
      await withServices(command, io, async (services) => {
        await services.store.mustLoad(runId);
        if (opts.follow) {
          await followRun({
            store: services.store,
            runId,
            signal: io.shutdown,
            onEvent: show,
            redisAddress: services.outage.address,
            onOutage: (message) => print(io.stderr, message),
          });
          return;
        }
        for (const { event } of await services.store.events(runId)) show(event);
      });
    });
};
