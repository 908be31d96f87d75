// GET /healthz: Redis answers (200, else 503), whether the Genesis API is reachable
// (a cheap GET through the workers' client, cached ~10 s, never blocking the answer
// for long), the mode and the version. Open without a token: it names no user data.
import { readFileSync } from 'node:fs';
import type { Context } from 'hono';
import type { GenesisClient } from '../../genesis/index.js';
import { describeError } from '../../shared/errors.js';
import type { Services } from '../services.js';

export const API_PROBE_TTL_MS = 10_000;
const REDIS_TIMEOUT_MS = 2_000;
const API_TIMEOUT_MS = 5_000;

export interface ApiProbe {
  ok: boolean;
  checked_at: string;
  error?: string;
}

export interface Health {
  status: 'ok' | 'degraded' | 'unavailable';
  mode: 'production' | 'dev';
  version: string;
  redis: { ok: boolean; latency_ms?: number; error?: string };
  /** null when this process runs no workers, so it has no API client. */
  api: ApiProbe | null;
}

export interface HealthDeps {
  services: Services;
  client: GenesisClient | undefined;
  mode: 'production' | 'dev';
}

let cachedVersion: string | undefined;

/** gcflow's version from package.json (src/daemon/http and dist/daemon/http are both 3 levels down). */
export function gcflowVersion(): string {
  cachedVersion ??= readVersion();
  return cachedVersion;
}

function readVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8'));
    return typeof pkg.version === 'string' ? pkg.version : 'unknown';
  } catch {
    return 'unknown';
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

export function healthHandler(deps: HealthDeps): (c: Context) => Promise<Response> {
  const { services, client } = deps;
  // Stale-while-revalidate: after the first probe, answers never wait for the API.
  let last: ApiProbe | undefined;
  let inflight: Promise<ApiProbe> | undefined;
  let startedAt = Number.NEGATIVE_INFINITY;

  const probeApi = (): Promise<ApiProbe> | undefined => {
    if (!client) return undefined;
    const now = services.clock.now();
    if (!inflight && now - startedAt >= API_PROBE_TTL_MS) {
      startedAt = now;
      const checked_at = new Date(now).toISOString();
      inflight = client.instances
        .list({ per_page: 1 }, { signal: AbortSignal.timeout(API_TIMEOUT_MS) })
        .then(
          (): ApiProbe => ({ ok: true, checked_at }),
          (err): ApiProbe => ({
            ok: false,
            checked_at,
            error: services.redactor.scrubString(describeError(err)),
          }),
        )
        .then((result) => {
          last = result;
          inflight = undefined;
          return result;
        });
    }
    return last ? Promise.resolve(last) : inflight;
  };

  const pingRedis = async (): Promise<Health['redis']> => {
    const started = services.clock.now();
    const { outage } = services;
    // During a known outage the answer is quick (a probe shorter than a load
    // balancer's timeout); a probe that succeeds ends the outage.
    const since = outage.downSince;
    try {
      await withTimeout(services.redis.ping(), since === undefined ? REDIS_TIMEOUT_MS : 500, 'Redis PING');
      if (since !== undefined) outage.ready('healthz');
      return { ok: true, latency_ms: services.clock.now() - started };
    } catch (err) {
      const error =
        since === undefined
          ? describeError(err)
          : `Redis unreachable at ${outage.address} since ${new Date(since).toISOString()}`;
      return { ok: false, error: services.redactor.scrubString(error) };
    }
  };

  return async (c) => {
    const [redis, api] = await Promise.all([pingRedis(), probeApi() ?? Promise.resolve(null)]);
    const status = !redis.ok ? 'unavailable' : api && !api.ok ? 'degraded' : 'ok';
    const body: Health = { status, mode: deps.mode, version: gcflowVersion(), redis, api };
    c.header('Cache-Control', 'no-store');
    return c.json(body, redis.ok ? 200 : 503);
  };
}
