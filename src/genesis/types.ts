// The Genesis Cloud compute API's resource and request shapes, as the Oct-2024 model
// schemas and the 2025 Go client describe them. Types only: imports only the types of
// the value lists in statuses.ts, runs nothing.
//
// Open strings: statuses, regions and instance types change over time, so every enum is
// `Known... | (string & {})`: editors still complete the known values, unknown ones type-check.

import type {
  INSTANCE_ACTIONS,
  INSTANCE_STATUSES,
  LEGACY_INSTANCE_STATUSES,
  SNAPSHOT_STATUSES,
} from './statuses.js';

/** An enum that also accepts values the API adds later. */
export type Open<Known extends string> = Known | (string & {});

/** ISO-8601 with milliseconds and `Z`, e.g. `2020-03-23T10:09:29.152Z`. */
export type Timestamp = string;
/** e.g. `NORD-NO-KRS-1`, `EUC-DE-MUC-1` (regions come and go). */
export type Region = string;
/** e.g. `vcpu-8_memory-48g_nvidia-rtx-3090-2`. */
export type InstanceType = string;
export type OsType = Open<'linux' | 'windows'>;

/** Legacy accounts also show the legacy ones: treat them as transient. */
export type KnownInstanceStatus =
  | (typeof INSTANCE_STATUSES)[number]
  | (typeof LEGACY_INSTANCE_STATUSES)[number];
export type InstanceStatus = Open<KnownInstanceStatus>;

export type KnownInstanceAction = (typeof INSTANCE_ACTIONS)[number];
export type InstanceAction = Open<KnownInstanceAction>;

export type KnownSnapshotStatus = (typeof SNAPSHOT_STATUSES)[number];
export type SnapshotStatus = Open<KnownSnapshotStatus>;

export type KnownImageType = 'base-os' | 'cloud-image' | 'preconfigured' | 'snapshot';
export type ImageType = Open<KnownImageType>;

export type KnownSecurityGroupStatus = 'creating' | 'created' | 'deleting' | 'updating' | 'error';
export type SecurityGroupStatus = Open<KnownSecurityGroupStatus>;

export type KnownBillingType =
  | 'on-demand'
  | 'prepaid-monthly'
  | 'prepaid-3-month'
  | 'prepaid-6-month'
  | 'prepaid-12-month'
  | 'reserved';
export type BillingType = Open<KnownBillingType>;

/** `{id, name}` references embedded in an instance. */
export interface ResourceRef {
  id: string;
  name: string;
}

export interface Instance {
  id: string;
  name: string;
  hostname: string;
  dns_name: string;
  type: InstanceType;
  os_type: OsType;
  region: Region;
  placement_option: string;
  status: InstanceStatus;
  /** Null right after create; assigned later. */
  public_ip: string | null;
  private_ip: string | null;
  image: ResourceRef;
  floating_ip?: ResourceRef | null;
  ssh_keys: ResourceRef[];
  security_groups: ResourceRef[];
  volumes: ResourceRef[];
  /** Shown on the Instances page; not in the model schema's required list. */
  is_protected?: boolean;
  /** GiB; optional in the model schema. */
  disk_size?: number;
  reservation_id?: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface Snapshot {
  id: string;
  name: string;
  /** GiB. */
  size: number;
  /** The snapshotted resource (instance) id. */
  resource_id: string;
  region: Region;
  status: SnapshotStatus;
  os_type: OsType;
  source_instance_id?: string | null;
  source_snapshot_id?: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface Image {
  id: string;
  type: ImageType;
  family: string | null;
  name: string;
  os_type: OsType;
  slug: string | null;
  /** Versions of a cloud image; null or empty otherwise. */
  versions: string[] | null;
  regions: Region[];
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface SshKey {
  id: string;
  name: string;
  value: string;
  fingerprint: string;
  type: string;
  size: number;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface SecurityGroupRule {
  protocol: Open<'tcp' | 'udp' | 'icmp' | 'all'>;
  direction: Open<'ingress' | 'egress'>;
  port_range_min?: number | null;
  port_range_max?: number | null;
}

export interface SecurityGroup {
  id: string;
  name: string;
  description: string;
  is_internal: boolean;
  region: Region;
  status: SecurityGroupStatus;
  rules: SecurityGroupRule[];
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface InstanceTypeAvailability {
  type: InstanceType;
  available: boolean;
  count?: number;
}

/** `GET /availability/{region}/instances`, unwrapped from `{availability: ...}`. */
export interface Availability {
  /** e.g. `instances`. */
  type: string;
  region: Region;
  placement?: string;
  instance_types: InstanceTypeAvailability[];
}

export interface QuotaFlavor {
  flavor_name: string;
  product_name: string;
  per: string;
  used: number;
}

/** One entry of `GET /quotas` (`{quotas: Quota[]}`). */
export interface Quota {
  key: string;
  capacity: number;
  used: number;
  flavors?: QuotaFlavor[];
}

export interface UserDataPart {
  type: string;
  filename?: string;
  content: string;
}

/** POST /instances. Exactly one of `ssh_keys` or `password` (≥ 16 characters). */
export interface CreateInstanceBody {
  name: string;
  hostname: string;
  type: InstanceType;
  region: Region;
  /** Image id, slug, `slug:version` or snapshot id. */
  image: string;
  ssh_keys?: string[];
  password?: string;
  placement_option?: string;
  floating_ip?: string;
  volumes?: string[];
  /** Omitted: the "standard" group; `[]`: none. */
  security_groups?: string[];
  is_protected?: boolean;
  /** GiB, minimum and default 80. */
  disk_size?: number;
  metadata?: { startup_script?: string; user_data?: UserDataPart[] };
  destroy_on_shutdown?: boolean;
  billing_type?: BillingType;
  reservation_id?: string;
  reuse_long_term_subscription?: string;
  public_ipv6?: boolean;
}

/** A full list of ids, or one id to attach or detach. */
export type AttachmentUpdate = string[] | { attach: string } | { detach: string };

/** PATCH /instances/{id}: only the keys to change. `disk_size` only grows. */
export interface UpdateInstanceBody {
  name?: string;
  is_protected?: boolean;
  disk_size?: number;
  security_groups?: AttachmentUpdate;
  volumes?: AttachmentUpdate;
  reservation_id?: string;
}

export interface CreateSnapshotBody {
  name: string;
  replicated_region?: Region;
}

export interface CloneSnapshotBody {
  name: string;
  region: Region;
}

/** One page of a list route, e.g. `{instances: [...], total_count, page, per_page}`. */
export type ListEnvelope<Key extends string, T> = { [K in Key]: T[] } & {
  total_count: number;
  page: number;
  per_page: number;
};

export interface PageQuery {
  /** From 1; default 1. */
  page?: number;
  /** 1..100; default 50. */
  per_page?: number;
}

/** The optional last argument of every operation. */
export interface CallOptions {
  signal?: AbortSignal;
}
