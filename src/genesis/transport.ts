// One HTTP call to the Genesis API with auth, timeout, caller abort, rate limit, retries,
// metrics hook and a debug line per attempt. Imports genesis/{errors,retry,rate-limit} and shared.
//
// An `HttpCall` underneath (default: undici's dispatcher, see http.ts; any fetch-shaped
// function through callOverFetch), not ofetch: ofetch's value here (retry, timeout, error
// text) is exactly what this module must own. Its `timeout` is silently ignored once a
// `signal` is passed; its FetchError carries the request options (the Authorization header)
// where a stray log could print them; and telling "connection refused, nothing sent" from
// "dropped after sending" needs the raw undici error codes, which the call hands over
// untouched. The `call` option keeps the transport injectable.
import { type Clock, systemClock } from '../shared/clock.js';
import { GcflowError } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';
import type { Redactor } from '../shared/redact.js';
import {
  AmbiguousCreateError,
  AmbiguousWriteError,
  GenesisAbortedError,
  GenesisApiError,
  type GenesisApiErrorInit,
  parseErrorBody,
} from './errors.js';
import { type HttpCall, type HttpResponse, HttpTimeoutError } from './http.js';
import type { RateLimiter } from './rate-limit.js';
import { type AttemptFailure, type BackoffOptions, parseRetryAfter, planRetry } from './retry.js';
import type { CallOptions } from './types.js';

export type HttpMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface RequestSpec {
  method: HttpMethod;
  /** Route template relative to the base URL, e.g. `/instances/{id}/actions`. */
  route: string;
  params?: Record<string, string>;
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  /** What an unknown POST outcome is: a possible duplicate resource (default) or a repeated action. */
  write?: 'create' | 'action';
}

export interface ApiCall {
  method: string;
  route: string;
  status: number | 'error';
  durationMs: number;
  attempt: number;
}

export interface TransportOptions {
  baseUrl: string;
  token: string;
  timeoutMs: number;
  maxAttempts: number;
  maxRetryTimeMs: number;
  backoff: BackoffOptions;
  rateLimiter: RateLimiter;
  clock?: Clock;
  call: HttpCall;
  logger: Logger;
  redactor: Redactor;
  onCall?: (call: ApiCall) => void;
  random: () => number;
}

export type Requester = <T>(spec: RequestSpec, options?: CallOptions) => Promise<T>;

/** Socket error codes that mean no connection was made, so the request never left. */
const NOT_SENT_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
]);

type Attempt =
  | { ok: true; status: number; body: unknown }
  | { ok: false; failure: AttemptFailure; init: Partial<GenesisApiErrorInit>; status: number | 'error' }
  | { ok: false; aborted: true };

