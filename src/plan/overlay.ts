// What a plan has "done" so far without doing it: instances and snapshots it
// created, changed or deleted, laid over the real state it reads. Pure: no I/O;
// the plan client asks it before (and merges it after) every real read.
import type {
  CloneSnapshotBody,
  CreateInstanceBody,
  CreateSnapshotBody,
  Instance,
  KnownInstanceAction,
  Snapshot,
  UpdateInstanceBody,
} from '../genesis/index.js';

/** Deleted by the plan: reads answer 404 and lists leave it out. */
export const GONE = 'gone' as const;
type Entry<T> = T | typeof GONE;

/** Where each action leads (API-NOTES.md). */
export const ACTION_TARGET: Record<KnownInstanceAction, string> = {
  start: 'active',
  stop: 'stopped',
  reset: 'active',
};

/** Where a status in transit settles when a plan assumes the wait succeeds. */
const SETTLES_TO: Record<string, string | typeof GONE> = {
  creating: 'active',
  pending_payment: 'active',
  starting: 'active',
  resetting: 'active',
  restarting: 'active',
  stopping: 'stopped',
  deleting: GONE,
};
const SETTLED = new Set(['active', 'stopped', 'error']);

/**
 * Planned resources get UUID-shaped ids, so actions that tell ids from names
 * (`isUuid`) treat them as ids; `label()` shows them as `planned-1`, `planned-snapshot-1`.
 * The `0000...4000-8` / `-9` prefixes never come from the real API (random v4 ids).
 */
const plannedId = (kind: 'instance' | 'snapshot', n: number): string =>
  `00000000-0000-4000-${kind === 'instance' ? '8' : '9'}000-${String(n).padStart(12, '0')}`;

export class PlanOverlay {
  private readonly instances = new Map<string, Entry<Instance>>();
  private readonly snapshots = new Map<string, Entry<Snapshot>>();
  private readonly labels = new Map<string, string>();
  private createdInstances = 0;
  private createdSnapshots = 0;

  /** The plan's view of an instance: a copy, GONE, or undefined when only the real API knows. */
  instance(id: string): Entry<Instance> | undefined {
    const entry = this.instances.get(id);
    return entry === undefined || entry === GONE ? entry : structuredClone(entry);
  }

  snapshot(id: string): Entry<Snapshot> | undefined {
    const entry = this.snapshots.get(id);
    return entry === undefined || entry === GONE ? entry : structuredClone(entry);
  }

  isPlanned(id: string): boolean {
    return this.labels.has(id);
  }

  /** A real list with the plan's changes applied: deleted ones out, changed ones replaced, created ones added. */
  mergeInstances(real: readonly Instance[]): Instance[] {
    return merge(real, this.instances, (i) => this.isPlanned(i.id));
  }

  /** Likewise for snapshots; `resourceId` limits the planned additions to one instance's snapshots. */
  mergeSnapshots(real: readonly Snapshot[], resourceId?: string): Snapshot[] {
    return merge(
      real,
      this.snapshots,
      (s) => this.isPlanned(s.id) && (resourceId === undefined || s.resource_id === resourceId),
    );
  }

  createInstance(body: CreateInstanceBody, status: string, now: number): Instance {
    this.createdInstances += 1;
    const id = plannedId('instance', this.createdInstances);
    this.labels.set(id, `planned-${this.createdInstances}`);
    const at = new Date(now).toISOString();
    const instance: Instance = {
      id,
      name: body.name,
      hostname: body.hostname,
      dns_name: `${body.hostname}.planned`,
      type: body.type,
      os_type: 'linux',
      region: body.region,
      placement_option: body.placement_option ?? 'AUTO',
      status,
      public_ip: null,
      private_ip: null,
      image: { id: body.image, name: body.image },
      ssh_keys: (body.ssh_keys ?? []).map((k) => ({ id: k, name: k })),
      security_groups: (body.security_groups ?? []).map((g) => ({ id: g, name: g })),
      volumes: (body.volumes ?? []).map((v) => ({ id: v, name: v })),
      is_protected: body.is_protected ?? false,
      disk_size: body.disk_size ?? 80,
      created_at: at,
      updated_at: at,
    };
    this.instances.set(id, instance);
    return structuredClone(instance);
  }

  /** The instance as the action leaves it (the plan assumes the action's wait succeeds). */
  performAction(base: Instance, action: KnownInstanceAction, now: number): Instance {
    return this.put({ ...base, status: ACTION_TARGET[action] }, now);
  }

  updateInstance(base: Instance, patch: UpdateInstanceBody, now: number): Instance {
    const next: Instance = structuredClone(base);
    if (patch.name !== undefined) next.name = patch.name;
    if (patch.is_protected !== undefined) next.is_protected = patch.is_protected;
    if (patch.disk_size !== undefined) next.disk_size = patch.disk_size;
    if (patch.security_groups !== undefined)
      next.security_groups = attach(next.security_groups, patch.security_groups);
    if (patch.volumes !== undefined) next.volumes = attach(next.volumes, patch.volumes);
    return this.put(next, now);
  }

