// The validated, normalised form of a workflow file: what src/dsl produces and
// src/engine consumes. Pure data (JSON-serialisable), so a run can store the exact
// definition it started with. Imports nothing.
//
// Values that may hold `${{ }}` expressions stay strings here and are evaluated at
// run time by src/expr; literal durations stay as written (`15m`) and are parsed
// with shared/duration.

export type InputType = 'string' | 'integer' | 'number' | 'boolean' | 'duration' | 'list' | 'object';

export interface InputSpec {
  type: InputType;
  default?: unknown;
  required: boolean;
  description?: string;
  enum?: unknown[];
}

export type CatchUp = 'last' | 'none';

export interface TriggerSpec {
  /** 5 or 6 fields (seconds first when 6), as cron-parser reads it. */
  cron: string;
  /** IANA zone; `UTC` when not given. */
  timezone: string;
  inputs: Record<string, unknown>;
  catch_up: CatchUp;
  /** Duration text, default `1h`. */
  catch_up_window: string;
}

export type Overlap = 'skip' | 'queue' | 'cancel_running' | 'allow';

export interface ConcurrencySpec {
  /** Runs in one group obey `overlap` together; default: the workflow name. */
  group: string;
  overlap: Overlap;
  /**
   * `overlap: queue` only: how many runs of the group run at once (the others wait
   * their turn, in arrival order). Default 1; absent for the other policies.
   */
  limit?: number;
}

export interface RetrySpec {
  attempts: number;
  backoff: 'fixed' | 'exponential';
  /** Duration text. */
  delay: string;
  /** Duration text. */
  max_delay: string;
  /** 0..1: the fraction of each delay that is randomised. */
  jitter: number;
}

export interface WaitSpec {
  /** One status or a list; default per step kind (active for create/start/reset, ...). */
  status?: string | string[];
  /** Duration text or an expression. */
  timeout?: string;
  /** Duration text: how often to look. */
  poll?: string;
}

export interface SourceLocation {
  file: string;
  line: number;
  column: number;
}

export interface StepSpec {
  id: string;
  name?: string;
  uses: StepKind;
  /** Parameters as written; strings may hold expressions. */
  with: Record<string, unknown>;
  /** An expression; the step is skipped when it is falsy. */
  if?: string;
  /** An expression that yields a list, or a literal list. */
  for_each?: string | unknown[];
  max_parallel: number;
  retry?: RetrySpec;
  /** Duration text or an expression. */
  timeout?: string;
  continue_on_error: boolean;
  /** `false` turns off the default wait of mutating instance steps. */
  wait?: WaitSpec | false;
  /** instance.create only: the box is meant to outlive the run. */
  keep: boolean;
  loc?: SourceLocation;
}

export interface WorkflowDefinition {
  name: string;
  description?: string;
  inputs: Record<string, InputSpec>;
  triggers: TriggerSpec[];
  concurrency: ConcurrencySpec;
  /** Duration text: the whole run; on expiry: cancel, then finally steps. */
  timeout?: string;
  /**
   * Default true: after `finally`, the engine deletes instances the run created that are
   * neither kept nor deleted (src/engine/resources.ts). `false` leaves that to the janitor.
   */
  auto_cleanup?: boolean;
  steps: StepSpec[];
  finally: StepSpec[];
  on_failure: StepSpec[];
  /** Where it was loaded from and a hash of its text, to notice edits. */
  source?: { file: string; hash: string };
}

/** Items one for_each step may have by default (config engine.for_each_max_items). */
export const FOR_EACH_MAX_ITEMS = 10_000;

export const STEP_KINDS = [
  'instances.list',
  'instance.get',
  'instance.create',
  'instance.start',
  'instance.stop',
  'instance.reset',
  'instance.delete',
  'instance.update',
  'instance.wait',
  'job.wait',
  'instance.snapshot',
  'snapshots.list',
  'snapshot.delete',
  'snapshot.clone',
  'snapshots.prune',
  'availability.check',
  'notify.webhook',
  'sleep',
] as const;

export type StepKind = (typeof STEP_KINDS)[number];

/**
 * The kinds that change nothing outside the run (DESIGN's "read-only"): running one
 * again after a crash is harmless, so the engine's driver lets a read's outcome wait
 * for the next write instead of writing it before the next read starts.
 */
export const READ_ONLY_KINDS: ReadonlySet<string> = new Set<StepKind>([
  'instances.list',
  'instance.get',
  'instance.wait',
  'snapshots.list',
  'availability.check',
]);
