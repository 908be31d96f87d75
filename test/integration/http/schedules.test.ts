import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ScheduleView } from '../../../src/scheduler/index.js';
import { eventually, type Harness, startHarness } from './harness.js';
import { LISTER, NAPPER } from './workflows.js';

describe('GET /api/schedules', () => {
  let daemon: Harness;
  let apiOnly: Harness;
  beforeAll(async () => {
    daemon = await startHarness({ workflows: [NAPPER, LISTER], scheduler: 'real' });
    // A process without a scheduler on the same Redis: the API reads what is registered.
    apiOnly = await startHarness({
      workflows: [NAPPER, LISTER],
      prefix: daemon.services.config.redis.prefix,
    });
  });
  afterAll(async () => {
    await apiOnly?.close();
    await daemon?.close();
  });

  it('shows each trigger with its next fire in its zone and in UTC, from the running scheduler', async () => {
    const schedules = await eventually(async () => {
      const reply = await daemon.request('/api/schedules');
      expect(reply.status).toBe(200);
      return reply.json.length > 0 ? (reply.json as ScheduleView[]) : undefined;
    }, 'the scheduler registered napper');
    expect(schedules).toEqual([
      expect.objectContaining({
        workflow: 'napper',
        trigger: 0,
        cron: '0 2 * * *',
        timezone: 'Europe/Berlin',
        next: expect.stringMatching(/T02:00:00(\.000)?\+0[12]:00$/),
        next_utc: expect.stringMatching(/T0[01]:00:00\.000Z$/),
      }),
    ]);
  });

  it('shows the same from a process that runs no scheduler', async () => {
    const fromDaemon = (await daemon.request('/api/schedules')).json as ScheduleView[];
    const reply = await apiOnly.request('/api/schedules');
    expect(reply.status).toBe(200);
    const strip = (views: ScheduleView[]) => views.map(({ overdue_ms: _, ...rest }) => rest);
    expect(strip(reply.json)).toEqual(strip(fromDaemon));
  });
});
