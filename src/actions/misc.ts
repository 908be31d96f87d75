// availability.check, notify.webhook (at-least-once, Slack-compatible `text`)
// and sleep (durable: the run parks, no worker is held).
import { z } from 'zod';
import { durationMs } from '../shared/duration.js';
import { StepFailure, TransientStepError } from './errors.js';
import { type Action, defineAction, done, waitUntil } from './types.js';

export const availabilityCheck: Action<'availability.check'> = async (ctx) => {
  const availability = await ctx.client.availability.get(ctx.params.region, { signal: ctx.signal });
  const types = availability.instance_types;
  const entry = ctx.params.type === undefined ? undefined : types.find((t) => t.type === ctx.params.type);
  const available =
    ctx.params.type === undefined ? types.some((t) => t.available) : entry?.available === true;
  return done({ available, count: entry?.count ?? null, instance_types: types });
};

const WEBHOOK_TIMEOUT_MS = 15_000;

export const notifyWebhook: Action<'notify.webhook'> = async (ctx) => {
  const p = ctx.params;
  const body = { ...(p.body ?? {}), ...(p.text === undefined ? {} : { text: p.text }) };
  const signal = AbortSignal.any([ctx.signal, AbortSignal.timeout(WEBHOOK_TIMEOUT_MS)]);
  let response: Response;
  try {
    response = await ctx.fetch(p.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...p.headers },
      body: JSON.stringify(body),
      signal,
    });
  } catch (err) {
    if (ctx.signal.aborted) throw err;
    throw new TransientStepError(
      'E_WEBHOOK_UNREACHABLE',
      `webhook ${hostOf(p.url)} did not answer: ${(err as Error).message}`,
    );
  }
  await response.body?.cancel();
  if (response.status >= 500 || response.status === 429 || response.status === 408) {
    throw new TransientStepError('E_WEBHOOK_FAILED', `webhook ${hostOf(p.url)} answered ${response.status}`);
  }
  if (response.status >= 400) {
    throw new StepFailure(
      'E_WEBHOOK_REJECTED',
      `webhook ${hostOf(p.url)} answered ${response.status}`,
      'check the webhook URL and what it expects',
    );
  }
  return done({ status: response.status });
};

/** Only the host: webhook URLs often carry a secret in their path. */
function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return '(invalid URL)';
  }
}

export const sleep = defineAction('sleep', z.object({ until: z.number() }), async (ctx) => {
  const until = ctx.cursor?.until ?? ctx.now() + durationMs(ctx.params.duration, 'duration');
  if (ctx.now() >= until) return done({});
  return waitUntil({ until }, until, `sleep until ${new Date(until).toISOString()}`, until);
});
