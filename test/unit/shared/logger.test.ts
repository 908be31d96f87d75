// Log lines an operator can filter and tell apart: `event` beside `msg`, failures at
// error and retries at warn, pid and hostname on every JSON line, and pretty lines
// without colour under NO_COLOR.
import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import { createLogger, eventLevel, logEvent } from '../../../src/shared/logger.js';
import { Redactor } from '../../../src/shared/redact.js';

function capture(options: Parameters<typeof createLogger>[0] = {}) {
  const lines: string[] = [];
  const logger = createLogger({
    ...options,
    destination: { write: (line: string) => void lines.push(line) },
  });
  return { logger, lines };
}

describe('logger', () => {
  it('writes events as JSON with event beside msg, at error for failures and warn for retries', () => {
    const { logger, lines } = capture({ pretty: false, env: {} });
    logEvent(logger, 'step.failed', { runId: 'r1', stepId: 'box' }, 'step box failed: E_WAIT_TIMEOUT');
    logEvent(logger, 'step.retrying', { runId: 'r1', stepId: 'box' }, 'retrying');
    logEvent(logger, 'run.failed', { runId: 'r1' });
    logEvent(logger, 'run.succeeded', { runId: 'r2' });
    const parsed = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(parsed.map((p) => [p['event'], p['level']])).toEqual([
      ['step.failed', 50],
      ['step.retrying', 40],
      ['run.failed', 50],
      ['run.succeeded', 30],
    ]);
    expect(parsed[0]).toMatchObject({ msg: 'step box failed: E_WAIT_TIMEOUT', runId: 'r1', stepId: 'box' });
    expect(parsed[2]!['msg']).toBe('run.failed');
  });

  it('keeps pid and hostname on every line, so replicas can be told apart', () => {
    const { logger, lines } = capture({ pretty: false, env: {} });
    logger.child({ component: 'scheduler' }).info('hello');
    expect(JSON.parse(lines[0]!)).toMatchObject({ pid: process.pid, hostname: hostname() });
  });

  it('gives the levels of the convention', () => {
    expect(eventLevel('run.gave_up')).toBe('error');
    expect(eventLevel('run.timed_out')).toBe('warn');
    expect(eventLevel('daemon.started')).toBe('info');
  });

  it('colours pretty lines, and not under NO_COLOR', () => {
    const coloured = capture({ pretty: true, env: {} });
    logEvent(coloured.logger, 'step.failed', { runId: 'r1' }, 'boom');
    expect(coloured.lines.join('')).toMatch(/\u001b\[\d+m/);
    expect(coloured.lines.join('')).toContain('boom');
    const plain = capture({ pretty: true, env: { NO_COLOR: '1' } });
    logEvent(plain.logger, 'step.failed', { runId: 'r1' }, 'boom');
    expect(plain.lines.join('')).toContain('boom');
    expect(plain.lines.join('')).toContain('step.failed');
    expect(plain.lines.join('')).not.toMatch(/\u001b\[/);
  });

  it('still scrubs secrets from pretty lines', () => {
    const { logger, lines } = capture({
      pretty: true,
      env: { NO_COLOR: '1' },
      redactor: new Redactor(['s3cr3t-value']),
    });
    logger.warn({ url: 'https://x/s3cr3t-value' }, 'calling s3cr3t-value');
    expect(lines.join('')).not.toContain('s3cr3t-value');
  });
});
