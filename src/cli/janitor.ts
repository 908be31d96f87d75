// `gcflow janitor [--apply] [--json]`: lists (or, with --apply, destroys) the
// instances gcflow created whose run is over and that were not kept on purpose.
// Exits 1 when leaked instances were found and left in place.
import type { Command } from 'commander';
import { openApiClient } from '../daemon/services.js';
import { destroyLeaks, findLeaks } from '../runs/janitor.js';
import { ExitCode } from '../shared/errors.js';
import { withServices } from './context.js';
import { type CliIO, print, printJson } from './io.js';
import type { RegisterCommand } from './program.js';

export const register: RegisterCommand = (program: Command, io: CliIO) => {
  program
    .command('janitor')
    .description('list (or destroy with --apply) instances gcflow created whose run is over')
    .option('--apply', 'destroy them')
    .option('--json', 'print JSON')
    .action(async (opts: { apply?: boolean; json?: boolean }, command: Command) => {
      await withServices(command, io, async (services) => {
        const client = openApiClient(services);
        const leaks = await findLeaks({ client, ownership: services.ownership, store: services.store });
        const results = opts.apply
          ? await destroyLeaks(leaks, { client, ownership: services.ownership }, services.clock.now())
          : [];
        if (opts.json) printJson(io, { leaked: leaks, destroyed: results });
        else if (leaks.length === 0) print(io.stdout, 'no leaked instances');
        else {
          for (const leak of leaks) {
            const result = results.find((r) => r.instance_id === leak.instance_id);
            const verdict = result
              ? result.destroyed
                ? 'destroyed'
                : `NOT destroyed: ${result.error}`
              : 'leaked';
            print(
              io.stdout,
              `${verdict.padEnd(10)} ${leak.instance_id} ${leak.name} (${leak.status}), run ${leak.run} [${leak.workflow}/${leak.step}]: ${leak.reason}`,
            );
          }
          if (!opts.apply)
            print(
              io.stdout,
              `\n${leaks.length} leaked instance(s); destroy them with: gcflow janitor --apply`,
            );
        }
        const leftOver = opts.apply ? results.some((r) => !r.destroyed) : leaks.length > 0;
        io.exitCode = leftOver ? ExitCode.failed : ExitCode.ok;
      });
    });
};
