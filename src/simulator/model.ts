// The simulator's stored records and how each is shown on the wire (key order and
// nullability per models-2024-10.json). Pure: imports nothing that does I/O.
import { isoTime } from '../shared/clock.js';

export interface Ref {
  id: string;
  name: string;
}

/** A transition that happens on its own at `at` (ms); `status: null` means the resource is then gone. */
export interface Pending {
  status: string | null;
  at: number;
}

export type ImageType = 'base-os' | 'cloud-image' | 'preconfigured' | 'snapshot';

export interface ImageRecord {
  id: string;
  type: ImageType;
  family: string | null;
  name: string;
  os_type: string;
  slug: string | null;
  versions: string[] | null;
  regions: string[];
  /** Internal: the image only runs on GPU instance types (else 02035). */
  requires_gpu: boolean;
  created_at: number;
  updated_at: number;
}

export interface SshKeyRecord {
  id: string;
  name: string;
  value: string;
  fingerprint: string;
  type: string;
  size: number;
  created_at: number;
  updated_at: number;
}

export interface SecurityGroupRule {
  protocol: string;
  direction: string;
  port_range_min: number | null;
  port_range_max: number | null;
}

export interface SecurityGroupRecord {
  id: string;
  name: string;
  description: string;
  is_internal: boolean;
  region: string;
  status: string;
  rules: SecurityGroupRule[];
  created_at: number;
  updated_at: number;
}

export interface VolumeRecord {
  id: string;
  name: string;
  description: string;
  type: string;
  size: number;
  region: string;
  status: string;
  instance: Ref | null;
  created_at: number;
  updated_at: number;
}

export interface FloatingIpRecord {
  id: string;
  name: string;
  description: string;
  ip_address: string | null;
  is_public: boolean;
  version: string;
  region: string;
  status: string;
  instance: Ref | null;
  created_at: number;
  updated_at: number;
}

export interface InstanceRecord {
  id: string;
  name: string;
  hostname: string;
  dns_name: string;
  type: string;
  os_type: string;
  region: string;
  placement_option: string;
  image: Ref;
  floating_ip: Ref | null;
  ssh_keys: Ref[];
  security_groups: Ref[];
  volumes: Ref[];
  is_protected: boolean;
  status: string;
  public_ip: string | null;
  private_ip: string | null;
  disk_size: number;
  reservation_id: string | null;
  created_at: number;
  updated_at: number;
  /** Internal bookkeeping, never shown. */
  pending: Pending | null;
  booted: boolean;
  shutdown_script: boolean;
  /** The startup script's text, shown only in the admin state (tests play the box with it). */
  startup_script: string | null;
  destroy_on_shutdown: boolean;
}

export interface SnapshotRecord {
  id: string;
  name: string;
  size: number;
  resource_id: string;
  region: string;
  status: string;
  os_type: string;
  source_snapshot_id: string | null;
  created_at: number;
  updated_at: number;
  pending: Pending | null;
}

const refs = (list: Ref[]): Ref[] => list.map((r) => ({ id: r.id, name: r.name }));
const ref = (r: Ref | null): Ref | null => (r ? { id: r.id, name: r.name } : null);

export function instanceView(r: InstanceRecord) {
  return {
    id: r.id,
    name: r.name,
    hostname: r.hostname,
    dns_name: r.dns_name,
    type: r.type,
    os_type: r.os_type,
    region: r.region,
    placement_option: r.placement_option,
    image: { id: r.image.id, name: r.image.name },
    floating_ip: ref(r.floating_ip),
    ssh_keys: refs(r.ssh_keys),
    security_groups: refs(r.security_groups),
    volumes: refs(r.volumes),
    is_protected: r.is_protected,
    status: r.status,
    private_ip: r.private_ip,
    public_ip: r.public_ip,
    disk_size: r.disk_size,
    reservation_id: r.reservation_id,
    created_at: isoTime(r.created_at),
    updated_at: isoTime(r.updated_at),
  };
}

export function snapshotView(r: SnapshotRecord) {
  return {
    id: r.id,
    name: r.name,
    size: r.size,
    resource_id: r.resource_id,
    region: r.region,
    status: r.status,
    os_type: r.os_type,
    ...(r.source_snapshot_id ? { source_snapshot_id: r.source_snapshot_id } : {}),
    created_at: isoTime(r.created_at),
    updated_at: isoTime(r.updated_at),
  };
}

export function imageView(r: ImageRecord) {
  return {
    id: r.id,
    type: r.type,
    family: r.family,
    name: r.name,
    os_type: r.os_type,
    slug: r.slug,
    versions: r.versions ? [...r.versions] : null,
    regions: [...r.regions],
    created_at: isoTime(r.created_at),
    updated_at: isoTime(r.updated_at),
  };
}

/** A `created` snapshot listed among images (`type: snapshot`). */
export function snapshotAsImage(s: SnapshotRecord): ImageRecord {
  return {
    id: s.id,
    type: 'snapshot',
    family: null,
    name: s.name,
    os_type: s.os_type,
    slug: null,
    versions: null,
    regions: [s.region],
    requires_gpu: false,
    created_at: s.created_at,
    updated_at: s.updated_at,
  };
}

export function sshKeyView(r: SshKeyRecord) {
  return {
    id: r.id,
    name: r.name,
    value: r.value,
    fingerprint: r.fingerprint,
    type: r.type,
    size: r.size,
    created_at: isoTime(r.created_at),
    updated_at: isoTime(r.updated_at),
  };
}

export function securityGroupView(r: SecurityGroupRecord) {
  return {
    id: r.id,
    name: r.name,
    description: r.description,
    is_internal: r.is_internal,
    region: r.region,
    status: r.status,
    rules: r.rules.map((rule) => ({ ...rule })),
    created_at: isoTime(r.created_at),
    updated_at: isoTime(r.updated_at),
  };
}

export function volumeView(r: VolumeRecord) {
  return {
    id: r.id,
    name: r.name,
    description: r.description,
    type: r.type,
    size: r.size,
    region: r.region,
    instances: r.instance ? [ref(r.instance)] : [],
    status: r.status,
    created_at: isoTime(r.created_at),
    updated_at: isoTime(r.updated_at),
  };
}

export function floatingIpView(r: FloatingIpRecord) {
  return {
    id: r.id,
    name: r.name,
    description: r.description,
    ip_address: r.ip_address,
    is_public: r.is_public,
    version: r.version,
    region: r.region,
    status: r.status,
    instance: ref(r.instance),
    created_at: isoTime(r.created_at),
    updated_at: isoTime(r.updated_at),
  };
}
