// `gcflow dev`: the daemon + an embedded simulator (+ a spawned redis-server when
// none answers): try every workflow with no account.
import type { Command } from 'commander';
import { redactorFor } from '../daemon/services.js';
import { startDev } from '../dev/dev.js';
import { createLogger } from '../shared/logger.js';
import { cliConfig } from './context.js';
import { waitForShutdown } from './daemon.js';
import type { CliIO } from './io.js';
import type { RegisterCommand } from './program.js';

export const register: RegisterCommand = (program: Command, io: CliIO) => {
  program
    .command('dev')
    .description('run the daemon against an embedded API simulator (spawns redis-server if none answers)')
    .option('--http <host:port>', 'daemon listen address (default $GCFLOW_HTTP, else 127.0.0.1:8080)')
    .action(async (opts: { http?: string }, command: Command) => {
      const flags = opts.http ? { http: { listen: opts.http } } : {};
      const { config, secrets, file } = cliConfig(command, io, flags);
      const logger = createLogger({ level: config.log.level, redactor: redactorFor(secrets) });
      const dev = await startDev({ config, secrets, logger, ...(file ? { configFile: file } : {}) });
      io.stdout.write(`${dev.banner}\n`);
      await waitForShutdown(io.shutdown);
      await dev.close();
    });
};
