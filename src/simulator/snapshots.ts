// Snapshot operations of the simulated API: snapshot an instance, import, clone across
// regions, rename, delete. Throws ApiFailure; imports no HTTP.
import { conflict, invalid } from './errors.js';
import { enterSnapshotStatus } from './lifecycle.js';
import type { SnapshotRecord } from './model.js';
import { REGIONS } from './seed.js';
import type { SimulatorSettings } from './settings.js';
import type { Store } from './store.js';
import { asObject, int, requireFields, str } from './validate.js';

/** Instances can be snapshotted while running or stopped (assumed: others → 409). */
const SNAPSHOTTABLE = new Set(['active', 'stopped']);

function checkRegion(region: string, field: string): void {
  if (!(REGIONS as readonly string[]).includes(region)) {
    throw invalid(`unknown ${field} "${region}"; regions: ${REGIONS.join(', ')}`);
  }
}

function newSnapshot(
  store: Store,
  settings: SimulatorSettings,
  fields: Pick<SnapshotRecord, 'name' | 'size' | 'resource_id' | 'region' | 'os_type' | 'source_snapshot_id'>,
): SnapshotRecord {
  const now = store.now();
  const record: SnapshotRecord = {
    id: store.newId(),
    ...fields,
    status: 'creating',
    created_at: now,
    updated_at: now,
    pending: null,
  };
  enterSnapshotStatus(record, 'creating', now, settings);
  store.addSnapshot(record);
  return record;
}

/** POST /instances/{id}/snapshots `{name, replicated_region?}`; the replica is a second snapshot. */
export function snapshotInstance(store: Store, settings: SimulatorSettings, id: string, input: unknown) {
  const instance = store.getInstance(id);
  const body = asObject(input);
  requireFields(body, ['name']);
  const name = str(body, 'name')!;
  const replicated = str(body, 'replicated_region');
  if (replicated !== undefined) checkRegion(replicated, 'replicated_region');
  if (!SNAPSHOTTABLE.has(instance.status)) {
    throw conflict(
      `instance ${id} cannot be snapshotted while it is ${instance.status} (needs active or stopped)`,
    );
  }
  const fields = {
    name,
    size: instance.disk_size,
    resource_id: instance.id,
    os_type: instance.os_type,
    source_snapshot_id: null,
  };
  const snapshot = newSnapshot(store, settings, { ...fields, region: instance.region });
  if (replicated !== undefined && replicated !== instance.region) {
    newSnapshot(store, settings, { ...fields, region: replicated });
  }
  return snapshot;
}

/** POST /snapshots `{name, region, size, url, os_type?}`: import from a URL (nothing is fetched). */
export function importSnapshot(store: Store, settings: SimulatorSettings, input: unknown) {
  const body = asObject(input);
  requireFields(body, ['name', 'region', 'size', 'url']);
  const region = str(body, 'region')!;
  checkRegion(region, 'region');
  const size = int(body, 'size')!;
  if (size < 1) throw invalid(`size must be at least 1 GiB, got ${size}`);
  const url = str(body, 'url')!;
  if (!/^https?:\/\//.test(url)) throw invalid(`url must be an http(s) URL, got "${url}"`);
  const osType = str(body, 'os_type') ?? 'linux';
  return newSnapshot(store, settings, {
    name: str(body, 'name')!,
    size,
    resource_id: url,
    region,
    os_type: osType,
    source_snapshot_id: null,
  });
}

/** POST /snapshots/{id}/clone `{name, region}`: a new snapshot in `region`. */
export function cloneSnapshot(store: Store, settings: SimulatorSettings, id: string, input: unknown) {
  const source = store.getSnapshot(id);
  const body = asObject(input);
  requireFields(body, ['name', 'region']);
  const region = str(body, 'region')!;
  checkRegion(region, 'region');
  if (source.status !== 'created' && source.status !== 'active') {
    throw conflict(`snapshot ${id} cannot be cloned while it is ${source.status}`);
  }
  return newSnapshot(store, settings, {
    name: str(body, 'name')!,
    size: source.size,
    resource_id: source.resource_id,
    region,
    os_type: source.os_type,
    source_snapshot_id: source.id,
  });
}

export function updateSnapshot(store: Store, id: string, input: unknown): SnapshotRecord {
  const record = store.getSnapshot(id);
  const body = asObject(input);
  const name = str(body, 'name');
  if (name === '') throw invalid('name must not be empty');
  if (name !== undefined) record.name = name;
  record.updated_at = store.now();
  return record;
}

export function deleteSnapshot(store: Store, settings: SimulatorSettings, id: string): void {
  const record = store.getSnapshot(id);
  if (record.status === 'deleting') return;
  enterSnapshotStatus(record, 'deleting', store.now(), settings);
}
