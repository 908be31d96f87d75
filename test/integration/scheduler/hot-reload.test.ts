// Hot reload: the daemon watches the workflows directory. A new cron shows in
// listSchedules within 5 s; a broken edit is logged with file:line:col and the
// previous schedule keeps firing; a deleted file removes its schedule.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listSchedules, type ScheduleView } from '../../../src/scheduler/index.js';
import { type Harness, type Replica, startHarness, until } from './harness.js';

const nightly = (cron: string) => `
name: nightly
triggers:
  - cron: "${cron}"
    timezone: Europe/Berlin
steps:
  - id: nap
    uses: sleep
    with: { duration: 1s }
`;

const BROKEN = `
name: nightly
triggers:
  - cron: "0 4 * * *"
    timezone: Europe/Berlin
stpes:
  - id: nap
    uses: sleep
    with: { duration: 1s }
`;

describe('hot reload of the workflows directory', () => {
  let h: Harness;
  let replica: Replica;
  const schedules = (): Promise<ScheduleView[]> => listSchedules(replica.services);
  const cronIs = (cron: string) => async () => ((await schedules())[0]?.cron === cron ? true : undefined);

  beforeAll(async () => {
    h = await startHarness({ 'nightly.yaml': nightly('0 2 * * *') });
    replica = await h.replica();
  });
  afterAll(() => h?.close());

  it('registers the cron with its next fire in the zone and in UTC', async () => {
    const [view] = await schedules();
    expect(view).toMatchObject({
      workflow: 'nightly',
      trigger: 0,
      cron: '0 2 * * *',
      timezone: 'Europe/Berlin',
    });
    expect(view!.next).toMatch(/T02:00:00\+0[12]:00$/);
    expect(Date.parse(view!.next)).toBe(Date.parse(view!.next_utc));
  });

  it('an edited cron shows in listSchedules within 5 s', async () => {
    h.write('nightly.yaml', nightly('30 3 * * *'));
    await until(cronIs('30 3 * * *'), 5_000, 'the new cron to be registered');
    const [view] = await schedules();
    expect(view!.next).toMatch(/T03:30:00\+0[12]:00$/);
  });

  it('a broken edit is logged with file:line:col and the previous schedule stays', async () => {
    h.write('nightly.yaml', BROKEN);
    const line = await until(
      () => h.logs.find((l) => l.includes('E_UNKNOWN_KEY')),
      5_000,
      'the diagnostic of the broken file in the log',
    );
    expect(JSON.parse(line).msg).toMatch(/nightly\.yaml:6:1: error E_UNKNOWN_KEY /);
    expect(h.logs.some((l) => l.includes('workflow nightly keeps running its previous version'))).toBe(true);
    expect(replica.registry.get('nightly')!.triggers[0]!.cron).toBe('30 3 * * *');
    expect((await schedules())[0]!.cron).toBe('30 3 * * *');
    // Logged once: a reload for another reason does not repeat it.
    await replica.registry.reload();
    expect(h.logs.filter((l) => l.includes('E_UNKNOWN_KEY'))).toHaveLength(1);
  });

  it('fixing the file registers the fixed version', async () => {
    h.write('nightly.yaml', nightly('0 5 * * *'));
    await until(cronIs('0 5 * * *'), 5_000, 'the fixed cron to be registered');
  });

  it('a deleted file removes its schedule', async () => {
    h.remove('nightly.yaml');
    await until(
      async () => ((await schedules()).length === 0 ? true : undefined),
      5_000,
      'the schedule to be removed',
    );
    expect(replica.registry.names()).toEqual([]);
  });
});
