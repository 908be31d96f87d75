// The simulator's API error answers: one class carrying HTTP status, the API's 5-digit
// `code` and message, and the table of codes. Imports nothing that does I/O.
//
// Only two codes are documented (API-NOTES.md): 02001 "Invalid route" and 02035 image/type
// mismatch. Every other code and most statuses below are ASSUMED (the real values are
// undocumented); they are stable so clients and tests can rely on them.

export const ErrorCode = {
  /** 401, assumed. Missing, malformed or wrong token. */
  unauthorized: '01001',
  /** 429, assumed. Rate limit exceeded. */
  rateLimited: '01029',
  /** 404, documented. No such route. */
  invalidRoute: '02001',
  /** 400, assumed. Request body or query failed validation. */
  validation: '02002',
  /** 404, assumed. Unknown resource id (or the resource is gone). */
  notFound: '02003',
  /** 409, assumed. The action is not allowed in the instance's current status. */
  actionNotAllowed: '02004',
  /** 409, assumed. DELETE of an instance with `is_protected: true`. */
  protectedInstance: '02005',
  /** 409, assumed. The resource is in a status that does not allow this operation. */
  conflict: '02006',
  /** 400, documented. The image cannot run on this instance type. */
  imageTypeMismatch: '02035',
  /** 409, assumed. No capacity left for the instance type in the region. */
  noCapacity: '02040',
  /** 5xx/other injected by a fault: `0` + the HTTP status, e.g. `00503`. */
  injected: (status: number) => String(status).padStart(5, '0'),
} as const;

export class ApiFailure extends Error {
  override readonly name = 'ApiFailure';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }

  body(): { code: string; message: string } {
    return { code: this.code, message: this.message };
  }
}

export const invalid = (message: string): ApiFailure => new ApiFailure(400, ErrorCode.validation, message);

export const notFound = (kind: string, id: string): ApiFailure =>
  new ApiFailure(404, ErrorCode.notFound, `${kind} ${id} not found`);

export const invalidRoute = (): ApiFailure => new ApiFailure(404, ErrorCode.invalidRoute, 'Invalid route');

export const conflict = (message: string): ApiFailure => new ApiFailure(409, ErrorCode.conflict, message);

const REASONS: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

/** The answer of an injected `status` fault. */
export function injectedFailure(status: number, retryAfterS: number | undefined): ApiFailure {
  const headers: Record<string, string> =
    retryAfterS === undefined ? {} : { 'Retry-After': String(retryAfterS) };
  const code = status === 429 ? ErrorCode.rateLimited : ErrorCode.injected(status);
  const reason = REASONS[status] ?? `HTTP ${status}`;
  return new ApiFailure(status, code, `${reason} (injected fault)`, headers);
}
