// A final report wakes the parked job.wait at once, instead of at its next poll: with a
// two-minute poll interval, the run still ends within seconds of the box's report.
// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${{ }} is the workflow expression syntax
import { afterAll, beforeAll, expect, it } from 'vitest';
import { jobBox, report } from '../../helpers/job-box.js';
import { type Stack, startStack } from '../../helpers/stack.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({
    sim: { script_runtime_ms: 600_000 },
    tune: (config) => {
      config.engine.poll_interval_ms = 120_000;
    },
  });
});
afterAll(async () => stack?.close());

const BATCH = `
name: batch
steps:
  - id: box
    uses: instance.create
    with:
      name: "job-\${{ run.id }}"
      type: vcpu-2_memory-4g
      region: NORD-NO-KRS-1
      image: ubuntu-22.04
      ssh_keys: [ops-laptop]
      startup_script: "URL='\${{ run.report_url }}'"
    wait: { status: active, poll: 100ms }
  - id: job
    uses: job.wait
    with: { instance: "\${{ steps.box.outputs.instance.id }}" }
`;

it('a succeeded report ends a job.wait parked for a 2-minute poll within seconds', async () => {
  const runId = await stack.start(stack.workflow(BATCH));
  const box = await jobBox(stack.sim, `job-${runId}`, 30_000);
  await stack.waitFor(runId, (r) => r.steps.find((s) => s.id === 'job')?.status === 'waiting', 30_000);
  const sent = performance.now();
  expect((await report(box.url, { status: 'succeeded', exit_code: 0 })).status).toBe(200);
  // Well under the poll interval: only the wake can end it this soon (a loaded machine included).
  const run = await stack.waitFor(runId, undefined, 60_000);
  expect(run.status, run.error ?? '').toBe('succeeded');
  expect(performance.now() - sent).toBeLessThan(60_000);
}, 120_000);
