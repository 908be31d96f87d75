// The versioned records of runs in Redis and how each is read back (shared/records.ts):
// run state, history events, cancel requests and stored definitions (ownership records
// are in ownership.ts). Each codec's comment gives its version history.
import { definitionSchema } from '../dsl/definition-schema.js';
import { cancelRequestSchema, itemSchema, runEventSchema, runStateSchema } from '../engine/schema.js';
import { defineRecord } from '../shared/records.js';

const same = (old: Record<string, unknown>) => old;

/**
 * v1: `resources` (what the run created) added; v0 had none. v2: for_each lists and
 * items are stored apart (src/runs/items.ts); a v1 record holds them inline, which is
 * still read as is, and written the v2 way at its next checkpoint.
 */
export const runStateRecord = defineRecord({
  kind: 'run state',
  version: 2,
  schema: runStateSchema,
  migrations: { 0: (old) => ({ resources: [], ...old }), 1: (old) => old },
});

/** One started item of a for_each step, a field of `run:<id>:items:<step>`. */
export const itemRecord = defineRecord({ kind: 'for_each item', version: 1, schema: itemSchema });

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
