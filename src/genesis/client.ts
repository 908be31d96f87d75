// The typed Genesis Cloud compute API client: operations grouped by resource, built on
// the transport (auth, timeout, rate limit, retries). Unjs style: the transport is injected.
// Imports genesis/* and shared/*; never the engine, queue or daemon.
import { callOverFetch, type HttpFetch, undiciCall } from './http.js';
import { type Clock, systemClock } from '../shared/clock.js';
import { GcflowError } from '../shared/errors.js';
import { type Logger, silentLogger } from '../shared/logger.js';
import { Redactor } from '../shared/redact.js';
import { AmbiguousCreateError, GenesisApiError, type GenesisApiErrorInit } from './errors.js';
import { type Page, type PageRequest, paginate } from './paginate.js';
import { defaultRateLimiter, type RateLimiter } from './rate-limit.js';
import { DEFAULT_BACKOFF } from './retry.js';
import { type ApiCall, buildUrl, createRequester, type RequestSpec } from './transport.js';
import type {
  Availability,
  CallOptions,
  CloneSnapshotBody,
  CreateInstanceBody,
  CreateSnapshotBody,
  Image,
  ImageType,
  Instance,
  InstanceAction,
  KnownInstanceAction,
  ListEnvelope,
  PageQuery,
  Quota,
  Region,
  SecurityGroup,
  Snapshot,
  SshKey,
  UpdateInstanceBody,
} from './types.js';

export interface GenesisClientOptions {
  /** e.g. `https://api.genesiscloud.com/compute/v1`. */
  baseUrl: string;
  token: string;
  /** Per request (one attempt); default 30 000. */
  timeoutMs?: number;
  /** Attempts per call, first included; default 5. */
  maxAttempts?: number;
  /** Total time per call across attempts and waits; default 120 000. */
  maxRetryTimeMs?: number;
  /** First backoff ceiling; default 500 ms (doubles per attempt, full jitter). */
  baseDelayMs?: number;
  /** Largest single backoff wait; default 30 000 ms. */
  maxDelayMs?: number;
  /** Default: the process-wide 10 req/s, burst 10 bucket (`defaultRateLimiter()`). */
  rateLimiter?: RateLimiter;
  clock?: Clock;
  /** A fetch-shaped function to call the API with (tests, the in-process simulator); default undici (see http.ts). */
  fetch?: HttpFetch;
  logger?: Logger;
  /** Metrics hook, called once per HTTP attempt. */
  onCall?: (call: ApiCall) => void;
  /** Jitter source in [0, 1); default Math.random. */
  random?: () => number;
}

/** Every default in one place. */
export const GENESIS_CLIENT_DEFAULTS = {
  timeoutMs: 30_000,
  maxAttempts: 5,
  maxRetryTimeMs: 120_000,
  baseDelayMs: DEFAULT_BACKOFF.baseDelayMs,
  maxDelayMs: DEFAULT_BACKOFF.maxDelayMs,
} as const;

export interface GenesisClient {
  instances: {
    list(query?: PageQuery, options?: CallOptions): Promise<ListEnvelope<'instances', Instance>>;
    listAll(options?: CallOptions): Promise<Instance[]>;
    get(id: string, options?: CallOptions): Promise<Instance>;
    create(body: CreateInstanceBody, options?: CallOptions): Promise<Instance>;
    update(id: string, patch: UpdateInstanceBody, options?: CallOptions): Promise<Instance>;
    delete(id: string, options?: CallOptions): Promise<void>;
    getActions(id: string, options?: CallOptions): Promise<InstanceAction[]>;
    performAction(id: string, action: KnownInstanceAction, options?: CallOptions): Promise<void>;
    listSnapshots(id: string, options?: CallOptions): Promise<Snapshot[]>;
    createSnapshot(id: string, body: CreateSnapshotBody, options?: CallOptions): Promise<Snapshot>;
  };
  snapshots: {
    list(query?: PageQuery, options?: CallOptions): Promise<ListEnvelope<'snapshots', Snapshot>>;
    listAll(options?: CallOptions): Promise<Snapshot[]>;
    get(id: string, options?: CallOptions): Promise<Snapshot>;
    delete(id: string, options?: CallOptions): Promise<void>;
    clone(id: string, body: CloneSnapshotBody, options?: CallOptions): Promise<Snapshot>;
  };
  images: { list(filter?: { type?: ImageType }, options?: CallOptions): Promise<Image[]> };
  sshKeys: {
    list(options?: CallOptions): Promise<SshKey[]>;
    /** SSH-key bodies are not wrapped in an envelope. */
    get(id: string, options?: CallOptions): Promise<SshKey>;
  };
  securityGroups: {
    list(options?: CallOptions): Promise<SecurityGroup[]>;
    get(id: string, options?: CallOptions): Promise<SecurityGroup>;
  };
  availability: { get(region: Region, options?: CallOptions): Promise<Availability> };
  quotas: { get(options?: CallOptions): Promise<Quota[]> };
  /** Any route, with the same auth, limits and retries; returns the parsed body (undefined when empty). */
  request<T>(spec: RequestSpec, options?: CallOptions): Promise<T>;
  /** Every item of any list route, walking `per_page=100` pages; `key` names the array. */
  listAll<T>(spec: Omit<RequestSpec, 'method'>, key: string, options?: CallOptions): Promise<T[]>;
}

