// Instance operations of the simulated API: create (with every validation the Instances
// page lists), update, delete, actions. Throws ApiFailure; imports no HTTP.
import { ApiFailure, ErrorCode, invalid } from './errors.js';
import {
  ACTION_STATUS,
  allowedActions,
  enterInstanceStatus,
  INSTANCE_ACTIONS,
  type InstanceAction,
  scriptShutsDown,
} from './lifecycle.js';
import type { InstanceRecord, Ref } from './model.js';
import {
  attachableFloatingIp,
  attachableVolume,
  attachVolume,
  detachVolume,
  resolveImage,
  resolveSecurityGroup,
  resolveSecurityGroups,
  resolveSshKeys,
} from './references.js';
import { isInstanceType, REGIONS } from './seed.js';
import type { SimulatorSettings } from './settings.js';
import type { Store } from './store.js';
import { asObject, bool, int, listUpdate, requireFields, str, stringList } from './validate.js';

export const MIN_DISK_GIB = 80;
export const MAX_STARTUP_SCRIPT_BYTES = 64 * 1024;
const HOSTNAME = /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/i;

interface Metadata {
  startup_script: string | undefined;
}

function readMetadata(value: unknown): Metadata {
  if (value === undefined || value === null) return { startup_script: undefined };
  const metadata = asObject(value, 'metadata');
  const script = str(metadata, 'startup_script');
  if (script !== undefined && Buffer.byteLength(script, 'utf8') > MAX_STARTUP_SCRIPT_BYTES) {
    const size = Buffer.byteLength(script, 'utf8');
    throw invalid(
      `metadata.startup_script is ${size} bytes; the limit is 64 KiB (${MAX_STARTUP_SCRIPT_BYTES} bytes)`,
    );
  }
  const userData = metadata['user_data'];
  if (userData !== undefined && userData !== null) {
    const parts = Array.isArray(userData) ? userData : [undefined];
    for (const part of parts) {
      const p = asObject(part, 'each metadata.user_data entry');
      if (typeof p['type'] !== 'string' || typeof p['content'] !== 'string') {
        throw invalid('each metadata.user_data entry needs string "type" and "content"');
      }
    }
  }
  return { startup_script: script };
}

/** The capacity check: 409 (assumed) with a message naming type, region and "capacity". */
function checkCapacity(store: Store, settings: SimulatorSettings, region: string, type: string): void {
  const limit = settings.capacity[`${region}/${type}`];
  if (limit === undefined) return;
  const used = store.listInstances().filter((i) => i.region === region && i.type === type).length;
  if (used >= limit) {
    throw new ApiFailure(
      409,
      ErrorCode.noCapacity,
      `no capacity for instance type ${type} in region ${region} (capacity ${limit}, in use ${used})`,
    );
  }
}

export function createInstance(store: Store, settings: SimulatorSettings, input: unknown): InstanceRecord {
  const body = asObject(input);
  requireFields(body, ['name', 'hostname', 'type', 'region', 'image']);
  const name = str(body, 'name')!;
  const hostname = str(body, 'hostname')!;
  const type = str(body, 'type')!;
  const region = str(body, 'region')!;
  const image = str(body, 'image')!;
  const sshKeyIds = stringList(body, 'ssh_keys');
  const password = str(body, 'password');
  const hasKeys = sshKeyIds !== undefined && sshKeyIds.length > 0;
  if (hasKeys && password !== undefined) throw invalid('only one of ssh_keys or password can be provided');
  if (!hasKeys && password === undefined) throw invalid('one of ssh_keys or password is required');
  if (password !== undefined && password.length < 16) {
    throw invalid('password must be at least 16 characters long');
  }
  const diskSize = int(body, 'disk_size') ?? MIN_DISK_GIB;
  if (diskSize < MIN_DISK_GIB)
    throw invalid(`disk_size must be at least ${MIN_DISK_GIB} GiB, got ${diskSize}`);
  const metadata = readMetadata(body['metadata']);
  const destroyOnShutdown = bool(body, 'destroy_on_shutdown') ?? false;
  const isProtected = bool(body, 'is_protected') ?? false;
  const placement = str(body, 'placement_option') ?? 'AUTO';
  const floatingIpId = str(body, 'floating_ip');
  const volumeIds = stringList(body, 'volumes') ?? [];
  const groupIds = stringList(body, 'security_groups');
  const reservationId = str(body, 'reservation_id') ?? null;
  bool(body, 'public_ipv6');
  str(body, 'billing_type');

  if (!HOSTNAME.test(hostname)) throw invalid(`hostname "${hostname}" is not a valid host name (RFC 1123)`);
  if (!(REGIONS as readonly string[]).includes(region)) {
    throw invalid(`unknown region "${region}"; regions: ${REGIONS.join(', ')}`);
  }
  if (!isInstanceType(type)) throw invalid(`unknown instance type "${type}"`);
  const resolved = resolveImage(store, image, region, type);
  const sshKeys = resolveSshKeys(store, sshKeyIds ?? []);
  const securityGroups = resolveSecurityGroups(store, groupIds, region);
  const volumes = [...new Set(volumeIds)].map((id) => attachableVolume(store, id, region, null));
  const floatingIp = floatingIpId === undefined ? null : attachableFloatingIp(store, floatingIpId, region);
  checkCapacity(store, settings, region, type);

  const now = store.now();
  const id = store.newId();
  const record: InstanceRecord = {
    id,
    name,
    hostname,
    dns_name: `${hostname.split('.')[0]}-${id.slice(0, 8)}.${region.toLowerCase()}.compute.genesiscloud.host`,
    type,
    os_type: resolved.os_type,
    region,
    placement_option: placement,
    image: resolved.ref,
    floating_ip: floatingIp,
    ssh_keys: sshKeys,
    security_groups: securityGroups,
    volumes,
    is_protected: isProtected,
    status: 'creating',
    public_ip: null,
    private_ip: null,
    disk_size: diskSize,
    reservation_id: reservationId,
    created_at: now,
    updated_at: now,
    pending: null,
    booted: false,
    shutdown_script: scriptShutsDown(metadata.startup_script),
    startup_script: metadata.startup_script ?? null,
    destroy_on_shutdown: destroyOnShutdown,
  };
  for (const volume of volumes) attachVolume(store, record, volume);
  const ip = floatingIp ? store.floatingIps.get(floatingIp.id) : undefined;
  if (ip) ip.instance = { id, name };
  enterInstanceStatus(record, 'creating', now, settings, store.hooks);
  store.addInstance(record);
  return record;
}

