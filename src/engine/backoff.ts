// Delay before the next attempt of a step, from its `retry` policy. Pure.
import { RETRY_DEFAULTS } from '../dsl/normalise.js';
import type { RetrySpec } from '../dsl/types.js';
import { durationMs } from '../shared/duration.js';

/**
 * `attempt` is the attempt that just failed (1-based). Exponential doubles from
 * `delay`; both are capped by `max_delay`; `jitter` randomises that fraction of the
 * delay downwards, so a fleet of failing runs does not retry in lockstep.
 * A server's Retry-After is a floor: we never come back sooner than asked.
 */
export function retryDelayMs(
  retry: Partial<RetrySpec>,
  attempt: number,
  random: () => number,
  retryAfterMs = 0,
): number {
  const policy = { ...RETRY_DEFAULTS, ...retry };
  const base = durationMs(policy.delay, 'retry.delay');
  const cap = durationMs(policy.max_delay, 'retry.max_delay');
  const raw = policy.backoff === 'exponential' ? base * 2 ** Math.max(0, attempt - 1) : base;
  const capped = Math.min(raw, cap);
  const jitter = Math.min(1, Math.max(0, policy.jitter));
  const delay = capped * (1 - jitter * random());
  return Math.max(Math.round(delay), retryAfterMs);
}
