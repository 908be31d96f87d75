// Checks of trigger schedules: cron expressions with cron-parser (the parser BullMQ
// fires with, so what validates is what fires) and IANA timezones via Intl.
// Pure: cron-parser and Intl compute, they do no I/O.
import { CronExpressionParser } from 'cron-parser';
import { suggest } from './suggest.js';

/** A fixed start keeps validation deterministic; any date shows whether the schedule can fire. */
const PROBE_FROM = new Date('2001-01-01T00:00:00Z');

export interface Problem {
  message: string;
  hint?: string;
}

export function cronProblem(cron: string): Problem | undefined {
  const fields = cron
    .trim()
    .split(/\s+/)
    .filter((f) => f !== '');
  if (fields.length !== 5 && fields.length !== 6) {
    return {
      message: `cron '${cron}' has ${fields.length} field${fields.length === 1 ? '' : 's'}; write 5 (minute hour day month weekday) or 6 (seconds first)`,
      hint: "e.g. '0 2 * * *' every day at 02:00, '0 19 * * 1-5' weekdays at 19:00",
    };
  }
  try {
    CronExpressionParser.parse(cron, { tz: 'UTC', currentDate: PROBE_FROM }).next();
    return undefined;
  } catch (err) {
    return {
      message: `cron '${cron}' is invalid: ${(err as Error).message}`,
      hint: 'fields are minute (0-59) hour (0-23) day-of-month (1-31) month (1-12) weekday (0-7, MON-SUN)',
    };
  }
}

let zones: string[] | undefined;
const knownZones = (): string[] => {
  zones ??= [...Intl.supportedValuesOf('timeZone'), 'UTC'];
  return zones;
};

export function timezoneProblem(zone: string): Problem | undefined {
  const all = knownZones();
  if (all.includes(zone)) return undefined;
  let accepted = false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    accepted = true;
  } catch {
    accepted = false;
  }
  const sameButCase = all.find((z) => z.toLowerCase() === zone.toLowerCase());
  if (accepted && !sameButCase) return undefined; // a legacy alias such as US/Pacific
  const best = sameButCase ?? suggest(zone, all);
  return {
    message: `unknown timezone '${zone}'${best ? `; did you mean '${best}'?` : ''}`,
    hint: 'use an IANA name such as Europe/Berlin, America/New_York or UTC',
  };
}
