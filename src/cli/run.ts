// `gcflow run NAME|FILE [-i k=v]... [--wait] [--json]`: queue a run; with --wait,
// show its progress and exit with its outcome (0 succeeded, 1 otherwise).
import type { Command } from 'commander';
import type { RunState } from '../engine/state.js';
import { type RunService, toRunView } from '../runs/service.js';
import { ExitCode } from '../shared/errors.js';
import { resolveWorkflow } from '../workflows/index.js';
import { cliConfig, collectInput, withServices } from './context.js';
import { followRun } from './follow.js';
import { formatEvent, formatRun } from './format.js';
import { type CliIO, print, printJson } from './io.js';
import { StatusLine } from './progress.js';
import type { RegisterCommand } from './program.js';
import { runCommandParts } from '../daemon/parts.js';

export const register: RegisterCommand = (program: Command, io: CliIO) => {
  program
    .command('run')
    .description('queue a run of a workflow (by name, or a file path)')
    .argument('<workflow>', 'workflow name in the workflows directory, or a path to a workflow file')
    .option('-i, --input <key=value>', 'an input value (repeatable)', collectInput, {})
    .option('-w, --wait', 'follow the run and exit with its outcome')
    .option('--json', 'print JSON')
    .action(
      async (
        workflow: string,
        opts: { input: Record<string, string>; wait?: boolean; json?: boolean },
        command: Command,
      ) => {
        const { config } = cliConfig(command, io);
        const def = await resolveWorkflow(workflow, config.workflows);
        await withServices(command, io, runCommandParts, async (services) => {
          const { runId } = await services.runs.start({ def, inputs: opts.input, trigger: 'manual' });
          if (!opts.wait) {
            if (opts.json) printJson(io, { run_id: runId });
            else print(io.stdout, `queued run ${runId}\n  follow it: gcflow logs ${runId} --follow`);
            return;
          }
          if (!opts.json) print(io.stdout, `run ${runId} queued`);
          const workers = await services.workerCount().catch(() => 1);
          if (workers === 0) {
            print(
              io.stderr,
              'warning: no gcflow worker is connected to this Redis, so the run waits until one starts.\n  start one: gcflow daemon (or gcflow dev to try against the simulator)',
            );
          }
          // The current step, its elapsed time and its deadline, between the events.
          const status = opts.json ? undefined : new StatusLine(io.stdout, io.isTTY);
          const queued = queuedReasons(services.runs);
          const final = await followRun({
            store: services.store,
            runId,
            signal: io.shutdown,
            onEvent: (e) => {
              if (!opts.json && (io.isTTY || e.type.startsWith('step.') || e.type.startsWith('run.'))) {
                status?.clear();
                print(io.stdout, formatEvent(e));
              }
            },
            onState: (state) => status?.update(state, Date.now(), queued.reason(state)),
            redisAddress: services.outage.address,
            onOutage: (message) => {
              status?.clear();
              print(io.stderr, message);
            },
          });
          status?.clear();
          if (!final) {
            print(io.stderr, `stopped following; run ${runId} goes on (gcflow cancel ${runId} to stop it)`);
            io.exitCode = ExitCode.failed;
            return;
          }
          const view = toRunView(final);
          if (opts.json) printJson(io, { run_id: runId, ...view });
          else print(io.stdout, `\n${formatRun(view)}`);
          io.exitCode = final.status === 'succeeded' ? ExitCode.ok : ExitCode.failed;
        });
      },
    );
};

/** How often `run --wait` asks again why its queued run waits. */
const REASON_EVERY_MS = 2_000;

/**
 * The last known reason a queued run waits (RunService.view), asked for again at most
 * every REASON_EVERY_MS in the background: the status line never waits for it.
 */
function queuedReasons(runs: Pick<RunService, 'view'>): { reason(state: RunState): string | undefined } {
  let known: string | undefined;
  let askedAt = Number.NEGATIVE_INFINITY;
  return {
    reason(state) {
      if (state.status !== 'queued') return undefined;
      if (Date.now() - askedAt >= REASON_EVERY_MS) {
        askedAt = Date.now();
        runs.view(state).then(
          (view) => (known = view.waiting_for),
          () => undefined, // Redis gone for a moment: the follower reports outages itself.
        );
      }
      return known;
    },
  };
}
