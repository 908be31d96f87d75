// Placing, finding and lifting holds by what users write (an instance id or name),
// shared by the CLI (gcflow hold / holds / unhold) and the HTTP API (/api/holds).
// Names are resolved through the API like every other instance reference; a hold is
// keyed by the instance's id. Imports the store, the actions' resolver and shared.
import { StepFailure } from '../actions/errors.js';
import { isUuid, resolveInstance } from '../actions/resolve.js';
import type { GenesisClient } from '../genesis/index.js';
import type { Clock } from '../shared/clock.js';
import { formatDuration, parseDuration } from '../shared/duration.js';
import { GcflowError } from '../shared/errors.js';
import type { Hold, HoldStore } from './store.js';

export class HoldError extends GcflowError {
  override readonly name = 'HoldError';
  constructor(
    code: 'E_HOLD_INVALID' | 'E_HOLD_NOT_FOUND' | 'E_HOLD_INSTANCE_NOT_FOUND' | 'E_HOLD_INSTANCE_AMBIGUOUS',
    message: string,
    hint?: string,
  ) {
    super(code, message, hint === undefined ? {} : { hint });
  }
}

/** What a user asks for: `until` (an ISO time) or `for` (a duration), and why. */
export interface HoldRequest {
  until?: string | undefined;
  for?: string | undefined;
  reason?: string | undefined;
  /** Who places it (user@host), when known. */
  createdBy?: string | undefined;
}

export interface HoldSettings {
  /** How long a hold lasts without until or for (config holds.default_duration). */
  defaultMs: number;
  /** The longest hold accepted (config holds.max_duration). */
  maxMs: number;
}

export const MAX_REASON_LENGTH = 500;

/** The end of a requested hold (ms), checked: in the future and within `maxMs`. Pure. */
export function holdEnd(request: HoldRequest, now: number, settings: HoldSettings): number {
  if (request.until !== undefined && request.for !== undefined)
    throw new HoldError('E_HOLD_INVALID', 'give either until or for, not both');
  let end: number;
  if (request.until !== undefined) {
    end = Date.parse(request.until);
    if (Number.isNaN(end))
      throw new HoldError(
        'E_HOLD_INVALID',
        `until ${JSON.stringify(request.until)} is not a time`,
        'write an ISO time with its offset, e.g. 2026-12-01T07:00:00+01:00',
      );
    if (end <= now)
      throw new HoldError(
        'E_HOLD_INVALID',
        `until ${request.until} is in the past`,
        'give a time in the future, or --for a duration',
      );
  } else if (request.for !== undefined) {
    const ms = parseDuration(request.for);
    if (ms === undefined || ms <= 0)
      throw new HoldError(
        'E_HOLD_INVALID',
        `for ${JSON.stringify(request.for)} is not a duration`,
        'write a duration such as 30m, 8h or 1d12h',
      );
    end = now + ms;
  } else {
    end = now + settings.defaultMs;
  }
  if (end - now > settings.maxMs)
    throw new HoldError(
      'E_HOLD_INVALID',
      `a hold may last at most ${formatDuration(settings.maxMs)} (config holds.max_duration)`,
      'give an earlier until or a shorter for, and hold again when it ends',
    );
  if (request.reason !== undefined && request.reason.length > MAX_REASON_LENGTH)
    throw new HoldError('E_HOLD_INVALID', `the reason is longer than ${MAX_REASON_LENGTH} characters`);
  return end;
}

export interface HoldServiceDeps {
  store: HoldStore;
  /** The API client, made only when a name must be resolved. */
  client: () => GenesisClient;
  clock: Clock;
  settings: HoldSettings;
}

export class HoldService {
  constructor(private readonly deps: HoldServiceDeps) {}

  list(): Promise<Hold[]> {
    return this.deps.store.list();
  }

  /** Holds the instance (id or name; it must exist) until the requested time. */
  async place(ref: string, request: HoldRequest, signal?: AbortSignal): Promise<Hold> {
    const now = this.deps.clock.now();
    const end = holdEnd(request, now, this.deps.settings);
    const instance = await this.resolve(ref, signal);
    const hold: Hold = {
      instance_id: instance.id,
      instance_name: instance.name,
      until: new Date(end).toISOString(),
      created_at: new Date(now).toISOString(),
      ...(request.reason ? { reason: request.reason } : {}),
      ...(request.createdBy ? { created_by: request.createdBy } : {}),
    };
    await this.deps.store.put(hold);
    return hold;
  }

  /** The hold in force on an instance (id or name), else E_HOLD_NOT_FOUND. */
  async get(ref: string, signal?: AbortSignal): Promise<Hold> {
    const hold = await this.find(ref, signal);
    if (!hold) throw notHeld(ref);
    return hold;
  }

  /** Lifts the hold on an instance (id or name); E_HOLD_NOT_FOUND when none is in force. */
  async lift(ref: string, signal?: AbortSignal): Promise<Hold> {
    const held = await this.find(ref, signal);
    const removed = held ? await this.deps.store.remove(held.instance_id) : undefined;
    if (!removed) throw notHeld(ref);
    return removed;
  }

  /**
   * By id without asking the API (the box may be gone); by name among the holds
   * first, then through the API.
   */
  private async find(ref: string, signal?: AbortSignal): Promise<Hold | undefined> {
    if (isUuid(ref)) return this.deps.store.get(ref);
    const named = (await this.deps.store.list()).filter((h) => h.instance_name === ref);
    if (named.length === 1) return named[0];
    return this.deps.store.get((await this.resolve(ref, signal)).id);
  }

  private async resolve(ref: string, signal?: AbortSignal) {
    try {
      return await resolveInstance(this.deps.client(), ref, signal ?? new AbortController().signal);
    } catch (err) {
      if (err instanceof StepFailure && err.code === 'E_INSTANCE_NOT_FOUND')
        throw new HoldError('E_HOLD_INSTANCE_NOT_FOUND', `no instance ${ref}`);
      if (err instanceof StepFailure && err.code === 'E_INSTANCE_AMBIGUOUS')
        throw new HoldError('E_HOLD_INSTANCE_AMBIGUOUS', err.message);
      throw err;
    }
  }
}

function notHeld(ref: string): HoldError {
  return new HoldError('E_HOLD_NOT_FOUND', `instance ${ref} has no hold in force`);
}
