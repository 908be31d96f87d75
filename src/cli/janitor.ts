// `gcflow janitor [--apply] [--include-unrecorded] [--json]`: lists (or, with --apply,
// destroys) the instances gcflow created whose run is over and that were not kept on
// purpose. Boxes found only by their name (Redis lost gcflow's records) are destroyed
// only with --include-unrecorded. Exits 1 when leaked instances are left in place.
import type { Command } from 'commander';
import { destroyLeaks, findLeaks } from '../runs/janitor.js';
import { ExitCode } from '../shared/errors.js';
import { loadWorkflowDir } from '../workflows/index.js';
import { withServices } from './context.js';
import { type CliIO, print, printJson } from './io.js';
import type { RegisterCommand } from './program.js';
import { janitorCommandParts } from '../daemon/parts.js';

interface Options {
  apply?: boolean;
  includeUnrecorded?: boolean;
  json?: boolean;
}

export const register: RegisterCommand = (program: Command, io: CliIO) => {
  program
    .command('janitor')
    .description('list (or destroy with --apply) instances gcflow created whose run is over')
    .option('--apply', 'destroy the leaked instances that gcflow has records of')
    .option('--include-unrecorded', 'with --apply, also destroy boxes found only by their name')
    .option('--json', 'print JSON')
    .action(async (opts: Options, command: Command) => {
      await withServices(command, io, janitorCommandParts, async (services) => {
        const { client } = services;
        // Invalid files are ignored here: `gcflow validate` reports them.
        const { workflows } = await loadWorkflowDir(services.config.workflows).catch(() => ({
          workflows: new Map(),
        }));
        const leaks = await findLeaks({
          client,
          ownership: services.ownership,
          store: services.store,
          workflows: workflows.values(),
        });
        const destroy = opts.apply ? leaks.filter((l) => l.recorded || opts.includeUnrecorded) : [];
        const results = await destroyLeaks(
          destroy,
          { client, ownership: services.ownership },
          services.clock.now(),
        );
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
          const unrecorded = leaks.filter((l) => !l.recorded).length;
          if (!opts.apply)
            print(
              io.stdout,
              `\n${leaks.length} leaked instance(s); destroy them with: gcflow janitor --apply`,
            );
          if (unrecorded > 0 && !opts.includeUnrecorded)
            print(
              io.stdout,
              `${unrecorded} of them found by name only (no gcflow record): check them, then add --include-unrecorded`,
            );
        }
        const destroyed = new Set(results.filter((r) => r.destroyed).map((r) => r.instance_id));
        io.exitCode = leaks.some((l) => !destroyed.has(l.instance_id)) ? ExitCode.failed : ExitCode.ok;
      });
    });
};
