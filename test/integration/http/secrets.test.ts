import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, type Reply, startHarness } from './harness.js';
import { NAPPER } from './workflows.js';

const HTTP_TOKEN = 'http-secret-token-5a1b9c';
const API_TOKEN = 'api-secret-token-7d3e2f';
const WORKFLOW_SECRETS = { hook: 'https://hooks.example/T000/B000/xyzSECRET', quoted: 'pa"ss\\word-9k2' };
const SECRETS = [HTTP_TOKEN, API_TOKEN, ...Object.values(WORKFLOW_SECRETS)];

/** Looks the secret up by id, so the failure names it in the step's error. */
const LOOKUP = `
name: lookup
steps:
  - id: find
    uses: instance.get
    with: { instance: "\${{ secrets.hook }}" }
`;

function leaks(reply: Reply): string[] {
  const found: string[] = [];
  for (const secret of SECRETS) {
    if (reply.text.includes(secret) || reply.text.includes(JSON.stringify(secret).slice(1, -1)))
      found.push(secret);
  }
  return found;
}

describe('secrets in HTTP responses', () => {
  let h: Harness;
  const replies: Array<[string, Reply]> = [];
  beforeAll(async () => {
    h = await startHarness({
      workers: true,
      httpToken: HTTP_TOKEN,
      apiToken: API_TOKEN,
      workflowSecrets: WORKFLOW_SECRETS,
      workflows: [NAPPER, LOOKUP],
      // An unknown key named like the secret: its diagnostic quotes it.
      files: { 'bad.yaml': `name: bad\nsteps: []\n"${WORKFLOW_SECRETS.hook}": 1\n` },
      scheduler: {
        schedules: async () => [
          {
            workflow: 'napper',
            trigger: 0,
            cron: API_TOKEN,
            timezone: 'UTC',
            catch_up: 'last',
            next: '',
            next_utc: '',
            last_slot: null,
            overdue_ms: 0,
          },
        ],
      },
    });
  });
  afterAll(() => h.close());

  const hit = async (label: string, path: string, o: Parameters<Harness['request']>[1] = {}) => {
    const reply = await h.request(path, o);
    replies.push([label, reply]);
    return reply;
  };

  it('never answers with a secret, on any route, in any outcome', async () => {
    const withSecrets = await hit('start napper', '/api/workflows/napper/runs', {
      method: 'POST',
      body: { who: `${WORKFLOW_SECRETS.hook} and ${API_TOKEN} and ${WORKFLOW_SECRETS.quoted}` },
    });
    expect(withSecrets.status).toBe(202);
    const napperRun: string = withSecrets.json.run_id;
    const lookup = await hit('start lookup', '/api/workflows/lookup/runs', { method: 'POST', body: {} });
    expect(lookup.status).toBe(202);
    const failed = await h.waitForRun(lookup.json.run_id, (r) => r.status === 'failed');
    expect(failed.steps[0]?.error).toBeTruthy();
    await h.waitForRun(napperRun, (r) => r.steps[0]?.status === 'waiting');

    await hit('bad input', '/api/workflows/napper/runs', { method: 'POST', body: { count: HTTP_TOKEN } });
    await hit('unknown input', '/api/workflows/napper/runs', { method: 'POST', body: { [API_TOKEN]: 1 } });
    await hit('bad json', '/api/workflows/napper/runs', { method: 'POST', body: `{"who": "${API_TOKEN}"` });
    await hit('unknown workflow', `/api/workflows/${API_TOKEN}/runs`, { method: 'POST', body: {} });
    await hit('workflows', '/api/workflows');
    await hit('runs', '/api/runs');
    await hit('runs filtered', `/api/runs?workflow=${API_TOKEN}&status=${HTTP_TOKEN}`);
    await hit('run', `/api/runs/${napperRun}`);
    await hit('failed run', `/api/runs/${lookup.json.run_id}`);
    await hit('unknown run', `/api/runs/${API_TOKEN}`);
    await hit('schedules', '/api/schedules');
    await hit('unknown route', `/nowhere/${HTTP_TOKEN}`);
    await hit('wrong token', `/api/runs/${API_TOKEN}`, { token: `${HTTP_TOKEN}-nope` });
    await hit('no token', `/api/${WORKFLOW_SECRETS.quoted}`, { token: null });
    await hit('healthz', '/healthz', { token: null });
    await hit('metrics', '/metrics', { token: null });
    await hit('ui', '/ui');
    await hit('ui queues', '/ui/api/queues');
    await hit('ui run job', `/ui/api/queues/runs/${napperRun}`);
    await hit('ui failed job', `/ui/api/queues/runs/${lookup.json.run_id}`);
    await hit('cancel', `/api/runs/${napperRun}/cancel`, { method: 'POST' });
    await h.waitForRun(napperRun, (r) => r.status === 'cancelled');
    await hit('cancel again', `/api/runs/${napperRun}/cancel`, { method: 'POST' });
    await hit('cancelled run', `/api/runs/${napperRun}`);

    const leaked = replies
      .map(([label, reply]) => [label, leaks(reply)] as const)
      .filter(([, l]) => l.length > 0);
    expect(leaked).toEqual([]);
    expect(replies.length).toBeGreaterThanOrEqual(24);
  });

  it('shows where a secret was, as [REDACTED]', async () => {
    const run = replies.find(([label]) => label === 'run')![1];
    expect(run.status).toBe(200);
    expect(run.json.inputs.who).toBe('[REDACTED] and [REDACTED] and [REDACTED]');
    expect(replies.find(([label]) => label === 'unknown run')![1].json.error.message).toBe(
      'no run [REDACTED]',
    );
  });
});
