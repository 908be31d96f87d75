// `gcflow hold`, `gcflow holds` and `gcflow unhold` as child processes on Redis and
// the simulator: by name and id, text and JSON, and the errors a user meets, each
// with its code and exit code (2 usage, 3 unreachable).
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type RunningSimulator, startSimulator } from '../../../src/simulator/index.js';
import { activeBoxes } from '../../helpers/boxes.js';
import { testPrefix } from '../../helpers/prefix.js';
import { runCli } from '../../helpers/processes.js';

describe('gcflow hold / holds / unhold', () => {
  let sim: RunningSimulator;
  let env: Record<string, string>;
  beforeAll(async () => {
    sim = await startSimulator({ settings: { transition_ms: 50 } });
    env = {
      REDIS_URL: inject('redisUrl'),
      GCFLOW_REDIS_PREFIX: testPrefix('e2e-holds'),
      GENESISCLOUD_API_URL: sim.apiUrl,
      GENESISCLOUD_TOKEN: 'e2e-holds-token',
      USER: 'ann',
    };
  });
  afterAll(async () => sim?.close());

  it('holds by name, lists the hold, lifts it by id; a second lift is an error', async () => {
    const [box] = await activeBoxes(sim, ['cli-held']);
    const held = await runCli(['hold', 'cli-held', '--for', '2h', '--reason', 'demo tonight', '--json'], env);
    expect(held.code, held.stderr).toBe(0);
    const hold = JSON.parse(held.stdout);
    expect(hold).toMatchObject({ instance_id: box!.id, instance_name: 'cli-held', reason: 'demo tonight' });
    expect(hold.created_by).toMatch(/^ann@/);
    expect(Date.parse(hold.until) - Date.parse(hold.created_at)).toBe(7_200_000);

    const table = await runCli(['holds'], env);
    expect(table.code).toBe(0);
    expect(table.stdout.split('\n')[0]).toMatch(/^INSTANCE\s+ID\s+UNTIL\s+BY\s+REASON$/);
    expect(table.stdout).toContain(`cli-held  ${box!.id}  ${hold.until}  ${hold.created_by}  demo tonight`);

    const lifted = await runCli(['unhold', box!.id], env);
    expect(lifted.code, lifted.stderr).toBe(0);
    expect(lifted.stdout.trim()).toBe(`lifted the hold on cli-held (${box!.id})`);
    expect((await runCli(['holds'], env)).stdout.trim()).toBe('no holds in force');

    const again = await runCli(['unhold', 'cli-held'], env);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('E_HOLD_NOT_FOUND');
    expect(again.stderr).toContain('gcflow holds');
  });

  it('refuses what it cannot do with a code, a hint and exit 2; JSON errors under --json', async () => {
    await activeBoxes(sim, ['cli-bad']);
    const cases: Array<[string[], string]> = [
      [['hold', 'no-such-box'], 'E_HOLD_INSTANCE_NOT_FOUND'],
      [['hold', 'cli-bad', '--for', '1h', '--until', '2099-01-01T00:00:00Z'], 'E_HOLD_INVALID'],
      [['hold', 'cli-bad', '--until', '2001-01-01T00:00:00Z'], 'E_HOLD_INVALID'],
      [['hold', 'cli-bad', '--for', 'a while'], 'E_HOLD_INVALID'],
      [['hold'], 'E_USAGE'],
    ];
    for (const [args, code] of cases) {
      const r = await runCli(args, env);
      expect(r.code, args.join(' ')).toBe(2);
      if (code !== 'E_USAGE') expect(r.stderr, args.join(' ')).toContain(code);
    }
    const json = await runCli(['hold', 'no-such-box', '--json'], env);
    expect(json.code).toBe(2);
    expect(JSON.parse(json.stderr).error).toMatchObject({
      code: 'E_HOLD_INSTANCE_NOT_FOUND',
      message: 'no instance no-such-box',
    });
    expect((await runCli(['holds', '--json'], env)).stdout.trim()).toBe('[]');
  });

  it('exits 3 when Redis cannot be reached', async () => {
    const r = await runCli(['holds'], { ...env, REDIS_URL: 'redis://127.0.0.1:1' });
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('E_UNREACHABLE');
  });
});
