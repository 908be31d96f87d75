// The dashboard in a real headless Chromium (Debian's, driven by playwright-core),
// against the daemon's HTTP app with real workers, real Redis and the simulator over
// HTTP, with GCFLOW_API_TOKEN set (the browser answers the Basic challenge). Every
// wait polls the page with a deadline; nothing sleeps. Screenshots of the three pages
// land in test-artifacts/dashboard/.
import { readFileSync } from 'node:fs';
import type { Locator, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RunView } from '../../src/runs/service.js';
import { activeBoxes } from '../helpers/boxes.js';
import { type Browser, openBrowser, screenshot } from '../helpers/browser.js';
import { type Harness, startHarness } from '../integration/http/harness.js';
import { FAILER, NAPPER } from '../integration/http/workflows.js';

const TOKEN = 'dashboard-token-7a61c0de';
const HOOK = 'hook-secret-9f8e7d6c5b4a';
const WAIT_MS = 30_000;

/** Fails with an error that would name a secret if it were not scrubbed. */
const SECRETIVE = `
name: secretive
steps:
  - id: look
    uses: instance.get
    with: { instance: "box-\${{ secrets.hook }}" }
`;

/** The text a locator holds, trimmed. */
const text = async (locator: Locator): Promise<string> => ((await locator.textContent()) ?? '').trim();

/** In the page (evaluate): the test's tsconfig has no DOM library. */
declare const getComputedStyle: (el: unknown) => { color: string };

const liveStatus = (page: Page) => page.locator('#live').getAttribute('data-run-status');

/** Marks the document; `sameDocument` is false after any reload or navigation. */
const markDocument = (page: Page) =>
  page.evaluate(() => {
    (globalThis as { __gcflowMark?: boolean }).__gcflowMark = true;
  });
const sameDocument = (page: Page) =>
  page.evaluate(() => (globalThis as { __gcflowMark?: boolean }).__gcflowMark === true);

