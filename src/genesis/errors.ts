// The errors the Genesis Cloud client throws, their one-line messages, and the
// predicates callers branch on. Pure: imports only shared errors and the Redactor.
import { STATUS_CODES } from 'node:http';
import { ExitCode, GcflowError } from '../shared/errors.js';
import type { Redactor } from '../shared/redact.js';

/** What went wrong underneath: an HTTP status, or no usable response at all. */
export type FailureKind = 'http' | 'refused' | 'dropped' | 'timeout' | 'aborted' | 'invalid_response';

export interface GenesisApiErrorInit {
  method: string;
  /** URL path as sent, e.g. `/compute/v1/instances/abc`. */
  path: string;
  /** Route template, e.g. `/instances/{id}`. */
  route: string;
  kind: FailureKind;
  status?: number;
  statusText?: string;
  apiCode?: string;
  apiMessage?: string;
  /** Extra words for the message: a body excerpt, a socket error code, a timeout. */
  detail?: string;
  retryAfterMs?: number;
  retryable?: boolean;
  attempts?: number;
  /** A write that may have taken effect (set by AmbiguousWriteError). */
  outcomeUnknown?: boolean;
  cause?: unknown;
}

export class GenesisApiError extends GcflowError {
  override readonly name: string = 'GenesisApiError';
  readonly method: string;
  readonly path: string;
  readonly route: string;
  readonly kind: FailureKind;
  /** HTTP status; undefined when no response arrived. */
  readonly status: number | undefined;
  /** The API's own `code`, e.g. `02035`. */
  readonly apiCode: string | undefined;
  readonly apiMessage: string | undefined;
  readonly retryAfterMs: number | undefined;
  /** Transient: the same call may succeed later (the client gave up on attempts or time). */
  readonly retryable: boolean;
  readonly attempts: number;

  constructor(init: GenesisApiErrorInit, redactor?: Redactor, code?: string, hint?: string) {
    const clean = scrubInit(init, redactor);
    super(code ?? errorCode(clean), formatApiErrorMessage(clean), {
      hint: hint ?? defaultHint(clean),
      cause: init.cause,
      exitCode: clean.kind === 'refused' || clean.kind === 'timeout' ? ExitCode.unreachable : ExitCode.failed,
    });
    this.method = clean.method;
    this.path = clean.path;
    this.route = clean.route;
    this.kind = clean.kind;
    this.status = clean.status;
    this.apiCode = clean.apiCode;
    this.apiMessage = clean.apiMessage;
    this.retryAfterMs = clean.retryAfterMs;
    this.retryable = clean.retryable ?? false;
    this.attempts = clean.attempts ?? 1;
  }

  override toJSON(): { code: string; message: string; hint?: string } & Record<string, unknown> {
    return {
      ...super.toJSON(),
      method: this.method,
      path: this.path,
      route: this.route,
      status: this.status,
      apiCode: this.apiCode,
      apiMessage: this.apiMessage,
      retryAfterMs: this.retryAfterMs,
      retryable: this.retryable,
      attempts: this.attempts,
    };
  }
}

/**
 * A non-idempotent call (POST) whose outcome is unknown: timeout, dropped connection
 * or 5xx after the request was sent. It may have taken effect; it was not retried.
 */
export class AmbiguousWriteError extends GenesisApiError {
  override readonly name: string = 'AmbiguousWriteError';
  constructor(init: GenesisApiErrorInit, redactor?: Redactor, code = 'E_API_AMBIGUOUS_WRITE', hint?: string) {
    super(
      { ...init, retryable: false, outcomeUnknown: true },
      redactor,
      code,
      hint ??
        'The request may have taken effect: read the resource state before repeating it; it was not retried.',
    );
  }
}

/** A create (POST /instances, snapshots, clones) that may or may not have created the resource. */
export class AmbiguousCreateError extends AmbiguousWriteError {
  override readonly name: string = 'AmbiguousCreateError';
  constructor(init: GenesisApiErrorInit, redactor?: Redactor) {
    super(
      init,
      redactor,
      'E_API_AMBIGUOUS_CREATE',
      'The resource may or may not have been created: look for it (list by name) before creating it again.',
    );
  }
}

/** The caller's AbortSignal fired. Never retried. */
export class GenesisAbortedError extends GenesisApiError {
  override readonly name: string = 'GenesisAbortedError';
  /** True when the request had been handed to the network, so a write may have happened. */
  readonly inFlight: boolean;
  constructor(init: Omit<GenesisApiErrorInit, 'kind'>, inFlight: boolean, redactor?: Redactor) {
    super(
      {
        ...init,
        kind: 'aborted',
        retryable: false,
        detail: inFlight ? 'cancelled by the caller while in flight' : 'cancelled by the caller',
      },
      redactor,
      'E_API_ABORTED',
      'The call was cancelled by its caller.',
    );
    this.inFlight = inFlight;
  }
}

// ---------------------------------------------------------------- predicates

export function isGenesisApiError(err: unknown): err is GenesisApiError {
  return err instanceof GenesisApiError;
}

export function isNotFound(err: unknown): boolean {
  return err instanceof GenesisApiError && err.status === 404;
}

export function isRetryable(err: unknown): boolean {
  return err instanceof GenesisApiError && err.retryable;
}

/**
 * The one place that says what a capacity/quota refusal looks like. The real API's codes
 * are undocumented, so messages are matched case-insensitively; the codes are the ones
 * the gcflow simulator uses.
 */
