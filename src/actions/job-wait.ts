// job.wait: until the batch job on an instance reports how it ended (its box POSTs to
// `run.report_url`, src/runs/reports.ts). Ends on a final report; fails on a `failed`
// report (exit code and the last lines of output in the error), on a box that stopped
// or vanished without a final report, on silence past `heartbeat_timeout`, and at
// `timeout`. The box's status is read through the coalesced StatusReader; a report
// wakes the parked run at once. Read-only towards the API.
import { z } from 'zod';
import { GONE } from '../genesis/statuses.js';
import type { StoredReport } from '../runs/reports.js';
import { durationMs } from '../shared/duration.js';
import { StepFailure } from './errors.js';
import { resolveInstance } from './resolve.js';
import { type ActionResult, defineAction, done, waitUntil } from './types.js';

const jobCursor = z.object({
  instance_id: z.string(),
  /** When the step began waiting: silence is counted from here until the first report. */
  since: z.number(),
  deadline: z.number().optional(),
});

/** Statuses of a box whose job can no longer report (it powered off, broke or is going away). */
const BOX_ENDED = new Set(['stopped', 'shutoff', 'error', 'deleting', GONE]);
/** How many lines of output a failure's error message quotes. */
const ERROR_LINES = 10;
const ERROR_CHARS = 2_000;

export const jobOutputs = (r: StoredReport) => ({
  status: r.status,
  exit_code: r.exit_code,
  output: r.output,
});

/** The last lines of the output tail, for an error message. */
export function lastLines(output: string): string {
  const lines = output.replace(/\s+$/, '').split('\n').slice(-ERROR_LINES).join('\n');
  return lines.length > ERROR_CHARS ? `...${lines.slice(lines.length - ERROR_CHARS)}` : lines;
}

function finalOutcome(instanceId: string, report: StoredReport): ActionResult {
  if (report.status === 'succeeded') return done(jobOutputs(report));
  const code = report.exit_code === null ? 'an unknown exit code' : `exit code ${report.exit_code}`;
  const tail = lastLines(report.output);
  throw new StepFailure(
    'E_JOB_FAILED',
    `the job on instance ${instanceId} failed with ${code}${tail === '' ? ' (no output reported)' : `; last lines of output:\n${tail}`}`,
    'read the output tail (gcflow status RUN_ID) and fix the job; the box is torn down by the workflow',
    jobOutputs(report),
  );
}

export const jobWait = defineAction('job.wait', jobCursor, async (ctx) => {
  const p = ctx.params;
  const now = ctx.now();
  const pollMs =
    p.poll !== undefined ? durationMs(p.poll, 'poll') : (ctx.task.wait?.pollMs ?? ctx.task.defaults.pollMs);
  let c = ctx.cursor;
  if (c === undefined) {
    const instance = await resolveInstance(ctx.client, p.instance, ctx.signal);
    c = {
      instance_id: instance.id,
      since: now,
      ...(p.timeout === undefined ? {} : { deadline: now + durationMs(p.timeout, 'timeout') }),
    };
  }
  const id = c.instance_id;
  const before = await ctx.reports.read(ctx.run.id);
  if (before && before.status !== 'running') return finalOutcome(id, before);

  const snap = await ctx.statuses.get(id, { maxAgeMs: pollMs });
  const status = 'gone' in snap ? GONE : snap.instance.status;
  if (BOX_ENDED.has(status)) {
    // The box may have sent its final report just before it powered off: look again
    // now that the stop was seen, so that report wins over the stop.
    const after = await ctx.reports.read(ctx.run.id);
    if (after && after.status !== 'running') return finalOutcome(id, after);
    const seen = status === GONE ? 'is gone (GET answers 404)' : `is ${status}`;
    throw new StepFailure(
      'E_JOB_NO_RESULT',
      `the job's box stopped without reporting a result: instance ${id} ${seen} and no final report arrived at run.report_url`,
      'the startup script must POST {"status":"succeeded"|"failed","exit_code":N} to ${{ run.report_url }} before powering off; check that the box can reach the daemon\'s http.public_url',
      after ? jobOutputs(after) : undefined,
    );
  }

  const heard = Math.max(c.since, before?.at ?? 0);
  if (p.heartbeat_timeout !== undefined) {
    const silentMs = durationMs(p.heartbeat_timeout, 'heartbeat_timeout');
    if (now - heard >= silentMs) {
      throw new StepFailure(
        'E_JOB_SILENT',
        `the job on instance ${id} went silent: no report for ${p.heartbeat_timeout} (heartbeat_timeout); the box is ${status}`,
        "the job hung, or the box cannot reach the daemon's http.public_url; look at the box, or raise heartbeat_timeout",
        before ? jobOutputs(before) : undefined,
      );
    }
  }
  if (c.deadline !== undefined && now >= c.deadline) {
    throw new StepFailure(
      'E_JOB_TIMEOUT',
      `the job on instance ${id} did not report a result within ${p.timeout}; the box is ${status}`,
      'raise job.wait timeout if the job needs longer',
      before ? jobOutputs(before) : undefined,
    );
  }
  let wake = now + pollMs;
  if (p.heartbeat_timeout !== undefined)
    wake = Math.min(wake, heard + durationMs(p.heartbeat_timeout, 'heartbeat_timeout'));
  if (c.deadline !== undefined) wake = Math.min(wake, c.deadline);
  const last = before ? `last report ${before.status}` : 'no report yet';
  return waitUntil(c, wake, `the job's report (box ${status}, ${last})`, c.deadline);
});
