// `gcflow runs [--workflow W] [--status S] [--limit N] [--json]`: run history, newest first.
import type { Command } from 'commander';
import { Option } from 'commander';
import { RUN_STATUSES, type RunStatus } from '../engine/state.js';
import { positiveInt, withServices } from './context.js';
import { formatRunsTable } from './format.js';
import { type CliIO, print, printJson } from './io.js';
import type { RegisterCommand } from './program.js';
import { runCommandParts } from '../daemon/parts.js';

export const register: RegisterCommand = (program: Command, io: CliIO) => {
  program
    .command('runs')
    .description('list runs, newest first')
    .option('--workflow <name>', 'only runs of this workflow')
    .addOption(new Option('--status <status>', 'only runs in this status').choices(RUN_STATUSES))
    .option('--limit <n>', 'at most this many', positiveInt, 50)
    .option('--json', 'print a JSON array')
    .action(
      async (
        opts: { workflow?: string; status?: RunStatus; limit: number; json?: boolean },
        command: Command,
      ) => {
        await withServices(command, io, runCommandParts, async (services) => {
          const runs = await services.runs.list({
            limit: opts.limit,
            ...(opts.workflow ? { workflow: opts.workflow } : {}),
            ...(opts.status ? { status: opts.status } : {}),
          });
          if (opts.json) printJson(io, runs);
          else print(io.stdout, formatRunsTable(runs));
        });
      },
    );
};
