// `gcflow hold INSTANCE [--until TIME|--for DURATION] [--reason TEXT] [--json]`,
// `gcflow holds [--json]` and `gcflow unhold INSTANCE [--json]`: one topic, one file.
// A hold keeps instance.start/stop/reset off a box and instances.list from selecting
// it until it ends by itself (src/holds). Talks to Redis; names go through the API.
import { hostname, userInfo } from 'node:os';
import type { Command } from 'commander';
import { holdCommandParts } from '../daemon/parts.js';
import type { Hold } from '../holds/store.js';
import { withServices } from './context.js';
import { formatTextTable } from './format.js';
import { type CliIO, print, printJson } from './io.js';
import type { RegisterCommand } from './program.js';

interface HoldOptions {
  until?: string;
  for?: string;
  reason?: string;
  json?: boolean;
}

/** user@host of whoever runs the command, when it can be told. */
function whoami(io: CliIO): string | undefined {
  let user = io.env['USER'] || io.env['LOGNAME'];
  if (!user) {
    try {
      user = userInfo().username;
    } catch {
      return undefined;
    }
  }
  return `${user}@${hostname()}`;
}

const named = (h: Hold): string =>
  h.instance_name ? `${h.instance_name} (${h.instance_id})` : h.instance_id;

export const register: RegisterCommand = (program: Command, io: CliIO) => {
  program
    .command('hold')
    .description('keep office hours and other power steps off an instance until a time')
    .argument('<instance>', 'instance id or name')
    .option('--until <time>', 'ISO time the hold ends, e.g. 2026-12-01T07:00:00+01:00')
    .option('--for <duration>', 'how long the hold lasts, e.g. 8h (default: config holds.default_duration)')
    .option('--reason <text>', 'why (shown by gcflow holds and in the skipped steps)')
    .option('--json', 'print the hold as JSON')
    .action(async (ref: string, opts: HoldOptions, command: Command) => {
      await withServices(command, io, holdCommandParts, async (services) => {
        const createdBy = whoami(io);
        const hold = await services.holds.place(
          ref,
          { until: opts.until, for: opts.for, reason: opts.reason, createdBy },
          io.shutdown,
        );
        if (opts.json) printJson(io, hold);
        else
          print(io.stdout, `held ${named(hold)} until ${hold.until}${hold.reason ? `: ${hold.reason}` : ''}`);
      });
    });

  program
    .command('holds')
    .description('list the holds in force')
    .option('--json', 'print a JSON array')
    .action(async (opts: { json?: boolean }, command: Command) => {
      await withServices(command, io, holdCommandParts, async (services) => {
        const holds = await services.holds.list();
        if (opts.json) printJson(io, holds);
        else print(io.stdout, formatHolds(holds));
      });
    });

  program
    .command('unhold')
    .description('lift the hold on an instance')
    .argument('<instance>', 'instance id or name')
    .option('--json', 'print the lifted hold as JSON')
    .action(async (ref: string, opts: { json?: boolean }, command: Command) => {
      await withServices(command, io, holdCommandParts, async (services) => {
        const hold = await services.holds.lift(ref, io.shutdown);
        if (opts.json) printJson(io, hold);
        else print(io.stdout, `lifted the hold on ${named(hold)}`);
      });
    });
};

export function formatHolds(holds: Hold[]): string {
  if (holds.length === 0) return 'no holds in force';
  const rows = [
    ['INSTANCE', 'ID', 'UNTIL', 'BY', 'REASON'],
    ...holds.map((h) => [
      h.instance_name ?? '-',
      h.instance_id,
      h.until ?? '-',
      h.created_by ?? '-',
      h.reason ?? '-',
    ]),
  ];
  return formatTextTable(rows);
}
