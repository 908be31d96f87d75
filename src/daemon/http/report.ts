// POST /report/<run id>/<token>: where a batch job's box reports how its job is going
// (src/runs/reports.ts). Not a browser route: the token in the path is its only
// credential (no bearer token on the box), so index.ts mounts it before the Host,
// Origin, token and JSON-only guards. A wrong token, an unknown run or a run that has
// ended all get the same 404 and change nothing; bodies are size-limited (413) and
// each run's reports rate-limited (429). A final report wakes the parked run at once.
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { isTerminalRun } from '../../engine/state.js';
import { isFinalReport, REPORT_RATE, type RunReports, reportBodySchema } from '../../runs/reports.js';
import type { RunQueue } from '../../queue/runs.js';
import type { RunStore } from '../../runs/store.js';
import type { Clock } from '../../shared/clock.js';
import type { Logger } from '../../shared/logger.js';
import { errorResponse, HttpApiError } from './errors.js';

/** A report carries at most a 64 KiB output tail; the rest is JSON escaping and slack. */
export const REPORT_MAX_BODY_BYTES = 256 * 1024;

const notFound = () =>
  new HttpApiError(
    'E_REPORT_NOT_FOUND',
    'no run takes reports at this URL',
    "the URL is wrong, or the run has ended; use the run's own ${{ run.report_url }}",
  );

/** What the report route uses (HttpServices.report, built by daemon/parts.ts). */
export interface ReportServices {
  reports: RunReports;
  store: Pick<RunStore, 'load'>;
  queue: Pick<RunQueue, 'wake'>;
  clock: Clock;
  logger: Logger;
}

export function reportRoutes(services: ReportServices): Hono {
  const { reports, store, queue, clock } = services;
  const log = services.logger.child({ component: 'report' });
  const app = new Hono();
  app.use('*', async (c, next) => {
    await next();
    c.header('Cache-Control', 'no-store');
  });
  app.post(
    '/:run/:token',
    bodyLimit({
      maxSize: REPORT_MAX_BODY_BYTES,
      onError: (c) => {
        c.header('Connection', 'close');
        return errorResponse(
          c,
          new HttpApiError(
            'E_HTTP_BODY_TOO_LARGE',
            `a report is at most ${REPORT_MAX_BODY_BYTES} bytes`,
            'send only the tail of the output (tail -c 65536)',
          ),
        );
      },
    }),
    async (c) => {
      const runId = c.req.param('run');
      if (!(await reports.verify(runId, c.req.param('token')))) return errorResponse(c, notFound());
      const state = await store.load(runId);
      if (!state || isTerminalRun(state)) return errorResponse(c, notFound());
      if (await reports.overRate(runId)) {
        c.header('Retry-After', String(Math.ceil(REPORT_RATE.windowMs / 1000)));
        return errorResponse(
          c,
          new HttpApiError(
            'E_REPORT_RATE_LIMITED',
            `run ${runId} sent more than ${REPORT_RATE.limit} reports in ${REPORT_RATE.windowMs / 1000}s`,
            'send a heartbeat at most every 30s; the final report may be retried after Retry-After',
          ),
        );
      }
      let raw: unknown;
      try {
        raw = await c.req.json();
      } catch {
        return errorResponse(c, invalid('the body is not JSON'));
      }
      const body = reportBodySchema.safeParse(raw);
      if (!body.success) {
        const issue = body.error.issues[0]!;
        return errorResponse(c, invalid(`${issue.path.join('.') || 'body'}: ${issue.message}`));
      }
      const stored = await reports.record(runId, body.data, clock.now());
      if (isFinalReport(stored)) {
        log.info(
          { event: 'job.reported', runId, status: stored.status, exit_code: stored.exit_code },
          `job reported ${stored.status}`,
        );
        wakeSoon(queue, runId);
      }
      return c.json({ run_id: runId, status: stored.status }, 200);
    },
  );
  return app;
}

/**
 * Wakes the parked run. A turn that ends just as the report lands is neither parked
 * yet (wake finds no delayed job) nor still listening (runner.ts): look again a few
 * times, briefly, so the run does not sleep out its whole poll.
 */
function wakeSoon(queue: Pick<RunQueue, 'wake'>, runId: string, tries = 5): void {
  void queue
    .wake(runId)
    .catch(() => false)
    .then((woken) => {
      if (!woken && tries > 1) setTimeout(() => wakeSoon(queue, runId, tries - 1), 200).unref();
    });
}

const invalid = (message: string) =>
  new HttpApiError(
    'E_REPORT_INVALID',
    `report: ${message}`,
    'send {"status":"running"|"succeeded"|"failed","exit_code"?:int,"output"?:string} as application/json',
  );
