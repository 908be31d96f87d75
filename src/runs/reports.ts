// Batch-job reports: the per-run report URL (`run.report_url`), its secret token, and
// the last report a box POSTed (`run:<id>:report`). The token is an HMAC of the run id
// under a key kept once in Redis (`report:key`, shared by every replica), so no token is
// ever stored, and any replica can check one in constant time. Must not import the HTTP layer.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import { defineRecord } from '../shared/records.js';
import { REPORT_TOKEN_PREFIX } from '../shared/redact.js';
import { runKeys } from './keys.js';

/** The path under the daemon's public URL: `/report/<run id>/<token>`. */
export const REPORT_PATH = '/report';
/** What is kept of a report's `output`: its last 64 KiB (characters). */
export const OUTPUT_TAIL_CHARS = 64 * 1024;
/** Reports accepted per run per window; more get 429 (a heartbeat every 30 s needs 2 a minute). */
export const REPORT_RATE = { limit: 30, windowMs: 60_000 } as const;

export const REPORT_STATUSES = ['running', 'succeeded', 'failed'] as const;
export type ReportStatus = (typeof REPORT_STATUSES)[number];

/** A report as the box sends it (the HTTP route checks it with this schema). */
export const reportBodySchema = z.strictObject({
  status: z.enum(REPORT_STATUSES),
  exit_code: z.number().int().optional(),
  output: z.string().optional(),
});
export type ReportBody = z.output<typeof reportBodySchema>;

const storedReportSchema = z.object({
  status: z.enum(REPORT_STATUSES),
  exit_code: z.number().int().nullable(),
  /** The tail of the job's output (last OUTPUT_TAIL_CHARS). */
  output: z.string(),
  /** When the last report (any status) arrived, ms. */
  at: z.number(),
});
export type StoredReport = z.output<typeof storedReportSchema>;

/** v1: first version. */
export const reportRecord = defineRecord({ kind: 'job report', version: 1, schema: storedReportSchema });

export const isFinalReport = (r: { status: ReportStatus }): boolean => r.status !== 'running';

export const outputTail = (text: string): string =>
  text.length > OUTPUT_TAIL_CHARS ? text.slice(text.length - OUTPUT_TAIL_CHARS) : text;

// A final report stands: a heartbeat racing it (the box's heartbeat loop) cannot overwrite it.
const RECORD_SCRIPT = `
local cur = redis.call('GET', KEYS[1])
if cur then
  local ok, d = pcall(cjson.decode, cur)
  if ok and type(d) == 'table' and d.status ~= 'running' then return cur end
end
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
return ARGV[1]
`;

export class RunReports {
  private readonly keys: ReturnType<typeof runKeys>;
  private key: Promise<Buffer> | undefined;

  constructor(
    private readonly redis: Redis,
    prefix: string,
    private readonly retentionSeconds: number,
    /** The daemon's URL as boxes reach it, without a trailing slash (setBase when bound). */
    private base: string,
  ) {
    this.keys = runKeys(prefix);
    this.setBase(base);
  }

  /** `http.public_url`, or the URL the daemon's server got when it has none. */
  setBase(url: string): void {
    this.base = url.replace(/\/+$/, '');
  }

  /** The HMAC key: made once (SET NX) by whichever process needs it first. */
  private secret(): Promise<Buffer> {
    this.key ??= (async () => {
      const fresh = randomBytes(32).toString('hex');
      await this.redis.set(this.keys.reportKey, fresh, 'NX');
      const stored = await this.redis.get(this.keys.reportKey);
      return Buffer.from(stored ?? fresh, 'hex');
    })();
    this.key.catch(() => {
      this.key = undefined; // Redis was away: try again next time
    });
    return this.key;
  }

  async token(runId: string): Promise<string> {
    const mac = createHmac('sha256', await this.secret())
      .update(`report:${runId}`)
      .digest('base64url');
    return `${REPORT_TOKEN_PREFIX}${mac}`;
  }

  /** The run's `run.report_url`: `<base>/report/<run id>/<token>`. */
  async url(runId: string): Promise<string> {
    return `${this.base}${REPORT_PATH}/${encodeURIComponent(runId)}/${await this.token(runId)}`;
  }

  /** Whether `token` is the run's, compared in constant time. */
  async verify(runId: string, token: string): Promise<boolean> {
    const want = Buffer.from(await this.token(runId));
    const given = Buffer.from(token);
    // timingSafeEqual needs equal lengths; compare against itself so the time does not depend on it.
    if (given.length !== want.length) return !timingSafeEqual(want, want);
    return timingSafeEqual(given, want);
  }

  /** Counts one report; true when the run sent more than REPORT_RATE allows in this window. */
  async overRate(runId: string): Promise<boolean> {
    const key = this.keys.reportRate(runId);
    const [[, count]] = (await this.redis
      .multi()
      .incr(key)
      .pexpire(key, REPORT_RATE.windowMs, 'NX')
      .exec()) as [[Error | null, number]];
    return count > REPORT_RATE.limit;
  }

  /** Stores a report (a final one stands; later reports do not replace it); returns what is stored. */
  async record(runId: string, body: ReportBody, now: number): Promise<StoredReport> {
    const key = this.keys.report(runId);
    const previous = await this.read(runId);
    const report: StoredReport = {
      status: body.status,
      exit_code: body.exit_code ?? previous?.exit_code ?? null,
      output: body.output === undefined ? (previous?.output ?? '') : outputTail(body.output),
      at: now,
    };
    const stored = (await this.redis.eval(
      RECORD_SCRIPT,
      1,
      key,
      reportRecord.encode(report),
      String(this.retentionSeconds),
    )) as string;
    const result = reportRecord.decode(stored, key);
    // Only a final report is announced: a heartbeat needs no turn of its own.
    if (isFinalReport(result)) await this.redis.publish(this.keys.reportChannel, runId);
    return result;
  }

  async read(runId: string): Promise<StoredReport | undefined> {
    const key = this.keys.report(runId);
    const json = await this.redis.get(key);
    return json === null ? undefined : reportRecord.decode(json, key);
  }
}
