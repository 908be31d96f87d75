// What the HTTP app uses of the process: narrow views built by the composition root
// (daemon/parts.ts, httpServices), so a route reaches nothing else (no raw Redis, no
// queue, no releasers). Types only.
import type { Config, Secrets } from '../../config/schema.js';
import type { GenesisClient } from '../../genesis/index.js';
import type { HoldService } from '../../holds/service.js';
import type { QueueViews } from '../../queue/dashboard.js';
import type { OutageTracker } from '../../queue/outage.js';
import type { RunService } from '../../runs/service.js';
import type { RunStore } from '../../runs/store.js';
import type { ScheduleView } from '../../scheduler/index.js';
import type { Clock } from '../../shared/clock.js';
import type { Logger } from '../../shared/logger.js';
import type { Redactor } from '../../shared/redact.js';
import type { ReportServices } from './report.js';

export interface HttpServices {
  config: Pick<Config, 'http'>;
  /** Every secret of the process: responses are scrubbed of them. */
  secrets: Secrets;
  logger: Logger;
  clock: Clock;
  redactor: Redactor;
  /** Start, list, inspect and cancel runs. */
  runs: RunService;
  /** What the dashboard reads of a run beyond its view: state, cancel request, definition, history. */
  store: Pick<RunStore, 'load' | 'cancelRequest' | 'loadDefinition' | 'events'>;
  /** How many history entries a run has. */
  eventCount(runId: string): Promise<number>;
  /** Redis answers (GET /healthz); rejects when it does not. */
  ping(): Promise<unknown>;
  /** The process's Redis outage tracker: /healthz answers fast during a known outage and ends it. */
  outage: Pick<OutageTracker, 'downSince' | 'ready' | 'address'>;
  /** The workers' API client (GET /healthz probes the API with it); undefined without workers. */
  client: GenesisClient | undefined;
  /** What is registered in Redis: the schedules when no scheduler runs in this process. */
  registeredSchedules(): Promise<ScheduleView[]>;
  /** Holds on instances (/api/holds); names are resolved with `client`, else a client of its own. */
  holds: HoldService;
  /** What the batch-job report route uses (POST /report/<run id>/<token>). */
  report: ReportServices;
  /** Bull Board's read-only views of the queues (opened and closed by the composition root). */
  queueViews: Pick<QueueViews, 'boardAdapters'>;
}