export const CAPACITY_ERROR = {
  codes: new Set<string>(['02040']),
  patterns: [
    /no (more )?capacity/i,
    /out of capacity/i,
    /capacity (reached|exceeded|exhausted)/i,
    /not available/i,
    /unavailable/i,
    /quota/i,
    /insufficient/i,
    /out of stock/i,
  ],
  /**
   * "action stop is not available for instance ... in status stopped" is about state, and
   * "image X is not available in region Y" about the image: neither is a capacity answer.
   */
  notCapacity: /\baction\b|\bimage\b/i,
  /** Auth, missing resource and rate limit are never capacity answers. */
  excludedStatuses: new Set([401, 404, 429]),
} as const;

export function isCapacityError(err: unknown): boolean {
  if (!(err instanceof GenesisApiError) || err.status === undefined) return false;
  if (err.status < 400 || err.status >= 500 || CAPACITY_ERROR.excludedStatuses.has(err.status)) return false;
  if (err.apiCode !== undefined && CAPACITY_ERROR.codes.has(err.apiCode)) return true;
  const text = err.apiMessage ?? '';
  if (CAPACITY_ERROR.notCapacity.test(text)) return false;
  return CAPACITY_ERROR.patterns.some((p) => p.test(text));
}

// ---------------------------------------------------------------- formatting

/**
 * One line: `[POST] "/compute/v1/instances": 429 Too Many Requests (code 02xxx: message)`;
 * without a response: `[GET] "/compute/v1/instances": connection dropped (ECONNRESET)`;
 * ambiguous writes lead with `outcome unknown: `.
 */
export function formatApiErrorMessage(init: GenesisApiErrorInit): string {
  const lead = init.outcomeUnknown ? 'outcome unknown: ' : '';
  const attempts = (init.attempts ?? 1) > 1 ? ` after ${init.attempts} attempts` : '';
  let core: string;
  if (init.status === undefined) {
    core = init.detail ?? init.kind;
  } else {
    const statusText = init.statusText || STATUS_CODES[init.status] || '';
    let paren = init.detail;
    if (init.apiCode !== undefined && init.apiMessage !== undefined)
      paren = `code ${init.apiCode}: ${init.apiMessage}`;
    else if (init.apiCode !== undefined) paren = `code ${init.apiCode}`;
    else if (init.apiMessage !== undefined) paren = init.apiMessage;
    core = `${init.status}${statusText ? ` ${statusText}` : ''}${paren ? ` (${paren})` : ''}`;
  }
  return `[${init.method}] "${init.path}": ${lead}${core}${attempts}`;
}

export interface ParsedErrorBody {
  apiCode?: string;
  apiMessage?: string;
  /** A short, single-line, printable excerpt of a non-JSON body. */
  excerpt?: string;
}

/** Reads `{code, message}`; anything else (a proxy's HTML, plain text) becomes an excerpt. */
export function parseErrorBody(text: string, redactor?: Redactor): ParsedErrorBody {
  const trimmed = text.trim();
  if (trimmed === '') return {};
  try {
    const body: unknown = JSON.parse(trimmed);
    if (body && typeof body === 'object' && !Array.isArray(body)) {
      const { code, message } = body as { code?: unknown; message?: unknown };
      const out: ParsedErrorBody = {};
      if (typeof code === 'string' || typeof code === 'number') out.apiCode = String(code);
      if (typeof message === 'string') out.apiMessage = oneLine(message, 300, redactor);
      if (out.apiCode !== undefined || out.apiMessage !== undefined) return out;
    }
  } catch {
    // not JSON: fall through to the excerpt
  }
  return { excerpt: `non-JSON body: "${bodyExcerpt(trimmed, redactor)}"` };
}

/** Tags dropped, whitespace collapsed, control characters removed, secrets masked, ≤ 80 chars. */
export function bodyExcerpt(text: string, redactor?: Redactor, max = 80): string {
  const plain = text.replace(/<[^>]*>/g, ' ');
  return oneLine(plain, max, redactor).replace(/"/g, "'");
}

function oneLine(text: string, max: number, redactor?: Redactor): string {
  const scrubbed = redactor ? redactor.scrubString(text) : text;
  const flat = scrubbed
    .replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

function errorCode(init: GenesisApiErrorInit): string {
  switch (init.kind) {
    case 'http':
      return `E_API_${init.status ?? 'UNKNOWN'}`;
    case 'timeout':
      return 'E_API_TIMEOUT';
    case 'aborted':
      return 'E_API_ABORTED';
    case 'invalid_response':
      return 'E_API_INVALID_RESPONSE';
    default:
      return 'E_API_TRANSPORT';
  }
}

function defaultHint(init: GenesisApiErrorInit): string {
  if (init.kind === 'timeout')
    return 'The API did not answer in time: retry later or raise the request timeout.';
  if (init.kind === 'refused' || init.kind === 'dropped')
    return 'The API could not be reached: check the network and GENESISCLOUD_API_URL.';
  if (init.kind === 'invalid_response')
    return 'The API answered with an unexpected body: check GENESISCLOUD_API_URL points at the compute API.';
  const status = init.status ?? 0;
  if (status === 401 || status === 403)
    return 'Check GENESISCLOUD_TOKEN: it is missing, wrong, or lacks permission for this call.';
  if (status === 404) return 'The resource does not exist (or was deleted): check the id.';
  if (status === 429) return 'The API rate limit was hit: lower the client request rate or retry later.';
  if (status >= 500) return 'The API failed on its side: retry later.';
  return 'The API rejected the request: fix what the message names and try again.';
}

function scrubInit(init: GenesisApiErrorInit, redactor?: Redactor): GenesisApiErrorInit {
  if (!redactor) return init;
  const s = (v: string | undefined) => (v === undefined ? v : redactor.scrubString(v));
  return {
    ...init,
    path: redactor.scrubString(init.path),
    route: redactor.scrubString(init.route),
    statusText: s(init.statusText),
    apiCode: s(init.apiCode),
    apiMessage: s(init.apiMessage),
    detail: s(init.detail),
  };
}
