// Acceptance of the scheduler through real processes: `gcflow daemon` children on
// one Redis (the injected URL, a fresh prefix), the simulator in-process, observed
// only through `gcflow runs --json`, `gcflow schedules --json` and daemon output.
//  1. Exactly once: three daemons, a fire every 2 s for 40 s, one daemon (the lease
//     holder) SIGKILLed after 15 s: one run per slot, no slot missing, none twice.
//     One scenario proves both points: the slots before the kill are three
//     replicas competing, those after it are the survivors after a crash.
//  2. Catch-up: the only daemon down across a fire time, then one started:
//     `catch_up: last` runs the missed slot once; `none` does not.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type RunningSimulator, startSimulator } from '../../../src/simulator/index.js';
import { missingAcrossJumps } from '../../helpers/clock-watch.js';
import { testPrefix } from '../../helpers/prefix.js';
import { eventually, type GcflowProcess, runCli, spawnGcflow, workspace } from '../../helpers/processes.js';

interface RunJson {
  id: string;
  workflow: string;
  status: string;
  trigger: string;
  scheduled_at: string | null;
  created_at: string;
}

const TOKEN = 'e2e-token-3c9d';

const until = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms - Date.now())));

describe('scheduler acceptance (daemon processes)', () => {
  let sim: RunningSimulator;
  const daemons: GcflowProcess[] = [];

  beforeAll(async () => {
    sim = await startSimulator({});
  });
  afterAll(async () => {
    for (const d of daemons) await d.kill('SIGKILL');
    await sim?.close();
  });

  const setup = (files: Record<string, string>) => {
    const ws = workspace(files);
    const env = {
      REDIS_URL: inject('redisUrl'),
      GCFLOW_REDIS_PREFIX: testPrefix('e2e-sched'),
      GCFLOW_WORKFLOWS: ws.workflows,
      GCFLOW_CONFIG: ws.config,
      GCFLOW_HTTP: '127.0.0.1:0',
      GENESISCLOUD_API_URL: sim.apiUrl,
      GENESISCLOUD_TOKEN: TOKEN,
    };
    const daemon = async () => {
      const d = spawnGcflow(['daemon'], env);
      daemons.push(d);
      await eventually(
        async () => (d.output().includes('gcflow daemon started') ? true : undefined),
        60_000,
        `a daemon to start:\n${d.output()}`,
      );
      return d;
    };
    const runs = async (): Promise<RunJson[]> => {
      const r = await runCli(['runs', '--json', '--limit', '1000'], env);
      expect(r.code, r.stderr).toBe(0);
      return JSON.parse(r.stdout) as RunJson[];
    };
    return { env, daemon, runs };
  };

  it('three daemons, one SIGKILLed midway: exactly one run per 2-second slot', async () => {
    const { daemon, runs } = setup({
      'tick.yaml': `
name: tick
triggers:
  - cron: "*/2 * * * * *"
concurrency: { group: tick, overlap: allow }
steps:
  - id: look
    uses: instances.list
    with: {}
`,
    });
    const three = await Promise.all([daemon(), daemon(), daemon()]);
    const started = Date.now();
    await until(started + 15_000);
    const leader = three.find((d) => d.output().includes('this replica now reconciles the schedules'));
    expect(leader).toBeDefined();
    await leader!.kill('SIGKILL');
    const survivors = three.filter((d) => d !== leader);
    await until(started + 40_000);
    await Promise.all(survivors.map((d) => d.kill('SIGTERM')));

    const all = (await runs()).filter((r) => r.workflow === 'tick');
    const slots = all.map((r) => Date.parse(r.scheduled_at!)).sort((a, b) => a - b);
    expect(all.every((r) => r.trigger === 'schedule')).toBe(true);
    expect(new Set(all.map((r) => r.id)).size).toBe(all.length);
    expect(new Set(slots).size).toBe(all.length); // no slot twice
    expect(slots.every((s) => s % 2_000 === 0)).toBe(true);
    // No slot missing, unless the wall clock jumped across it (a paused VM: every
    // process saw the slot late at once, like downtime). When one is, the daemons'
    // account of the slots that went wrong.
    const missing: number[] = [];
    for (let s = slots[0]!; s <= slots[slots.length - 1]!; s += 2_000)
      if (!slots.includes(s)) missing.push(s);
    const { acrossJumps, unexplained } = missingAcrossJumps(missing, 2_000, started);
    const told = three
      .flatMap((d, i) =>
        d
          .output()
          .split('\n')
          .map((line) => `daemon ${i}: ${line}`),
      )
      .filter((line) => /missed|late|taken|rearmed|lease|reconciles|completed/.test(line));
    expect(
      unexplained.map((s) => new Date(s).toISOString()),
      `slots with no run; the daemons said:\n${told.join('\n')}`,
    ).toEqual([]);
    expect(all.length + acrossJumps.length).toBeGreaterThanOrEqual(15);
    // Fires continued after the kill, and a survivor took over the lease.
    expect(slots[slots.length - 1]!).toBeGreaterThan(started + 30_000);
    expect(survivors.some((d) => d.output().includes('this replica now reconciles the schedules'))).toBe(
      true,
    );
    expect(all.some((r) => r.status === 'failed')).toBe(false);
  }, 180_000);

  it('catch-up after all daemons were down across a fire time: last runs it once, none does not', async () => {
    const trigger = (name: string, catchUp: string) => `
name: ${name}
triggers:
  - cron: "*/20 * * * * *"
    catch_up: ${catchUp}
concurrency: { group: ${name}, overlap: allow }
steps:
  - id: look
    uses: instances.list
    with: {}
`;
    const { env, daemon, runs } = setup({
      'last.yaml': trigger('e2e-last', 'last'),
      'none.yaml': trigger('e2e-none', 'none'),
    });
    // The first daemon lives and stops early in one 20-s cycle, so the fire it leaves
    // pending is that cycle's end (a slot computed from the time after the kill raced
    // the grid when the kill landed near a boundary).
    const boundary = Math.ceil(Date.now() / 20_000) * 20_000;
    await until(boundary + 500);
    const first = await daemon();
    const listed = await runCli(['schedules', '--json'], env);
    const views = JSON.parse(listed.stdout) as Array<{ workflow: string; last_slot: string | null }>;
    expect(views.map((v) => v.workflow)).toEqual(['e2e-last', 'e2e-none']);
    expect(await first.kill('SIGTERM')).toBe(0);
    // On a loaded machine the first daemon may live past the cycle's end and take that
    // fire: then the one it leaves pending is a cycle later. Its record says which.
    const after = JSON.parse((await runCli(['schedules', '--json'], env)).stdout) as typeof views;
    const lastSlot = after.find((v) => v.workflow === 'e2e-last')!.last_slot;
    const slot = lastSlot === null ? boundary + 20_000 : Date.parse(lastSlot) + 20_000;
    // The downtime: the slot passes with no daemon; start one 11 s later (beyond the
    // on-time grace of 10 s for an every-20-s schedule, before the next slot when idle).
    await until(slot + 11_000);
    const launched = Date.now();
    const second = await daemon();
    const up = Date.now();
    const missed = await eventually(
      async () =>
        second
          .output()
          .split('\n')
          .find((l) => l.includes('e2e-none') && l.includes('missed fire')),
      30_000,
      'the warning about the missed catch_up: none fire',
    );
    expect(missed).toContain('catch_up: none');
    const skipped = Date.parse(/missed fire of (\S+):/.exec(missed!)![1]!);
    const slotsOf = (all: RunJson[], workflow: string) =>
      all.filter((r) => r.workflow === workflow).map((r) => Date.parse(r.scheduled_at!));
    const all = await eventually(
      async () => {
        const list = await runs();
        return slotsOf(list, 'e2e-last').some((s) => s >= slot) ? list : undefined;
      },
      30_000,
      'the catch-up run of e2e-last',
    );
    // none: the slot missed while no daemon ran is not run, late or ever.
    expect(slotsOf(all, 'e2e-none')).not.toContain(slot);
    expect(slotsOf(all, 'e2e-none')).not.toContain(skipped);
    // last: the most recent missed slot is run once, by the second daemon. On a loaded
    // machine that daemon may come up after the next slot too; then that one is the
    // most recent. Either way no slot runs twice.
    const last = all.filter((r) => r.workflow === 'e2e-last');
    expect(new Set(last.map((r) => r.scheduled_at)).size).toBe(last.length);
    const caughtUp = last.filter((r) => {
      const at = Date.parse(r.scheduled_at!);
      return at >= slot && at < up;
    });
    expect(caughtUp.length).toBeGreaterThanOrEqual(1);
    expect(caughtUp.every((r) => Date.parse(r.created_at) >= launched)).toBe(true);
    expect(await second.kill('SIGTERM')).toBe(0);
  }, 180_000);
});
