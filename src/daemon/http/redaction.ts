// The HTTP API's last line of defence for secrets: every JSON and text response body
// is scrubbed of the API token, the HTTP token and secrets.* values, also in their
// JSON-escaped form. Routes scrub their data first; this catches what slips through.
import type { MiddlewareHandler } from 'hono';
import type { Secrets } from '../../config/schema.js';
import { Redactor } from '../../shared/redact.js';

export interface StringScrubber {
  scrubString(text: string): string;
}

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** A value as hono's html helper writes it into a page (the dashboard's escaping). */
export const htmlEscaped = (v: string): string => v.replace(/[&<>"']/g, (ch) => HTML_ESCAPES[ch]!);

/** Scrubs each secret as written, as it reads inside a JSON string, and as escaped in HTML. */
export function wireScrubber(secrets: Secrets, also: StringScrubber): StringScrubber {
  const values = [secrets.apiToken, secrets.httpToken, ...Object.values(secrets.workflowSecrets)];
  const given = values.filter((v): v is string => !!v);
  const escaped = given.flatMap((v) => [JSON.stringify(v).slice(1, -1), htmlEscaped(v)]);
  const own = new Redactor([...values, ...escaped]);
  return { scrubString: (text) => own.scrubString(also.scrubString(text)) };
}

const SCRUBBED_TYPES = /^(application\/(?:[\w.+-]+\+)?json|text\/plain|text\/html)/i;

export function redactResponses(scrubber: StringScrubber): MiddlewareHandler {
  return async (c, next) => {
    await next();
    const type = c.res.headers.get('content-type') ?? '';
    if (!SCRUBBED_TYPES.test(type) || c.res.body === null) return;
    const { status, statusText } = c.res;
    const headers = new Headers(c.res.headers);
    headers.delete('content-length');
    const text = scrubber.scrubString(await c.res.text());
    // Unset first: Hono's setter copies the old headers (and a stale content-length) over.
    c.res = undefined;
    c.res = new Response(text, { status, statusText, headers });
  };
}
