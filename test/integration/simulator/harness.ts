// Test harness for the simulator over real HTTP: start it on port 0, call the API and the
// admin routes with fetch, poll with a deadline. No client library in between.
import { type Clock, systemClock } from '../../../src/shared/clock.js';
import { SEED_IDS, type StartSimulatorOptions, startSimulator } from '../../../src/simulator/index.js';
import { pollUntil } from '../../helpers/poll.js';

export { pollUntil };

export const TOKEN = 'sim-conformance-token';

/** Response bodies are read as loose JSON in tests; each test asserts what it relies on. */
// biome-ignore lint/suspicious/noExplicitAny: loose JSON access in tests, checked by assertions
export type Json = any;

export interface Reply<T = unknown> {
  status: number;
  headers: Headers;
  text: string;
  /** Parsed JSON, or undefined for an empty body. */
  body: T;
}

export interface TestSim {
  url: string;
  apiUrl: string;
  /** An API call with `Authorization: Bearer TOKEN` unless `headers` says otherwise. */
  api<T = Json>(
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<Reply<T>>;
  /** An admin call (`/__sim/...`). */
  admin<T = Json>(method: string, path: string, body?: unknown): Promise<Reply<T>>;
  /**
   * Runs `steps` with the simulator's time stopped: nothing changes status unless
   * `advance` moves it, so a passing state can be seen however slow the machine is.
   * Time goes on from where it stood when `steps` ends (or throws).
   */
  heldTime<T>(steps: (advance: (ms: number) => void) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** Real time that a test can stop and step (the default clock of startTestSim). */
export class HoldableClock implements Clock {
  private offset = 0;
  private heldAt: number | undefined;

  now = (): number => this.heldAt ?? Date.now() - this.offset;
  sleep = systemClock.sleep;

  hold(): void {
    this.heldAt ??= this.now();
  }

  advance(ms: number): void {
    if (this.heldAt === undefined) throw new Error('advance() is for held time');
    this.heldAt += ms;
  }

  release(): void {
    if (this.heldAt === undefined) return;
    this.offset = Date.now() - this.heldAt;
    this.heldAt = undefined;
  }
}

async function send(
  url: string,
  method: string,
  body: unknown,
  headers: Record<string, string>,
): Promise<Reply> {
  const init: RequestInit = { method, headers: { ...headers } };
  if (body !== undefined) {
    init.body = typeof body === 'string' ? body : JSON.stringify(body);
    (init.headers as Record<string, string>)['content-type'] = 'application/json';
  }
  const response = await fetch(url, init);
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    text,
    body: text ? JSON.parse(text) : undefined,
  };
}

export async function startTestSim(options: StartSimulatorOptions = {}): Promise<TestSim> {
  const clock = new HoldableClock();
  const running = await startSimulator({
    port: 0,
    clock,
    ...options,
    settings: { transition_ms: 50, script_runtime_ms: 100, ...options.settings },
  });
  return {
    url: running.url,
    apiUrl: running.apiUrl,
    api: (method, path, body, headers) =>
      send(
        `${running.apiUrl}${path}`,
        method,
        body,
        headers ?? { authorization: `Bearer ${TOKEN}` },
      ) as never,
    admin: (method, path, body) => send(`${running.url}/__sim${path}`, method, body, {}) as never,
    async heldTime(steps) {
      if (options.clock) throw new Error('heldTime() needs the default clock of startTestSim');
      clock.hold();
      try {
        return await steps((ms) => clock.advance(ms));
      } finally {
        clock.release();
      }
    },
    close: () => running.close(),
  };
}

/** A valid create body in NORD-NO-KRS-1 on a CPU type, with the seeded `ops-laptop` key. */
export function createBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: 'box',
    hostname: 'box',
    type: 'vcpu-2_memory-4g',
    region: 'NORD-NO-KRS-1',
    image: 'ubuntu-22.04',
    ssh_keys: [SEED_IDS.opsLaptopKey],
    ...overrides,
  };
}

/** Creates an instance and waits until it reports `status` (default active). */
export async function createInstance(
  sim: TestSim,
  overrides: Record<string, unknown> = {},
  status = 'active',
) {
  const created = await sim.api('POST', '/instances', createBody(overrides));
  if (created.status !== 201) throw new Error(`create failed: ${created.status} ${created.text}`);
  const id: string = created.body.instance.id;
  const reached = await waitForStatus(sim, id, status);
  return reached.body.instance;
}

export function waitForStatus(sim: TestSim, id: string, status: string) {
  return pollUntil(
    () => sim.api('GET', `/instances/${id}`),
    (r) => r.status === 200 && r.body.instance.status === status,
  );
}

export function waitForGone(sim: TestSim, path: string) {
  return pollUntil(
    () => sim.api('GET', path),
    (r) => r.status === 404,
  );
}

/** A clock that moves only when told, or by exactly what is slept; remembers every sleep. */
export class SteppingClock {
  time = Date.parse('2025-01-06T09:00:00.000Z');
  readonly sleeps: number[] = [];

  now = (): number => this.time;

  sleep = async (ms: number): Promise<void> => {
    this.sleeps.push(ms);
    this.time += ms;
  };

  advance(ms: number): void {
    this.time += ms;
  }
}
