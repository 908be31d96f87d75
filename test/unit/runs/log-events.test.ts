// A run's transitions as log lines: one per event at the event's level, with the step,
// item and attempt it concerns, and the message as `error` only for failures and retries.
import { expect, it } from 'vitest';
import { logEvents } from '../../../src/runs/runner.js';
import { createLogger } from '../../../src/shared/logger.js';

it('logs each event with its step, item, attempt, and an error field for failures only', () => {
  const lines: string[] = [];
  const log = createLogger({
    pretty: false,
    env: {},
    destination: { write: (l: string) => void lines.push(l) },
  });
  logEvents(log, [
    { type: 'step.started', at: '', step: 'boxes', attempt: 1 },
    { type: 'step.retrying', at: '', step: 'boxes', index: 3, attempt: 2, message: 'E_API_TIMEOUT' },
    { type: 'step.skipped', at: '', step: 'notify', message: 'if: false' },
    { type: 'step.failed', at: '', step: 'boxes', index: 0, attempt: 0, message: 'E_QUOTA' },
    { type: 'run.succeeded', at: '' },
  ]);
  const parsed = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  const pick = ({ level, event, step, index, attempt, error, msg }: Record<string, unknown>) => ({
    level,
    event,
    step,
    index,
    attempt,
    error,
    msg,
  });
  expect(parsed.map(pick)).toEqual([
    {
      level: 30,
      event: 'step.started',
      step: 'boxes',
      index: undefined,
      attempt: 1,
      error: undefined,
      msg: 'step.started',
    },
    {
      level: 40,
      event: 'step.retrying',
      step: 'boxes',
      index: 3,
      attempt: 2,
      error: 'E_API_TIMEOUT',
      msg: 'step.retrying: E_API_TIMEOUT',
    },
    {
      level: 30,
      event: 'step.skipped',
      step: 'notify',
      index: undefined,
      attempt: undefined,
      error: undefined,
      msg: 'step.skipped: if: false',
    },
    {
      level: 50,
      event: 'step.failed',
      step: 'boxes',
      index: 0,
      attempt: 0,
      error: 'E_QUOTA',
      msg: 'step.failed: E_QUOTA',
    },
    {
      level: 30,
      event: 'run.succeeded',
      step: undefined,
      index: undefined,
      attempt: undefined,
      error: undefined,
      msg: 'run.succeeded',
    },
  ]);
});
