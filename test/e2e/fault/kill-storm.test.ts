// No silent fire loss, through real processes: three `gcflow daemon` children on their
// own redis-server, a 2-second schedule, and one replica SIGKILLed and started again
// every ~4 s for STORM_MS (default 120 s, issue 13's 2 minutes). Each kill lands a
// few ms after a slot's boundary, when a trigger worker is taking that fire: BullMQ
// 6.7 adds the schedule's next fire after moveToActive, so a kill there leaves no
// pending fire until the stalled job returns (~30-45 s later), which is what lost
// slots silently before.
// Afterwards every slot of the storm has a decision: it ran exactly once (one run, with
// the slot's deterministic id, succeeded), or it is reported missed (a
// `schedule.missed` warn line naming it, and its slot claimed as missed so a late fire
// starts nothing). No slot has two runs. A slot decided `start` by a replica killed
// before it created the run is started late by the lease holder's check (it was
// neither run nor reported before: a silent loss seen under a loaded machine).
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scheduledRunId } from '../../../src/shared/ids.js';
import { type RunningSimulator, startSimulator } from '../../../src/simulator/index.js';
import { testPrefix } from '../../helpers/prefix.js';
import { eventually, type GcflowProcess, runCli, spawnGcflow, workspace } from '../../helpers/processes.js';
import { removeDir, type SpawnedRedis, spawnRedis } from '../../helpers/redis-server.js';

const STORM_MS = Number(process.env['KILLSTORM_MS'] ?? 120_000);
const TOKEN = 'e2e-token-storm-51be';
const PERIOD = 2_000;

interface RunJson {
  id: string;
  workflow: string;
  status: string;
  scheduled_at: string | null;
}

const until = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms - Date.now())));

