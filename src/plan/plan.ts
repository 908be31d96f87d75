// `planRun`: a dry run. Drives the run in memory through the engine's driver (the
// same one the workers use) and the real actions, over a plan client whose reads hit
// the real API and whose writes are only recorded. Waits are assumed to succeed and
// virtual time jumps over them. Imports no Redis or queue.
import { createExecutor, NO_HOLDS, type OwnershipRecorder, type ReportSource } from '../actions/index.js';
import { defaultConfig } from '../config/schema.js';
import { DEFAULT_WAIT_STATUS } from '../dsl/step-params.js';
import type { WorkflowDefinition } from '../dsl/types.js';
import {
  CLEANUP_KIND,
  CLEANUP_STEP,
  driveRun,
  type EngineStep,
  findStep,
  newRunState,
  type PreparedTask,
  type RunState,
  type TaskIO,
  type TaskOutcome,
  type TaskRef,
  type WaitDefaults,
} from '../engine/index.js';
import type { GenesisClient } from '../genesis/index.js';
import type { Clock } from '../shared/clock.js';
import { durationMs, formatDuration } from '../shared/duration.js';
import { GcflowError } from '../shared/errors.js';
import { silentLogger } from '../shared/logger.js';
import { Redactor } from '../shared/redact.js';
import { createPlanClient, type PlanClient } from './client.js';
import { PlanOverlay } from './overlay.js';
import { PlanStatuses } from './statuses.js';
import type { Plan, PlannedCall, PlannedStep } from './types.js';

export interface PlanOptions {
  def: WorkflowDefinition;
  /** Coerced inputs (coerceInputs). */
  inputs: Record<string, unknown>;
  /** The real API client: only its reads are used. */
  client: GenesisClient;
  /** `secrets.*` values: usable by expressions, redacted from the plan. */
  secrets: Record<string, string>;
  /** Start of virtual time (ms); default now. */
  now?: number;
  /** The engine's poll interval and wait timeout; default: the config defaults. */
  waitDefaults?: WaitDefaults;
  /** More values to redact from the plan (e.g. the API token). */
  redact?: Array<string | undefined>;
}

export const PLAN_RUN_ID = 'plan';
/** A plan's tasks are never cancelled and have no deadlines in real time. */
const NEVER = new AbortController().signal;
/** A runaway guard: far beyond any workflow's turns. */
const MAX_TURNS = 50_000;

const NO_OWNERSHIP: OwnershipRecorder = {
  recordIntent: async () => {},
  recordOwned: async () => {},
  markDeleted: async () => {},
  ownedByOthers: async () => new Set<string>(),
};

