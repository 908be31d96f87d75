// The versioned records of runs in Redis and how each is read back (shared/records.ts):
// run state, history events, cancel requests and stored definitions (ownership records
// are in ownership.ts). Each codec's comment gives its version history.
import { definitionSchema } from '../dsl/definition-schema.js';
import { cancelRequestSchema, runEventSchema, runStateSchema } from '../engine/schema.js';
import { defineRecord } from '../shared/records.js';

const same = (old: Record<string, unknown>) => old;

/** v1: `resources` (what the run created) added; v0 had none. */
export const runStateRecord = defineRecord({
  kind: 'run state',
  version: 1,
  schema: runStateSchema,
  migrations: { 0: (old) => ({ resources: [], ...old }) },
});

export const runEventRecord = defineRecord({
  kind: 'run event',
  version: 1,
  schema: runEventSchema,
  migrations: { 0: same },
});

export const cancelRecord = defineRecord({
  kind: 'cancel request',
  version: 1,
  schema: cancelRequestSchema,
  migrations: { 0: same },
});

export const definitionRecord = defineRecord({
  kind: 'workflow definition',
  version: 1,
  schema: definitionSchema,
  migrations: { 0: same },
});
