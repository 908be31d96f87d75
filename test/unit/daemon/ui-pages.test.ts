// The dashboard's page renderers are pure: data in, HTML out. What they must get right
// whatever the data: escaping, the form a typed input gets, and the job report slot.
import { describe, expect, it } from 'vitest';
import { formatDuration } from '../../../src/daemon/http/ui/html.js';
import { runLive } from '../../../src/daemon/http/ui/run-page.js';
import { runsLive } from '../../../src/daemon/http/ui/runs-page.js';
import { workflowsBody } from '../../../src/daemon/http/ui/workflows-page.js';
import { parseWorkflow } from '../../../src/dsl/index.js';
import type { WorkflowDefinition } from '../../../src/dsl/types.js';
import type { RunView } from '../../../src/runs/service.js';

const HOSTILE = '<img src=x onerror="alert(1)">';
const NOW = Date.parse('2026-03-02T10:00:00Z');

function def(yaml: string): WorkflowDefinition {
  const parsed = parseWorkflow(yaml, 'w.yaml');
  if (!parsed.definition) throw new Error(JSON.stringify(parsed.diagnostics));
  return parsed.definition;
}

const TYPED = def(`
name: typed
description: 'Types ${HOSTILE}'
inputs:
  action: { type: string, enum: [stop, start], required: true }
  size: { type: integer, enum: [1, 2, 4], default: 2 }
  dry: { type: boolean, default: true }
  force: { type: boolean }
  count: { type: integer, default: 3 }
  ratio: { type: number }
  wait: { type: duration, default: 15m }
  tags: { type: list, default: [a, b] }
  note: { type: string, default: "it's \\"quoted\\"" }
triggers:
  - cron: "0 19 * * 1-5"
    timezone: Europe/Berlin
    inputs: { action: stop }
steps:
  - id: s
    uses: sleep
    with: { duration: 1s }
`);

const run = (over: Partial<RunView> = {}): RunView => ({
  id: 'typed-abc123',
  workflow: 'typed',
  status: 'failed',
  trigger: 'manual',
  scheduled_at: null,
  started_at: '2026-03-02T09:59:00.000Z',
  finished_at: '2026-03-02T09:59:30.000Z',
  created_at: '2026-03-02T09:58:59.000Z',
  inputs: { action: 'stop' },
  error: `step s failed: ${HOSTILE}\nsecond line`,
  attempt: 1,
  steps: [
    {
      id: 's',
      status: 'failed',
      attempts: 2,
      started_at: '2026-03-02T09:59:00.000Z',
      finished_at: '2026-03-02T09:59:30.000Z',
      outputs: { exit_code: 3, output: `Traceback ${HOSTILE}`, status: 'failed' },
      error: `boom ${HOSTILE}`,
    },
  ],
  ...over,
});

