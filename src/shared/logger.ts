// Structured logs (pino). Every line passes through the Redactor, so the API
// token and secrets.* values never reach a log; secret-named keys are masked too.
// The destination is a parameter; child loggers carry { runId, workflow, stepId, attempt }.
//
// The convention (ARCHITECTURE.md, "Logs"): a line that reports something that
// happened carries `event` (`run.failed`, `step.retrying`, `daemon.started`, ...)
// beside its human `msg`, at the level eventLevel() gives it: failures at error,
// retries and degradations at warn, the rest at info. `logEvent` does both. Lines
// keep `pid` and `hostname` so replicas can be told apart. Not on a TTY, every
// line is JSON; on a TTY pino-pretty prints them, without colour under NO_COLOR.
import { hostname } from 'node:os';
import { type DestinationStream, type Level, pino, type Logger as PinoLogger } from 'pino';
import { prettyFactory } from 'pino-pretty';
import { REDACTED, Redactor } from './redact.js';

const SECRET_KEYS = ['token', 'authorization', 'password', 'secret', 'secrets', 'api_token'];
const REDACT_PATHS = [
  ...SECRET_KEYS,
  ...SECRET_KEYS.map((k) => `*.${k}`),
  'headers["x-auth-token"]',
  '*.headers.authorization',
];

export type Logger = PinoLogger;

export interface LoggerOptions {
  level?: string;
  /** Where lines go; default stderr. */
  destination?: DestinationStream;
  /** Human-readable lines (pino-pretty); default: when stderr is a TTY. */
  pretty?: boolean;
  redactor?: Redactor;
  name?: string;
  /** Read for NO_COLOR and GCFLOW_LOG_LEVEL; default process.env. */
  env?: Record<string, string | undefined>;
}

/** The level of an event's line: what an operator filtering on warn+ must see. */
const EVENT_LEVELS: Record<string, Level> = {
  'run.failed': 'error',
  'run.gave_up': 'error',
  'step.failed': 'error',
  'step.retrying': 'warn',
  'run.timed_out': 'warn',
  'run.cancelling': 'warn',
  'workflows.invalid': 'warn',
  'workflows.reload_failed': 'error',
};

/** error for failures, warn for retries and timeouts, info otherwise. */
export function eventLevel(event: string): Level {
  return EVENT_LEVELS[event] ?? 'info';
}

/** One line for an event: `{event, ...fields, msg}` at the event's level. */
export function logEvent(logger: Logger, event: string, fields: Record<string, unknown>, msg?: string): void {
  logger[eventLevel(event)]({ event, ...fields }, msg ?? event);
}

/** no-color.org: present and not empty turns colour off. */
export const noColor = (env: Record<string, string | undefined>): boolean => Boolean(env['NO_COLOR']);

export function createLogger(options: LoggerOptions = {}): Logger {
  const env = options.env ?? process.env;
  const redactor = options.redactor ?? new Redactor();
  const pretty = options.pretty ?? (options.destination === undefined && process.stderr.isTTY === true);
  const out = options.destination ?? pino.destination(2);
  const destination = pretty ? prettyLines(out, !noColor(env)) : out;
  return pino(
    {
      name: options.name ?? 'gcflow',
      level: options.level ?? env['GCFLOW_LOG_LEVEL'] ?? 'info',
      base: { pid: process.pid, hostname: hostname() },
      // Masks secret-named keys, including those bound on child loggers.
      redact: { paths: REDACT_PATHS, censor: REDACTED },
      hooks: {
        // Last line of defence: no secret value leaves, whatever path it took.
        streamWrite: (line) => redactor.scrubString(line),
        // Scrub every argument (objects and the message) before pino serialises it.
        logMethod(args, method) {
          const scrubbed = (redactor.size === 0 ? args : args.map((a) => redactor.scrub(a))) as typeof args;
          return method.apply(this, scrubbed);
        },
      },
      formatters: {
        log: (object) => redactor.scrub(object),
      },
      serializers: {
        err: (err: unknown) => serializeError(err, redactor),
      },
    },
    destination,
  );
}

/** pino-pretty in-process and synchronous: each JSON line is rewritten before it is written. */
function prettyLines(out: DestinationStream, colorize: boolean): DestinationStream {
  // A terminal shows one process: pid and hostname are noise there (JSON lines keep them).
  const format = prettyFactory({ colorize, ignore: 'pid,hostname' });
  return { write: (line: string) => out.write(format(line)) };
}

function serializeError(err: unknown, redactor: Redactor): unknown {
  if (!(err instanceof Error)) return redactor.scrub(err);
  const out: Record<string, unknown> = { type: err.name, message: redactor.scrubString(err.message) };
  const code = (err as { code?: unknown }).code;
  if (code !== undefined) out['code'] = code;
  return out;
}

/** A logger that drops everything: for tests and library use. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
