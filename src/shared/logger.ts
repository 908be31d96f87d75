// Structured logs (pino). Every line passes through the Redactor, so the API
// token and secrets.* values never reach a log; secret-named keys are masked too.
// The destination is a parameter; child loggers carry { runId, workflow, stepId, attempt }.
import { pino, type DestinationStream, type Logger as PinoLogger } from 'pino';
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
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const redactor = options.redactor ?? new Redactor();
  const pretty = options.pretty ?? (options.destination === undefined && process.stderr.isTTY === true);
  const destination =
    options.destination ??
    (pretty
      ? (pino.transport({
          target: 'pino-pretty',
          options: { destination: 2, colorize: true },
        }) as DestinationStream)
      : pino.destination(2));
  return pino(
    {
      name: options.name ?? 'gcflow',
      level: options.level ?? process.env['GCFLOW_LOG_LEVEL'] ?? 'info',
      base: undefined,
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
