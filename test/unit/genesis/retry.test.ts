import { describe, expect, it } from 'vitest';
import {
  type AttemptFailure,
  backoffDelay,
  DEFAULT_BACKOFF,
  parseRetryAfter,
  planRetry,
  type RetryInput,
  type RetryVerdict,
  retryVerdict,
} from '../../../src/genesis/retry.js';

const failures: Record<string, AttemptFailure> = {
  refused: { kind: 'refused' },
  dropped: { kind: 'dropped' },
  timeout: { kind: 'timeout' },
  invalid: { kind: 'invalid_response' },
  '400': { kind: 'http', status: 400 },
  '401': { kind: 'http', status: 401 },
  '404': { kind: 'http', status: 404 },
  '409': { kind: 'http', status: 409 },
  '429': { kind: 'http', status: 429 },
  '500': { kind: 'http', status: 500 },
  '501': { kind: 'http', status: 501 },
  '502': { kind: 'http', status: 502 },
  '503': { kind: 'http', status: 503 },
  '504': { kind: 'http', status: 504 },
};

// The expected verdicts, written out independently of RETRY_TABLE.
const R: RetryVerdict = 'retry';
const F: RetryVerdict = 'fail';
const A: RetryVerdict = 'ambiguous';
const expected: Record<string, Record<string, RetryVerdict>> = {
  //          GET HEAD DELETE PATCH PUT POST
  refused: { GET: R, HEAD: R, DELETE: R, PATCH: R, PUT: R, POST: R },
  dropped: { GET: R, HEAD: R, DELETE: R, PATCH: R, PUT: R, POST: A },
  timeout: { GET: R, HEAD: R, DELETE: R, PATCH: R, PUT: R, POST: A },
  invalid: { GET: F, HEAD: F, DELETE: F, PATCH: F, PUT: F, POST: A },
  '400': { GET: F, HEAD: F, DELETE: F, PATCH: F, PUT: F, POST: F },
  '401': { GET: F, HEAD: F, DELETE: F, PATCH: F, PUT: F, POST: F },
  '404': { GET: F, HEAD: F, DELETE: F, PATCH: F, PUT: F, POST: F },
  '409': { GET: F, HEAD: F, DELETE: F, PATCH: F, PUT: F, POST: F },
  '429': { GET: R, HEAD: R, DELETE: R, PATCH: R, PUT: R, POST: R },
  '500': { GET: F, HEAD: F, DELETE: F, PATCH: F, PUT: F, POST: A },
  '501': { GET: F, HEAD: F, DELETE: F, PATCH: F, PUT: F, POST: A },
  '502': { GET: R, HEAD: R, DELETE: R, PATCH: R, PUT: R, POST: A },
  '503': { GET: R, HEAD: R, DELETE: R, PATCH: R, PUT: R, POST: A },
  '504': { GET: R, HEAD: R, DELETE: R, PATCH: R, PUT: R, POST: A },
};

describe('retry table', () => {
  for (const [name, failure] of Object.entries(failures)) {
    for (const [method, verdict] of Object.entries(expected[name]!)) {
      it(`${method} after ${name} → ${verdict}`, () => {
        expect(retryVerdict(method, failure)).toBe(verdict);
      });
    }
  }

  it('treats lower-case and unknown methods like their upper-case form, unknown as POST', () => {
    expect(retryVerdict('get', { kind: 'timeout' })).toBe('retry');
    expect(retryVerdict('PURGE', { kind: 'timeout' })).toBe('ambiguous');
  });
});

