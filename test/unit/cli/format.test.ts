// `gcflow status` as a person reads it: a batch job's exit code and output tail under its step.
import { expect, it } from 'vitest';
import { formatRun } from '../../../src/cli/format.js';
import type { RunView } from '../../../src/runs/service.js';

const run = (step: Partial<RunView['steps'][number]>): RunView => ({
  id: 'gpu-batch-abc',
  workflow: 'gpu-batch',
  status: 'succeeded',
  trigger: 'manual',
  scheduled_at: null,
  started_at: '2026-01-01T00:00:00.000Z',
  finished_at: '2026-01-01T00:01:00.000Z',
  created_at: '2026-01-01T00:00:00.000Z',
  inputs: {},
  error: null,
  attempt: 1,
  steps: [
    {
      id: 'job',
      status: 'succeeded',
      attempts: 1,
      started_at: null,
      finished_at: null,
      outputs: {},
      error: null,
      ...step,
    },
  ],
});

it("shows a succeeded job's exit code and the last 10 lines of its output", () => {
  const output = `${Array.from({ length: 12 }, (_, i) => `line ${i + 1}`).join('\n')}\n`;
  const text = formatRun(run({ outputs: { status: 'succeeded', exit_code: 0, output } }));
  expect(text).toContain('        exit code 0');
  expect(text).toContain('          line 12');
  expect(text).toContain('          line 3');
  expect(text).not.toContain('line 2\n');
});

it("shows a failed job's exit code once, its error already quoting the output", () => {
  const text = formatRun(
    run({
      status: 'failed',
      error: 'the job on instance i-1 failed with exit code 3; last lines of output:\nValueError: boom',
      outputs: { status: 'failed', exit_code: 3, output: 'ValueError: boom\n' },
    }),
  );
  expect(text).toContain('exit code 3');
  expect(text.match(/ValueError: boom/g)).toHaveLength(1);
});

it('adds nothing for steps that are not batch jobs', () => {
  expect(formatRun(run({ outputs: { count: 2 } }))).not.toContain('exit code');
});
