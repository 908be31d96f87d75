// Test harness for the daemon's HTTP app: the production composition root
// (test/helpers/daemon.ts) with real Redis (the injected URL, a fresh prefix), real
// HTTP on a free port, the real workflow registry over a temporary directory,
// optionally real workers against the simulator (their hooks feed the metrics) and
// the real scheduler.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Config, Secrets } from '../../../src/config/schema.js';
import type { HttpDeps } from '../../../src/daemon/http/index.js';
import { createMetrics, type Metrics } from '../../../src/daemon/metrics.js';
import type { WorkflowRegistry } from '../../../src/daemon/registry.js';
import type { Services, Workers } from '../../../src/daemon/services.js';
import type { RunView } from '../../../src/runs/service.js';
import type { RunningScheduler } from '../../../src/scheduler/index.js';
import { type RunningSimulator, startSimulator } from '../../../src/simulator/index.js';
import { startTestDaemon, type TestDaemon } from '../../helpers/daemon.js';
import { testPrefix } from '../../helpers/prefix.js';
import { waitFor } from '../../helpers/poll.js';

export interface HarnessOptions {
  httpToken?: string;
  apiToken?: string;
  workflowSecrets?: Record<string, string>;
  /** Workflow files as YAML text, written as w0.yaml, w1.yaml, ... */
  workflows?: string[];
  /** More files by name (e.g. an invalid one). */
  files?: Record<string, string>;
  /** Start run workers against an in-process simulator (needs an API token: a default is used). */
  workers?: boolean;
  /** The simulator accepts only this token (default: any). */
  simToken?: string;
  /** A stand-in, 'real' (startScheduler), or undefined (the API falls back to listSchedules). */
  scheduler?: HttpDeps['scheduler'] | 'real';
  mode?: HttpDeps['mode'];
  /** Share another harness' Redis keys (default: a fresh prefix). */
  prefix?: string;
  /** Settings of config `http` besides listen (allowed_hosts, metrics_access, ...). */
  http?: Partial<Omit<Config['http'], 'listen'>>;
}

export interface Reply {
  status: number;
  headers: Headers;
  text: string;
  // biome-ignore lint/suspicious/noExplicitAny: test convenience over arbitrary JSON
  json: any;
}

export interface RequestOptions {
  method?: string;
  body?: unknown;
  /** Bearer token to send; default the harness' httpToken; null sends none. */
  token?: string | null;
  /**
   * Sent as given. A request that is not GET or HEAD gets `Content-Type:
   * application/json` (as every JSON client sends) unless `headers` names its own
   * `content-type` (a test may give '' to send none).
   */
  headers?: Record<string, string>;
}

export interface Harness {
  url: string;
  services: Services;
  metrics: Metrics;
  workers: Workers | undefined;
  sim: RunningSimulator | undefined;
  registry: WorkflowRegistry;
  scheduler: RunningScheduler | undefined;
  /** The workflows directory. */
  dir: string;
  request(path: string, options?: RequestOptions): Promise<Reply>;
  /** Polls GET /api/runs/{id} until `until` holds, with a deadline. */
  waitForRun(runId: string, until: (run: RunView) => boolean, timeoutMs?: number): Promise<RunView>;
  close(): Promise<void>;
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const sim = options.workers
    ? await startSimulator({
        settings: { transition_ms: 50 },
        ...(options.simToken ? { token: options.simToken } : {}),
      })
    : undefined;
  const dir = await mkdtemp(join(tmpdir(), 'gcflow-http-'));
  const files: Record<string, string> = { ...options.files };
  for (const [i, yaml] of (options.workflows ?? []).entries()) files[`w${i}.yaml`] = yaml;
  for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text);
  const secrets: Secrets = {
    apiToken: options.apiToken ?? (options.workers ? 'sim-token-for-http-tests' : undefined),
    httpToken: options.httpToken,
    workflowSecrets: options.workflowSecrets ?? {},
  };
  const metrics = createMetrics({ queueSampleMs: 100 });
  let daemon: TestDaemon;
  try {
    daemon = await startTestDaemon({
      env: {
        GCFLOW_REDIS_PREFIX: options.prefix ?? testPrefix('http'),
        GCFLOW_WORKFLOWS: dir,
        ...(sim ? { GENESISCLOUD_API_URL: sim.apiUrl } : {}),
      },
      tune: (config) => {
        config.engine.poll_interval_ms = 100;
        config.http = { ...config.http, ...options.http, listen: '127.0.0.1:0' };
      },
      secrets,
      metrics,
      http: true,
      workers: options.workers === true,
      concurrency: 5,
      scheduler: options.scheduler === 'real',
      ...(options.scheduler && options.scheduler !== 'real' ? { schedules: options.scheduler } : {}),
      mode: options.mode ?? 'production',
    });
  } catch (err) {
    await sim?.close();
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
  const { services, workers, registry, scheduler } = daemon;
  const url = daemon.url!;
  const request = async (path: string, o: RequestOptions = {}): Promise<Reply> => {
    const token = o.token === undefined ? options.httpToken : o.token;
    const method = o.method ?? 'GET';
    const headers: Record<string, string> = {};
    if (token) headers['authorization'] = `Bearer ${token}`;
    if (method !== 'GET' && method !== 'HEAD') headers['content-type'] = 'application/json';
    for (const [name, value] of Object.entries(o.headers ?? {})) headers[name.toLowerCase()] = value;
    if (headers['content-type'] === '') delete headers['content-type'];
    const response = await fetch(`${url}${path}`, {
      method,
      headers,
      ...(o.body !== undefined ? { body: typeof o.body === 'string' ? o.body : JSON.stringify(o.body) } : {}),
    });
    const text = await response.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: response.status, headers: response.headers, text, json };
  };
  return {
    url,
    services,
    metrics,
    workers,
    sim,
    registry,
    scheduler,
    dir,
    request,
    async waitForRun(runId, until, timeoutMs = 15_000) {
      let last = '';
      return waitFor(
        async () => {
          const reply = await request(`/api/runs/${runId}`);
          last = reply.text;
          return reply.status === 200 && until(reply.json as RunView) ? (reply.json as RunView) : undefined;
        },
        { timeoutMs, everyMs: 25, what: () => `run ${runId} (last reply: ${last})` },
      );
    },
    async close() {
      await daemon.close();
      await sim?.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Polls `probe` until it returns a value, with a deadline. */
export async function eventually<T>(
  probe: () => Promise<T | undefined>,
  what: string,
  timeoutMs = 10_000,
): Promise<T> {
  return waitFor(probe, { timeoutMs, what, everyMs: 25 });
}
