import { describe, expect, it } from 'vitest';
import {
  AmbiguousCreateError,
  AmbiguousWriteError,
  GenesisAbortedError,
  GenesisApiError,
  type GenesisApiErrorInit,
  isCapacityError,
  isNotFound,
  isRetryable,
  parseErrorBody,
} from '../../../src/genesis/errors.js';
import { GcflowError } from '../../../src/shared/errors.js';
import { Redactor } from '../../../src/shared/redact.js';

const where = { method: 'POST', path: '/compute/v1/instances', route: '/instances' };

function httpError(status: number, body: string, extra: Partial<GenesisApiErrorInit> = {}): GenesisApiError {
  const parsed = parseErrorBody(body);
  return new GenesisApiError({
    ...where,
    kind: 'http',
    status,
    apiCode: parsed.apiCode,
    apiMessage: parsed.apiMessage,
    detail: parsed.excerpt,
    ...extra,
  });
}

describe('error messages', () => {
  it('reads as one line: method, path, status, API code and message', () => {
    const err = httpError(429, '{"code":"02009","message":"too many requests"}');
    expect(err.message).toBe(
      '[POST] "/compute/v1/instances": 429 Too Many Requests (code 02009: too many requests)',
    );
    expect(err.code).toBe('E_API_429');
    expect(err.apiCode).toBe('02009');
    expect(err.apiMessage).toBe('too many requests');
    expect(err.status).toBe(429);
  });

  it('says so when the body is not JSON, with a short printable excerpt', () => {
    const html = `<html>\n<head><title>502 Bad Gateway</title></head>\r\n<body>\u0007${'x'.repeat(300)}</body></html>`;
    const err = httpError(502, html, { method: 'GET', path: '/compute/v1/instances' });
    expect(err.message).toMatch(
      /^\[GET\] "\/compute\/v1\/instances": 502 Bad Gateway \(non-JSON body: "502 Bad Gateway x+…"\)$/,
    );
    expect(err.message).not.toMatch(/[\n\r\u0007<>]/);
    expect(err.message.length).toBeLessThan(160);
    expect(err.apiCode).toBeUndefined();
  });

  it('handles an empty body and a JSON body without code', () => {
    expect(httpError(503, '').message).toBe('[POST] "/compute/v1/instances": 503 Service Unavailable');
    expect(httpError(400, '{"message":"name is required"}').message).toBe(
      '[POST] "/compute/v1/instances": 400 Bad Request (name is required)',
    );
    expect(httpError(400, '[1,2]').message).toContain('non-JSON body');
  });

  it('names transport failures and counts attempts', () => {
    const err = new GenesisApiError({
      ...where,
      method: 'GET',
      kind: 'dropped',
      detail: 'connection dropped (ECONNRESET: socket hang up)',
      attempts: 5,
      retryable: true,
    });
    expect(err.message).toBe(
      '[GET] "/compute/v1/instances": connection dropped (ECONNRESET: socket hang up) after 5 attempts',
    );
    expect(err.code).toBe('E_API_TRANSPORT');
    expect(new GenesisApiError({ ...where, kind: 'timeout', detail: 'no response within 5 ms' }).code).toBe(
      'E_API_TIMEOUT',
    );
  });

  it('makes an ambiguous create a distinct, non-retryable error whose hint says to look first', () => {
    const err = new AmbiguousCreateError({
      ...where,
      kind: 'timeout',
      detail: 'no response within 30000 ms',
    });
    expect(err).toBeInstanceOf(AmbiguousWriteError);
    expect(err).toBeInstanceOf(GenesisApiError);
    expect(err).toBeInstanceOf(GcflowError);
    expect(err.code).toBe('E_API_AMBIGUOUS_CREATE');
    expect(err.retryable).toBe(false);
    expect(err.message).toBe('[POST] "/compute/v1/instances": outcome unknown: no response within 30000 ms');
    expect(err.hint).toMatch(/look for it .* before creating it again/);
    const fromStatus = new AmbiguousWriteError({ ...where, kind: 'http', status: 503 });
    expect(fromStatus.code).toBe('E_API_AMBIGUOUS_WRITE');
    expect(fromStatus.message).toBe(
      '[POST] "/compute/v1/instances": outcome unknown: 503 Service Unavailable',
    );
  });

  it('serialises its fields to JSON', () => {
    const err = httpError(404, '{"code":"02004","message":"instance not found"}', { method: 'GET' });
    expect(JSON.parse(JSON.stringify(err))).toMatchObject({
      code: 'E_API_404',
      method: 'GET',
      status: 404,
      apiCode: '02004',
      retryable: false,
    });
    expect(String(err)).toBe(`GenesisApiError: ${err.message}`);
  });

  it('scrubs secrets from every string it is built from', () => {
    const secret = 'tok_abcdef123456';
    const err = new GenesisApiError(
      { ...where, kind: 'http', status: 400, apiMessage: `bad token ${secret}`, path: `/x?t=${secret}` },
      new Redactor([secret]),
    );
    expect(JSON.stringify(err)).not.toContain(secret);
    expect(err.message).not.toContain(secret);
  });
});

