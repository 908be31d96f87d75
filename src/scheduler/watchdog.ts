// The watchdog: every few seconds, each registered trigger's overdue time goes to
// the metric; one whose pending fire is overdue by more than scheduler.watchdog_grace
// gets a warning (once per missed fire) saying what happened, why it matters and
// what to do. Must not import bullmq.
import { formatDuration } from '../shared/duration.js';
import type { Logger } from '../shared/logger.js';
import type { OverdueView } from './views.js';

export interface WatchdogDeps {
  views(): Promise<OverdueView[]>;
  setOverdue(workflow: string, trigger: number, overdueMs: number): void;
  graceMs: number;
  intervalMs: number;
  logger: Logger;
}

export interface Watchdog {
  /** One check now (also what the timer runs). */
  check(): Promise<OverdueView[]>;
  close(): Promise<void>;
}

export function startWatchdog(deps: WatchdogDeps): Watchdog {
  const warned = new Set<string>();
  let shown = new Set<string>();
  let running: Promise<unknown> = Promise.resolve();

  const check = async (): Promise<OverdueView[]> => {
    const views = await deps.views();
    const now = new Set<string>();
    for (const v of views) {
      const id = `${v.workflow}:${v.trigger}`;
      now.add(id);
      deps.setOverdue(v.workflow, v.trigger, v.overdue_ms);
      if (v.overdue_ms <= deps.graceMs) {
        warned.delete(id);
        continue;
      }
      if (warned.has(id)) continue;
      warned.add(id);
      deps.logger.warn(
        {
          workflow: v.workflow,
          trigger: v.trigger,
          cron: v.cron,
          timezone: v.timezone,
          overdueMs: v.overdue_ms,
        },
        `schedule ${id} is overdue by ${formatDuration(v.overdue_ms)}: no trigger worker has taken its fire. ` +
          'Its runs are late or missed. Check that a gcflow daemon with the scheduler enabled is running and reaches Redis ' +
          '(gcflow schedules shows the next fire; metric gcflow_schedule_overdue_seconds).',
      );
    }
    for (const id of shown) {
      if (now.has(id)) continue;
      const cut = id.lastIndexOf(':');
      deps.setOverdue(id.slice(0, cut), Number(id.slice(cut + 1)), 0);
      warned.delete(id);
    }
    shown = now;
    return views;
  };

  let busy = false;
  const timer = setInterval(() => {
    // One check at a time: with many schedules a check can outlast the period.
    if (busy) return;
    busy = true;
    running = check()
      .catch((err) => deps.logger.warn({ err }, 'schedule watchdog could not read the schedules'))
      .finally(() => {
        busy = false;
      });
  }, deps.intervalMs);
  timer.unref();

  return {
    check,
    close: async () => {
      clearInterval(timer);
      await running;
    },
  };
}
