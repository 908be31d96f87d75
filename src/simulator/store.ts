// The simulator's in-memory state: every resource by id, IP allocation, and the lazy
// advance of status machines on every read. Imports no HTTP.
import { randomUUID } from 'node:crypto';
import type { Clock } from '../shared/clock.js';
import { notFound } from './errors.js';
import { advanceInstance, advanceSnapshot, type InstanceHooks } from './lifecycle.js';
import type {
  FloatingIpRecord,
  ImageRecord,
  InstanceRecord,
  SecurityGroupRecord,
  SnapshotRecord,
  SshKeyRecord,
  VolumeRecord,
} from './model.js';
import { seedData } from './seed.js';
import type { SimulatorSettings } from './settings.js';

export class Store {
  images = new Map<string, ImageRecord>();
  sshKeys = new Map<string, SshKeyRecord>();
  securityGroups = new Map<string, SecurityGroupRecord>();
  volumes = new Map<string, VolumeRecord>();
  floatingIps = new Map<string, FloatingIpRecord>();
  private instances = new Map<string, InstanceRecord>();
  private snapshots = new Map<string, SnapshotRecord>();
  private ipCounter = 0;
  readonly hooks: InstanceHooks = { onActive: (record) => this.assignIps(record) };

  constructor(
    readonly clock: Clock,
    private readonly settings: () => SimulatorSettings,
  ) {
    this.reset();
  }

  reset(): void {
    const seed = seedData();
    const byId = <T extends { id: string }>(list: T[]) => new Map(list.map((r) => [r.id, r]));
    this.images = byId(seed.images);
    this.sshKeys = byId(seed.sshKeys);
    this.securityGroups = byId(seed.securityGroups);
    this.volumes = byId(seed.volumes);
    this.floatingIps = byId(seed.floatingIps);
    this.instances = new Map();
    this.snapshots = new Map();
    this.ipCounter = 0;
  }

  newId(): string {
    return randomUUID();
  }

  now(): number {
    return this.clock.now();
  }

  // ------------------------------------------------------------------ instances

  addInstance(record: InstanceRecord): void {
    this.instances.set(record.id, record);
  }

  /** The live instance (transitions applied), or undefined when unknown or gone. */
  findInstance(id: string): InstanceRecord | undefined {
    const record = this.instances.get(id);
    if (!record) return undefined;
    return this.advanceOne(record) ? record : undefined;
  }

  getInstance(id: string): InstanceRecord {
    const record = this.findInstance(id);
    if (!record) throw notFound('instance', id);
    return record;
  }

  /** Every live instance in creation order, transitions applied. */
  listInstances(): InstanceRecord[] {
    const out: InstanceRecord[] = [];
    for (const record of [...this.instances.values()]) if (this.advanceOne(record)) out.push(record);
    return out;
  }

  private advanceOne(record: InstanceRecord): boolean {
    if (!record.pending || record.pending.at > this.now()) return true;
    if (advanceInstance(record, this.now(), this.settings(), this.hooks)) return true;
    this.releaseInstance(record);
    return false;
  }

  /** The instance is gone: its volumes and floating IP become free. */
  private releaseInstance(record: InstanceRecord): void {
    this.instances.delete(record.id);
    for (const ref of record.volumes) {
      const volume = this.volumes.get(ref.id);
      if (volume?.instance?.id === record.id) {
        volume.instance = null;
        volume.status = 'available';
        volume.updated_at = this.now();
      }
    }
    const ip = record.floating_ip ? this.floatingIps.get(record.floating_ip.id) : undefined;
    if (ip?.instance?.id === record.id) {
      ip.instance = null;
      ip.updated_at = this.now();
    }
  }

  private assignIps(record: InstanceRecord): void {
    if (record.private_ip === null) {
      this.ipCounter += 1;
      const n = this.ipCounter;
      const host = 1 + (n % 254);
      const block = Math.floor(n / 254) % 256;
      record.private_ip = `192.168.${block}.${host}`;
      record.public_ip = `198.18.${block}.${host}`;
    }
    const floating = record.floating_ip ? this.floatingIps.get(record.floating_ip.id) : undefined;
    if (floating?.ip_address) record.public_ip = floating.ip_address;
  }

  // ------------------------------------------------------------------ snapshots

  addSnapshot(record: SnapshotRecord): void {
    this.snapshots.set(record.id, record);
  }

  findSnapshot(id: string): SnapshotRecord | undefined {
    const record = this.snapshots.get(id);
    if (!record) return undefined;
    if (advanceSnapshot(record, this.now(), this.settings())) return record;
    this.snapshots.delete(id);
    return undefined;
  }

  getSnapshot(id: string): SnapshotRecord {
    const record = this.findSnapshot(id);
    if (!record) throw notFound('snapshot', id);
    return record;
  }

  listSnapshots(): SnapshotRecord[] {
    const out: SnapshotRecord[] = [];
    for (const record of [...this.snapshots.values()]) {
      if (advanceSnapshot(record, this.now(), this.settings())) out.push(record);
      else this.snapshots.delete(record.id);
    }
    return out;
  }

  // ------------------------------------------------------------------ catalog lookups

  getFrom<T>(map: Map<string, T>, kind: string, id: string): T {
    const record = map.get(id);
    if (!record) throw notFound(kind, id);
    return record;
  }
}
