// /api/holds: list, read, place and lift holds on instances (src/holds), by instance
// id or name. Mounted inside the /api routes, so the same Host/Origin/token/JSON
// rules and body limit apply. Imports hono, zod, holds and shared.
import { Hono } from 'hono';
import { z } from 'zod';
import type { HoldService } from '../../holds/service.js';
import { MAX_REASON_LENGTH } from '../../holds/service.js';
import { HttpApiError } from './errors.js';

/** PUT /api/holds/{instance}: every key optional; neither until nor for: the default length. */
const holdBody = z.strictObject({
  until: z.string().min(1).optional(),
  for: z.string().min(1).optional(),
  reason: z.string().max(MAX_REASON_LENGTH).optional(),
});

/** An instance reference from a path: an id or a name, bounded before it reaches Redis or the API. */
function instanceRef(text: string): string {
  if (text.length > 0 && text.length <= 256 && !/[\u0000-\u001f]/.test(text)) return text;
  throw new HttpApiError(
    'E_HTTP_BAD_REQUEST',
    `${JSON.stringify(text.slice(0, 200))} is not an instance id or name`,
    'use the instance id (a UUID) or its name, as GET /api/holds lists them',
  );
}

function readBody(text: string, path: string): z.output<typeof holdBody> {
  let raw: unknown;
  try {
    raw = text.trim() === '' ? {} : JSON.parse(text);
  } catch (err) {
    throw new HttpApiError(
      'E_HTTP_BAD_REQUEST',
      `the body of PUT ${path} is not JSON: ${(err as Error).message}`,
      'send {"for": "8h", "reason": "..."} or {"until": "2026-12-01T07:00:00Z"}',
    );
  }
  const checked = holdBody.safeParse(raw);
  if (checked.success) return checked.data;
  const issue = checked.error.issues[0]!;
  const where = issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
  throw new HttpApiError(
    'E_HOLD_INVALID',
    `the body of PUT ${path} is not a hold: ${where}${issue.message}`,
    'send a JSON object with until (ISO time), for (duration) and reason (text), all optional',
  );
}

export function holdRoutes(holds: HoldService): Hono {
  const app = new Hono();
  app.get('/', async (c) => c.json(await holds.list()));
  app.get('/:instance', async (c) =>
    c.json(await holds.get(instanceRef(c.req.param('instance')), c.req.raw.signal)),
  );
  app.put('/:instance', async (c) => {
    const ref = instanceRef(c.req.param('instance'));
    const body = readBody(await c.req.text(), c.req.path);
    const hold = await holds.place(ref, body, c.req.raw.signal);
    return c.json(hold, 200);
  });
  app.delete('/:instance', async (c) =>
    c.json({ lifted: await holds.lift(instanceRef(c.req.param('instance')), c.req.raw.signal) }),
  );
  return app;
}
