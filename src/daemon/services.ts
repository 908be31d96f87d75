// The composition root's building blocks: opens Redis, the run store and queue,
// the API client, and (for processes that execute runs) the workers. CLI commands
// and the daemon call these instead of wiring modules themselves.
import type { Redis } from 'ioredis';
import type { StatusReader } from '../actions/index.js';
import type { Config, Secrets } from '../config/schema.js';
import type { HttpFetch } from '../genesis/http.js';
import {
  type ApiCall,
  createGenesisClient,
  createRateLimiter,
  createSharedRateLimiter,
  type GenesisClient,
  type RateLimiter,
  type SharedBudget,
} from '../genesis/index.js';
import { HoldService } from '../holds/service.js';
import { HoldStore } from '../holds/store.js';
import {
  assertRedisReachable,
  createRedis,
  describeRedis,
  duplicateRedis,
  trackerOf,
} from '../queue/connection.js';
import { createOutageTracker, type OutageTracker } from '../queue/outage.js';
import { RunQueue, startRunWorker, type TurnRetry } from '../queue/runs.js';
import { Ownership } from '../runs/ownership.js';
import { RunReports } from '../runs/reports.js';
import type { ConcurrencyGate, createRunner } from '../runs/runner.js';
import { RunService } from '../runs/service.js';
import { RunStore } from '../runs/store.js';
import { createConcurrencyGate } from '../scheduler/gate.js';
import { queuedReason } from '../scheduler/queued-reason.js';
import { type Clock, systemClock } from '../shared/clock.js';
import { ExitCode, GcflowError } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';
import { Redactor } from '../shared/redact.js';
import { Releasers } from '../shared/releasers.js';
import { redisBudget } from './api-budget.js';

export interface Services {
  config: Config;
  secrets: Secrets;
  logger: Logger;
  clock: Clock;
  redactor: Redactor;
  redis: Redis;
  /** The process's one Redis outage tracker (one warn line per outage, one when back). */
  outage: OutageTracker;
  store: RunStore;
  queue: RunQueue;
  runs: RunService;
  ownership: Ownership;
  /** Batch-job reports: tokens, report URLs (base: public URL, else the listen URL), stored reports. */
  reports: RunReports;
  /** Holds on instances (gcflow hold): read by power steps and instances.list. */
  holds: HoldStore;
  releasers: Releasers;
  close(): Promise<void>;
}

export interface OpenOptions {
  config: Config;
  secrets: Secrets;
  logger: Logger;
  clock?: Clock;
  /** Where the outage tracker's lines go (default `logger`; the CLI prints its own). */
  outageLogger?: Logger;
}

/** Redactor that knows every secret of this process. */
export function redactorFor(secrets: Secrets): Redactor {
  return new Redactor([secrets.apiToken, secrets.httpToken, ...Object.values(secrets.workflowSecrets)]);
}

export async function openServices(options: OpenOptions): Promise<Services> {
  const { config, secrets, logger } = options;
  const clock = options.clock ?? systemClock;
  const releasers = new Releasers();
  const outage = createOutageTracker({
    address: describeRedis(config.redis),
    logger: options.outageLogger ?? logger,
    primaryReady: () => redis.status === 'ready',
  });
  const redis = createRedis(config.redis, { name: 'gcflow', outage });
  releasers.add('redis', () => void redis.disconnect());
  try {
    await assertRedisReachable(redis, describeRedis(config.redis));
  } catch (err) {
    await releasers.releaseAll();
    throw err;
  }
  const store = new RunStore(
    redis,
    config.redis.prefix,
    Math.round(config.engine.history_retention_ms / 1000),
  );
  const queue = new RunQueue(redis, config.redis.prefix);
  releasers.add('run queue', () => queue.close());
  const redactor = redactorFor(secrets);
  return {
    config,
    secrets,
    logger,
    clock,
    redactor,
    redis,
    outage,
    store,
    queue,
    runs: new RunService(store, queue, clock, {
      queuedReason: queuedReason({ redis, prefix: config.redis.prefix, store, queue }),
    }),
    ownership: new Ownership(redis, config.redis.prefix, redactor),
    reports: new RunReports(
      redis,
      config.redis.prefix,
      Math.round(config.engine.history_retention_ms / 1000),
      // Until the daemon's server is bound (daemon.ts sets the URL it got).
      config.http.public_url === '' ? `http://${config.http.listen}` : config.http.public_url,
    ),
    holds: new HoldStore(redis, config.redis.prefix, clock),
    releasers,
    close: async () => {
      await releasers.releaseAll();
    },
  };
}

