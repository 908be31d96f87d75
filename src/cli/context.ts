// Shared plumbing of CLI commands: config from the global --config flag and the
// environment, a quiet logger, and services opened for the command's duration: a
// command is handed only its part (daemon/parts.ts), never the Services bag.
import type { Command } from 'commander';
import type { LoadOptions } from '../config/load.js';
import { loadConfig } from '../config/load.js';
import type { Config, Secrets } from '../config/schema.js';
import { openServices, redactorFor, type Services } from '../daemon/services.js';
import { UsageError } from '../shared/errors.js';
import { createLogger, type Logger } from '../shared/logger.js';
import type { CliIO } from './io.js';

export interface CliConfig {
  config: Config;
  secrets: Secrets;
  /** The config file named with --config or GCFLOW_CONFIG, if any. */
  file?: string;
}

/** Config for a command: the global `--config`, the environment, then `flags`. */
export function cliConfig(command: Command, io: CliIO, flags: LoadOptions['flags'] = {}): CliConfig {
  const configFile = command.optsWithGlobals()['config'] as string | undefined;
  const loaded = loadConfig({ env: io.env, ...(configFile ? { configFile } : {}), flags });
  const explicit = configFile ?? (io.env['GCFLOW_CONFIG'] || undefined);
  return { config: loaded.config, secrets: loaded.secrets, ...(explicit ? { file: explicit } : {}) };
}

/** Commands that only talk to Redis log warnings and errors only, to stderr. */
export function cliLogger(config: Config, secrets: Secrets, level?: string): Logger {
  return createLogger({
    level: level ?? (config.log.level === 'info' ? 'warn' : config.log.level),
    redactor: redactorFor(secrets),
  });
}

/** Opens the services, hands `fn` the part `build` makes of them, closes them after. */
export async function withServices<P, T>(
  command: Command,
  io: CliIO,
  build: (services: Services) => P,
  fn: (part: P) => Promise<T>,
): Promise<T> {
  const { config, secrets } = cliConfig(command, io);
  const logger = cliLogger(config, secrets);
  // A command facing an outage says so itself (E_UNREACHABLE, or run --wait's own lines).
  const services = await openServices({
    config,
    secrets,
    logger,
    outageLogger: logger.child({}, { level: 'error' }),
  });
  try {
    return await fn(build(services));
  } finally {
    await services.close();
  }
}

/** `-i key=value` (repeatable) -> { key: "value" }; values are coerced later against the inputs. */
export function collectInput(pair: string, previous: Record<string, string> = {}): Record<string, string> {
  const eq = pair.indexOf('=');
  if (eq <= 0)
    throw new UsageError(
      `input "${pair}" is not key=value`,
      'write -i name=value, e.g. -i region=NORD-NO-KRS-1',
    );
  return { ...previous, [pair.slice(0, eq)]: pair.slice(eq + 1) };
}

export function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`"${value}" is not a positive whole number`);
  return n;
}