describe('dashboard pages', () => {
  it('escapes every value that comes from a workflow, a run or an API answer', () => {
    const pages = [
      String(runsLive([run()], { workflow: undefined, status: undefined, limit: 50 }, NOW)),
      String(
        runLive({ run: run(), def: TYPED, events: [], eventsOmitted: 0, cancelRequested: null, now: NOW }),
      ),
      String(workflowsBody([{ def: TYPED, lastRun: run() }], [], [], NOW)),
    ];
    for (const html of pages) {
      expect(html).not.toContain('<img');
      expect(html).toContain('&lt;img src=x onerror=&quot;alert(1)&quot;&gt;');
    }
  });

  it('shows a failed run in the list as failed with the first line of its error', () => {
    const html = String(runsLive([run()], { workflow: undefined, status: undefined, limit: 50 }, NOW));
    expect(html).toMatch(/data-status="failed">failed<\/span>/);
    expect(html).toMatch(/class="error-line">step s failed: &lt;img/);
    expect(html).not.toContain('second line');
    expect(html).toContain('30s');
  });

  it('renders a batch job’s report (exit code and output) where a step has one', () => {
    const html = String(
      runLive({ run: run(), def: TYPED, events: [], eventsOmitted: 0, cancelRequested: null, now: NOW }),
    );
    expect(html).toMatch(/<section class="job-report" data-step="s">/);
    expect(html).toMatch(/exit code\s*<strong class="error-text">3<\/strong>/);
    expect(html).toContain('<pre class="job-output">Traceback &lt;img');
    const plain = run({ steps: [{ ...run().steps[0]!, outputs: { instance: { id: 'i-1' } } }] });
    expect(
      String(
        runLive({ run: plain, def: TYPED, events: [], eventsOmitted: 0, cancelRequested: null, now: NOW }),
      ),
    ).not.toContain('job-report');
  });

  it('shows a long for_each list’s failed items first and counts what it leaves out', () => {
    const items = Array.from({ length: 250 }, (_, index) => ({
      index,
      status: index === 7 || index >= 247 ? 'failed' : 'succeeded',
      attempts: 1,
      outputs: {},
      error: index === 7 || index >= 247 ? `item ${index} broke` : null,
    }));
    const big = run({ steps: [{ ...run().steps[0]!, outputs: {}, items }] });
    const html = String(
      runLive({ run: big, def: TYPED, events: [], eventsOmitted: 0, cancelRequested: null, now: NOW }),
    );
    expect(html).toContain('for_each: 250 items (246 succeeded, 4 failed)');
    expect(html).toContain('50 items not shown');
    expect(html.match(/<tr data-item=/g)).toHaveLength(200);
    for (const i of [7, 247, 248, 249]) expect(html).toContain(`item ${i} broke`);
    expect(html).not.toContain('<tr data-item="199">');
  });

  it('offers Cancel only while the run is not over, and stops refreshing once it is', () => {
    const live = (status: RunView['status'], cancelRequested: string | null = null) =>
      String(
        runLive({
          run: run({ status, finished_at: null }),
          def: TYPED,
          events: [],
          eventsOmitted: 0,
          cancelRequested,
          now: NOW,
        }),
      );
    expect(live('waiting')).toContain('data-cancel-run="typed-abc123"');
    expect(live('waiting')).toContain('data-poll-ms=');
    expect(live('waiting', 'cancelled by user')).not.toContain('data-cancel-run');
    expect(live('waiting', 'cancelled by user')).toContain('Cancel requested: cancelled by user');
    for (const status of ['succeeded', 'failed', 'cancelled'] as const) {
      expect(live(status)).not.toContain('data-cancel-run');
      expect(live(status)).not.toContain('data-poll-ms');
    }
  });

  it('says what a queued run waits for, escaped', () => {
    const page = String(
      runLive({
        run: run({
          status: 'queued',
          started_at: null,
          finished_at: null,
          waiting_for: `its turn ${HOSTILE}`,
        }),
        def: TYPED,
        events: [],
        eventsOmitted: 0,
        cancelRequested: null,
        now: NOW,
      }),
    );
    expect(page).toContain('<p class="notice" data-waiting-for>Waiting for its turn &lt;img');
    expect(page).not.toContain(HOSTILE);
  });

  it('builds the Run form from the typed inputs: enum as select, boolean as checkbox, defaults filled in', () => {
    const html = String(workflowsBody([{ def: TYPED, lastRun: undefined }], [], [], NOW));
    expect(html).toMatch(
      /<select id="in-typed-action" name="action" data-type="string"><option value="">choose…<\/option><option value="stop" data-json="&quot;stop&quot;">stop<\/option><option value="start"/,
    );
    expect(html).toMatch(/<option value="2" data-json="2" selected>2<\/option>/);
    expect(html).toMatch(/<input type="checkbox" id="in-typed-dry" name="dry" data-type="boolean" checked>/);
    expect(html).toMatch(/<input type="checkbox" id="in-typed-force" name="force" data-type="boolean">/);
    expect(html).toMatch(
      /<input type="number" step="1" id="in-typed-count" name="count" data-type="integer" value="3">/,
    );
    expect(html).toMatch(
      /<input type="number" step="any" id="in-typed-ratio" name="ratio" data-type="number" value="">/,
    );
    expect(html).toMatch(/name="wait" data-type="duration" value="15m"/);
    expect(html).toMatch(/name="tags" data-type="list"[^>]*>\[&quot;a&quot;,&quot;b&quot;\]<\/textarea>/);
    expect(html).toMatch(/name="note" data-type="string" value="it&#39;s &quot;quoted&quot;"/);
    expect(html).toMatch(/data-error-for="action"/);
    expect(html).toMatch(/never run/);
  });

  it('shows each trigger’s next fire in its zone and in UTC, computed when the scheduler has not registered it', () => {
    const html = String(workflowsBody([{ def: TYPED, lastRun: undefined }], [], [], NOW));
    // Monday 2026-03-02 10:00Z: the next 19:00 Berlin (CET, +01:00) is that evening.
    expect(html).toContain('<td class="next-zoned">2026-03-02T19:00:00+01:00');
    expect(html).toContain('<td class="next-utc">2026-03-02T18:00:00.000Z</td>');
    expect(html).toContain('(not registered yet)');
    const registered = String(
      workflowsBody(
        [{ def: TYPED, lastRun: undefined }],
        [
          {
            workflow: 'typed',
            trigger: 0,
            cron: '0 19 * * 1-5',
            timezone: 'Europe/Berlin',
            catch_up: 'last',
            next: '2026-03-03T19:00:00+01:00',
            next_utc: '2026-03-03T18:00:00.000Z',
            last_slot: null,
            overdue_ms: 0,
          },
        ],
        [],
        NOW,
      ),
    );
    expect(registered).toContain('<td class="next-zoned">2026-03-03T19:00:00+01:00</td>');
    expect(registered).not.toContain('not registered');
  });

  it('writes durations the way people read them', () => {
    expect([450, 1_234, 12_300, 65_000, 3_725_000, 90_061_000].map(formatDuration)).toEqual([
      '450ms',
      '1.2s',
      '12s',
      '1m 05s',
      '1h 02m',
      '1d 1h',
    ]);
  });
});
