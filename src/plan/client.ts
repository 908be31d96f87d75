// The GenesisClient a plan's actions talk to: every read goes to the real API
// (counted) and is seen through the overlay; every write is recorded, simulated
// in the overlay, and never sent. Imports the genesis client's types, not the engine.
import {
  GenesisApiError,
  type GenesisClient,
  type Instance,
  type InstanceAction,
  type ListEnvelope,
  pageOf,
  paginate,
  type RequestSpec,
  type Snapshot,
} from '../genesis/index.js';
import type { CallOptions } from '../genesis/types.js';
import { ExitCode, GcflowError } from '../shared/errors.js';
import { GONE, type PlanOverlay } from './overlay.js';
import type { PlannedCall } from './types.js';

export interface PlanClientOptions {
  real: GenesisClient;
  overlay: PlanOverlay;
  now: () => number;
  /** Receives every write instead of the API. */
  record: (call: Omit<PlannedCall, 'step' | 'index'>) => void;
  /** The status a created instance gets: where the creating step's wait leads. */
  createdStatus: () => string;
}

export interface PlanClient extends GenesisClient {
  /** Real GET requests made so far (one per list page). */
  readonly reads: number;
  /** Set when the API cannot be used at all (unreachable, token refused): the plan stops. */
  readonly fatal: GcflowError | undefined;
  /** The instances and snapshots fetched one by one since the last call (to settle what is in transit after a wait). */
  takeSeen(): { instances: Instance[]; snapshots: Snapshot[] };
}

const ALLOWED: Record<string, InstanceAction[]> = {
  active: ['reset', 'stop'],
  stopped: ['start'],
  error: ['stop'],
  starting: ['stop'],
};

