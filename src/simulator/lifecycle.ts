// Status machines of instances and snapshots, derived lazily from timestamps: each record
// stores its next transition and due time; `advance*` applies every transition that is
// due by `now` (chained at their own due times). Nothing runs while idle. Pure.
import type { InstanceRecord, SnapshotRecord } from './model.js';
import type { SimulatorSettings } from './settings.js';

export type InstanceAction = 'start' | 'stop' | 'reset';
export const INSTANCE_ACTIONS: readonly InstanceAction[] = ['start', 'stop', 'reset'];

/** Assumed from the docs example (API-NOTES.md); every other status allows nothing. */
const ALLOWED: Record<string, readonly InstanceAction[]> = {
  active: ['reset', 'stop'],
  stopped: ['start'],
  error: ['stop'],
  starting: ['stop'],
};

export const allowedActions = (status: string): InstanceAction[] => [...(ALLOWED[status] ?? [])];

export const ACTION_STATUS: Record<InstanceAction, string> = {
  start: 'starting',
  stop: 'stopping',
  reset: 'resetting',
};

/** Transient instance statuses and where they settle after `transition_ms` (null = gone). */
const INSTANCE_SETTLES: Record<string, string | null> = {
  creating: 'active',
  stopping: 'stopped',
  starting: 'active',
  resetting: 'active',
  deleting: null,
};

const SNAPSHOT_SETTLES: Record<string, string | null> = {
  creating: 'created',
  deleting: null,
};

export const settlesOnItsOwn = (status: string): boolean => status in INSTANCE_SETTLES;

export interface InstanceHooks {
  /** Called when an instance becomes active (assign IPs). */
  onActive(record: InstanceRecord): void;
}

/**
 * Puts the instance into `status` at time `at` and schedules what follows: the settle of
 * a transient status, or (first boot only) the shutdown a startup script performs.
 */
export function enterInstanceStatus(
  record: InstanceRecord,
  status: string,
  at: number,
  settings: SimulatorSettings,
  hooks: InstanceHooks,
): void {
  record.status = status;
  record.updated_at = at;
  const settle = INSTANCE_SETTLES[status];
  record.pending = settle === undefined ? null : { status: settle, at: at + settings.transition_ms };
  if (status !== 'active') return;
  hooks.onActive(record);
  if (record.booted) return;
  record.booted = true;
  if (record.shutdown_script) {
    record.pending = {
      status: record.destroy_on_shutdown ? 'deleting' : 'stopping',
      at: at + settings.script_runtime_ms,
    };
  }
}

/** Applies every due transition. Returns false when the instance is gone. */
export function advanceInstance(
  record: InstanceRecord,
  now: number,
  settings: SimulatorSettings,
  hooks: InstanceHooks,
): boolean {
  while (record.pending && record.pending.at <= now) {
    const { status, at } = record.pending;
    if (status === null) return false;
    enterInstanceStatus(record, status, at, settings, hooks);
  }
  return true;
}

export function enterSnapshotStatus(
  record: SnapshotRecord,
  status: string,
  at: number,
  settings: SimulatorSettings,
) {
  record.status = status;
  record.updated_at = at;
  const settle = SNAPSHOT_SETTLES[status];
  record.pending = settle === undefined ? null : { status: settle, at: at + settings.transition_ms };
}

/** Applies every due snapshot transition. Returns false when the snapshot is gone. */
export function advanceSnapshot(record: SnapshotRecord, now: number, settings: SimulatorSettings): boolean {
  while (record.pending && record.pending.at <= now) {
    const { status, at } = record.pending;
    if (status === null) return false;
    enterSnapshotStatus(record, status, at, settings);
  }
  return true;
}

/**
 * Does the startup script power the machine off? True when `poweroff`, `shutdown` or
 * `halt` is a word of its own on a line that is not a comment (`sudo shutdown -h now`,
 * `systemctl poweroff`, cloud-config `mode: poweroff`), not part of another word
 * (`shutdown_hook`, `halted`).
 */
export function scriptShutsDown(script: string | undefined): boolean {
  if (!script) return false;
  return script.split('\n').some((line) => {
    const code = line.replace(/(^|\s)#.*$/, '');
    return code
      .split(/[\s;&|()`'"]+/)
      .some((word) => /^(\/(usr\/)?s?bin\/)?(poweroff|shutdown|halt)$/.test(word));
  });
}
