// A task on a timer, one run at a time, for the scheduler's background looks. Must not
// import bullmq.
import type { Redis } from 'ioredis';
import { logTaskError } from '../queue/connection.js';
import type { Logger } from '../shared/logger.js';

/**
 * Runs `task` every `intervalMs` while `when()` holds, one run at a time (a run that
 * outlasts the period skips the ticks meanwhile). A failure is logged through the
 * outage tracker of `redis` (one line per outage, not per tick) and retried next tick.
 */
export function periodic(
  deps: { when(): boolean; redis: Redis; logger: Logger },
  intervalMs: number,
  task: () => Promise<void>,
  failure: string,
  name: string,
): { close(): Promise<void> } {
  let running: Promise<void> = Promise.resolve();
  let busy = false;
  const timer = setInterval(() => {
    if (!deps.when() || busy) return;
    busy = true;
    running = task()
      .catch((err) => logTaskError(deps.redis, deps.logger, err, `${failure}; trying again`, name))
      .finally(() => {
        busy = false;
      });
  }, intervalMs);
  timer.unref();
  return {
    close: async () => {
      clearInterval(timer);
      await running;
    },
  };
}