export function createPlanClient(options: PlanClientOptions): PlanClient {
  const { real, overlay, now, record } = options;
  let reads = 0;
  let fatal: GcflowError | undefined;
  /** Instances read in the current task, by id (listed or fetched): bases for simulated writes. */
  const known = new Map<string, Instance>();
  /** Instances and snapshots fetched one by one: what a task that waits is waiting on. */
  const seen = new Map<string, Instance>();
  const seenSnapshots = new Map<string, Snapshot>();

  async function read<T>(fn: () => Promise<T>): Promise<T> {
    reads += 1;
    try {
      return await fn();
    } catch (err) {
      fatal ??= fatalError(err);
      throw err;
    }
  }

  function pages<T>(
    route: string,
    key: string,
    params?: Record<string, string>,
    o?: CallOptions,
    query: RequestSpec['query'] = {},
  ): Promise<T[]> {
    return paginate(async ({ page, per_page }) => {
      const body = await read(() =>
        real.request<Record<string, unknown>>(
          { method: 'GET', route, ...(params ? { params } : {}), query: { ...query, page, per_page } },
          o,
        ),
      );
      return pageOf<T>(body ?? {}, key);
    });
  }

  const see = (instance: Instance): Instance => {
    seen.set(instance.id, instance);
    known.set(instance.id, instance);
    return instance;
  };
  const seeAll = (instances: Instance[]): Instance[] => {
    for (const i of instances) known.set(i.id, i);
    return instances;
  };

  async function getInstance(id: string, o?: CallOptions): Promise<Instance> {
    const mine = overlay.instance(id);
    if (mine === GONE || (mine === undefined && overlay.isPlanned(id)))
      throw notFound('GET', '/instances/{id}', `/instances/${id}`);
    if (mine) return see(mine);
    return see(await read(() => real.instances.get(id, o)));
  }

  /** The instance as last seen, without another read when this task already read it. */
  const current = async (id: string, o?: CallOptions): Promise<Instance> => {
    const mine = overlay.instance(id);
    if (mine !== undefined && mine !== GONE) return mine;
    return known.get(id) ?? getInstance(id, o);
  };

  const listInstances = async (o?: CallOptions): Promise<Instance[]> =>
    seeAll(overlay.mergeInstances(await pages<Instance>('/instances', 'instances', undefined, o)));

  async function getSnapshot(id: string, o?: CallOptions): Promise<Snapshot> {
    const mine = overlay.snapshot(id);
    if (mine === GONE || (mine === undefined && overlay.isPlanned(id)))
      throw notFound('GET', '/snapshots/{id}', `/snapshots/${id}`);
    const snapshot = mine ?? (await read(() => real.snapshots.get(id, o)));
    seenSnapshots.set(id, snapshot);
    return snapshot;
  }

  const listSnapshots = async (o?: CallOptions): Promise<Snapshot[]> =>
    overlay.mergeSnapshots(await pages<Snapshot>('/snapshots', 'snapshots', undefined, o));

  const page = <K extends string, T>(key: K, all: T[], q?: { page?: number; per_page?: number }) => {
    const per = q?.per_page ?? 50;
    const n = q?.page ?? 1;
    return {
      [key]: all.slice((n - 1) * per, n * per),
      total_count: all.length,
      page: n,
      per_page: per,
    } as ListEnvelope<K, T>;
  };

  const client: PlanClient = {
    get reads() {
      return reads;
    },
    get fatal() {
      return fatal;
    },
    takeSeen() {
      const out = { instances: [...seen.values()], snapshots: [...seenSnapshots.values()] };
      seen.clear();
      seenSnapshots.clear();
      known.clear();
      return out;
    },
    instances: {
      list: async (q, o) => page('instances', await listInstances(o), q),
      listAll: listInstances,
      get: getInstance,
      create: async (body) => {
        record({ method: 'POST', path: '/instances', body });
        return see(overlay.createInstance(body, options.createdStatus(), now()));
      },
      update: async (id, patch, o) => {
        const base = await current(id, o);
        record({ method: 'PATCH', path: `/instances/${id}`, body: patch });
        return see(overlay.updateInstance(base, patch, now()));
      },
      delete: async (id, o) => {
        const mine = overlay.instance(id);
        if (mine === GONE) throw notFound('DELETE', '/instances/{id}', `/instances/${id}`);
        if (mine === undefined && !known.has(id)) await getInstance(id, o);
        record({ method: 'DELETE', path: `/instances/${id}` });
        overlay.deleteInstance(id);
      },
      getActions: async (id, o) => {
        const mine = overlay.instance(id);
        if (mine !== undefined && mine !== GONE) return ALLOWED[mine.status] ?? [];
        if (mine === GONE) throw notFound('GET', '/instances/{id}/actions', `/instances/${id}/actions`);
        return read(() => real.instances.getActions(id, o));
      },
      performAction: async (id, action, o) => {
        const base = await current(id, o);
        record({ method: 'POST', path: `/instances/${id}/actions`, body: { action } });
        see(overlay.performAction(base, action, now()));
      },
      listSnapshots: async (id, o) => {
        const found = overlay.isPlanned(id)
          ? []
          : await pages<Snapshot>('/instances/{id}/snapshots', 'snapshots', { id }, o);
        return overlay.mergeSnapshots(found, id);
      },
      createSnapshot: async (id, body, o) => {
        const base = await current(id, o);
        record({ method: 'POST', path: `/instances/${id}/snapshots`, body });
        return overlay.createSnapshot(base, body, now());
      },
    },
    snapshots: {
      list: async (q, o) => page('snapshots', await listSnapshots(o), q),
      listAll: listSnapshots,
      get: getSnapshot,
      delete: async (id) => {
        if (overlay.snapshot(id) === GONE) throw notFound('DELETE', '/snapshots/{id}', `/snapshots/${id}`);
        record({ method: 'DELETE', path: `/snapshots/${id}` });
        overlay.deleteSnapshot(id);
      },
      clone: async (id, body, o) => {
        const source = await getSnapshot(id, o);
        record({ method: 'POST', path: `/snapshots/${id}/clone`, body });
        return overlay.cloneSnapshot(source, body, now());
      },
    },
    images: {
      list: (filter, o) => pages('/images', 'images', undefined, o, { type: filter?.type }),
    },
    sshKeys: {
      list: (o) => pages('/ssh-keys', 'ssh_keys', undefined, o),
      get: (id, o) => read(() => real.sshKeys.get(id, o)),
    },
    securityGroups: {
      list: (o) => pages('/security-groups', 'security_groups', undefined, o),
      get: (id, o) => read(() => real.securityGroups.get(id, o)),
    },
    availability: { get: (region, o) => read(() => real.availability.get(region, o)) },
    quotas: { get: (o) => read(() => real.quotas.get(o)) },
    request: async <T>(spec: RequestSpec, o?: CallOptions): Promise<T> => {
      if (spec.method === 'GET') return read(() => real.request<T>(spec, o));
      const path = spec.route.replace(/\{(\w+)\}/g, (_, name: string) => spec.params?.[name] ?? `{${name}}`);
      record({ method: spec.method as PlannedCall['method'], path, body: spec.body });
      return undefined as T;
    },
    listAll: <T>(spec: Omit<RequestSpec, 'method'>, key: string, o?: CallOptions) =>
      pages<T>(spec.route, key, spec.params, o, spec.query),
  };
  return client;
}

function notFound(method: string, route: string, path: string): GenesisApiError {
  return new GenesisApiError({
    method,
    path,
    route,
    kind: 'http',
    status: 404,
    statusText: 'Not Found',
    detail: 'deleted earlier in this plan',
  });
}

/** Failures no step can get past: the plan stops with them instead of blaming a step. */
function fatalError(err: unknown): GcflowError | undefined {
  if (!(err instanceof GenesisApiError)) return undefined;
  if (err.kind === 'refused' || err.kind === 'timeout' || err.kind === 'dropped') {
    return new GcflowError('E_API_UNREACHABLE', `cannot reach the Genesis Cloud API: ${err.message}`, {
      hint: 'check GENESISCLOUD_API_URL and the network; nothing was changed',
      cause: err,
      exitCode: ExitCode.unreachable,
    });
  }
  if (err.status === 401 || err.status === 403) {
    return new GcflowError('E_API_AUTH', `the Genesis Cloud API refused the token: ${err.message}`, {
      hint: 'check GENESISCLOUD_TOKEN (an API token from the Genesis Cloud console)',
      cause: err,
      exitCode: ExitCode.usage,
    });
  }
  return undefined;
}
