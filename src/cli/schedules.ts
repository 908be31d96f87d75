// `gcflow schedules [--json]`: what the daemons registered, with each schedule's next
// fire in its own timezone and in UTC. Reads Redis; needs no running daemon.
import type { Command } from 'commander';
import { scheduleCommandParts } from '../daemon/parts.js';
import type { ScheduleView } from '../scheduler/index.js';
import { formatDuration } from '../shared/duration.js';
import { withServices } from './context.js';
import { formatTextTable } from './format.js';
import { type CliIO, print, printJson } from './io.js';
import type { RegisterCommand } from './program.js';

export const register: RegisterCommand = (program: Command, io: CliIO) => {
  program
    .command('schedules')
    .description('list the registered schedules with their next fire times')
    .option('--json', 'print a JSON array')
    .action(async (opts: { json?: boolean }, command: Command) => {
      await withServices(command, io, scheduleCommandParts, async (services) => {
        const schedules = await services.schedules();
        if (opts.json) printJson(io, schedules);
        else print(io.stdout, formatSchedules(schedules));
      });
    });
};

export function formatSchedules(schedules: ScheduleView[]): string {
  if (schedules.length === 0)
    return 'no schedules registered (a running `gcflow daemon` registers the triggers of its workflows)';
  const rows = [
    ['WORKFLOW', 'TRIGGER', 'CRON', 'TIMEZONE', 'NEXT (LOCAL)', 'NEXT (UTC)', 'LAST SLOT', 'OVERDUE'],
    ...schedules.map((s) => [
      s.workflow,
      String(s.trigger),
      s.cron,
      s.timezone,
      s.next || '-',
      s.next_utc || '-',
      s.last_slot ?? '-',
      s.overdue_ms > 0 ? formatDuration(s.overdue_ms) : '-',
    ]),
  ];
  return formatTextTable(rows);
}
