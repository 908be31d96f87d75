// /api/holds over real HTTP, Redis and the simulator: place, read, list and lift a
// hold by name or id; the token, Origin and JSON rules of every /api route; 404s
// and refused bodies with their codes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { activeBoxes } from '../../helpers/boxes.js';
import { type Harness, startHarness } from './harness.js';

const TOKEN = 'http-token-holds-7c2e';

describe('/api/holds', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ httpToken: TOKEN, workers: true });
  });
  afterAll(() => h?.close());

  it('places a hold by name, reads it by id and name, lists it, and lifts it', async () => {
    const [box] = await activeBoxes(h.sim!, ['api-held']);
    const put = await h.request('/api/holds/api-held', {
      method: 'PUT',
      body: { for: '2h', reason: 'demo tonight' },
    });
    expect(put.status, put.text).toBe(200);
    expect(put.json).toMatchObject({
      instance_id: box!.id,
      instance_name: 'api-held',
      reason: 'demo tonight',
    });
    expect(Date.parse(put.json.until) - Date.parse(put.json.created_at)).toBe(7_200_000);
    expect(put.headers.get('cache-control')).toBe('no-store');

    for (const ref of [box!.id, 'api-held']) {
      const got = await h.request(`/api/holds/${ref}`);
      expect(got.status, ref).toBe(200);
      expect(got.json.instance_id).toBe(box!.id);
    }
    const list = await h.request('/api/holds');
    expect(list.json.map((x: { instance_id: string }) => x.instance_id)).toEqual([box!.id]);
    // The workers see it: a hold placed over HTTP keeps a stop off the box.
    expect(await h.services.holds.get(box!.id)).toMatchObject({ reason: 'demo tonight' });

    const lifted = await h.request(`/api/holds/${box!.id}`, { method: 'DELETE' });
    expect(lifted.status).toBe(200);
    expect(lifted.json.lifted.instance_id).toBe(box!.id);
    expect((await h.request('/api/holds')).json).toEqual([]);
    const again = await h.request(`/api/holds/${box!.id}`, { method: 'DELETE' });
    expect(again.status).toBe(404);
    expect(again.json.error.code).toBe('E_HOLD_NOT_FOUND');
  });

  it('answers 404 for an instance that does not exist or is not held', async () => {
    await activeBoxes(h.sim!, ['api-free']);
    const missing = await h.request('/api/holds/no-such-box', { method: 'PUT', body: {} });
    expect(missing.status).toBe(404);
    expect(missing.json.error).toMatchObject({ code: 'E_HOLD_INSTANCE_NOT_FOUND' });
    expect(missing.json.error.message).toMatch(/no-such-box/);
    const notHeld = await h.request('/api/holds/api-free');
    expect(notHeld.status).toBe(404);
    expect(notHeld.json.error.code).toBe('E_HOLD_NOT_FOUND');
    expect(notHeld.json.error.hint).toMatch(/gcflow holds/);
  });

  it('refuses malformed bodies with 400 and says what is wrong', async () => {
    await activeBoxes(h.sim!, ['api-bad']);
    const cases: Array<[unknown, string, RegExp]> = [
      ['{not json', 'E_HTTP_BAD_REQUEST', /not JSON/],
      [{ for: '2h', until: '2099-01-01T00:00:00Z' }, 'E_HOLD_INVALID', /either until or for/],
      [{ until: '2001-01-01T00:00:00Z' }, 'E_HOLD_INVALID', /in the past/],
      [{ for: 'soon' }, 'E_HOLD_INVALID', /not a duration/],
      [{ for: '400d' }, 'E_HOLD_INVALID', /at most/],
      [{ reason: 5 }, 'E_HOLD_INVALID', /reason/],
      [{ for: '1h', colour: 'red' }, 'E_HOLD_INVALID', /colour/],
      [[1, 2], 'E_HOLD_INVALID', /not a hold/],
    ];
    for (const [body, code, message] of cases) {
      const reply = await h.request('/api/holds/api-bad', { method: 'PUT', body });
      expect(reply.status, JSON.stringify(body)).toBe(400);
      expect(reply.json.error.code, JSON.stringify(body)).toBe(code);
      expect(reply.json.error.message, JSON.stringify(body)).toMatch(message);
    }
    expect(await h.services.holds.list()).toEqual([]);
  });

  it('guards the routes like every /api route: token, JSON-only changes, foreign origins', async () => {
    for (const [method, path] of [
      ['GET', '/api/holds'],
      ['GET', '/api/holds/x'],
      ['PUT', '/api/holds/x'],
      ['DELETE', '/api/holds/x'],
    ] as const) {
      const reply = await h.request(path, { method, token: null, ...(method === 'PUT' ? { body: {} } : {}) });
      expect(reply.status, `${method} ${path}`).toBe(401);
    }
    await activeBoxes(h.sim!, ['api-guarded']);
    const form = await h.request('/api/holds/api-guarded', {
      method: 'PUT',
      body: 'for=8h',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(form.status).toBe(415);
    const foreign = await h.request('/api/holds/api-guarded', {
      method: 'PUT',
      body: {},
      headers: { origin: 'http://evil.example' },
    });
    expect(foreign.status).toBe(403);
    const del = await h.request('/api/holds/api-guarded', {
      method: 'DELETE',
      headers: { 'content-type': '' },
    });
    expect(del.status).toBe(415);
    expect(await h.services.holds.list()).toEqual([]);
  });
});
