// The Simulator: in-process state plus the admin operations the `/__sim` routes (and
// tests in the same process) use. Imports no HTTP.
import { systemClock, type Clock } from '../shared/clock.js';
import { CallLog, RollingRateLimiter, type Call } from './calls.js';
import { ApiFailure, ErrorCode, invalid } from './errors.js';
import { type Fault, FaultBook, type FaultSpec, parseFault } from './faults.js';
import { enterInstanceStatus } from './lifecycle.js';
import { instanceView, snapshotView } from './model.js';
import { defaultSettings, mergeSettings, parseSettingsPatch, type SimulatorSettings } from './settings.js';
import { Store } from './store.js';

export interface SimulatorOptions {
  settings?: Partial<SimulatorSettings>;
  /** When set only this token is accepted; else any non-empty token. */
  token?: string;
  clock?: Clock;
}

export interface ForceStatusOptions {
  /**
   * Keep the status as is. Without it a forced transient status (creating, stopping,
   * starting, resetting, deleting) settles on its own after `transition_ms`, like a real one.
   */
  hold?: boolean;
}

const countBy = (values: string[]): Record<string, number> => {
  const out: Record<string, number> = {};
  for (const v of values) out[v] = (out[v] ?? 0) + 1;
  return out;
};

export class Simulator {
  readonly clock: Clock;
  readonly token: string | undefined;
  readonly store: Store;
  /** What `reset()` returns to: the defaults overlaid with the settings given at start. */
  private readonly baseline: SimulatorSettings;
  private current: SimulatorSettings;
  private readonly faultBook = new FaultBook();
  private readonly callLog = new CallLog();
  private readonly limiter = new RollingRateLimiter();

  constructor(options: SimulatorOptions = {}) {
    this.clock = options.clock ?? systemClock;
    this.token = options.token;
    this.baseline = mergeSettings(defaultSettings(), this.validPatch(options.settings ?? {}));
    this.current = mergeSettings(this.baseline, {});
    this.store = new Store(this.clock, () => this.current);
  }

  /** A copy of the settings in force. */
  get settings(): SimulatorSettings {
    return mergeSettings(this.current, {});
  }

  /** Applies a partial update (a given `capacity` replaces the whole map); returns the full settings. */
  configure(patch: Partial<SimulatorSettings>): SimulatorSettings {
    this.current = mergeSettings(this.current, this.validPatch(patch));
    return this.settings;
  }

  /** Back to the seed data and the start settings; clears instances, snapshots, faults, calls. */
  reset(): void {
    this.current = mergeSettings(this.baseline, {});
    this.store.reset();
    this.faultBook.clear();
    this.callLog.clear();
    this.limiter.clear();
  }

  addFault(spec: FaultSpec): Fault {
    const parsed = parseFault(spec);
    if (!parsed.ok) throw invalid(parsed.message);
    return this.faultBook.add(parsed.fault);
  }

  clearFaults(): void {
    this.faultBook.clear();
  }

  faults(): Fault[] {
    return this.faultBook.list();
  }

  /** Sets any status string (unknown ones included) on a live instance. */
  forceStatus(id: string, status: string, options: ForceStatusOptions = {}) {
    if (typeof status !== 'string' || status === '') throw invalid('status must be a non-empty string');
    const record = this.store.getInstance(id);
    if (options.hold) {
      record.status = status;
      record.updated_at = this.clock.now();
      record.pending = null;
    } else {
      enterInstanceStatus(record, status, this.clock.now(), this.current, this.store.hooks);
    }
    return instanceView(record);
  }

  /**
   * Ages a snapshot for tests and demos: `created_at` (ms) replaces its creation time;
   * `status` (any string) is set and held (no transition follows), so `creating` or
   * `error` stays until changed again. Unknown id: 404.
   */
  editSnapshot(id: string, change: { created_at?: number; status?: string }) {
    const record = this.store.getSnapshot(id);
    if (change.created_at !== undefined) record.created_at = change.created_at;
    if (change.status !== undefined) {
      record.status = change.status;
      record.pending = null;
    }
    record.updated_at = this.clock.now();
    return snapshotView(record);
  }

  calls(): { calls: Call[]; counts: Record<string, number>; total: number } {
    return this.callLog.report();
  }

  clearCalls(): void {
    this.callLog.clear();
  }

  /** Live instances and snapshots (transitions applied), settings, faults and counts. */
  state() {
    // The admin view adds what the API never shows: the startup script (tests play the box).
    const instances = this.store
      .listInstances()
      .map((r) => ({ ...instanceView(r), startup_script: r.startup_script }));
    const snapshots = this.store.listSnapshots().map(snapshotView);
    return {
      instances,
      snapshots,
      settings: this.settings,
      faults: this.faults(),
      counts: {
        instances: instances.length,
        snapshots: snapshots.length,
        instances_by_status: countBy(instances.map((i) => i.status)),
        snapshots_by_status: countBy(snapshots.map((s) => s.status)),
      },
    };
  }

  // ---------------------------------------------------------------- used by the HTTP layer

  recordCall(call: Call): void {
    this.callLog.record(call);
  }

  takeFault(method: string, path: string): Fault | undefined {
    return this.faultBook.take(method, path);
  }

  /** Throws 429 with Retry-After when the rolling-second limit is reached. */
  admit(): void {
    const waitMs = this.limiter.admit(this.clock.now(), this.current.rate_limit_per_s);
    if (waitMs === undefined) return;
    const seconds = Math.max(1, Math.ceil(waitMs / 1000));
    throw new ApiFailure(
      429,
      ErrorCode.rateLimited,
      `rate limit of ${this.current.rate_limit_per_s} requests per second exceeded; retry in ${seconds} s`,
      { 'Retry-After': String(seconds) },
    );
  }

  /** True when one of the presented tokens is acceptable. */
  acceptsToken(candidates: string[]): boolean {
    return candidates.some((t) => t !== '' && (this.token === undefined || t === this.token));
  }

  private validPatch(patch: unknown): Partial<SimulatorSettings> {
    const parsed = parseSettingsPatch(patch);
    if (!parsed.ok) throw invalid(parsed.message);
    return parsed.patch;
  }
}
