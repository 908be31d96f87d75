// The simulator's tunable settings (timings, rate limit, capacity, latency) with their
// defaults, and the parser for partial updates (`POST /__sim/config`). Imports no I/O.
import { z } from 'zod';

export interface SimulatorSettings {
  /** creating->active, stopping->stopped, starting->active, resetting->active, deleting->gone, snapshot creating->created. */
  transition_ms: number;
  /** How long a startup script that calls poweroff/shutdown/halt runs after the instance became active. */
  script_runtime_ms: number;
  /** Requests per rolling second before 429; null = no limit. */
  rate_limit_per_s: number | null;
  /** `{"REGION/TYPE": max instances not yet gone}`; an absent key means unlimited. */
  capacity: Record<string, number>;
  /** Added to every API request (not to admin routes). */
  latency_ms: number;
}

export const DEFAULT_SETTINGS: Readonly<SimulatorSettings> = Object.freeze({
  transition_ms: 3000,
  script_runtime_ms: 10_000,
  rate_limit_per_s: null,
  capacity: {},
  latency_ms: 0,
});

const nonNegativeInt = z.number().int().min(0);

const settingsPatchSchema = z
  .object({
    transition_ms: nonNegativeInt,
    script_runtime_ms: nonNegativeInt,
    rate_limit_per_s: z.number().int().positive().nullable(),
    capacity: z.record(
      z.string().regex(/^[^/]+\/[^/]+$/, 'capacity keys look like "REGION/TYPE"'),
      nonNegativeInt,
    ),
    latency_ms: nonNegativeInt,
  })
  .partial()
  .strict();

/** Validates a partial update; returns an error message naming the bad key instead of throwing. */
export function parseSettingsPatch(
  input: unknown,
): { ok: true; patch: Partial<SimulatorSettings> } | { ok: false; message: string } {
  const parsed = settingsPatchSchema.safeParse(input);
  if (parsed.success) return { ok: true, patch: parsed.data };
  const issue = parsed.error.issues[0];
  const where = issue && issue.path.length > 0 ? issue.path.join('.') : 'settings';
  return { ok: false, message: `invalid ${where}: ${issue?.message ?? 'bad value'}` };
}

export function mergeSettings(base: SimulatorSettings, patch: Partial<SimulatorSettings>): SimulatorSettings {
  return {
    ...base,
    ...patch,
    capacity: { ...(patch.capacity ?? base.capacity) },
  };
}

export function defaultSettings(): SimulatorSettings {
  return { ...DEFAULT_SETTINGS, capacity: {} };
}
