// Commands started next to a running `gcflow dev` use its settings: see
// src/dev/env-file.ts. Light on purpose: imported by program.ts for every command.
import { DEV_ENV_FILE, withDevEnv } from '../dev/env-file.js';
import type { CliIO } from './io.js';

/** Commands that do not take a running `gcflow dev`'s settings (dev writes them). */
const NO_DEV_ENV = new Set(['dev', 'simulator', 'schema', 'completion']);

/**
 * Next to a running `gcflow dev` (its .gcflow/dev.env in the working directory), a
 * command uses dev's Redis, prefix, simulator and workflows for variables that are unset.
 */
export function useDevEnv(io: CliIO, command: string, dir = process.cwd()): void {
  if (NO_DEV_ENV.has(command)) return;
  const { env, applied, dev } = withDevEnv(io.env, dir);
  if (!dev || applied.length === 0) return;
  io.env = env;
  if (io.isTTY)
    io.stderr.write(`gcflow: using the settings of gcflow dev (pid ${dev.pid}) from ${DEV_ENV_FILE}\n`);
}