export function createRequester(options: TransportOptions): Requester {
  const clock = options.clock ?? systemClock;
  const base = options.baseUrl.replace(/\/+$/, '');
  const { redactor, logger } = options;
  const maxAttempts = Math.max(1, Math.floor(options.maxAttempts));

  // Built once per client; frozen, since every request shares them.
  const plainHeaders: Record<string, string> = Object.freeze({
    authorization: `Bearer ${options.token}`,
    accept: 'application/json',
    'user-agent': 'gcflow',
  });
  const jsonHeaders = Object.freeze({ ...plainHeaders, 'content-type': 'application/json' });

  async function attemptOnce(url: string, spec: RequestSpec, callerSignal?: AbortSignal): Promise<Attempt> {
    try {
      const response = await options.call(url, {
        method: spec.method,
        headers: spec.body === undefined ? plainHeaders : jsonHeaders,
        ...(spec.body === undefined ? {} : { body: JSON.stringify(spec.body) }),
        ...(callerSignal ? { signal: callerSignal } : {}),
        timeoutMs: options.timeoutMs,
      });
      const text = await response.text();
      return settle(response, text, spec.method);
    } catch (err) {
      if (callerSignal?.aborted) return { ok: false, aborted: true };
      if (err instanceof HttpTimeoutError) {
        return {
          ok: false,
          failure: { kind: 'timeout' },
          status: 'error',
          init: { kind: 'timeout', detail: `no response within ${options.timeoutMs} ms`, cause: err },
        };
      }
      const code = socketErrorCode(err);
      // These codes arise only while connecting: nothing was sent.
      const refused = code !== undefined && NOT_SENT_CODES.has(code);
      const words = refused ? 'connection failed' : 'connection dropped';
      return {
        ok: false,
        failure: { kind: refused ? 'refused' : 'dropped' },
        status: 'error',
        init: {
          kind: refused ? 'refused' : 'dropped',
          detail: `${words} (${describeCause(err, code)})`,
          cause: err,
        },
      };
    }
  }

  function settle(response: HttpResponse, text: string, method: string): Attempt {
    const { status } = response;
    if (status >= 200 && status < 300) {
      if (text.trim() === '' || method === 'HEAD') return { ok: true, status, body: undefined };
      try {
        return { ok: true, status, body: JSON.parse(text) };
      } catch {
        return {
          ok: false,
          failure: { kind: 'invalid_response' },
          status,
          init: { kind: 'invalid_response', status, statusText: response.statusText, ...bodyDetail(text) },
        };
      }
    }
    return {
      ok: false,
      failure: { kind: 'http', status },
      status,
      init: {
        kind: 'http',
        status,
        statusText: response.statusText,
        retryAfterMs: parseRetryAfter(response.headers.get('retry-after'), clock.now()),
        ...bodyDetail(text),
      },
    };
  }

  function bodyDetail(text: string): Partial<GenesisApiErrorInit> {
    const parsed = parseErrorBody(text, redactor);
    return { apiCode: parsed.apiCode, apiMessage: parsed.apiMessage, detail: parsed.excerpt };
  }

  function report(call: ApiCall): void {
    if (logger.isLevelEnabled('debug')) logger.debug(redactor.scrub({ genesis: call }), 'genesis api call');
    try {
      options.onCall?.(call);
    } catch {
      // a metrics hook must never break a call
    }
  }

  return async function request<T>(spec: RequestSpec, callOptions: CallOptions = {}): Promise<T> {
    const { signal } = callOptions;
    const url = buildUrl(base, spec);
    // Built only for an error: parsing the URL again is not free on every call.
    const where = () => ({ method: spec.method, path: pathOf(url), route: spec.route });
    const aborted = (inFlight: boolean, attempts: number, cause?: unknown) =>
      new GenesisAbortedError({ ...where(), attempts, cause }, inFlight, redactor);
    const started = clock.now();

    for (let attempt = 1; ; attempt++) {
      try {
        await options.rateLimiter.acquire(signal);
      } catch (err) {
        throw aborted(false, attempt - 1, err);
      }
      const sentAt = clock.now();
      const result = await attemptOnce(url, spec, signal);
      const durationMs = clock.now() - sentAt;
      if ('aborted' in result) {
        report({ method: spec.method, route: spec.route, status: 'error', durationMs, attempt });
        throw aborted(true, attempt, signal?.reason);
      }
      report({ method: spec.method, route: spec.route, status: result.status, durationMs, attempt });
      if (result.ok) return result.body as T;

      const init: GenesisApiErrorInit = { ...where(), kind: 'http', ...result.init, attempts: attempt };
      // A 429 with Retry-After pauses the bucket (the shared one: every replica).
      if (result.status === 429 && init.retryAfterMs !== undefined && init.retryAfterMs > 0) {
        options.rateLimiter.pause?.(init.retryAfterMs);
      }
      const plan = planRetry({
        method: spec.method,
        failure: result.failure,
        attempt,
        maxAttempts,
        elapsedMs: clock.now() - started,
        maxRetryTimeMs: options.maxRetryTimeMs,
        retryAfterMs: init.retryAfterMs,
        backoff: options.backoff,
        random: options.random,
      });
      if (plan.action === 'ambiguous') {
        throw spec.write === 'action'
          ? new AmbiguousWriteError(init, redactor)
          : new AmbiguousCreateError(init, redactor);
      }
      if (plan.action === 'fail') throw new GenesisApiError({ ...init, retryable: plan.retryable }, redactor);
      logger.debug(
        redactor.scrub({
          genesis: { method: spec.method, route: spec.route, attempt, delayMs: plan.delayMs },
        }),
        'genesis api retry',
      );
      try {
        await clock.sleep(plan.delayMs, signal);
      } catch (err) {
        throw aborted(false, attempt, err);
      }
    }
  };
}

/** Base + route with `{name}` params URL-encoded + query (undefined values dropped). */
export function buildUrl(base: string, spec: Pick<RequestSpec, 'route' | 'params' | 'query'>): string {
  const path = spec.route.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = spec.params?.[name];
    if (value === undefined || value === '') {
      throw new GcflowError('E_API_ARGUMENT', `missing "${name}" for Genesis API route ${spec.route}`, {
        hint: 'Pass a non-empty id.',
      });
    }
    return encodeURIComponent(value);
  });
  if (spec.query === undefined) return `${base}${path}`;
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(spec.query)) {
    if (value !== undefined) query.set(key, String(value));
  }
  const search = query.toString();
  return `${base}${path}${search ? `?${search}` : ''}`;
}

function pathOf(url: string): string {
  const parsed = new URL(url);
  return `${parsed.pathname}${parsed.search}`;
}

/** The first `code` found on the error, its cause chain, or an AggregateError's members. */
function socketErrorCode(err: unknown, depth = 0): string | undefined {
  if (!err || typeof err !== 'object' || depth > 5) return undefined;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && code !== '') return code;
  if (err instanceof AggregateError) {
    for (const member of err.errors) {
      const found = socketErrorCode(member, depth + 1);
      if (found) return found;
    }
  }
  return socketErrorCode((err as { cause?: unknown }).cause, depth + 1);
}

function describeCause(err: unknown, code: string | undefined): string {
  let inner: unknown = err;
  while (inner instanceof Error && inner.cause instanceof Error) inner = inner.cause;
  const message = inner instanceof Error ? inner.message : String(inner);
  const short = message.replace(/\s+/g, ' ').slice(0, 120);
  if (code === undefined) return short;
  return short.includes(code) ? short : `${code}: ${short}`;
}