export async function planRun(options: PlanOptions): Promise<Plan> {
  const { def, secrets } = options;
  let time = options.now ?? Date.now();
  const clock: Clock = { now: () => time, sleep: async () => {} };
  const engine = defaultConfig().engine;
  const defaults = options.waitDefaults ?? {
    pollMs: engine.poll_interval_ms,
    timeoutMs: engine.wait_timeout_ms,
  };
  const steps = new Map<string, { calls: PlannedCall[]; waits: string[] }>();
  for (const spec of [...def.steps, ...def.on_failure, ...def.finally, CLEANUP_STEP])
    steps.set(spec.id, { calls: [], waits: [] });
  let current: { ref: TaskRef; task: PreparedTask } | undefined;

  const record = (call: Omit<PlannedCall, 'step' | 'index'>): void => {
    if (!current) throw new Error('a write outside any step: a bug in gcflow plan');
    const { stepId, index } = current.ref;
    steps.get(stepId)!.calls.push({ step: stepId, ...(index === undefined ? {} : { index }), ...call });
  };
  const overlay = new PlanOverlay();
  const client = createPlanClient({
    real: options.client,
    overlay,
    now: clock.now,
    record,
    createdStatus: () => current?.task.wait?.statuses[0] ?? 'active',
  });
  const statuses = new PlanStatuses(client, overlay, clock.now);
  const execute = createExecutor({
    client,
    statuses,
    ownership: NO_OWNERSHIP,
    // A plan reads no Redis: holds are not looked at (a held box shows as acted on).
    holds: NO_HOLDS,
    clock,
    fetch: recordingFetch(record),
    reports: planReports(clock),
  });

  const state = startState(def, options.inputs, time);
  const skipNotes = new Map<string, string>();
  let turns = 0;
  // One task at a time: the plan client records each call under the task running now.
  let serial: Promise<unknown> = Promise.resolve();
  await driveRun({
    def,
    state,
    now: clock.now,
    // Virtual time: a wait of any length is a jump.
    sleep: async (ms) => {
      time += ms;
    },
    inlineWaitMs: Number.POSITIVE_INFINITY,
    execute: (task, io) => {
      const next = serial.then(() => runTask(task, io));
      serial = next.catch(() => undefined);
      return next;
    },
    persist: async () => {
      if (++turns >= MAX_TURNS)
        throw new GcflowError('E_PLAN_RUNAWAY', `planning ${def.name} did not end after ${MAX_TURNS} turns`, {
          hint: 'a bug in gcflow plan: please report it with the workflow',
        });
    },
    cancel: { signal: new AbortController().signal, current: () => null },
    secrets: () => secrets,
    waitDefaults: defaults,
    random: () => 0,
    log: silentLogger(),
    onEvents: (_, events) => {
      for (const e of events)
        if (e.type === 'step.skipped' && e.step)
          skipNotes.set(e.step, `skipped: ${e.message ?? 'condition false'}`);
    },
  });

  async function runTask(task: PreparedTask, io: TaskIO): Promise<TaskOutcome> {
    const ref = task.ref;
    current = { ref, task };
    try {
      const outcome = await observe(task, ref, io);
      // The real state will not change between attempts of a plan: fail at once.
      return outcome.type === 'error' ? { ...outcome, retryable: false } : outcome;
    } finally {
      current = undefined;
    }
  }

  async function observe(task: PreparedTask, ref: TaskRef, io: TaskIO): Promise<TaskOutcome> {
    client.takeSeen();
    statuses.begin(expectedStatuses(task));
    const entry = steps.get(ref.stepId)!;
    const callsBefore = entry.calls.length;
    // Resources are tracked in the plan's state too, so its cleanup step shows what a
    // run would leave behind; nothing is stored and nothing ever aborts.
    const outcome = await execute(task, {
      run: io.run,
      signal: NEVER,
      checkpoint: async () => {},
      track: io.track,
      released: io.released,
      log: silentLogger(),
    });
    if (client.fatal) throw client.fatal;
    const seen = client.takeSeen();
    const posted = entry.calls.length > callsBefore;
    const waited =
      outcome.type === 'wait' ||
      statuses.assumed ||
      (task.kind === 'instance.snapshot' && task.wait !== undefined && posted && outcome.type === 'done');
    if (waited) {
      const prefix = ref.index === undefined ? '' : `[${ref.index}] `;
      const text = prefix + describeWait(task, outcome.type === 'wait' ? outcome.waitingFor : undefined);
      if (!entry.waits.includes(text)) entry.waits.push(text);
    }
    if (outcome.type === 'wait') {
      // The plan assumes every wait succeeds: what was in transit has settled by the next look.
      for (const instance of seen.instances) overlay.settle(instance, time);
      for (const snapshot of seen.snapshots) overlay.settleSnapshot(snapshot, time);
    }
    return outcome;
  }

  const plan = buildPlan(def, state, steps, skipNotes, client);
  const redactor = new Redactor([...Object.values(secrets), ...(options.redact ?? [])]);
  return redactor.scrub(overlay.relabel(plan));
}

function startState(def: WorkflowDefinition, inputs: Record<string, unknown>, now: number): RunState {
  const state = newRunState({
    id: PLAN_RUN_ID,
    workflow: def.name,
    definitionHash: 'plan',
    trigger: 'manual',
    scheduledAt: null,
    inputs,
    now,
    stepIds: [...def.steps, ...def.on_failure, ...def.finally].map((s) => s.id),
  });
  // on_failure steps are listed, never executed: the engine passes over them.
  for (const spec of def.on_failure) state.steps[spec.id]!.status = 'skipped';
  return state;
}

/**
 * A plan assumes the batch job succeeds, as it assumes every wait ends well: no report at
 * the first look (so the plan shows the wait), a success at the next.
 */
function planReports(clock: Clock): ReportSource {
  let looked = false;
  return {
    read: async () => {
      if (!looked) {
        looked = true;
        return undefined;
      }
      return { status: 'succeeded', exit_code: 0, output: '', at: clock.now() };
    },
  };
}

