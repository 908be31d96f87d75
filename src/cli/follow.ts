// Follows a run's event history until it ends: `gcflow run --wait` and
// `gcflow logs --follow`. Polls the event list with a short interval; stops on
// a terminal status or when the user interrupts. Through a Redis outage or failover it
// keeps following (one line when Redis goes, one when it is back); an outage longer
// than `outageMs` ends it with E_UNREACHABLE (exit 3): the run itself goes on.
import type { RunEvent } from '../engine/events.js';
import { isConnectionError, isRedisUnavailable, outageLength } from '../queue/outage.js';
import { UnreachableError } from '../shared/errors.js';
import { isTerminalRun, type RunState } from '../engine/state.js';
import type { RunStore } from '../runs/store.js';
import { systemClock } from '../shared/clock.js';

export interface FollowOptions {
  store: Pick<RunStore, 'mustLoad' | 'events'>;
  runId: string;
  onEvent: (e: RunEvent) => void;
  /** The state at each poll, after its events (for a status line). */
  onState?: (state: RunState) => void;
  signal: AbortSignal;
  intervalMs?: number;
  /** How long an outage is waited through (default FOLLOW_OUTAGE_MS). */
  outageMs?: number;
  /** Where Redis is, for the messages. */
  redisAddress?: string;
  /** Told once when Redis stops answering, and once when it answers again. */
  onOutage?: (message: string) => void;
}

/** A Sentinel failover takes seconds; a restarted Redis loading its AOF, maybe a minute. */
export const FOLLOW_OUTAGE_MS = 120_000;

/** Resolves with the final state, or undefined when interrupted. */
export async function followRun(options: FollowOptions): Promise<RunState | undefined> {
  const { store, runId, onEvent, signal } = options;
  let after = 0;
  let downSince: number | undefined;
  const where = options.redisAddress ?? 'Redis';
  for (;;) {
    let state: RunState;
    try {
      state = await store.mustLoad(runId);
      for (const { id, event } of await store.events(runId, after)) {
        after = id;
        onEvent(event);
      }
      if (isTerminalRun(state)) {
        for (const { event } of await store.events(runId, after)) onEvent(event);
        return state;
      }
    } catch (err) {
      if (!isRedisUnavailable(err) && !isConnectionError(err)) throw err;
      const now = Date.now();
      if (downSince === undefined) {
        downSince = now;
        options.onOutage?.(
          `Redis unreachable at ${where} (${reason(err)}); still following run ${runId}, which goes on in the daemon`,
        );
      } else if (now - downSince > (options.outageMs ?? FOLLOW_OUTAGE_MS))
        throw new UnreachableError(
          'Redis',
          where,
          `stopped following run ${runId} after ${outageLength(now - downSince)} without Redis; the run goes on once Redis is back: gcflow status ${runId}`,
          err,
        );
      if (signal.aborted) return undefined;
      await systemClock.sleep(500, signal).catch(() => undefined);
      continue;
    }
    if (downSince !== undefined) {
      options.onOutage?.(
        `Redis reachable again after ${outageLength(Date.now() - downSince)}; following run ${runId}`,
      );
      downSince = undefined;
    }
    options.onState?.(state);
    if (signal.aborted) return undefined;
    // The clock's sleep removes its abort listener when it wakes (one left per poll
    // was a leak: Node warned after 11 polls, i.e. 3 s of --wait).
    await systemClock.sleep(options.intervalMs ?? 250, signal).catch(() => undefined);
  }
}

/** ioredis' errors in a few words ("no answer", not a paragraph about maxRetriesPerRequest). */
function reason(err: unknown): string {
  if (err instanceof Error && err.name === 'MaxRetriesPerRequestError') return 'no answer';
  return err instanceof Error ? err.message : String(err);
}
