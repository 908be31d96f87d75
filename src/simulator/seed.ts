// The data a fresh (or reset) simulator starts with: regions, instance types, images,
// SSH keys, security groups, volumes, floating IPs. Pure. Ids are fixed so they survive
// a reset; those the Instances page uses in its examples are seeded with the same ids,
// so the page's example request bodies work verbatim.
import { createHash } from 'node:crypto';
import type {
  FloatingIpRecord,
  ImageRecord,
  SecurityGroupRecord,
  SecurityGroupRule,
  SshKeyRecord,
  VolumeRecord,
} from './model.js';

export const REGIONS = ['NORD-NO-KRS-1', 'EUC-DE-MUC-1', 'ARC-IS-HAF-1'] as const;

/** Instance types offered per region (open strings: more may be created, see `isInstanceType`). */
export const INSTANCE_TYPES: Record<string, readonly string[]> = {
  'NORD-NO-KRS-1': [
    'vcpu-2_memory-4g',
    'vcpu-4_memory-8g',
    'vcpu-8_memory-16g',
    'vcpu-4_memory-12g_nvidia-rtx-3080-1',
    'vcpu-8_memory-32g_nvidia-rtx-3080-1',
    'vcpu-8_memory-48g_nvidia-rtx-3090-2',
  ],
  'EUC-DE-MUC-1': [
    'vcpu-2_memory-4g',
    'vcpu-4_memory-8g',
    'vcpu-8_memory-48g_nvidia-rtx-3090-2',
    'vcpu-24_memory-250g_nvidia-h100-1',
  ],
  'ARC-IS-HAF-1': [
    'vcpu-2_memory-4g',
    'vcpu-4_memory-12g_nvidia-rtx-3080-1',
    'vcpu-4_memory-24g_disk-80g_nvidia3090-1',
  ],
};

/** `vcpu-<n>_memory-<n>g[...]`: the shape every Genesis Cloud type name has had. */
export const isInstanceType = (type: string): boolean => /^vcpu-\d+_memory-\d+g(_[a-z0-9-]+)*$/.test(type);

/** GPUs in a type name: `..._nvidia-rtx-3090-2` → 2, `..._nvidia3090-1` → 1, CPU types → 0. */
export function gpuCount(type: string): number {
  const match = /_nvidia[-a-z0-9]*?-(\d+)$/.exec(type);
  return match ? Number(match[1]) : 0;
}

/** The GPU model in a type name (`rtx-3090`, `h100`), or null for CPU types. */
export function gpuModel(type: string): string | null {
  const match = /_nvidia-?([a-z0-9-]+?)-\d+$/.exec(type);
  if (!match?.[1]) return null;
  return match[1].replace(/^(\d{4})$/, 'rtx-$1');
}

/** Quotas per GPU model (the `GET /quotas` keys); assumed values. */
export const GPU_QUOTAS: Record<string, { capacity: number; product_name: string }> = {
  'rtx-3080': { capacity: 32, product_name: 'NVIDIA GeForce RTX 3080' },
  'rtx-3090': { capacity: 32, product_name: 'NVIDIA GeForce RTX 3090' },
  h100: { capacity: 8, product_name: 'NVIDIA H100 80GB' },
};

const SEEDED_AT = Date.parse('2024-09-02T08:00:00.000Z');
const ALL_REGIONS = [...REGIONS];

export const SEED_IDS = {
  ubuntu2004: 'ac26fa2b-c6d5-47a7-bc4e-5a219797e70f',
  ubuntu2204: '7b1644e2-d97d-4725-a927-0028bc60bc28',
  ubuntu2404: '0a4eda72-d8d2-4e4e-b973-bb1d040ecdf8',
  pytorch: '5ffea870-9c62-4d16-a8db-71116b3b181c',
  opsLaptopKey: '45bcd3ac-fccd-4eea-a812-21f01d665464',
  ciRunnerKey: 'd4c41e1e-d92a-4402-8540-4e29b1ed7a8e',
  standard: {
    'NORD-NO-KRS-1': 'fd537d69-9db7-4a44-83b8-96f79d10071a',
    'EUC-DE-MUC-1': '0c87c043-9c52-4bd8-b351-464e26e3be3c',
    'ARC-IS-HAF-1': '043c1538-8fb1-473c-aecd-654635dfaf83',
  } as Record<string, string>,
  default: {
    'NORD-NO-KRS-1': 'd392c13e-2a61-489b-8095-66634d3a3f4a',
    'EUC-DE-MUC-1': 'a54d7427-e99d-473a-be04-7dc98ad1c19d',
    'ARC-IS-HAF-1': '22feea15-d6d8-4717-9a5d-0dec3be2ad53',
  } as Record<string, string>,
  exampleGroup: '00faf681-6f59-4c94-8523-28903f13da47',
  datasetsVolume: '0580fb4c-de74-4b83-8bdb-1fd87d89f827',
  scratchVolume: '6c439ea6-c225-471e-88ca-b7401ecf9b63',
  opsFloatingIp: 'db1bf06d-528d-4fac-96d8-390798f83388',
  mucFloatingIp: 'e4d9c4b9-3fb0-4c15-b58d-c07344f79457',
} as const;

function image(fields: Omit<ImageRecord, 'created_at' | 'updated_at' | 'os_type'>): ImageRecord {
  return { ...fields, os_type: 'linux', created_at: SEEDED_AT, updated_at: SEEDED_AT };
}

