// The Genesis Cloud API's enumerated values as plain lists (API-NOTES.md, "Status
// machines"). Here, below every layer, so that the workflow language (src/dsl, pure,
// below src/genesis) can make enums of them; src/genesis/statuses.ts re-exports them
// beside the status machine. Pure data: imports nothing, runs nothing.

export const INSTANCE_STATUSES = [
  'creating',
  'pending_payment',
  'active',
  'stopping',
  'stopped',
  'starting',
  'resetting',
  'error',
  'deleting',
] as const;

/** Shown by legacy accounts; clients must treat them (and any unknown value) as transient. */
export const LEGACY_INSTANCE_STATUSES = [
  'enqueued',
  'copying',
  'build',
  'restarting',
  'shutoff',
  'updating',
  'unknown',
] as const;

/** Not an API status: the instance answers 404. What `instance.wait` and delete wait for. */
export const GONE = 'deleted';

/** What a wait may name: an API status, or `deleted` (gone). */
export const WAITABLE_INSTANCE_STATUSES = [...INSTANCE_STATUSES, GONE] as const;

export const SNAPSHOT_STATUSES = [
  'creating',
  'created',
  'active',
  'pending_delete',
  'deleting',
  'error',
] as const;

export const INSTANCE_ACTIONS = ['start', 'stop', 'reset'] as const;
