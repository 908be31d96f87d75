// `gcflow daemon`: workers + scheduler + HTTP API/UI/metrics, until SIGTERM/SIGINT.
import type { Command } from 'commander';
import { redactorFor } from '../daemon/services.js';
import { startDaemon } from '../daemon/daemon.js';
import { createLogger, logEvent } from '../shared/logger.js';
import { cliConfig, positiveInt } from './context.js';
import type { CliIO } from './io.js';
import type { RegisterCommand } from './program.js';

export const register: RegisterCommand = (program: Command, io: CliIO) => {
  program
    .command('daemon')
    .description('run workers, the scheduler and the HTTP API/UI/metrics')
    .option('--http <host:port>', 'listen address (default $GCFLOW_HTTP, else 127.0.0.1:8080)')
    .option('--no-http', 'serve no HTTP')
    .option('--no-scheduler', 'fire no schedules (workers only)')
    .option('--concurrency <n>', 'runs processed at once by this daemon', positiveInt)
    .action(
      async (
        opts: { http: string | boolean; scheduler: boolean; concurrency?: number },
        command: Command,
      ) => {
        const flags = typeof opts.http === 'string' ? { http: { listen: opts.http } } : {};
        const { config, secrets } = cliConfig(command, io, flags);
        const logger = createLogger({ level: config.log.level, redactor: redactorFor(secrets) });
        const daemon = await startDaemon({
          config,
          secrets,
          logger,
          http: opts.http !== false,
          scheduler: opts.scheduler,
          ...(opts.concurrency ? { concurrency: opts.concurrency } : {}),
        });
        // A log line, not plain text: stderr is the daemon's JSON log stream when not a TTY.
        if (daemon.url)
          logEvent(
            logger,
            'daemon.listening',
            { url: daemon.url },
            `gcflow daemon listening on ${daemon.url}`,
          );
        await waitForShutdown(io.shutdown);
        await daemon.close();
      },
    );
};

export function waitForShutdown(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
}
