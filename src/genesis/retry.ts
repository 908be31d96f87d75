// When the Genesis client retries a failed HTTP call, and how long it waits first.
// Pure functions only (no I/O, no timers): the transport asks, this module answers.

/** What one attempt ended with, when it did not succeed. */
export type AttemptFailure =
  /** No connection was ever made (ECONNREFUSED, DNS failure): the request was not sent. */
  | { kind: 'refused' }
  /** The connection broke after the request may have been sent (reset, closed, cut body). */
  | { kind: 'dropped' }
  /** No complete answer within the per-request timeout. */
  | { kind: 'timeout' }
  /** A 2xx whose body is not the JSON we expect. */
  | { kind: 'invalid_response' }
  | { kind: 'http'; status: number };

export type FailureClass =
  | 'refused'
  | 'dropped'
  | 'timeout'
  | 'http_429'
  | 'http_502_503_504'
  | 'http_5xx_other'
  | 'http_4xx'
  | 'invalid_response';

export type MethodClass = 'read' | 'delete' | 'update' | 'post';

/** retry: try again after a delay; fail: surface the error; ambiguous: surface an AmbiguousWriteError. */
export type RetryVerdict = 'retry' | 'fail' | 'ambiguous';

/**
 * THE retry table. Rows: what went wrong; columns: the HTTP method.
 *
 * | failure                                   | GET, HEAD | DELETE | PATCH, PUT | POST      |
 * |-------------------------------------------|-----------|--------|------------|-----------|
 * | refused: never connected, nothing sent    | retry     | retry  | retry      | retry     |
 * | dropped: connection broke after sending   | retry     | retry  | retry      | ambiguous |
 * | timeout: no full answer within timeoutMs  | retry     | retry  | retry      | ambiguous |
 * | 429 Too Many Requests (honours Retry-After)| retry    | retry  | retry      | retry     |
 * | 502, 503, 504 (proxy / overload)          | retry     | retry  | retry      | ambiguous |
 * | 500, 501, other 5xx                       | fail      | fail   | fail       | ambiguous |
 * | 2xx with an unreadable body               | fail      | fail   | fail       | ambiguous |
 * | other 4xx (400, 401, 404, 409, ...)       | fail      | fail   | fail       | fail      |
 *
 * Why:
 * - A refused connection and a 429 mean the server never acted: safe for every method.
 * - GET/HEAD are reads; DELETE is idempotent (a repeat answers 404, which callers treat as
 *   done); PATCH sets absolute values, so a repeat lands on the same state.
 * - POST has no idempotency key in this API: after a timeout, a dropped connection or a
 *   5xx the server may have created the resource, and a blind retry could create a
 *   second one (DESIGN.md: no duplicate cloud resources). The caller must look first.
 * - 500 means the server itself failed on this request; repeating it rarely helps (the
 *   official Terraform provider does not retry 5xx either). 502/503/504 come from the
 *   proxy or an overloaded backend and usually pass.
 * - A POST 201 whose body cannot be read created something we cannot name: ambiguous.
 */
export const RETRY_TABLE: Readonly<Record<FailureClass, Readonly<Record<MethodClass, RetryVerdict>>>> = {
  refused: { read: 'retry', delete: 'retry', update: 'retry', post: 'retry' },
  dropped: { read: 'retry', delete: 'retry', update: 'retry', post: 'ambiguous' },
  timeout: { read: 'retry', delete: 'retry', update: 'retry', post: 'ambiguous' },
  http_429: { read: 'retry', delete: 'retry', update: 'retry', post: 'retry' },
  http_502_503_504: { read: 'retry', delete: 'retry', update: 'retry', post: 'ambiguous' },
  http_5xx_other: { read: 'fail', delete: 'fail', update: 'fail', post: 'ambiguous' },
  invalid_response: { read: 'fail', delete: 'fail', update: 'fail', post: 'ambiguous' },
  http_4xx: { read: 'fail', delete: 'fail', update: 'fail', post: 'fail' },
};

export function methodClass(method: string): MethodClass {
  switch (method.toUpperCase()) {
    case 'GET':
    case 'HEAD':
      return 'read';
    case 'DELETE':
      return 'delete';
    case 'PATCH':
    case 'PUT':
      return 'update';
    default:
      // POST and anything unknown: assume it is not safe to repeat.
      return 'post';
  }
}

export function classifyFailure(failure: AttemptFailure): FailureClass {
  if (failure.kind !== 'http') return failure.kind;
  const { status } = failure;
  if (status === 429) return 'http_429';
  if (status === 502 || status === 503 || status === 504) return 'http_502_503_504';
  if (status >= 500) return 'http_5xx_other';
  return 'http_4xx';
}

export function retryVerdict(method: string, failure: AttemptFailure): RetryVerdict {
  return RETRY_TABLE[classifyFailure(failure)][methodClass(method)];
}

export interface BackoffOptions {
  /** The first retry waits up to this long; default 500 ms. */
  baseDelayMs: number;
  /** No single wait exceeds this; default 30 s. */
  maxDelayMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { baseDelayMs: 500, maxDelayMs: 30_000 };

/**
 * Exponential backoff with full jitter: a uniform wait in [0, min(max, base·2^(n-1))),
 * where n is the number of the attempt that just failed (1 for the first).
 */
export function backoffDelay(failedAttempt: number, options: BackoffOptions, random: () => number): number {
  const exponent = Math.max(0, failedAttempt - 1);
  const ceiling = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** Math.min(exponent, 30));
  const r = Math.min(Math.max(random(), 0), 1);
  return Math.floor(r * ceiling);
}

/**
 * `Retry-After` in milliseconds from now: delta-seconds (`120`, `1.5`) or an HTTP date
 * (`Wed, 21 Oct 2015 07:28:00 GMT`; a past date means 0). Undefined when absent or unreadable.
 */
export function parseRetryAfter(value: string | null | undefined, nowMs: number): number | undefined {
  if (value === null || value === undefined) return undefined;
  const text = value.trim();
  if (text === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  if (/^-/.test(text)) return undefined;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - nowMs);
}

export interface RetryInput {
  method: string;
  failure: AttemptFailure;
  /** The attempt that just failed, from 1. */
  attempt: number;
  maxAttempts: number;
  /** Time since the call started (before its first attempt). */
  elapsedMs: number;
  maxRetryTimeMs: number;
  retryAfterMs?: number;
  backoff: BackoffOptions;
  random: () => number;
}

export type RetryPlan =
  | { action: 'retry'; delayMs: number }
  /** `retryable`: the table allowed a retry but attempts or time ran out. */
  | { action: 'fail'; retryable: boolean }
  | { action: 'ambiguous' };

/** The decision after a failed attempt: retry after how long, fail, or declare the write ambiguous. */
export function planRetry(input: RetryInput): RetryPlan {
  const verdict = retryVerdict(input.method, input.failure);
  if (verdict === 'ambiguous') return { action: 'ambiguous' };
  if (verdict === 'fail') return { action: 'fail', retryable: false };
  const remainingMs = input.maxRetryTimeMs - input.elapsedMs;
  if (input.attempt >= input.maxAttempts || remainingMs <= 0) return { action: 'fail', retryable: true };
  // Retry-After overrides the backoff; both are capped by the time left.
  const wanted = input.retryAfterMs ?? backoffDelay(input.attempt, input.backoff, input.random);
  return { action: 'retry', delayMs: Math.min(wanted, remainingMs) };
}
