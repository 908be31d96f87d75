// Details of the checks that golden fixtures do not pin down one by one.
import { describe, expect, it } from 'vitest';
import { parseWorkflow } from '../../../src/dsl/index.js';

const messages = (text: string) =>
  parseWorkflow(text, 'wf.yaml').diagnostics.map((d) => `${d.line}:${d.column} ${d.code} ${d.message}`);

describe('checks', () => {
  it('refuses zero timeouts, polls and windows but allows a zero retry delay', () => {
    expect(
      messages(`name: zero
timeout: 0s
triggers: [{ cron: "0 2 * * *", catch_up_window: 0m }]
steps:
  - id: a
    uses: instance.stop
    with: { instance: x }
    timeout: 0m
    wait: { timeout: 0s, poll: 0s }
    retry: { delay: 0s }
`),
    ).toEqual([
      '2:10 E_DURATION timeout must be longer than 0',
      '3:50 E_DURATION triggers[0]: catch_up_window must be longer than 0',
      "8:14 E_DURATION step 'a': timeout must be longer than 0",
      "9:22 E_DURATION step 'a': wait.timeout must be longer than 0",
      "9:32 E_DURATION step 'a': wait.poll must be longer than 0",
    ]);
  });

  it('names every form wait may take', () => {
    expect(
      messages(`name: w
steps:
  - { id: a, uses: instance.stop, with: { instance: x }, wait: 5 }
  - { id: b, uses: instance.stop, with: { instance: x }, wait: { status: 3 } }
  - { id: c, uses: instance.stop, with: { instance: x }, wait: { timeout: 20 } }
`),
    ).toEqual([
      "3:64 E_TYPE step 'a': wait must be true or false, a string, a list or a mapping, got 5",
      "4:74 E_TYPE step 'b': wait.status must be a string or a list, got 3",
      "5:75 E_DURATION step 'c': wait.timeout needs a unit: 20 is not a duration",
    ]);
  });

  it('checks the rest of the file against the first of duplicate keys', () => {
    expect(
      messages(`name: dup
steps:
  - id: a
    uses: sleep
    with: { duration: 1s }
    uses: instance.stop
`),
    ).toEqual(["6:5 E_DUPLICATE_KEY duplicate key 'uses' (the first, at line 4, is used)"]);
  });

  it('checks with even when a step has none, and lists what is required', () => {
    const { diagnostics } = parseWorkflow(
      'name: w\nsteps:\n  - id: keep\n    uses: instance.snapshot\n',
      'wf.yaml',
    );
    expect(diagnostics.map((d) => [d.line, d.column, d.code, d.message, d.hint])).toEqual([
      [
        3,
        5,
        'E_PARAM_MISSING',
        "step 'keep': instance.snapshot needs parameter 'instance'",
        'required: instance, name',
      ],
      [
        3,
        5,
        'E_PARAM_MISSING',
        "step 'keep': instance.snapshot needs parameter 'name'",
        'required: instance, name',
      ],
    ]);
  });

  it('accepts legacy timezone aliases that Intl knows, refuses wrong case', () => {
    const tz = (zone: string) =>
      messages(
        `name: tz\ntriggers: [{ cron: "0 2 * * *", timezone: ${zone} }]\nsteps:\n  - { id: a, uses: sleep, with: { duration: 1s } }\n`,
      );
    expect(tz('UTC')).toEqual([]);
    expect(tz('US/Pacific')).toEqual([]);
    expect(tz('America/New_York')).toEqual([]);
    expect(tz('europe/berlin')).toEqual([
      "2:43 E_TIMEZONE triggers[0]: unknown timezone 'europe/berlin'; did you mean 'Europe/Berlin'?",
    ]);
  });

  it('takes 5- and 6-field crons and refuses others, including impossible dates', () => {
    const cron = (expr: string) =>
      messages(
        `name: c\ntriggers: [{ cron: "${expr}" }]\nsteps:\n  - { id: a, uses: sleep, with: { duration: 1s } }\n`,
      ).map((m) => m.replace(/^\S+ /, ''));
    expect(cron('*/15 * * * *')).toEqual([]);
    expect(cron('30 */15 * * * *')).toEqual([]);
    expect(cron('0 7 * * MON-FRI')).toEqual([]);
    expect(cron('@daily')).toEqual([
      "E_CRON triggers[0]: cron '@daily' has 1 field; write 5 (minute hour day month weekday) or 6 (seconds first)",
    ]);
    expect(cron('0 0 30 2 *')).toEqual([
      "E_CRON triggers[0]: cron '0 0 30 2 *' is invalid: Invalid explicit day of month definition",
    ]);
  });
});
