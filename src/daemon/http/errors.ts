// How the daemon's HTTP API reports errors: `{error: {code, message, hint}}` from a
// GcflowError with the status its code maps to; never a stack. Imports hono and shared only.
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { catalogueEntry } from '../../shared/error-catalogue.js';
import { ExitCode, GcflowError } from '../../shared/errors.js';
import type { Logger } from '../../shared/logger.js';

export interface ErrorBody {
  error: { code: string; message: string; hint: string | null };
}

/** An error a route raises on purpose; its code picks the status (ERROR_CATALOGUE). */
export class HttpApiError extends GcflowError {
  override readonly name = 'HttpApiError';
  constructor(code: string, message: string, hint: string) {
    super(code, message, { hint, exitCode: ExitCode.usage });
  }
}

/** The status of each code is in the error catalogue; codes outside it: 400 for usage errors, else 500. */
export function statusOf(err: GcflowError): ContentfulStatusCode {
  const status = catalogueEntry(err.code)?.http as ContentfulStatusCode | undefined;
  return status ?? (err.exitCode === ExitCode.usage ? 400 : 500);
}

export function errorBody(err: GcflowError): ErrorBody {
  return { error: { code: err.code, message: err.message, hint: err.hint ?? null } };
}

export function errorResponse(c: Context, err: GcflowError): Response {
  return c.json(errorBody(err), statusOf(err));
}

/** app.onError: known errors as they are; anything else is logged and answered without detail. */
export function handleError(logger: Logger) {
  return (err: Error, c: Context): Response => {
    if (err instanceof GcflowError) return errorResponse(c, err);
    if (err instanceof HTTPException) {
      const status = err.status as ContentfulStatusCode;
      const code = status === 413 ? 'E_HTTP_BODY_TOO_LARGE' : 'E_HTTP_BAD_REQUEST';
      const hint = status === 413 ? 'send a smaller JSON body (at most 1 MiB)' : 'check the request';
      return c.json(errorBody(new HttpApiError(code, err.message || `HTTP ${status}`, hint)), status);
    }
    logger.error({ err, method: c.req.method, path: c.req.path }, 'HTTP request failed');
    const internal = new GcflowError(
      'E_INTERNAL',
      `internal error while serving ${c.req.method} ${c.req.path}`,
      {
        hint: 'see the daemon log for details; retry, and report it if it persists',
      },
    );
    return c.json(errorBody(internal), 500);
  };
}

export function notFound(c: Context): Response {
  return errorResponse(
    c,
    new HttpApiError(
      'E_NOT_FOUND',
      `no route ${c.req.method} ${c.req.path}`,
      'routes: /healthz, /metrics, /api/workflows, /api/runs, /api/schedules, /ui, /ui/workflows, /ui/queues',
    ),
  );
}