describe('backoffDelay', () => {
  const options = { baseDelayMs: 100, maxDelayMs: 1000 };

  it('draws uniformly below base·2^(n-1): full jitter', () => {
    expect(backoffDelay(1, options, () => 0)).toBe(0);
    expect(backoffDelay(1, options, () => 0.5)).toBe(50);
    expect(backoffDelay(1, options, () => 0.999)).toBe(99);
    expect(backoffDelay(3, options, () => 0.5)).toBe(200);
  });

  it('never exceeds the cap however many attempts failed', () => {
    expect(backoffDelay(10, options, () => 0.999)).toBe(999);
    expect(backoffDelay(1000, options, () => 0.999)).toBe(999);
  });

  it('stays inside [0, ceiling) for many random draws', () => {
    for (let attempt = 1; attempt <= 8; attempt++) {
      const ceiling = Math.min(1000, 100 * 2 ** (attempt - 1));
      const draws = Array.from({ length: 200 }, () => backoffDelay(attempt, options, Math.random));
      expect(Math.min(...draws)).toBeGreaterThanOrEqual(0);
      expect(Math.max(...draws)).toBeLessThan(ceiling);
    }
  });

  it('clamps a misbehaving random source into range', () => {
    expect(backoffDelay(1, options, () => 7)).toBe(100);
    expect(backoffDelay(1, options, () => -1)).toBe(0);
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2025-01-01T00:00:00.000Z');

  it('reads delta-seconds', () => {
    expect(parseRetryAfter('3', now)).toBe(3000);
    expect(parseRetryAfter(' 0 ', now)).toBe(0);
    expect(parseRetryAfter('1.5', now)).toBe(1500);
  });

  it('reads an HTTP date relative to now, a past date meaning at once', () => {
    expect(parseRetryAfter('Wed, 01 Jan 2025 00:00:07 GMT', now)).toBe(7000);
    expect(parseRetryAfter('Tue, 31 Dec 2024 23:59:00 GMT', now)).toBe(0);
  });

  it('ignores absent, empty, negative and unreadable values', () => {
    expect(parseRetryAfter(null, now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
    expect(parseRetryAfter('', now)).toBeUndefined();
    expect(parseRetryAfter('-5', now)).toBeUndefined();
    expect(parseRetryAfter('soon', now)).toBeUndefined();
  });
});

describe('planRetry', () => {
  const base: RetryInput = {
    method: 'GET',
    failure: { kind: 'http', status: 503 },
    attempt: 1,
    maxAttempts: 5,
    elapsedMs: 0,
    maxRetryTimeMs: 120_000,
    backoff: DEFAULT_BACKOFF,
    random: () => 0.5,
  };

  it('retries after a jittered backoff', () => {
    expect(planRetry(base)).toEqual({ action: 'retry', delayMs: 250 });
    expect(planRetry({ ...base, attempt: 3 })).toEqual({ action: 'retry', delayMs: 1000 });
  });

  it('waits exactly Retry-After instead of the backoff', () => {
    const plan = planRetry({ ...base, failure: { kind: 'http', status: 429 }, retryAfterMs: 4000 });
    expect(plan).toEqual({ action: 'retry', delayMs: 4000 });
  });

  it('caps Retry-After and backoff by the time left', () => {
    const plan = planRetry({ ...base, retryAfterMs: 60_000, elapsedMs: 110_000 });
    expect(plan).toEqual({ action: 'retry', delayMs: 10_000 });
  });

  it('gives up, marked retryable, when attempts or time run out', () => {
    expect(planRetry({ ...base, attempt: 5 })).toEqual({ action: 'fail', retryable: true });
    expect(planRetry({ ...base, elapsedMs: 120_000 })).toEqual({ action: 'fail', retryable: true });
  });

  it('fails at once, not retryable, where the table says fail', () => {
    expect(planRetry({ ...base, failure: { kind: 'http', status: 500 } })).toEqual({
      action: 'fail',
      retryable: false,
    });
  });

  it('declares an ambiguous POST instead of retrying it', () => {
    expect(planRetry({ ...base, method: 'POST', failure: { kind: 'dropped' } })).toEqual({
      action: 'ambiguous',
    });
    expect(planRetry({ ...base, method: 'POST', failure: { kind: 'refused' } })).toEqual({
      action: 'retry',
      delayMs: 250,
    });
  });
});
