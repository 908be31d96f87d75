// When BullMQ gives up on a run's job: its turns kept throwing (a bug, Redis refusing
// writes, a definition gone) through every attempt. The first time, the run is failed
// the engine's way: a `gave_up` request ends its main steps and the job is queued once
// more, so on_failure, finally and the engine's cleanup still run and a box the run
// created is deleted. If that fails for good too, the run is ended through the driver
// without executing anything more (every remaining step fails as not run), and its
// error names `gcflow janitor`, which lists the instances the run still owns.
import type { WorkflowDefinition } from '../dsl/types.js';
import { driveRun } from '../engine/driver.js';
import { event } from '../engine/events.js';
import { isTerminalRun } from '../engine/state.js';
import type { Clock } from '../shared/clock.js';
import type { Logger } from '../shared/logger.js';
import type { Redactor } from '../shared/redact.js';
import type { RunStore } from './store.js';

export interface GiveUpDeps {
  store: RunStore;
  redactor: Redactor;
  clock: Clock;
  logger: Logger;
}

export type GiveUpHandler = (runId: string, error: Error, retry: () => Promise<void>) => Promise<void>;

export function createGiveUpHandler({ store, redactor, clock, logger }: GiveUpDeps): GiveUpHandler {
  return async (runId, error, retry) => {
    const state = await store.load(runId);
    if (!state || isTerminalRun(state)) return;
    const now = clock.now();
    const cause = redactor.scrubString(error.message);
    const reason = `gcflow gave up on this run, its turns kept failing: ${cause}`;
    let why = 'its finally steps could not run either';
    if (await store.requestCancel(runId, reason, now, 'gave_up')) {
      logger.error({ runId, err: cause }, 'gave up on a run; running its on_failure and finally steps');
      try {
        await retry();
        return;
      } catch (err) {
        why = `its job could not be queued again to run its finally steps (${(err as Error).message})`;
      }
    }
    // A cancel or an earlier give-up was already under way and its cleanup failed as
    // well, or the job could not be queued again: end the run without running anything.
    const message = `${reason}; ${why}: \`gcflow janitor\` lists instances it may have left`;
    // Without its definition (a likely reason to give up) nothing of it can run anyway.
    const def =
      (await store.loadDefinition(state.definition_hash).catch(() => undefined)) ??
      withoutSteps(state.workflow);
    let time = now;
    await driveRun({
      def,
      state,
      now: () => time,
      sleep: async (ms) => {
        time += ms;
      },
      execute: async () => ({
        type: 'error',
        code: 'E_GAVE_UP',
        message: 'not run: gcflow gave up',
        retryable: false,
      }),
      persist: (s, events) => store.checkpoint(s, events),
      cancel: { signal: AbortSignal.abort(), current: () => ({ at: now, reason: message, kind: 'gave_up' }) },
      secrets: () => ({}),
      waitDefaults: { pollMs: 0, timeoutMs: 0 },
      inlineWaitMs: Number.POSITIVE_INFINITY,
      log: logger.child({ runId }),
    });
    // The engine keeps the first error (the give-up request's); this one says what is left.
    state.error = message;
    await store.checkpoint(state, [event('run.gave_up', clock.now(), { message })]);
    logger.error({ runId, err: cause }, 'gave up on a run for good; see `gcflow janitor`');
  };
}

function withoutSteps(name: string): WorkflowDefinition {
  return {
    name,
    inputs: {},
    triggers: [],
    concurrency: { group: name, overlap: 'allow' },
    steps: [],
    finally: [],
    on_failure: [],
  };
}
