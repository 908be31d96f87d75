// Test harness for the Genesis client against the real simulator over HTTP: start it on
// port 0, drive its admin routes (/__sim/*), build clients, poll with a deadline.
import { expect } from 'vitest';
import {
  createGenesisClient,
  createRateLimiter,
  type GenesisClient,
  type GenesisClientOptions,
} from '../../../src/genesis/index.js';
import { startSimulator } from '../../../src/simulator/index.js';
import { pollUntil as poll } from '../../helpers/poll.js';

export const TOKEN = 'sim-test-token-0c4f1e';

export interface SimCall {
  method: string;
  path: string;
  status: number;
  at?: string | number;
}

export interface Sim {
  url: string;
  apiUrl: string;
  close(): Promise<void>;
  admin<T = unknown>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T>;
  config(settings: Record<string, unknown>): Promise<void>;
  fault(fault: Record<string, unknown>): Promise<void>;
  calls(): Promise<{ calls: SimCall[]; counts: Record<string, number> }>;
  reset(): Promise<void>;
  client(overrides?: Partial<GenesisClientOptions>): GenesisClient;
}

export async function startSim(settings: Record<string, unknown> = {}): Promise<Sim> {
  const started = await startSimulator({ port: 0, settings });
  const admin = async <T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> => {
    const response = await fetch(`${started.url}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`simulator admin ${method} ${path}: ${response.status} ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  };
  return {
    url: started.url,
    apiUrl: started.apiUrl,
    close: () => started.close(),
    admin,
    config: async (s) => {
      await admin('POST', '/__sim/config', s);
    },
    fault: async (f) => {
      await admin('POST', '/__sim/faults', f);
    },
    calls: () => admin('GET', '/__sim/calls'),
    reset: async () => {
      await admin('POST', '/__sim/reset');
    },
    client: (overrides = {}) =>
      createGenesisClient({
        baseUrl: started.apiUrl,
        token: TOKEN,
        // Each client its own fast bucket, so tests do not share the process-wide one.
        rateLimiter: createRateLimiter({ ratePerSecond: 1000, burst: 1000 }),
        baseDelayMs: 20,
        timeoutMs: 5_000,
        ...overrides,
      }),
  };
}

/** Polls `read` until `done` holds or the deadline passes (10 s, every 25 ms by default). */
export const pollUntil = <T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  options: { timeoutMs?: number; everyMs?: number } = {},
) => poll(read, done, { timeoutMs: 10_000, everyMs: 25, ...options });

/** Asserts `value` has every key in `required` (with a non-undefined value) and the listed types. */
export function expectKeys(value: unknown, required: readonly string[]): void {
  expect(value).toBeTypeOf('object');
  expect(value).not.toBeNull();
  const record = value as Record<string, unknown>;
  const missing = required.filter((key) => !(key in record) || record[key] === undefined);
  expect(missing, `missing keys in ${JSON.stringify(value)}`).toEqual([]);
}

/** Required keys of each resource, from the Oct-2024 model schemas (models-2024-10.json). */
export const REQUIRED = {
  instance: [
    'id',
    'name',
    'hostname',
    'dns_name',
    'type',
    'os_type',
    'public_ip',
    'private_ip',
    'status',
    'ssh_keys',
    'image',
    'security_groups',
    'volumes',
    'region',
    'placement_option',
    'created_at',
    'updated_at',
  ],
  snapshot: ['id', 'name', 'size', 'resource_id', 'region', 'status', 'os_type', 'created_at', 'updated_at'],
  image: [
    'id',
    'type',
    'family',
    'name',
    'os_type',
    'slug',
    'versions',
    'regions',
    'created_at',
    'updated_at',
  ],
  sshKey: ['id', 'name', 'value', 'fingerprint', 'type', 'size', 'created_at', 'updated_at'],
  securityGroup: [
    'id',
    'name',
    'description',
    'is_internal',
    'region',
    'status',
    'rules',
    'created_at',
    'updated_at',
  ],
  availability: ['type', 'region', 'instance_types'],
  quota: ['key', 'capacity', 'used'],
} as const;

/** A valid create body built from what the simulator seeds: first image, ssh key, region and type. */
export async function createBody(client: GenesisClient, name: string) {
  const [images, keys] = await Promise.all([client.images.list(), client.sshKeys.list()]);
  const image = images.find((i) => i.regions.length > 0) ?? images[0];
  if (!image || !keys[0]) throw new Error('the simulator seeds no image or ssh key');
  const region = image.regions[0]!;
  const availability = await client.availability.get(region);
  const type = availability.instance_types.find((t) => t.available)?.type;
  if (!type) throw new Error(`no available instance type in ${region}`);
  return { name, hostname: name, type, region, image: image.id, ssh_keys: [keys[0].id] };
}
