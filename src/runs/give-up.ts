// When BullMQ gives up on a run's job: its turns kept throwing (a bug, Redis refusing
// writes, a definition gone) through every attempt. The first time, the run is failed
// the engine's way: a `gave_up` request ends its main steps and the job is queued once
// more, so on_failure and finally still run and a box the run created is deleted. If
// that fails for good too, the record is marked failed here, and the error names
// `gcflow janitor`, which lists the instances the run still owns.
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
    // well, or the job could not be queued again.
    const message = `${reason}; ${why}: \`gcflow janitor\` lists instances it may have left`;
    state.status = 'failed';
    state.outcome = 'failed';
    state.phase = 'done';
    state.error = message;
    state.finished_at = new Date(now).toISOString();
    await store.checkpoint(state, [event('run.gave_up', now, { message })]);
    logger.error({ runId, err: cause }, 'gave up on a run for good; see `gcflow janitor`');
  };
}