function updateRefs(
  current: Ref[],
  update: ReturnType<typeof listUpdate>,
  resolve: (id: string) => Ref,
): Ref[] | undefined {
  if (update === undefined) return undefined;
  if ('list' in update) return [...new Set(update.list)].map(resolve);
  if ('attach' in update) {
    const ref = resolve(update.attach);
    return current.some((r) => r.id === ref.id) ? current : [...current, ref];
  }
  resolve(update.detach);
  return current.filter((r) => r.id !== update.detach);
}

export function updateInstance(store: Store, id: string, input: unknown): InstanceRecord {
  const record = store.getInstance(id);
  const body = asObject(input);
  const name = str(body, 'name');
  if (name === '') throw invalid('name must not be empty');
  const isProtected = bool(body, 'is_protected');
  const diskSize = int(body, 'disk_size');
  if (diskSize !== undefined && diskSize < record.disk_size) {
    throw invalid(
      `disk_size can only be increased: the instance has ${record.disk_size} GiB, got ${diskSize}`,
    );
  }
  const groups = updateRefs(record.security_groups, listUpdate(body, 'security_groups'), (gid) =>
    resolveSecurityGroup(store, gid, record.region),
  );
  const volumes = updateRefs(record.volumes, listUpdate(body, 'volumes'), (vid) => {
    const volume = store.volumes.get(vid);
    if (volume?.instance?.id === record.id) return { id: volume.id, name: volume.name };
    return attachableVolume(store, vid, record.region, record.id);
  });

  if (name !== undefined) record.name = name;
  if (isProtected !== undefined) record.is_protected = isProtected;
  if (diskSize !== undefined) record.disk_size = diskSize;
  if (groups) record.security_groups = groups;
  if (volumes) {
    for (const old of record.volumes) {
      if (!volumes.some((v) => v.id === old.id)) detachVolume(store, record, old.id);
    }
    for (const ref of volumes) attachVolume(store, record, ref);
    record.volumes = volumes;
  }
  record.updated_at = store.now();
  return record;
}

export function deleteInstance(store: Store, settings: SimulatorSettings, id: string): void {
  const record = store.getInstance(id);
  if (record.is_protected) {
    throw new ApiFailure(
      409,
      ErrorCode.protectedInstance,
      `instance ${id} is protected: PATCH is_protected to false before destroying it`,
    );
  }
  if (record.status === 'deleting') return;
  enterInstanceStatus(record, 'deleting', store.now(), settings, store.hooks);
}

export function performAction(store: Store, settings: SimulatorSettings, id: string, input: unknown): void {
  const record = store.getInstance(id);
  const body = asObject(input);
  requireFields(body, ['action']);
  const action = str(body, 'action') as InstanceAction;
  if (!INSTANCE_ACTIONS.includes(action)) {
    throw invalid(`unknown action "${action}"; possible values: ${INSTANCE_ACTIONS.join(', ')}`);
  }
  const allowed = allowedActions(record.status);
  if (!allowed.includes(action)) {
    throw new ApiFailure(
      409,
      ErrorCode.actionNotAllowed,
      `action ${action} is not available for instance ${id} in status ${record.status}` +
        ` (available now: ${allowed.length > 0 ? allowed.join(', ') : 'none'})`,
    );
  }
  enterInstanceStatus(record, ACTION_STATUS[action], store.now(), settings, store.hooks);
}