describe('predicates', () => {
  it('isNotFound is true for 404 only', () => {
    expect(isNotFound(httpError(404, ''))).toBe(true);
    expect(isNotFound(httpError(410, ''))).toBe(false);
    expect(isNotFound(new Error('404'))).toBe(false);
  });

  it('isCapacityError matches capacity, availability, quota and shortage wording on 4xx', () => {
    for (const message of [
      'No capacity for vcpu-8_memory-48g_nvidia-rtx-3090-2 in NORD-NO-KRS-1',
      'instance type is NOT AVAILABLE in this region',
      'Quota exceeded for GPU instances',
      'insufficient resources',
      'type currently unavailable',
    ]) {
      expect(isCapacityError(httpError(400, JSON.stringify({ code: '02000', message }))), message).toBe(true);
    }
  });

  it('isCapacityError knows the simulator codes', () => {
    expect(isCapacityError(httpError(400, '{"code":"02040","message":"nope"}'))).toBe(true);
  });

  it('isCapacityError tells the simulator capacity answer from its look-alikes', () => {
    const answer = (status: number, code: string, message: string) =>
      isCapacityError(httpError(status, JSON.stringify({ code, message })));
    expect(answer(409, '02040', 'no capacity for instance type t in region r (capacity 0, in use 0)')).toBe(
      true,
    );
    expect(answer(409, '02004', 'action stop is not available for instance x in status stopped')).toBe(false);
    expect(answer(400, '02002', 'image ubuntu-ml is not available in region EUC-DE-MUC-1')).toBe(false);
  });

  it('isCapacityError rejects other errors: wrong status, state conflicts, other messages', () => {
    expect(
      isCapacityError(httpError(400, '{"code":"02035","message":"the selected image cannot be run"}')),
    ).toBe(false);
    expect(isCapacityError(httpError(409, '{"code":"02010","message":"action stop is not available"}'))).toBe(
      false,
    );
    expect(isCapacityError(httpError(503, '{"code":"02000","message":"no capacity"}'))).toBe(false);
    expect(isCapacityError(httpError(429, '{"code":"02000","message":"quota of requests"}'))).toBe(false);
    expect(isCapacityError(new Error('no capacity'))).toBe(false);
  });

  it('isRetryable follows the flag the client set', () => {
    expect(isRetryable(httpError(503, '', { retryable: true }))).toBe(true);
    expect(isRetryable(httpError(400, ''))).toBe(false);
    expect(isRetryable(new GenesisAbortedError(where, true))).toBe(false);
    expect(new GenesisAbortedError(where, true).code).toBe('E_API_ABORTED');
  });
});