export function createGenesisClient(options: GenesisClientOptions): GenesisClient {
  if (!options.token) {
    throw new GcflowError('E_NO_API_TOKEN', 'no Genesis Cloud API token given', {
      hint: 'Set GENESISCLOUD_TOKEN (or GENESIS_CLOUD_TOKEN).',
    });
  }
  if (!/^https?:\/\/[^/]/.test(options.baseUrl)) {
    throw new GcflowError('E_API_BASE_URL', `invalid Genesis Cloud API URL "${options.baseUrl}"`, {
      hint: 'Set GENESISCLOUD_API_URL to an http(s) URL such as https://api.genesiscloud.com/compute/v1.',
    });
  }
  const base = options.baseUrl.replace(/\/+$/, '');
  const redactor = new Redactor([options.token]);
  const request = createRequester({
    baseUrl: base,
    token: options.token,
    timeoutMs: options.timeoutMs ?? GENESIS_CLIENT_DEFAULTS.timeoutMs,
    maxAttempts: options.maxAttempts ?? GENESIS_CLIENT_DEFAULTS.maxAttempts,
    maxRetryTimeMs: options.maxRetryTimeMs ?? GENESIS_CLIENT_DEFAULTS.maxRetryTimeMs,
    backoff: {
      baseDelayMs: options.baseDelayMs ?? GENESIS_CLIENT_DEFAULTS.baseDelayMs,
      maxDelayMs: options.maxDelayMs ?? GENESIS_CLIENT_DEFAULTS.maxDelayMs,
    },
    rateLimiter: options.rateLimiter ?? defaultRateLimiter(),
    clock: options.clock ?? systemClock,
    call: options.fetch ? callOverFetch(options.fetch) : undiciCall,
    logger: options.logger ?? silentLogger(),
    redactor,
    onCall: options.onCall,
    random: options.random ?? Math.random,
  });

  /** The request, then the body's `key` member (an object or array), or an invalid-response error. */
  async function call<T>(spec: RequestSpec, key: string | undefined, callOptions?: CallOptions): Promise<T> {
    const body = await request<unknown>(spec, callOptions);
    const value = key === undefined ? body : (body as Record<string, unknown> | undefined)?.[key];
    if (value !== null && typeof value === 'object') return value as T;
    const init: GenesisApiErrorInit = {
      method: spec.method,
      path: new URL(buildUrl(base, spec)).pathname,
      route: spec.route,
      kind: 'invalid_response',
      detail: key === undefined ? 'expected a JSON object' : `expected a JSON body with "${key}"`,
    };
    // A POST that succeeded but did not say what it created is as ambiguous as a timeout.
    if (spec.method === 'POST' && spec.write !== 'action') throw new AmbiguousCreateError(init, redactor);
    throw new GenesisApiError(init, redactor);
  }

  function listPage<Key extends string, T>(
    spec: Omit<RequestSpec, 'method'>,
    key: Key,
    query: PageQuery | undefined,
    callOptions?: CallOptions,
  ): Promise<ListEnvelope<Key, T>> {
    return call<ListEnvelope<Key, T>>(
      { ...spec, method: 'GET', query: { ...spec.query, page: query?.page, per_page: query?.per_page } },
      undefined,
      callOptions,
    ).then((envelope) => {
      if (!Array.isArray(envelope[key])) {
        throw new GenesisApiError(
          {
            method: 'GET',
            path: new URL(buildUrl(base, spec)).pathname,
            route: spec.route,
            kind: 'invalid_response',
            detail: `expected a list body with "${key}"`,
          },
          redactor,
        );
      }
      return envelope;
    });
  }

  function listAll<T>(
    spec: Omit<RequestSpec, 'method'>,
    key: string,
    callOptions?: CallOptions,
  ): Promise<T[]> {
    const fetchPage = async (page: PageRequest): Promise<Page<T>> => {
      const envelope = await listPage<string, T>(spec, key, page, callOptions);
      return { items: envelope[key] ?? [], total_count: envelope.total_count };
    };
    // No signal here: each page request checks it and throws GenesisAbortedError itself.
    return paginate(fetchPage);
  }

  const byId = (id: string) => ({ id });

  return {
    instances: {
      list: (query, o) => listPage<'instances', Instance>({ route: '/instances' }, 'instances', query, o),
      listAll: (o) => listAll<Instance>({ route: '/instances' }, 'instances', o),
      get: (id, o) => call({ method: 'GET', route: '/instances/{id}', params: byId(id) }, 'instance', o),
      create: (body, o) =>
        call({ method: 'POST', route: '/instances', body, write: 'create' }, 'instance', o),
      update: (id, patch, o) =>
        call({ method: 'PATCH', route: '/instances/{id}', params: byId(id), body: patch }, 'instance', o),
      delete: async (id, o) => {
        await request({ method: 'DELETE', route: '/instances/{id}', params: byId(id) }, o);
      },
      getActions: async (id, o) => {
        const spec: RequestSpec = { method: 'GET', route: '/instances/{id}/actions', params: byId(id) };
        return call<InstanceAction[]>(spec, 'actions', o);
      },
      performAction: async (id, action, o) => {
        const spec: RequestSpec = {
          method: 'POST',
          route: '/instances/{id}/actions',
          params: byId(id),
          body: { action },
          write: 'action',
        };
        await request(spec, o);
      },
      listSnapshots: (id, o) =>
        listAll<Snapshot>({ route: '/instances/{id}/snapshots', params: byId(id) }, 'snapshots', o),
      createSnapshot: (id, body, o) =>
        call(
          { method: 'POST', route: '/instances/{id}/snapshots', params: byId(id), body, write: 'create' },
          'snapshot',
          o,
        ),
    },
    snapshots: {
      list: (query, o) => listPage<'snapshots', Snapshot>({ route: '/snapshots' }, 'snapshots', query, o),
      listAll: (o) => listAll<Snapshot>({ route: '/snapshots' }, 'snapshots', o),
      get: (id, o) => call({ method: 'GET', route: '/snapshots/{id}', params: byId(id) }, 'snapshot', o),
      delete: async (id, o) => {
        await request({ method: 'DELETE', route: '/snapshots/{id}', params: byId(id) }, o);
      },
      clone: (id, body, o) =>
        call(
          { method: 'POST', route: '/snapshots/{id}/clone', params: byId(id), body, write: 'create' },
          'snapshot',
          o,
        ),
    },
    images: {
      list: (filter, o) => listAll<Image>({ route: '/images', query: { type: filter?.type } }, 'images', o),
    },
    sshKeys: {
      list: (o) => listAll<SshKey>({ route: '/ssh-keys' }, 'ssh_keys', o),
      get: (id, o) => call({ method: 'GET', route: '/ssh-keys/{id}', params: byId(id) }, undefined, o),
    },
    securityGroups: {
      list: (o) => listAll<SecurityGroup>({ route: '/security-groups' }, 'security_groups', o),
      get: (id, o) =>
        call({ method: 'GET', route: '/security-groups/{id}', params: byId(id) }, 'security_group', o),
    },
    availability: {
      get: (region, o) =>
        call(
          { method: 'GET', route: '/availability/{region}/instances', params: { region } },
          'availability',
          o,
        ),
    },
    quotas: {
      get: (o) => call<Quota[]>({ method: 'GET', route: '/quotas' }, 'quotas', o),
    },
    request,
    listAll,
  };
}
