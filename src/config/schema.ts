// The shape of gcflow's configuration and every default, in one place.
// config/default.yaml documents the same defaults (a unit test keeps them equal).
// Pure: imports only zod and shared/duration.
import { z } from 'zod';
import { parseDuration } from '../shared/duration.js';

const duration = z
  .string()
  .refine((s) => parseDuration(s) !== undefined, 'a duration such as 30s, 15m, 1h30m or 7d');

const hostPort = z.strictObject({ host: z.string(), port: z.number().int() });

export const configSchema = z.strictObject({
  genesis: z.strictObject({
    api_url: z.url(),
    request_timeout: duration,
    rate_limit_per_s: z.number().positive(),
    rate_limit_burst: z.number().int().positive(),
    max_attempts: z.number().int().min(1).max(20),
    max_retry_time: duration,
  }),
  redis: z.strictObject({
    url: z.string(),
    prefix: z.string().min(1),
    sentinel: z.strictObject({ name: z.string(), sentinels: z.array(hostPort).min(1) }).optional(),
    cluster: z.strictObject({ nodes: z.array(hostPort).min(1) }).optional(),
  }),
  workflows: z.string(),
  http: z.strictObject({
    listen: z.string(),
    public_url: z.union([z.literal(''), z.url({ protocol: /^https?$/ })]),
    allowed_hosts: z.array(z.string().min(1)),
    allowed_origins: z.array(z.url({ protocol: /^https?$/ })),
    metrics_access: z.enum(['loopback', 'token', 'open']),
  }),
  worker: z.strictObject({
    concurrency: z.number().int().min(1).max(10_000),
    lock_duration: duration,
    stalled_interval: duration,
    shutdown_grace: duration,
  }),
  engine: z.strictObject({
    poll_interval: duration,
    wait_timeout: duration,
    list_poll_threshold: z.number().int().min(1),
    history_retention: duration,
    late_answer_window: duration,
    for_each_max_items: z.number().int().min(1).max(1_000_000),
  }),
  scheduler: z.strictObject({ watchdog_grace: duration }),
  janitor: z.strictObject({
    enabled: z.boolean(),
    interval: duration,
    apply: z.boolean(),
    data_loss_check: duration,
  }),
  log: z.strictObject({ level: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']) }),
});

/** Settings as written (durations as text). Secrets are not part of it: see Secrets. */
export type Config = z.output<typeof configSchema>;

export const DEFAULTS: Config = {
  genesis: {
    api_url: 'https://api.genesiscloud.com/compute/v1',
    request_timeout: '30s',
    rate_limit_per_s: 10,
    rate_limit_burst: 10,
    max_attempts: 5,
    max_retry_time: '2m',
  },
  redis: { url: 'redis://127.0.0.1:6379', prefix: 'gcflow' },
  workflows: './workflows',
  http: {
    listen: '127.0.0.1:8080',
    public_url: '',
    allowed_hosts: [],
    allowed_origins: [],
    metrics_access: 'loopback',
  },
  worker: { concurrency: 50, lock_duration: '30s', stalled_interval: '15s', shutdown_grace: '25s' },
  engine: {
    poll_interval: '10s',
    wait_timeout: '20m',
    list_poll_threshold: 5,
    history_retention: '30d',
    late_answer_window: '2m',
    for_each_max_items: 10_000,
  },
  scheduler: { watchdog_grace: '1m' },
  janitor: { enabled: true, interval: '5m', apply: true, data_loss_check: '10s' },
  log: { level: 'info' },
};

/** Secrets come only from the environment and are never written anywhere. */
export interface Secrets {
  /** GENESISCLOUD_TOKEN (or GENESIS_CLOUD_TOKEN). */
  apiToken: string | undefined;
  /** GCFLOW_API_TOKEN: bearer token of the daemon's HTTP API. */
  httpToken: string | undefined;
  /** GCFLOW_SECRET_<NAME> as secrets.<name>. */
  workflowSecrets: Record<string, string>;
}
