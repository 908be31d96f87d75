// `run --wait`'s status line: the current step, how long it has run, what it waits
// for, when it is checked next and when its wait (or step, or run) gives up. On a
// terminal the line is redrawn in place; otherwise a plain line is printed when what
// is shown changes, and at most once a minute while nothing does.
import type { Writable } from 'node:stream';
import type { Attempted, RunState, StepState } from '../engine/state.js';
import { formatDuration } from '../shared/duration.js';

/** A unit of work in progress: a step, or an item of a for_each step. */
interface Current {
  label: string;
  unit: Attempted & { wait_deadline?: number; deadline_at?: number };
  step: StepState;
}

function current(state: RunState): Current | undefined {
  for (const step of Object.values(state.steps)) {
    const items = (step.items ?? []).filter((i) => i.status === 'running' || i.status === 'waiting');
    if (items.length > 0) {
      const more = items.length > 1 ? ` (+${items.length - 1} more)` : '';
      return { label: `${step.id}[${items[0]!.index}]${more}`, unit: items[0]!, step };
    }
    if (step.status === 'running' || step.status === 'waiting') return { label: step.id, unit: step, step };
  }
  return undefined;
}

const at = (ms: number) => `${new Date(ms).toISOString().slice(11, 19)}Z`;
const span = (ms: number) => formatDuration(Math.max(1000, Math.round(ms / 1000) * 1000));

/** The nearest deadline of the current unit: its wait's, its step's `timeout`, or the run's. */
function deadline(state: RunState, c: Current): { label: string; ms: number } | undefined {
  const wait = c.unit.wait_deadline ?? (c.step as { wait_deadline?: number }).wait_deadline;
  if (wait !== undefined) return { label: 'wait deadline', ms: wait };
  if (c.step.deadline_at !== undefined) return { label: 'step timeout', ms: c.step.deadline_at };
  if (state.deadline_at !== null) return { label: 'run timeout', ms: state.deadline_at };
  return undefined;
}

export interface ProgressParts {
  /** What is shown, without anything that changes by itself with time. */
  what: string;
  /** The whole line at `now`. */
  line: string;
}

/**
 * Undefined when no step is running or waiting (between steps, or over), or when the
 * run is queued and nothing says what it waits for (`waitingFor`, see RunView).
 */
export function progress(state: RunState, now: number, waitingFor?: string): ProgressParts | undefined {
  if (state.status === 'queued') {
    if (waitingFor === undefined) return undefined;
    const what = `queued: waiting for ${waitingFor}`;
    return { what, line: `${what} · ${span(now - Date.parse(state.created_at))} so far` };
  }
  const c = current(state);
  if (!c) return undefined;
  const { unit } = c;
  const doing =
    unit.status === 'running'
      ? 'running'
      : unit.retry_pending
        ? `retrying after: ${unit.error ?? 'a failure'}`
        : `waiting for ${unit.waiting_for ?? 'its turn'}`;
  const attempt = unit.attempts > 1 ? ` (attempt ${unit.attempts})` : '';
  const limit = deadline(state, c);
  const what = `${c.label}${attempt}: ${doing}${limit ? `; ${limit.label} ${at(limit.ms)}` : ''}`;
  const parts = [`${c.label}${attempt}: ${doing}`];
  if (unit.started_at) parts.push(`${span(now - Date.parse(unit.started_at))} so far`);
  if (unit.status === 'waiting' && unit.wake_at !== undefined && unit.wake_at > now)
    parts.push(`next check in ${span(unit.wake_at - now)}`);
  if (limit) parts.push(`${limit.label} ${at(limit.ms)} (in ${span(limit.ms - now)})`);
  return { what, line: parts.join(' · ') };
}

/** How often a plain (non-terminal) line repeats while nothing changes. */
export const PLAIN_REPEAT_MS = 60_000;

/** Draws the status line: in place on a terminal, plain lines otherwise. */
export class StatusLine {
  private shown = false;
  private lastWhat: string | undefined;
  private lastPlainAt = 0;

  constructor(
    private readonly out: Writable,
    private readonly tty: boolean,
  ) {}

  update(state: RunState, now: number, waitingFor?: string): void {
    const p = progress(state, now, waitingFor);
    if (!p) {
      this.clear();
      return;
    }
    if (this.tty) {
      this.out.write(`\r\u001b[2K… ${p.line}`);
      this.shown = true;
      return;
    }
    if (p.what === this.lastWhat && now - this.lastPlainAt < PLAIN_REPEAT_MS) return;
    this.lastWhat = p.what;
    this.lastPlainAt = now;
    this.out.write(`… ${p.line}\n`);
  }

  /** Before printing something else: the in-place line goes away (it is redrawn at the next update). */
  clear(): void {
    if (this.tty && this.shown) this.out.write('\r\u001b[2K');
    this.shown = false;
  }
}
