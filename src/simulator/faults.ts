// Injected faults (`POST /__sim/faults`): parsing, matching by method and path prefix,
// and counting down. Imports no HTTP.
//
// A fault is `{match: {method?, path?}, status?, count?, retry_after?, latency_ms?, drop?}`:
// - `match.path` is a prefix of the request path including `/compute/v1` (omitted: every
//   API path); `match.method` is case-insensitive (omitted: every method).
// - `count`: how many matching requests it affects (default 1), then it is gone.
// - `latency_ms`: the request waits that long first (then carries on, or fails/drops).
// - `status`: answers that status with an error body `{code, message}` (code `0` + status,
//   `01029` for 429) and `Retry-After: <retry_after>` when `retry_after` (seconds) is set.
// - `drop`: the connection is destroyed without any response.
//     `true` or `"before"`: before the request is handled (nothing happened).
//     `"after"`: AFTER the request was handled, so e.g. `POST /instances` did create the
//     instance but the client never learns it (the ambiguous-create case).
//   `drop` wins over `status`.
// The first fault (in the order added) that matches and has count left takes the request.
import { randomUUID } from 'node:crypto';
import { z } from 'zod';

export interface Fault {
  id: string;
  match: { method: string | null; path: string };
  status: number | null;
  retry_after: number | null;
  latency_ms: number;
  drop: 'before' | 'after' | null;
  /** Matching requests it will still affect. */
  remaining: number;
}

export type FaultSpec = z.input<typeof faultSchema>;

const faultSchema = z
  .object({
    match: z
      .object({
        method: z.string().min(1).optional(),
        path: z.string().startsWith('/').optional(),
      })
      .strict()
      .optional(),
    status: z.number().int().min(100).max(599).optional(),
    count: z.number().int().positive().optional(),
    retry_after: z.number().int().min(0).optional(),
    latency_ms: z.number().int().min(0).optional(),
    drop: z.union([z.boolean(), z.enum(['before', 'after'])]).optional(),
  })
  .strict();

export function parseFault(input: unknown): { ok: true; fault: Fault } | { ok: false; message: string } {
  const parsed = faultSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue && issue.path.length > 0 ? issue.path.join('.') : 'fault';
    return { ok: false, message: `invalid ${where}: ${issue?.message ?? 'bad value'}` };
  }
  const spec = parsed.data;
  const drop =
    spec.drop === true || spec.drop === 'before' ? 'before' : spec.drop === 'after' ? 'after' : null;
  if (spec.status === undefined && drop === null && !spec.latency_ms) {
    return { ok: false, message: 'a fault needs at least one of status, latency_ms or drop' };
  }
  return {
    ok: true,
    fault: {
      id: randomUUID(),
      match: { method: spec.match?.method?.toUpperCase() ?? null, path: spec.match?.path ?? '/' },
      status: spec.status ?? null,
      retry_after: spec.retry_after ?? null,
      latency_ms: spec.latency_ms ?? 0,
      drop,
      remaining: spec.count ?? 1,
    },
  };
}

export class FaultBook {
  private faults: Fault[] = [];

  add(fault: Fault): Fault {
    this.faults.push(fault);
    return { ...fault };
  }

  clear(): void {
    this.faults = [];
  }

  list(): Fault[] {
    return this.faults.map((f) => ({ ...f, match: { ...f.match } }));
  }

  /** The fault that takes this request (its count goes down), if any. */
  take(method: string, path: string): Fault | undefined {
    const index = this.faults.findIndex(
      (f) => (f.match.method === null || f.match.method === method) && path.startsWith(f.match.path),
    );
    const fault = this.faults[index];
    if (!fault) return undefined;
    fault.remaining -= 1;
    if (fault.remaining <= 0) this.faults.splice(index, 1);
    return { ...fault };
  }
}
