// snapshots.prune parameters: at least one keep rule, keep_within or its alias
// max_age (not both), counts of at least 1, and an IANA timezone.
import { describe, expect, it } from 'vitest';
import { parseWorkflow } from '../../../src/dsl/index.js';

const messages = (params: string) =>
  parseWorkflow(
    `name: prune
steps:
  - id: prune
    uses: snapshots.prune
    with: ${params}
`,
    'wf.yaml',
  ).diagnostics.map((d) => `${d.code} ${d.message}`);

describe('snapshots.prune parameters', () => {
  it('accepts every keep rule, alone or together, with a timezone', () => {
    for (const rule of [
      'keep_last: 3',
      'keep_within: 14d',
      'max_age: 14d',
      'keep_hourly: 24',
      'keep_daily: 7',
      'keep_weekly: 4',
      'keep_monthly: 12',
      'keep_yearly: 5',
    ])
      expect(messages(`{ ${rule} }`), rule).toEqual([]);
    expect(messages('{ keep_daily: 7, keep_weekly: 4, keep_within: 2d, timezone: Europe/Berlin }')).toEqual(
      [],
    );
  });

  it('refuses a policy without any keep rule', () => {
    expect(messages('{ match: "nightly-*" }').join('\n')).toMatch(
      /give at least one keep rule: keep_last, keep_within, max_age, keep_hourly, keep_daily, keep_weekly, keep_monthly, keep_yearly/,
    );
  });

  it('refuses keep_within and max_age together, a count below 1 and an unknown timezone', () => {
    expect(messages('{ keep_within: 1d, max_age: 2d }').join('\n')).toMatch(
      /max_age is another name for keep_within/,
    );
    expect(messages('{ keep_daily: 0 }')).not.toEqual([]);
    expect(messages('{ keep_within: 7 }').join('\n')).toMatch(/E_DURATION/);
    expect(messages('{ keep_daily: 7, timezone: Europe/Berln }').join('\n')).toMatch(
      /E_TIMEZONE step 'prune': unknown timezone 'Europe\/Berln'; did you mean 'Europe\/Berlin'\?/,
    );
  });
});
