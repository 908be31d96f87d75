// Errors that fail a step, and the one place that decides whether a failure is
// worth another attempt. Non-retryable: 4xx other than 408/409/429, an instance in
// `error`, bad parameters, timeouts of a wait. Retryable: transport trouble, 429,
// 5xx (the client already retried those within a call), 408, 409.
import type { TaskOutcome } from '../engine/outcome.js';
import { GenesisAbortedError, GenesisApiError } from '../genesis/index.js';
import { GcflowError } from '../shared/errors.js';

/** A step failed in a way another attempt cannot fix. */
export class StepFailure extends GcflowError {
  override readonly name = 'StepFailure';
  constructor(
    code: string,
    message: string,
    hint?: string,
    /** Outputs the failed step still shows (job.wait: exit code and output tail). */
    readonly outputs?: Record<string, unknown>,
  ) {
    super(code, message, { hint });
  }
}

/** A failure another attempt may fix (under the step's retry policy). */
export class TransientStepError extends GcflowError {
  override readonly name = 'TransientStepError';
  constructor(
    code: string,
    message: string,
    readonly retryAfterMs?: number,
  ) {
    super(code, message);
  }
}

const RETRYABLE_4XX = new Set([408, 409, 429]);

/** Turns anything an action threw into the engine's error outcome. */
export function toErrorOutcome(err: unknown, signal: AbortSignal): Extract<TaskOutcome, { type: 'error' }> {
  if (signal.aborted || err instanceof GenesisAbortedError) {
    return { type: 'error', code: 'E_ABORTED', message: 'interrupted', retryable: false, aborted: true };
  }
  if (err instanceof GenesisApiError) {
    const status = err.status ?? 0;
    const retryable = err.retryable || status === 0 || status >= 500 || RETRYABLE_4XX.has(status);
    return {
      type: 'error',
      code: err.code,
      message: err.message,
      retryable,
      ...(err.retryAfterMs === undefined ? {} : { retryAfterMs: err.retryAfterMs }),
    };
  }
  if (err instanceof TransientStepError) {
    return {
      type: 'error',
      code: err.code,
      message: err.message,
      retryable: true,
      ...(err.retryAfterMs ? { retryAfterMs: err.retryAfterMs } : {}),
    };
  }
  if (err instanceof StepFailure && err.outputs !== undefined)
    return { type: 'error', code: err.code, message: err.message, retryable: false, outputs: err.outputs };
  if (err instanceof GcflowError)
    return { type: 'error', code: err.code, message: err.message, retryable: false };
  const message = err instanceof Error ? err.message : String(err);
  return { type: 'error', code: 'E_STEP_INTERNAL', message, retryable: false };
}