describe('the dashboard in headless Chromium', () => {
  let h: Harness;
  let browser: Browser;

  beforeAll(async () => {
    h = await startHarness({
      workers: true,
      httpToken: TOKEN,
      workflowSecrets: { hook: HOOK },
      scheduler: 'real',
      workflows: [NAPPER, FAILER, SECRETIVE],
      // The example as shipped, but its scheduled runs (this scheduler is real and fires
      // every quarter hour in the off period) select no box of this test: the form
      // below names its boxes itself.
      files: {
        'office-hours.yaml': readFileSync('workflows/office-hours.yaml', 'utf8').replace(
          'default: "dev-*"',
          'default: "scheduled-only-*"',
        ),
      },
    });
    // Bull Board's page links a CDN font that the CSP blocks: expected, and harmless.
    browser = await openBrowser({
      credentials: { username: 'ops', password: TOKEN },
      ignore: [/fonts\.googleapis\.com/],
    });
  });
  afterAll(async () => {
    await browser?.close();
    await h?.close();
  });
  afterEach(() => {
    expect(browser.errors.splice(0)).toEqual([]);
  });

  const start = async (workflow: string, inputs: Record<string, unknown> = {}): Promise<string> => {
    const reply = await h.request(`/api/workflows/${workflow}/runs`, { method: 'POST', body: inputs });
    expect(reply.status).toBe(202);
    return reply.json.run_id;
  };

  it('shows office-hours’ next fire times, starts it with action=stop from the form and watches it succeed without reloading', async () => {
    const [box] = await activeBoxes(h.sim!, ['dev-alice-1']);
    // Stopping takes long enough that the run page first shows the run under way.
    await fetch(`${h.sim!.url}/__sim/config`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ transition_ms: 2_500 }),
    });
    const page = await browser.newPage();
    const section = page.locator('#wf-office-hours');
    const registered = async () =>
      (await h.request('/api/schedules')).json.filter(
        (s: { workflow: string }) => s.workflow === 'office-hours',
      );
    // Next fires: in Berlin on a quarter hour (weekday nights and weekend days stop,
    // weekday mornings 07:00-08:45 start), the same instants in UTC, and what the
    // scheduler has registered (GET /api/schedules). The triggers fire every quarter
    // hour: when one fired while the page was read, the page is read again.
    let schedules: Array<{ next: string; next_utc: string }> = [];
    for (let attempt = 0; ; attempt++) {
      const before = await registered();
      await page.goto(`${h.url}/ui/workflows`);
      await expect.poll(() => section.locator('tr[data-trigger]').count(), { timeout: WAIT_MS }).toBe(3);
      schedules = await registered();
      if (JSON.stringify(before) === JSON.stringify(schedules) || attempt === 3) break;
    }
    expect(schedules).toHaveLength(3);
    const expected: Array<[number, RegExp, (day: number) => boolean]> = [
      [0, /^(0[0-6]|19|2[0-3])$/, (d) => d >= 1 && d <= 5],
      [1, /^0[78]$/, (d) => d >= 1 && d <= 5],
      [2, /^\d\d$/, (d) => d === 0 || d === 6],
    ];
    for (const [i, hours, onDay] of expected) {
      const row = section.locator(`tr[data-trigger="${i}"]`);
      const zoned = await text(row.locator('.next-zoned'));
      const utc = await text(row.locator('.next-utc'));
      expect(zoned).toMatch(/^\d{4}-\d\d-\d\dT\d\d:(00|15|30|45):00\+0[12]:00$/);
      expect(zoned.slice(11, 13)).toMatch(hours);
      expect(new Date(zoned).toISOString()).toBe(utc);
      const weekday = new Date(`${zoned.slice(0, 10)}T12:00:00Z`).getUTCDay();
      expect(onDay(weekday), zoned).toBe(true);
      expect({ zoned, utc }).toEqual({ zoned: schedules[i]!.next, utc: schedules[i]!.next_utc });
    }
    await screenshot(page, 'workflows');

    await section.locator('select[name="action"]').selectOption('stop');
    await section.locator('input[name="name_glob"]').fill('dev-alice-*');
    await section.getByRole('button', { name: 'Run office-hours' }).click();
    await page.waitForURL(/\/ui\/runs\/office-hours-/, { timeout: WAIT_MS });
    const runId = decodeURIComponent(new URL(page.url()).pathname.split('/').pop()!);
    await markDocument(page);
    expect(['queued', 'running', 'waiting']).toContain(await liveStatus(page));

    await expect.poll(() => liveStatus(page), { timeout: WAIT_MS }).toBe('succeeded');
    expect(await sameDocument(page)).toBe(true);
    const stop = page.locator('tr.step[data-step="stop"]');
    expect(await stop.getAttribute('data-status')).toBe('succeeded');
    expect(await stop.locator('summary', { hasText: 'for_each: 1 items' }).count()).toBe(1);
    expect(await page.locator('tr.step[data-step="start"]').getAttribute('data-status')).toBe('skipped');
    await screenshot(page, 'run');

    const run: RunView = (await h.request(`/api/runs/${runId}`)).json;
    expect(run).toMatchObject({
      status: 'succeeded',
      trigger: 'api',
      inputs: { action: 'stop', name_glob: 'dev-alice-*' },
    });
    const state = (await (await fetch(`${h.sim!.url}/__sim/state`)).json()) as {
      instances: Array<{ id: string; status: string }>;
    };
    expect(state.instances.find((i) => i.id === box!.id)?.status).toBe('stopped');
    await page.close();
  }, 90_000);

  it('lists a failed run as failed with its error on /ui, and shows each step with its status and error on its page', async () => {
    const runId = await start('failer');
    const run = await h.waitForRun(runId, (r) => r.status === 'failed');
    const firstLine = run.error!.split('\n')[0]!;
    expect(firstLine).toMatch(/no-such-box/);

    const page = await browser.newPage();
    await page.goto(`${h.url}/ui`);
    const row = page.locator(`tr[data-run-id="${runId}"]`);
    await expect.poll(() => row.getAttribute('data-status'), { timeout: WAIT_MS }).toBe('failed');
    expect(await text(row.locator('.badge'))).toBe('failed');
    expect(await text(row.locator('.error-line'))).toBe(firstLine);
    // The error line wears the badge's colour. Both read in one evaluation: the live
    // list may replace the row between two reads, and a detached node has no style.
    const colours = () =>
      row.evaluate((tr) =>
        ['.error-line', '.badge'].map((c) => getComputedStyle(tr.querySelector(c)!).color),
      );
    await expect.poll(async () => (await colours())[0], { timeout: WAIT_MS }).not.toBe('');
    const [errorColour, badgeColour] = await colours();
    expect(errorColour).toBe(badgeColour);
    await screenshot(page, 'runs');

    await row.getByRole('link', { name: runId }).click();
    await page.waitForURL(`**/ui/runs/${runId}`, { timeout: WAIT_MS });
    expect(await liveStatus(page)).toBe('failed');
    expect(await text(page.locator('.run-error'))).toBe(run.error);
    for (const step of run.steps) {
      const stepRow = page.locator(`tr.step[data-step="${step.id}"]`);
      expect(await stepRow.getAttribute('data-status'), step.id).toBe(step.status);
      expect(await text(stepRow.locator('.badge').first())).toBe(step.status);
      if (step.error) expect(await text(stepRow.locator('.step-error'))).toBe(step.error);
    }
    expect(run.steps.map((s) => [s.id, s.status])).toEqual([
      ['look', 'failed'],
      ['after', 'skipped'],
    ]);
    await page.close();
  }, 60_000);

  it('lists a new run without a reload while /ui is open', async () => {
    const page = await browser.newPage();
    await page.goto(`${h.url}/ui?workflow=napper`);
    await markDocument(page);
    const runId = await start('napper');
    const row = page.locator(`tr[data-run-id="${runId}"]`);
    await expect.poll(() => row.getAttribute('data-status'), { timeout: WAIT_MS }).toBe('waiting');
    expect(await sameDocument(page)).toBe(true);
    await h.request(`/api/runs/${runId}/cancel`, { method: 'POST' });
    await page.close();
  }, 60_000);

  it('cancels a waiting run from its page', async () => {
    const runId = await start('napper');
    await h.waitForRun(runId, (r) => r.status === 'waiting');
    const page = await browser.newPage();
    await page.goto(`${h.url}/ui/runs/${runId}`);
    await markDocument(page);
    expect(await liveStatus(page)).toBe('waiting');
    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByRole('button', { name: 'Cancel run' }).click();
    await expect.poll(() => liveStatus(page), { timeout: WAIT_MS }).toBe('cancelled');
    expect(await sameDocument(page)).toBe(true);
    expect(await page.getByRole('button', { name: 'Cancel run' }).count()).toBe(0);
    expect((await h.request(`/api/runs/${runId}`)).json.status).toBe('cancelled');
    await page.close();
  }, 60_000);

  it('shows the API’s input errors beside the fields, and starts nothing', async () => {
    const before = (await h.request('/api/runs?limit=1000')).json.length;
    const page = await browser.newPage();
    await page.goto(`${h.url}/ui/workflows`);
    const office = page.locator('#wf-office-hours');
    await office.getByRole('button', { name: 'Run office-hours' }).click();
    await expect
      .poll(() => text(office.locator('[data-error-for="action"]')), { timeout: WAIT_MS })
      .toMatch(/missing required input 'action'/);
    const napper = page.locator('#wf-napper');
    await napper.locator('input[name="count"]').fill('1.5');
    await napper.getByRole('button', { name: 'Run napper' }).click();
    await expect
      .poll(() => text(napper.locator('[data-error-for="count"]')), { timeout: WAIT_MS })
      .toMatch(/input 'count'/);
    expect(page.url()).toBe(`${h.url}/ui/workflows`);
    expect((await h.request('/api/runs?limit=1000')).json.length).toBe(before);
    // The two 400 answers are the point of this test; Chromium logs them as errors.
    await expect.poll(() => browser.errors.length, { timeout: WAIT_MS }).toBe(2);
    expect(browser.errors.splice(0)).toEqual([
      expect.stringMatching(/status of 400 .*\/api\/workflows\/office-hours\/runs$/),
      expect.stringMatching(/status of 400 .*\/api\/workflows\/napper\/runs$/),
    ]);
    await page.close();
  }, 60_000);

  it('keeps every secret value out of every page’s HTML, Bull Board’s included', async () => {
    const failed = await start('secretive');
    const failedRun = await h.waitForRun(failed, (r) => r.status === 'failed');
    // The error names the secret: the pages below must show it scrubbed.
    expect(failedRun.error).toContain('[REDACTED]');
    const napping = await start('napper', { who: HOOK });
    await h.waitForRun(napping, (r) => r.status === 'waiting');

    const secrets = [HOOK, TOKEN, h.services.secrets.apiToken!];
    const page = await browser.newPage();
    const paths = [
      '/ui',
      `/ui/runs/${failed}`,
      `/ui/runs/${napping}`,
      '/ui/workflows',
      '/ui/queues',
      `/ui/queues/queue/runs/${failed}`,
    ];
    for (const path of paths) {
      const response = await page.goto(`${h.url}${path}`);
      expect(response?.status(), path).toBe(200);
      const served = (await response!.text()) + (await page.content());
      for (const secret of secrets) expect(served, `${path} shows a secret`).not.toContain(secret);
    }
    // Bull Board draws the job from its JSON API: that answer is scrubbed too.
    const job = await page.evaluate(
      async (id) => (await fetch(`/ui/queues/api/queues/runs/${id}`)).text(),
      failed,
    );
    expect(job).toContain(failed);
    for (const secret of secrets) expect(job).not.toContain(secret);
    await page.goto(`${h.url}/ui/runs/${napping}`);
    expect(await text(page.locator('table.inputs'))).toContain('[REDACTED]');
    await h.request(`/api/runs/${napping}/cancel`, { method: 'POST' });
    await page.close();
  }, 60_000);
});

describe('the dashboard without the token', () => {
  let h: Harness;
  let browser: Browser;
  beforeAll(async () => {
    h = await startHarness({ httpToken: TOKEN, workflows: [NAPPER] });
    browser = await openBrowser({ ignore: [/status of 401/] });
  });
  afterAll(async () => {
    await browser?.close();
    await h?.close();
  });

  it('is challenged with Basic auth and shows nothing', async () => {
    const page = await browser.newPage();
    const answers: Array<[number, string]> = [];
    page.on('response', (r) => answers.push([r.status(), r.headers()['www-authenticate'] ?? '']));
    // Headless Chromium has nobody to ask for a password: the navigation fails.
    await expect(page.goto(`${h.url}/ui/workflows`)).rejects.toThrow(/ERR_INVALID_AUTH_CREDENTIALS/);
    expect(answers).toEqual([[401, expect.stringMatching(/^Basic realm="gcflow"/)]]);
    await page.close();
  });
});
