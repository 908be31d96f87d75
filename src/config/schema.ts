// The shape of gcflow's configuration and every default, in one place.
// config/default.yaml documents the same defaults (a unit test keeps them equal).
// Durations are parsed here, once: a setting written `poll_interval: 10s` reaches the
// rest of the code as `poll_interval_ms: 10000`. Pure: imports only zod and shared/duration.
import { z } from 'zod';
import { DURATION_HINT, parseDuration } from '../shared/duration.js';

/** Duration text (`30s`, `15m`, `1h30m`, `7d`) in, milliseconds out. */
const duration = z.string().transform((text, ctx) => {
  const ms = parseDuration(text);
  if (ms === undefined) {
    ctx.addIssue({ code: 'custom', message: `"${text}" is not a duration: ${DURATION_HINT}` });
    return z.NEVER;
  }
  return ms;
});

/** The keys of a shape whose schema is `duration`. */
type DurationKeys<S> = { [K in keyof S]: S[K] extends typeof duration ? K : never }[keyof S] & string;
/** `{k: duration}` -> `{k_ms: number}` in the parsed config; other keys as they are. */
type WithMs<T, K extends string> = Flat<Omit<T, K> & { [P in K as `${P}_ms`]: number }>;
type Flat<T> = { [P in keyof T]: T[P] } & {};

/** A section whose duration settings come out renamed with `_ms` (found by their schema). */
function section<S extends z.ZodRawShape>(shape: S) {
  const keys = Object.keys(shape).filter((key) => shape[key] === duration);
  return z.strictObject(shape).transform((value) => {
    const out: Record<string, unknown> = { ...value };
    for (const key of keys) {
      out[`${key}_ms`] = out[key];
      delete out[key];
    }
    return out as WithMs<z.output<z.ZodObject<S, z.core.$strict>>, DurationKeys<S>>;
  });
}

const hostPort = z.strictObject({ host: z.string(), port: z.number().int() });

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;

export const configSchema = z.strictObject({
  genesis: section({
    api_url: z.url(),
    request_timeout: duration,
    rate_limit_per_s: z.number().positive(),
    rate_limit_burst: z.number().int().positive(),
    rate_limit_scope: z.enum(['account', 'process']),
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
  worker: section({
    concurrency: z.number().int().min(1).max(10_000),
    lock_duration: duration,
    stalled_interval: duration,
    shutdown_grace: duration,
  }),
  engine: section({
    poll_interval: duration,
    wait_timeout: duration,
    list_poll_threshold: z.number().int().min(1),
    history_retention: duration,
    late_answer_window: duration,
    for_each_max_items: z.number().int().min(1).max(1_000_000),
  }),
  scheduler: section({ watchdog_grace: duration }),
  janitor: section({
    enabled: z.boolean(),
    interval: duration,
    apply: z.boolean(),
    data_loss_check: duration,
    requeue_check: duration,
  }),
  holds: section({
    default_duration: duration,
    max_duration: duration,
  }),
  log: z.strictObject({ level: z.enum(LOG_LEVELS) }),
});

/** Settings as the rest of gcflow reads them: durations in milliseconds (`*_ms`). */
export type Config = z.output<typeof configSchema>;
/** Settings as written in the config file, the environment and flags (durations as text). */
export type ConfigInput = z.input<typeof configSchema>;

/** Every default, as written in config/default.yaml. */
export const DEFAULTS: ConfigInput = {
  genesis: {
    api_url: 'https://api.genesiscloud.com/compute/v1',
    request_timeout: '30s',
    rate_limit_per_s: 10,
    rate_limit_burst: 10,
    rate_limit_scope: 'account',
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
  janitor: { enabled: true, interval: '5m', apply: true, data_loss_check: '10s', requeue_check: '1m' },
  holds: { default_duration: '12h', max_duration: '30d' },
  log: { level: 'info' },
};

/** The defaults, parsed (what gcflow runs with when nothing is configured). */
export function defaultConfig(): Config {
  return configSchema.parse(DEFAULTS);
}

/** Secrets come only from the environment and are never written anywhere. */
export interface Secrets {
  /** GENESISCLOUD_TOKEN (or GENESIS_CLOUD_TOKEN). */
  apiToken: string | undefined;
  /** GCFLOW_API_TOKEN: bearer token of the daemon's HTTP API. */
  httpToken: string | undefined;
  /** GCFLOW_SECRET_<NAME> as secrets.<name>. */
  workflowSecrets: Record<string, string>;
}