  /** Any status on an instance (a wait the plan assumes succeeded). */
  setStatus(base: Instance, status: string, now: number): Instance {
    return this.put({ ...base, status }, now);
  }

  /** A status in transit moved to where it settles; true when it changed. */
  settle(base: Instance, now: number): boolean {
    if (SETTLED.has(base.status)) return false;
    const to = SETTLES_TO[base.status] ?? 'active';
    if (to === GONE) this.deleteInstance(base.id);
    else this.put({ ...base, status: to }, now);
    return true;
  }

  deleteInstance(id: string): void {
    this.instances.set(id, GONE);
  }

  createSnapshot(instance: Instance, body: CreateSnapshotBody, now: number): Snapshot {
    return this.addSnapshot(
      {
        name: body.name,
        size: instance.disk_size ?? 80,
        resource_id: instance.id,
        region: instance.region,
        os_type: instance.os_type,
        source_instance_id: instance.id,
        source_snapshot_id: null,
      },
      now,
    );
  }

  cloneSnapshot(source: Snapshot, body: CloneSnapshotBody, now: number): Snapshot {
    return this.addSnapshot(
      {
        name: body.name,
        size: source.size,
        resource_id: source.resource_id,
        region: body.region,
        os_type: source.os_type,
        source_instance_id: source.source_instance_id ?? null,
        source_snapshot_id: source.id,
      },
      now,
    );
  }

  /** A snapshot in transit moved to where it settles; true when it changed. */
  settleSnapshot(base: Snapshot, now: number): boolean {
    if (base.status === 'creating') {
      this.snapshots.set(base.id, { ...base, status: 'created', updated_at: new Date(now).toISOString() });
      return true;
    }
    if (base.status === 'deleting' || base.status === 'pending_delete') {
      this.deleteSnapshot(base.id);
      return true;
    }
    return false;
  }

  deleteSnapshot(id: string): void {
    this.snapshots.set(id, GONE);
  }

  /** `planned-1` for a planned instance id, else the id itself. */
  label(id: string): string {
    return this.labels.get(id) ?? id;
  }

  /** A deep copy with every planned id in every string shown by its label. */
  relabel<T>(value: T): T {
    if (this.labels.size === 0) return value;
    const pattern = new RegExp([...this.labels.keys()].join('|'), 'g');
    const walk = (v: unknown): unknown => {
      if (typeof v === 'string') return v.replace(pattern, (id) => this.labels.get(id) ?? id);
      if (Array.isArray(v)) return v.map(walk);
      if (v !== null && typeof v === 'object')
        return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
      return v;
    };
    return walk(value) as T;
  }

  private put(instance: Instance, now: number): Instance {
    const next = { ...instance, updated_at: new Date(now).toISOString() };
    this.instances.set(next.id, next);
    return structuredClone(next);
  }

  private addSnapshot(
    fields: Omit<Snapshot, 'id' | 'status' | 'created_at' | 'updated_at'>,
    now: number,
  ): Snapshot {
    this.createdSnapshots += 1;
    const id = plannedId('snapshot', this.createdSnapshots);
    this.labels.set(id, `planned-snapshot-${this.createdSnapshots}`);
    const at = new Date(now).toISOString();
    // `created` at once: the plan assumes the wait for it succeeds.
    const snapshot: Snapshot = { id, status: 'created', created_at: at, updated_at: at, ...fields };
    this.snapshots.set(id, snapshot);
    return structuredClone(snapshot);
  }
}

function merge<T extends { id: string }>(
  real: readonly T[],
  changes: Map<string, Entry<T>>,
  /** Which entries the real list lacks but the plan adds (those it created). */
  include: (added: T) => boolean,
): T[] {
  const out: T[] = [];
  const seen = new Set<string>();
  for (const item of real) {
    seen.add(item.id);
    const change = changes.get(item.id);
    if (change === GONE) continue;
    out.push(structuredClone(change ?? item));
  }
  for (const [id, change] of changes) {
    if (!seen.has(id) && change !== GONE && include(change)) out.push(structuredClone(change));
  }
  return out;
}

function attach(
  current: Instance['volumes'],
  update: NonNullable<UpdateInstanceBody['volumes']>,
): Instance['volumes'] {
  if (Array.isArray(update)) return update.map((id) => current.find((r) => r.id === id) ?? { id, name: id });
  if ('attach' in update)
    return current.some((r) => r.id === update.attach)
      ? current
      : [...current, { id: update.attach, name: update.attach }];
  return current.filter((r) => r.id !== update.detach);
}
