// The composition root's one place for what each part is handed: from the opened
// Services, the narrow view each part uses (the HTTP app, the CLI commands). A part
// never sees the Services bag; it declares what it needs and gets only that.
import type { Config } from '../config/schema.js';
import type { GenesisClient } from '../genesis/index.js';
import type { HoldService } from '../holds/service.js';
import type { OutageTracker } from '../queue/outage.js';
import type { JanitorDeps } from '../runs/janitor.js';
import type { Ownership } from '../runs/ownership.js';
import type { RunService } from '../runs/service.js';
import type { RunStore } from '../runs/store.js';
import type { ScheduleView } from '../scheduler/index.js';
import type { Clock } from '../shared/clock.js';
import type { HttpServices } from './http/deps.js';
import { openApiClient, openHoldService, type Services } from './services.js';

/**
 * The HTTP app's view of the process; the queue views it opens close with `services`.
 * The dashboard's modules (bull-board) are loaded here, on first use: the CLI commands,
 * which share this module, never load them.
 */
export async function httpServices(
  services: Services,
  client: GenesisClient | undefined,
): Promise<HttpServices> {
  const { redis, store, config } = services;
  const { openQueueViews } = await import('../queue/dashboard.js');
  const queueViews = openQueueViews(redis, config.redis.prefix);
  services.releasers.add('dashboard queues', () => queueViews.close());
  return {
    config,
    secrets: services.secrets,
    logger: services.logger,
    clock: services.clock,
    redactor: services.redactor,
    runs: services.runs,
    store,
    eventCount: (runId) => redis.llen(store.keys.events(runId)),
    ping: () => redis.ping(),
    outage: services.outage,
    report: {
      reports: services.reports,
      store,
      queue: services.queue,
      clock: services.clock,
      logger: services.logger,
    },
    client,
    registeredSchedules: () => listSchedules(services),
    queueViews,
    // Names are resolved with the workers' API client when this process has one.
    holds: openHoldService(services, () => client ?? openApiClient(services)),
  };
}

/** What `gcflow run`, `status`, `runs`, `cancel` and `logs` use. */
export interface RunCommandParts {
  runs: RunService;
  /** A run's record and history (logs, run --wait). */
  store: Pick<RunStore, 'mustLoad' | 'events'>;
  /** Run workers connected to this Redis (run --wait warns when there are none). */
  workerCount(): Promise<number>;
  /** Where Redis is, as the outage lines name it (follow through an outage). */
  outage: Pick<OutageTracker, 'address'>;
}

export function runCommandParts(services: Services): RunCommandParts {
  return {
    runs: services.runs,
    store: services.store,
    workerCount: () => services.queue.workerCount(),
    outage: services.outage,
  };
}

/** What `gcflow schedules` uses: the schedules registered in Redis. */
export interface ScheduleCommandParts {
  schedules(): Promise<ScheduleView[]>;
}

/** The registered schedules; the module (cron-parser, the trigger queue) is loaded on first use. */
async function listSchedules(services: Services): Promise<ScheduleView[]> {
  return (await import('../scheduler/listing.js')).listSchedules(services);
}

export function scheduleCommandParts(services: Services): ScheduleCommandParts {
  return { schedules: () => listSchedules(services) };
}

/** What `gcflow janitor` uses: the API, the ownership records, run records, the workflows. */
export interface JanitorCommandParts {
  config: Pick<Config, 'workflows'>;
  clock: Clock;
  client: GenesisClient;
  ownership: Ownership;
  store: JanitorDeps['store'];
}

export function janitorCommandParts(services: Services): JanitorCommandParts {
  return {
    config: services.config,
    clock: services.clock,
    client: openApiClient(services),
    ownership: services.ownership,
    store: services.store,
  };
}

/** What `gcflow hold`, `holds` and `unhold` use: holds by id or name (names through the API). */
export interface HoldCommandParts {
  holds: HoldService;
}

export function holdCommandParts(services: Services): HoldCommandParts {
  return { holds: openHoldService(services) };
}