/** What a task's status polls wait for (the plan makes them find it). */
function expectedStatuses(task: PreparedTask): string[] | undefined {
  if (task.kind === 'instance.wait') {
    const status = (task.params as { status: string | string[] }).status;
    return Array.isArray(status) ? status : [status];
  }
  return task.wait?.statuses ?? (task.kind === CLEANUP_KIND ? undefined : DEFAULT_WAIT_STATUS[task.kind]);
}

function describeWait(task: PreparedTask, waitingFor: string | undefined): string {
  const params = task.params as { duration?: string; timeout?: string };
  const timeout = task.wait?.timeoutMs ?? task.defaults.timeoutMs;
  const upTo = (ms: number) => ` (up to ${formatDuration(ms)})`;
  const leave = /^instance to leave status (.+)$/.exec(waitingFor ?? '');
  if (leave) return `waits for the instance to leave status ${leave[1]}${upTo(timeout)}`;
  switch (task.kind) {
    case 'sleep':
      return `sleeps ${params.duration}`;
    case 'instance.delete':
      return `waits until the instance is gone${upTo(timeout)}`;
    case 'instance.snapshot':
      return `waits for snapshot status created${upTo(timeout)}`;
    case 'job.wait':
      return `waits for the job on the box to report its result (POST to run.report_url)${params.timeout === undefined ? '' : upTo(durationMs(params.timeout, 'timeout'))}`;
    case 'instance.wait': {
      const own = params.timeout === undefined ? undefined : durationMs(params.timeout, 'timeout');
      return `waits for status ${expectedStatuses(task)!.join(' or ')}${upTo(own ?? timeout)}`;
    }
    default:
      return `waits for status ${(expectedStatuses(task) ?? ['?']).join(' or ')}${upTo(timeout)}`;
  }
}

function buildPlan(
  def: WorkflowDefinition,
  state: RunState,
  steps: Map<string, { calls: PlannedCall[]; waits: string[] }>,
  skipNotes: Map<string, string>,
  client: PlanClient,
): Plan {
  const failed = state.outcome === 'failed';
  const out: PlannedStep[] = [];
  // The engine's cleanup step appears only when the run would leave something behind.
  const cleanup: EngineStep[] = state.steps[CLEANUP_STEP.id] ? [CLEANUP_STEP] : [];
  for (const spec of [...def.steps, ...def.on_failure, ...def.finally, ...cleanup]) {
    const phase = findStep(def, spec.id)!.phase as PlannedStep['phase'];
    const st = state.steps[spec.id]!;
    const { calls, waits } = steps.get(spec.id)!;
    const status: PlannedStep['status'] =
      st.status === 'succeeded'
        ? 'planned'
        : st.status === 'failed' || st.status === 'cancelled'
          ? 'failed'
          : 'skipped';
    let note: string | undefined;
    if (status === 'failed') note = st.error ?? state.error ?? 'failed';
    else if (phase === 'on_failure')
      note = failed
        ? 'would run because the run fails (on_failure steps are listed, not planned)'
        : 'runs only if the run fails (not planned)';
    else if (status === 'skipped')
      note = skipNotes.get(spec.id) ?? (failed ? `not run: ${state.error}` : undefined);
    out.push({
      id: spec.id,
      uses: spec.uses,
      phase,
      status,
      calls,
      waits,
      ...(note ? { note } : {}),
    });
  }
  return {
    workflow: def.name,
    inputs: state.inputs,
    steps: out,
    reads: client.reads,
    error: failed ? state.error : null,
  };
}

/** notify.webhook's fetch in a plan: records the POST (URL path elided: webhook URLs carry secrets), sends nothing. */
function recordingFetch(
  record: (call: Omit<PlannedCall, 'step' | 'index'>) => void,
): typeof globalThis.fetch {
  return (async (input: string | URL | Request, init?: RequestInit) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    if (url.protocol !== 'https:' && url.protocol !== 'http:')
      throw new TypeError(`unsupported URL scheme ${url.protocol}`);
    let body: unknown = init?.body;
    if (typeof body === 'string') {
      try {
        body = JSON.parse(body);
      } catch {
        // not JSON: keep the text
      }
    }
    record({ method: 'POST', path: `${url.protocol}//${url.host}/…`, body });
    return new Response(null, { status: 200 });
  }) as typeof globalThis.fetch;
}