function seedImages(): ImageRecord[] {
  const base = { type: 'base-os' as const, family: 'ubuntu', regions: ALL_REGIONS, requires_gpu: false };
  return [
    image({
      ...base,
      id: SEED_IDS.ubuntu2004,
      name: 'Ubuntu 20.04',
      slug: 'ubuntu-20.04',
      versions: ['20240410'],
    }),
    image({
      ...base,
      id: SEED_IDS.ubuntu2204,
      name: 'Ubuntu 22.04',
      slug: 'ubuntu-22.04',
      versions: ['20240612', '20241015'],
    }),
    image({
      ...base,
      id: SEED_IDS.ubuntu2404,
      name: 'Ubuntu 24.04',
      slug: 'ubuntu-24.04',
      versions: ['20240701', '20241015'],
    }),
    image({
      id: SEED_IDS.pytorch,
      type: 'preconfigured',
      family: 'ubuntu-ml',
      name: 'Ubuntu 22.04 ML (PyTorch 2.4, CUDA 12.4)',
      slug: 'ubuntu-ml-nvidia-pytorch',
      versions: ['2.3.1-cuda12.1', '2.4.0-cuda12.4'],
      regions: ['NORD-NO-KRS-1', 'EUC-DE-MUC-1'],
      requires_gpu: true,
    }),
  ];
}

/** MD5 of the key blob as colon-separated hex, the way `ssh-keygen -E md5 -l` prints it. */
export function sshFingerprint(value: string): string {
  const blob = Buffer.from(value.trim().split(/\s+/)[1] ?? '', 'base64');
  return createHash('md5').update(blob).digest('hex').match(/../g)?.join(':') ?? '';
}

export function sshKeyRecord(id: string, name: string, value: string, at: number): SshKeyRecord {
  const algorithm = value.trim().split(/\s+/)[0] ?? '';
  const type = algorithm.replace(/^ssh-/, '');
  const size = type === 'ed25519' ? 256 : type === 'rsa' ? 4096 : 521;
  return { id, name, value, fingerprint: sshFingerprint(value), type, size, created_at: at, updated_at: at };
}

function seedSshKeys(): SshKeyRecord[] {
  return [
    sshKeyRecord(
      SEED_IDS.opsLaptopKey,
      'ops-laptop',
      'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAICrX/+Ijabzhn8uIherOhQycizr7uWAmdQKUzH+bNHiI ops@laptop',
      SEEDED_AT,
    ),
    sshKeyRecord(
      SEED_IDS.ciRunnerKey,
      'ci-runner',
      'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIMCp7GSdgo4URYA5qpz2YjXhXb0Bikd4dIUWXGFfOch1 ci@runner',
      SEEDED_AT,
    ),
  ];
}

const rule = (
  direction: string,
  protocol: string,
  min: number | null = null,
  max: number | null = min,
): SecurityGroupRule => ({ protocol, direction, port_range_min: min, port_range_max: max });

function group(id: string, name: string, region: string, description: string, rules: SecurityGroupRule[]) {
  const internal = name === 'standard' || name === 'default';
  const record: SecurityGroupRecord = {
    id,
    name,
    description,
    is_internal: internal,
    region,
    status: 'created',
    rules,
    created_at: SEEDED_AT,
    updated_at: SEEDED_AT,
  };
  return record;
}

function seedSecurityGroups(): SecurityGroupRecord[] {
  const out: SecurityGroupRecord[] = [];
  for (const region of REGIONS) {
    out.push(
      group(SEED_IDS.standard[region]!, 'standard', region, 'SSH, HTTP, HTTPS and ping in; everything out', [
        rule('ingress', 'tcp', 22),
        rule('ingress', 'tcp', 80),
        rule('ingress', 'tcp', 443),
        rule('ingress', 'icmp'),
        rule('egress', 'all'),
      ]),
      group(SEED_IDS.default[region]!, 'default', region, 'Everything in and out', [
        rule('ingress', 'all'),
        rule('egress', 'all'),
      ]),
    );
  }
  out.push(
    group(SEED_IDS.exampleGroup, 'example sg', 'NORD-NO-KRS-1', 'Jupyter and TensorBoard', [
      rule('ingress', 'tcp', 8888),
      rule('ingress', 'tcp', 6006),
    ]),
  );
  return out;
}

function seedVolumes(): VolumeRecord[] {
  const volume = (id: string, name: string, region: string, size: number): VolumeRecord => ({
    id,
    name,
    description: `${name} volume`,
    type: 'ssd',
    size,
    region,
    status: 'available',
    instance: null,
    created_at: SEEDED_AT,
    updated_at: SEEDED_AT,
  });
  return [
    volume(SEED_IDS.datasetsVolume, 'datasets', 'NORD-NO-KRS-1', 500),
    volume(SEED_IDS.scratchVolume, 'scratch', 'EUC-DE-MUC-1', 200),
  ];
}

function seedFloatingIps(): FloatingIpRecord[] {
  const ip = (id: string, name: string, region: string, address: string): FloatingIpRecord => ({
    id,
    name,
    description: `${name} floating IP`,
    ip_address: address,
    is_public: true,
    version: 'ipv4',
    region,
    status: 'created',
    instance: null,
    created_at: SEEDED_AT,
    updated_at: SEEDED_AT,
  });
  return [
    ip(SEED_IDS.opsFloatingIp, 'ops-ip', 'NORD-NO-KRS-1', '203.0.113.10'),
    ip(SEED_IDS.mucFloatingIp, 'muc-ip', 'EUC-DE-MUC-1', '203.0.113.20'),
  ];
}

export interface SeedData {
  images: ImageRecord[];
  sshKeys: SshKeyRecord[];
  securityGroups: SecurityGroupRecord[];
  volumes: VolumeRecord[];
  floatingIps: FloatingIpRecord[];
}

/** Fresh mutable copies every call. */
export function seedData(): SeedData {
  return {
    images: seedImages(),
    sshKeys: seedSshKeys(),
    securityGroups: seedSecurityGroups(),
    volumes: seedVolumes(),
    floatingIps: seedFloatingIps(),
  };
}
