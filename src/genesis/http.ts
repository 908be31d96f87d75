// The HTTP exchange underneath the client: the smallest call the transport needs
// (`HttpCall`: one request, its whole answer, bounded by a timeout and the caller's
// signal), its default on undici's dispatcher, and an adapter for any fetch-shaped
// function (tests and the in-process simulator inject one).
//
// The default talks to undici's dispatcher directly, the layer under both `fetch` and
// `request`: its handler gathers the body's chunks (no stream object per call) and
// undici hands it an abort function, so a call creates no AbortController either (one
// per call was a measurable share of a step's CPU: an AbortSignal is a transferable
// EventTarget). `fetch` cost about three quarters of the CPU per call against the
// in-process simulator (~2,000 calls/s, ~8,000 with `request`).
import { STATUS_CODES } from 'node:http';
import type { Agent, Dispatcher } from 'undici';

export interface HttpRequestInit {
  method: string;
  headers: Record<string, string>;
  body?: string;
  signal?: AbortSignal;
}

export interface HttpResponse {
  status: number;
  statusText: string;
  headers: { get(name: string): string | null };
  text(): Promise<string>;
}

/** A fetch-shaped function (globalThis.fetch fits): what callers may inject. */
export type HttpFetch = (url: string, init: HttpRequestInit) => Promise<HttpResponse>;

export interface HttpCallInit extends HttpRequestInit {
  /** The whole exchange (connection, request, headers and body) within this many ms. */
  timeoutMs: number;
}

/**
 * One request and its whole answer. Rejects with `HttpTimeoutError` when `timeoutMs`
 * passes, with the signal's reason when the caller aborts, and with the socket's error
 * (its `code`: ECONNREFUSED, ECONNRESET, UND_ERR_SOCKET, ...) when the connection fails.
 */
export type HttpCall = (url: string, init: HttpCallInit) => Promise<HttpResponse>;

/**
 * No whole answer within the call's timeout. Internal, so no code of its own: the
 * transport turns it into a GenesisApiError of kind `timeout` (E_API_TIMEOUT).
 */
export class HttpTimeoutError extends Error {
  override readonly name = 'HttpTimeoutError';
  constructor(readonly timeoutMs: number) {
    super(`no response within ${timeoutMs} ms`);
  }
}

/** One keep-alive pool per process; idle sockets do not keep the process alive. */
let pool: Agent | undefined;
let loading: Promise<Agent> | undefined;

/**
 * The pool, undici loaded with it at the first call rather than at start: CLI commands
 * open the services, the API client among them, and most never call the API.
 */
function loadPool(): Promise<Agent> {
  loading ??= import('undici').then(({ Agent }) => {
    pool = new Agent({ keepAliveTimeout: 10_000, connections: 128 });
    return pool;
  });
  return loading;
}

/** `http://host:port` and `/path?query` of an absolute URL, without a URL object. */
function splitUrl(url: string): { origin: string; path: string } {
  const slash = url.indexOf('/', url.indexOf('//') + 2);
  return slash < 0 ? { origin: url, path: '/' } : { origin: url.slice(0, slash), path: url.slice(slash) };
}

/** Header lookup over undici's raw `[name, value, ...]` list, parsed only when asked. */
function rawHeaders(raw: Buffer[]): HttpResponse['headers'] {
  return {
    get(name) {
      const wanted = name.toLowerCase();
      const values: string[] = [];
      for (let i = 0; i + 1 < raw.length; i += 2)
        if (raw[i]!.toString('latin1').toLowerCase() === wanted) values.push(raw[i + 1]!.toString('latin1'));
      return values.length === 0 ? null : values.join(', ');
    },
  };
}

/** The default call: undici's shared keep-alive pool, the body gathered in memory. */
export const undiciCall: HttpCall = (url, init) =>
  pool ? dispatchCall(pool, url, init) : loadPool().then((loaded) => dispatchCall(loaded, url, init));

/** A call through `dispatcher` (tests give a pool of their own). */
export function callThrough(dispatcher: Dispatcher): HttpCall {
  return (url, init) => dispatchCall(dispatcher, url, init);
}

function dispatchCall(dispatcher: Dispatcher, url: string, init: HttpCallInit): Promise<HttpResponse> {
  return new Promise<HttpResponse>((resolve, reject) => {
    const { signal } = init;
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    let settled = false;
    // Undici's abort for this request; until the request reaches a socket (it may wait
    // in the pool for a connection) there is none yet, and a timeout or cancel that
    // comes first is applied as soon as undici hands it over.
    let abortRequest: ((reason?: Error) => void) | undefined;
    let cancelledWith: Error | undefined;
    const finish = (outcome: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onCallerAbort);
      outcome();
    };
    // Settled first: undici's abort reports back through onError at once.
    const stop = (reason: Error, rejectWith: unknown): void => {
      cancelledWith = reason;
      finish(() => reject(rejectWith));
      abortRequest?.(reason);
    };
    const timer = setTimeout(() => {
      const timeout = new HttpTimeoutError(init.timeoutMs);
      stop(timeout, timeout);
    }, init.timeoutMs);
    const onCallerAbort = (): void => stop(new Error('request aborted by the caller'), signal?.reason);
    signal?.addEventListener('abort', onCallerAbort, { once: true });

    let status = 0;
    let headers: Buffer[] = [];
    const chunks: Buffer[] = [];
    const handler: Dispatcher.DispatchHandlers = {
      onConnect(abort) {
        abortRequest = abort as (reason?: Error) => void;
        if (cancelledWith) abortRequest(cancelledWith);
      },
      onError(err) {
        finish(() => reject(err));
      },
      onHeaders(statusCode, raw) {
        // 1xx answers are informational: the final one follows.
        if (statusCode >= 200) {
          status = statusCode;
          headers = (raw ?? []) as Buffer[];
        }
        return true;
      },
      onData(chunk) {
        chunks.push(chunk);
        return true;
      },
      onComplete() {
        const text =
          chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8');
        finish(() =>
          resolve({
            status,
            statusText: STATUS_CODES[status] ?? '',
            headers: rawHeaders(headers),
            text: () => Promise.resolve(text),
          }),
        );
      },
    };
    const { origin, path } = splitUrl(url);
    try {
      dispatcher.dispatch(
        {
          origin,
          path,
          method: init.method as Dispatcher.HttpMethod,
          headers: init.headers,
          body: init.body ?? null,
        },
        handler,
      );
    } catch (err) {
      finish(() => reject(err));
    }
  });
}

/**
 * Any fetch-shaped function as a call: one AbortController per call, aborted by the
 * timeout or by the caller's signal; the body is read within the timeout.
 */
export function callOverFetch(fetch: HttpFetch): HttpCall {
  return async (url, init) => {
    const { signal: callerSignal, timeoutMs, ...request } = init;
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, timeoutMs);
    const onCallerAbort = () => controller.abort(callerSignal?.reason);
    if (callerSignal?.aborted) onCallerAbort();
    else callerSignal?.addEventListener('abort', onCallerAbort, { once: true });
    try {
      const response = await fetch(url, { ...request, signal: controller.signal });
      const text = await response.text();
      return {
        status: response.status,
        statusText: response.statusText,
        headers: response.headers,
        text: () => Promise.resolve(text),
      };
    } catch (err) {
      if (callerSignal?.aborted) throw callerSignal.reason;
      if (timedOut) throw new HttpTimeoutError(timeoutMs);
      throw err;
    } finally {
      clearTimeout(timer);
      callerSignal?.removeEventListener('abort', onCallerAbort);
    }
  };
}