describe('kill storm: no silent fire loss', () => {
  let redis: SpawnedRedis;
  let sim: RunningSimulator;
  let client: Redis | undefined;
  const daemons: GcflowProcess[] = [];

  beforeAll(async () => {
    redis = await spawnRedis();
    sim = await startSimulator({});
  });
  afterAll(async () => {
    for (const d of daemons) await d.kill('SIGKILL');
    client?.disconnect();
    await sim?.close();
    await redis?.stop('SIGKILL');
    if (redis) removeDir(redis.dir);
  });

  it(`3 daemons, a 2-s schedule, one SIGKILLed every ~4 s for ${STORM_MS / 1000} s: each slot ran once or is reported missed`, async () => {
    const prefix = testPrefix('storm');
    const ws = workspace({
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
    const env = {
      REDIS_URL: redis.url,
      GCFLOW_REDIS_PREFIX: prefix,
      GCFLOW_WORKFLOWS: ws.workflows,
      GCFLOW_CONFIG: ws.config,
      GCFLOW_HTTP: '127.0.0.1:0',
      GENESISCLOUD_API_URL: sim.apiUrl,
      GENESISCLOUD_TOKEN: TOKEN,
    };
    const start = () => {
      const d = spawnGcflow(['daemon'], env);
      daemons.push(d);
      return d;
    };
    const started = (d: GcflowProcess) =>
      eventually(
        async () => (d.output().includes('gcflow daemon started') ? true : undefined),
        60_000,
        `a daemon to start:\n${d.output().slice(-2000)}`,
      );
    const live = [start(), start(), start()];
    for (const d of live) await started(d);

    // The storm: kill a replica a few ms after a slot boundary, start it again at once.
    const first = Math.ceil((Date.now() + 1_000) / PERIOD) * PERIOD;
    const stormEnd = first + STORM_MS;
    let kills = 0;
    // When each kill landed (ms after the first slot), to say what a missed slot followed.
    const killedAt: number[] = [];
    for (let at = first + PERIOD; at < stormEnd; at += 2 * PERIOD) {
      await until(at + Math.floor(Math.random() * 40));
      const victim = kills % 3;
      await live[victim]!.kill('SIGKILL');
      kills++;
      killedAt.push(Date.now() - first);
      live[victim] = start();
    }
    await until(stormEnd);
    const slots: number[] = [];
    for (let s = first; s <= stormEnd; s += PERIOD) slots.push(s);

    // Every slot of the storm gets a decision: a run, or missed (after the stalled fire
    // comes back and the lease holder's check passes its grace).
    client = new Redis(redis.url);
    const id = 'tick:0';
    const decisions = await eventually(
      async () => {
        const values = await client!.mget(...slots.map((s) => `${prefix}:sched:slot:${id}:${s}`));
        return values.every((v) => v !== null)
          ? values.map((v) => JSON.parse(v!) as { action: string; code?: string })
          : undefined;
      },
      120_000,
      'a decision for every slot of the storm',
    );
    const ran = slots.filter((_, i) => decisions[i]!.action === 'start');
    const missed = slots.filter((_, i) => decisions[i]!.code === 'missed');
    expect(ran.length + missed.length).toBe(slots.length);

    // What ran: exactly one run per slot, with the slot's id, and each succeeded.
    let cliError = '';
    const stormRuns = async () => {
      const r = await runCli(['runs', '--json', '--limit', '1000'], env);
      if (r.code !== 0) {
        cliError = `exit ${r.code}: ${r.stderr.slice(-2000)}`;
        return undefined;
      }
      return (JSON.parse(r.stdout) as RunJson[]).filter((x) => x.workflow === 'tick');
    };
    const ended = async () => {
      const all = await stormRuns();
      if (!all) return undefined;
      const inStorm = all.filter((x) => slots.includes(Date.parse(x.scheduled_at!)));
      return inStorm.every((x) => x.status === 'succeeded') && inStorm.length >= ran.length ? all : undefined;
    };
    // Waited for without failing here: the assertions below say what is wrong.
    await eventually(ended, 120_000, 'the storm runs to end').catch(() => undefined);
    // A failing CLI is not an empty run list: say so rather than report lost runs.
    const runs = await stormRuns();
    if (!runs) throw new Error(`gcflow runs --json failed, so the storm's runs are unknown: ${cliError}`);
    const notDone = runs.filter(
      (x) => slots.includes(Date.parse(x.scheduled_at!)) && x.status !== 'succeeded',
    );
    expect(notDone.map((x) => [x.id, x.status])).toEqual([]);
    const perSlot = new Map<number, string[]>();
    for (const r of runs) {
      const s = Date.parse(r.scheduled_at!);
      perSlot.set(s, [...(perSlot.get(s) ?? []), r.id]);
    }
    const duplicates = [...perSlot.entries()].filter(([, ids]) => ids.length > 1);
    expect(duplicates).toEqual([]);
    for (const s of ran) expect(perSlot.get(s)).toEqual([scheduledRunId('tick', 0, s)]);
    for (const s of missed) expect(perSlot.get(s)).toBeUndefined();

    // Each missed slot is reported: a schedule.missed line (from whichever replica held
    // the lease; killed ones' output is kept) names it.
    const reported = new Set<string>();
    for (const d of daemons)
      for (const line of d.output().split('\n')) {
        if (!line.includes('"schedule.missed"')) continue;
        for (const s of (JSON.parse(line) as { slots: string[] }).slots) reported.add(s);
      }
    expect(missed.filter((s) => !reported.has(new Date(s).toISOString()))).toEqual([]);
    // Slots decided `start` whose replica died before creating the run: started late by
    // the lease holder's check (schedule.completed), counted among those that ran.
    const count = (event: string) =>
      daemons.reduce(
        (n, d) =>
          n +
          d
            .output()
            .split('\n')
            .filter((l) => l.includes(`"${event}"`)).length,
        0,
      );
    // Fires taken by a replica killed before it armed the next or decided the slot: fired by another replica.
    const takenOver = count('schedule.taken_over');
    // Each missed slot with the kills just before it (times in s after the first slot).
    const why = missed.map((s) => {
      const near = killedAt.filter((k) => k <= s - first + 500 && k > s - first - 20_000);
      return `${(s - first) / 1000}s after kills at ${near.map((k) => (k / 1000).toFixed(2)).join(', ')}`;
    });
    if (why.length > 0) console.log(`missed slots: ${why.join('; ')}`);
    console.log(
      `kill storm: ${kills} kills over ${STORM_MS / 1000} s, ${slots.length} slots: ${ran.length} ran once (${count('schedule.completed')} started late after their replica died, ${takenOver} fired by another replica after their taker died), ${missed.length} reported missed, ${duplicates.length} duplicates`,
    );
  }, 400_000);
});
