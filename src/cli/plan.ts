// `gcflow plan NAME|FILE [-i k=v]... [--json]`: a dry run. Reads the real state
// through the API, prints the calls a run would make; changes nothing and needs
// no Redis. Exit 0 planned, 1 a step would fail, 2 usage, 3 API unreachable.
import type { Command } from 'commander';
import { createApiClient } from '../daemon/services.js';
import { coerceInputs } from '../dsl/index.js';
import { formatPlan, planRun } from '../plan/index.js';
import { InputError } from '../runs/service.js';
import { systemClock } from '../shared/clock.js';
import { ExitCode } from '../shared/errors.js';
import { resolveWorkflow } from '../workflows/index.js';
import { cliConfig, cliLogger, collectInput } from './context.js';
import { type CliIO, print, printJson } from './io.js';
import type { RegisterCommand } from './program.js';

export const register: RegisterCommand = (program: Command, io: CliIO) => {
  program
    .command('plan')
    .description('dry run: read the real state and print the API calls a run would make; changes nothing')
    .argument('<workflow>', 'workflow name in the workflows directory, or a path to a workflow file')
    .option('-i, --input <key=value>', 'an input value (repeatable)', collectInput, {})
    .option('--json', 'print the plan as JSON')
    .action(
      async (workflow: string, opts: { input: Record<string, string>; json?: boolean }, command: Command) => {
        const { config, secrets } = cliConfig(command, io);
        const def = await resolveWorkflow(workflow, config.workflows);
        const inputs = coerceInputs(def, opts.input, 'cli');
        if (inputs.errors.length > 0) throw new InputError(def.name, inputs.errors);
        const logger = cliLogger(config, secrets);
        const client = createApiClient({ config, secrets, clock: systemClock, logger });
        const plan = await planRun({
          def,
          inputs: inputs.values,
          client,
          secrets: secrets.workflowSecrets,
          waitDefaults: {
            pollMs: config.engine.poll_interval_ms,
            timeoutMs: config.engine.wait_timeout_ms,
          },
          redact: [secrets.apiToken, secrets.httpToken],
        });
        if (opts.json) printJson(io, plan);
        else print(io.stdout, formatPlan(plan));
        io.exitCode = plan.steps.some((s) => s.status === 'failed') ? ExitCode.failed : ExitCode.ok;
      },
    );
};