/**
 * The one concurrency gate of a process: the workers consult it (with or without a
 * scheduler in the process), and only it admits runs of a group.
 */
export function openGate(
  services: Pick<Services, 'config' | 'redis' | 'store' | 'queue' | 'logger'>,
): ConcurrencyGate {
  return createConcurrencyGate({
    redis: services.redis,
    prefix: services.config.redis.prefix,
    store: services.store,
    queue: services.queue,
    logger: services.logger,
  });
}

export interface ApiOptions {
  onCall?: (call: ApiCall) => void;
  /** The API client's HTTP call (default: undici, see genesis/http.ts). */
  fetch?: HttpFetch;
}

/**
 * The API client of a process with Redis: its rate limit is the one budget per account
 * that every replica shares (daemon/api-budget.ts), with this process's own bucket as
 * the fallback while Redis cannot be reached.
 */
export function openApiClient(services: Services, options: ApiOptions = {}): GenesisClient {
  return createApiClient(services, {
    ...options,
    budget: redisBudget(services.redis, services.config.redis.prefix),
  });
}

/**
 * The API client from config and secrets; without a `budget` (what `gcflow plan` uses,
 * no Redis) its rate limit is this process's own bucket.
 */
export function createApiClient(
  services: Pick<Services, 'config' | 'secrets' | 'clock' | 'logger'>,
  options: ApiOptions & { budget?: SharedBudget } = {},
): GenesisClient {
  const { config, secrets } = services;
  if (!secrets.apiToken) {
    throw new GcflowError(
      'E_NO_API_TOKEN',
      'GENESISCLOUD_TOKEN is not set: gcflow cannot call the Genesis Cloud API',
      {
        hint: 'export GENESISCLOUD_TOKEN=... (an API token from the Genesis Cloud console), or try `gcflow dev`, which uses the simulator',
        exitCode: ExitCode.usage,
      },
    );
  }
  const logger = services.logger.child({ component: 'genesis' });
  const local = createRateLimiter({
    ratePerSecond: config.genesis.rate_limit_per_s,
    burst: config.genesis.rate_limit_burst,
    clock: services.clock,
  });
  const rateLimiter: RateLimiter =
    options.budget && config.genesis.rate_limit_scope === 'account'
      ? createSharedRateLimiter({
          budget: options.budget,
          baseUrl: config.genesis.api_url,
          token: secrets.apiToken,
          ratePerSecond: config.genesis.rate_limit_per_s,
          burst: config.genesis.rate_limit_burst,
          clock: services.clock,
          logger,
          fallback: local,
        })
      : local;
  return createGenesisClient({
    baseUrl: config.genesis.api_url,
    token: secrets.apiToken,
    timeoutMs: config.genesis.request_timeout_ms,
    maxAttempts: config.genesis.max_attempts,
    maxRetryTimeMs: config.genesis.max_retry_time_ms,
    rateLimiter,
    clock: services.clock,
    logger,
    ...(options.onCall ? { onCall: options.onCall } : {}),
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
}

/** Holds by instance id or name; the API client is made only when a name must be resolved. */
export function openHoldService(
  services: Services,
  client: () => GenesisClient = () => openApiClient(services),
): HoldService {
  let made: GenesisClient | undefined;
  return new HoldService({
    store: services.holds,
    client: () => (made ??= client()),
    clock: services.clock,
    settings: {
      defaultMs: services.config.holds.default_duration_ms,
      maxMs: services.config.holds.max_duration_ms,
    },
  });
}

export interface WorkerOptions extends ApiOptions {
  concurrency?: number;
  /** Delays between retries of a failing turn (default TURN_RETRY, src/queue/runs.ts). */
  turnRetry?: TurnRetry;
  gate?: ConcurrencyGate;
  /** How often a run waiting for its concurrency group looks again (default 2 s; leaving runs wake it sooner). */
  gatePollMs?: number;
  onEvents?: Parameters<typeof createRunner>[0]['onEvents'];
}

export interface Workers {
  client: GenesisClient;
  statuses: StatusReader;
  /** Stops taking runs, lets in-flight turns finish within `graceMs`, then closes. */
  close(graceMs: number): Promise<void>;
}

/** Starts run workers in this process. */
export async function startWorkers(services: Services, options: WorkerOptions = {}): Promise<Workers> {
  const { config, logger, clock, redis, store, ownership, holds } = services;
  // The engine and the actions are loaded here, with the first workers: CLI commands
  // open services too but never carry out a step, and start faster without them.
  const [
    { createExecutor, SnapshotReader, StatusReader },
    { createRunner },
    { createGiveUpHandler },
    { RedisCancelWatcher },
  ] = await Promise.all([
    import('../actions/index.js'),
    import('../runs/runner.js'),
    import('../runs/give-up.js'),
    import('../runs/cancel-watcher.js'),
  ]);
  const client = openApiClient(services, options);
  const statuses = new StatusReader({
    client,
    redis,
    prefix: config.redis.prefix,
    clock,
    logger,
    listThreshold: config.engine.list_poll_threshold,
    scrub: (value) => services.redactor.scrub(value),
  });
  const execute = createExecutor({
    client,
    statuses,
    snapshots: new SnapshotReader({ client, clock }),
    ownership,
    holds,
    clock,
    fetch: globalThis.fetch,
    reports: services.reports,
  });
  // What is opened below is released, newest first, on close or when a later step throws.
  const releasers = new Releasers();
  // Set when the workers start closing: in-flight turns park at their next wait.
  let stopping = false;
  try {
    const cancels = await RedisCancelWatcher.start(
      duplicateRedis(redis, 'gcflow-cancels'),
      config.redis.prefix,
      logger,
    );
    releasers.add('cancel watcher', () => cancels.close());
    const reportWakes = await RedisCancelWatcher.start(
      duplicateRedis(redis, 'gcflow-reports'),
      config.redis.prefix,
      logger,
      'reportChannel',
    );
    releasers.add('report watcher', () => reportWakes.close());
    const workerConnection = createRedis(config.redis, {
      blocking: true,
      name: 'gcflow-worker',
      outage: trackerOf(redis),
    });
    releasers.add('worker connection', () => workerConnection.disconnect());
    const runner = createRunner({
      store,
      execute,
      clock,
      secrets: () => services.secrets.workflowSecrets,
      redactor: services.redactor,
      waitDefaults: {
        pollMs: config.engine.poll_interval_ms,
        timeoutMs: config.engine.wait_timeout_ms,
        lateAnswerMs: config.engine.late_answer_window_ms,
      },
      limits: { forEachMaxItems: config.engine.for_each_max_items },
      cancels,
      reports: {
        url: (runId) => services.reports.url(runId),
        wakes: reportWakes,
        hasFinal: async (runId) => {
          const report = await services.reports.read(runId);
          return report !== undefined && report.status !== 'running';
        },
      },
      logger,
      stopping: () => stopping,
      ...(options.gate ? { gate: options.gate } : {}),
      ...(options.gatePollMs !== undefined ? { gatePollMs: options.gatePollMs } : {}),
      ...(options.onEvents ? { onEvents: options.onEvents } : {}),
    });
    const worker = startRunWorker({
      connection: workerConnection,
      prefix: config.redis.prefix,
      concurrency: options.concurrency ?? config.worker.concurrency,
      lockDurationMs: config.worker.lock_duration_ms,
      stalledIntervalMs: config.worker.stalled_interval_ms,
      ...(options.turnRetry ? { turnRetry: options.turnRetry } : {}),
      processor: runner,
      onGaveUp: createGiveUpHandler({ store, redactor: services.redactor, clock, logger }),
      logger,
    });
    let closing: Promise<void> | undefined;
    // A close already under way is not awaited again: BullMQ cannot make it a forced
    // one (close(true) returns the pending close), and a turn that outlives the grace
    // period ends when the connections released after this one are gone.
    releasers.add('run worker', () => {
      stopping = true;
      if (closing) return;
      closing = worker.close(true);
      return closing;
    });
    return {
      client,
      statuses,
      close: async (graceMs) => {
        stopping = true;
        closing = worker.close();
        let timer: NodeJS.Timeout | undefined;
        const inTime = await Promise.race([
          closing.then(
            () => true,
            () => true,
          ),
          new Promise<false>((resolve) => {
            timer = setTimeout(() => resolve(false), graceMs);
          }),
        ]);
        clearTimeout(timer);
        if (!inTime)
          logger.warn(
            { graceMs },
            'shutdown grace period over; runs still in flight resume on another worker from their last checkpoint',
          );
        await releasers.releaseAll();
      },
    };
  } catch (err) {
    await releasers.releaseAll();
    throw err;
  }
}
