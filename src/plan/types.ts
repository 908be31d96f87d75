// The result of `gcflow plan`: per step, the state-changing API calls a run would
// make and the waits it would sit through, given the real state read now. Pure data.
import type { TaskKind } from '../engine/resources.js';

/** A write that was not sent: what a real run would send at this point. */
export interface PlannedCall {
  step: string;
  /** for_each item. */
  index?: number;
  method: 'POST' | 'PATCH' | 'DELETE';
  /** Relative to the API base (`/instances/planned-1/snapshots`); webhooks as `https://host/…`. */
  path: string;
  body?: unknown;
}

export type PlannedStepStatus = 'planned' | 'skipped' | 'failed';

export interface PlannedStep {
  id: string;
  uses: TaskKind;
  phase: 'main' | 'on_failure' | 'finally';
  status: PlannedStepStatus;
  calls: PlannedCall[];
  /** "waits for status stopped (up to 6h)"; for_each items prefixed `[i] `. */
  waits: string[];
  /** Why it was skipped, the error it would fail with, or what on_failure means here. */
  note?: string;
}

export interface Plan {
  workflow: string;
  inputs: Record<string, unknown>;
  steps: PlannedStep[];
  /** Real GET requests made to the API while planning. */
  reads: number;
  /** The run's error if it would fail, else null. */
  error: string | null;
}
