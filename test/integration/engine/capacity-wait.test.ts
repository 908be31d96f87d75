// instance.create when no choice has capacity: `capacity: wait` parks and looks again
// until one has room (the simulator's capacity is raised over HTTP while the run
// waits), `capacity: fail` (the default) fails at once naming every type and region
// tried. Real workers, real Redis, the simulator over HTTP.
// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${{ }} is the workflow expression syntax, not a JS template
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Stack, startStack } from '../../helpers/stack.js';

const FIRST = { type: 'vcpu-4_memory-12g_nvidia-rtx-3080-1', region: 'NORD-NO-KRS-1' };
const SECOND = { type: 'vcpu-8_memory-32g_nvidia-rtx-3080-1', region: 'NORD-NO-KRS-1' };
const THIRD = { type: 'vcpu-8_memory-48g_nvidia-rtx-3090-2', region: 'EUC-DE-MUC-1' };
const key = (c: { type: string; region: string }) => `${c.region}/${c.type}`;

const workflow = (name: string, extra: string, wait = '') => `
name: ${name}
steps:
  - id: box
    uses: instance.create
    with:
      name: "${name}-\${{ run.id }}"
      type: ${FIRST.type}
      region: ${FIRST.region}
      image: ubuntu-22.04
      ssh_keys: [ops-laptop]
      fallback:
        - { type: ${SECOND.type} }
        - { type: ${THIRD.type}, region: ${THIRD.region} }
${extra}${wait}
finally:
  - id: drop
    uses: instance.delete
    if: \${{ steps.box.outputs.instance.id != null }}
    with: { instance: "\${{ steps.box.outputs.instance.id }}" }
`;

let stack: Stack;
const admin = async (path: string, body?: unknown) => {
  const res = await fetch(`${stack.sim.url}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (!res.ok) throw new Error(`simulator ${path}: ${res.status} ${await res.text()}`);
  return res.json() as Promise<Record<string, unknown>>;
};
const noCapacity = () =>
  admin('/__sim/config', { capacity: { [key(FIRST)]: 0, [key(SECOND)]: 0, [key(THIRD)]: 0 } });
const instancesNamed = async (prefix: string) =>
  ((await admin('/__sim/state')) as { instances: Array<{ name: string }> }).instances.filter((i) =>
    i.name.startsWith(prefix),
  );
const quotaLooks = async () => {
  const { calls } = (await admin('/__sim/calls')) as { calls: Array<{ method: string; path: string }> };
  return calls.filter((c) => c.method === 'GET' && c.path === '/compute/v1/quotas').length;
};

beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack?.close());
beforeEach(async () => {
  await admin('/__sim/config', { capacity: {} });
  stack.sim.simulator.clearCalls();
});

describe('instance.create capacity: wait', () => {
  it('waits while no choice has capacity, then creates on the one that gets some', async () => {
    await noCapacity();
    const runId = await stack.start(stack.workflow(workflow('capwait', '      capacity: wait')));
    // The run parks waiting for capacity: not failed, no box.
    const waiting = await stack.waitFor(runId, (r) => r.steps[0]?.status === 'waiting', 60_000);
    expect(waiting.status).not.toBe('failed');
    const parkedAt = Date.now();
    // 5 s of no capacity, checked all along: the step keeps waiting and creates nothing.
    while (Date.now() - parkedAt < 5_000) {
      const run = await stack.services.runs.get(runId);
      expect(run.status).not.toBe('failed');
      expect(await instancesNamed('capwait-')).toEqual([]);
      await new Promise((r) => setTimeout(r, 250));
    }
    const looksBefore = await quotaLooks();
    expect(looksBefore).toBeGreaterThan(1);
    // Backoff: 5 s at a 100 ms poll would be ~50 looks without it.
    expect(looksBefore).toBeLessThan(20);

    const raisedAt = Date.now();
    await admin('/__sim/config', { capacity: { [key(FIRST)]: 0, [key(SECOND)]: 0, [key(THIRD)]: 1 } });
    const run = await stack.waitFor(runId, undefined, 120_000);
    expect(run.status, JSON.stringify(run.steps.map((s) => [s.id, s.status, s.error]))).toBe('succeeded');
    const box = run.steps.find((s) => s.id === 'box')!;
    expect(box.outputs).toMatchObject({ type: THIRD.type, region: THIRD.region });
    const created = Date.parse((box.outputs['instance'] as { created_at: string }).created_at);
    expect(created).toBeGreaterThanOrEqual(raisedAt - 1_000);
    // The finally step deleted it; exactly one create call went through.
    const { calls } = (await admin('/__sim/calls')) as {
      calls: Array<{ method: string; path: string; status: number }>;
    };
    expect(calls.filter((c) => c.method === 'POST' && c.path === '/compute/v1/instances')).toHaveLength(1);
    expect(await instancesNamed('capwait-')).toEqual([]);
  }, 180_000);

  it("fails with every choice named once the wait's timeout passes", async () => {
    await noCapacity();
    const runId = await stack.start(
      stack.workflow(workflow('captimeout', '      capacity: wait', '\n    wait: { timeout: 2s }')),
    );
    const run = await stack.waitFor(runId, undefined, 60_000);
    expect(run.status).toBe('failed');
    const error = run.steps.find((s) => s.id === 'box')!.error ?? '';
    expect(error).toContain('after waiting 2s (capacity: wait)');
    for (const c of [FIRST, SECOND, THIRD]) expect(error).toContain(`${c.type} in ${c.region}`);
    expect(await instancesNamed('captimeout-')).toEqual([]);
  }, 120_000);
});

describe('instance.create capacity: fail (the default)', () => {
  it('fails at once naming the types and regions tried, without creating anything', async () => {
    await noCapacity();
    const started = performance.now();
    const runId = await stack.start(stack.workflow(workflow('capfail', '')));
    const run = await stack.waitFor(runId, undefined, 60_000);
    const tookMs = performance.now() - started;
    expect(run.status).toBe('failed');
    const error = run.steps.find((s) => s.id === 'box')!.error ?? '';
    expect(error).toMatch(/^no capacity or quota for any of /);
    for (const c of [FIRST, SECOND, THIRD])
      expect(error).toContain(`${c.type} in ${c.region}: not available`);
    // At once: no wait at all (a loaded machine still ends it within seconds).
    expect(tookMs).toBeLessThan(30_000);
    expect(await quotaLooks()).toBe(3);
    expect(await instancesNamed('capfail-')).toEqual([]);
  }, 120_000);

  it('without fallback, names the one type and region from the refused create call', async () => {
    await admin('/__sim/config', { capacity: { [key(FIRST)]: 0 } });
    const def = stack.workflow(`
name: caponly
steps:
  - id: box
    uses: instance.create
    with:
      name: "caponly-\${{ run.id }}"
      type: ${FIRST.type}
      region: ${FIRST.region}
      image: ubuntu-22.04
      ssh_keys: [ops-laptop]
      capacity: fail
`);
    const run = await stack.waitFor(await stack.start(def), undefined, 60_000);
    expect(run.status).toBe('failed');
    expect(run.steps[0]!.error).toContain(`no capacity or quota for any of ${FIRST.type} in ${FIRST.region}`);
  }, 120_000);
});
