// The request log behind `GET /__sim/calls` and the rolling-second rate limiter.
// Pure bookkeeping: callers pass the time in. Imports no HTTP.

export interface Call {
  method: string;
  /** The request path without the query, e.g. `/compute/v1/instances/4f0c...`. */
  path: string;
  /** `METHOD route-template` relative to /compute/v1, e.g. `GET /instances/{id}`. */
  route: string;
  /** The HTTP status answered; 0 when the connection was dropped. */
  status: number;
  /** When the request arrived (ms since the epoch, from the simulator's clock). */
  at: number;
  /** Set when a fault dropped the connection: before or after the request was handled. */
  dropped?: 'before' | 'after';
}

/** Entries kept for `GET /__sim/calls`; counts keep counting past it. */
export const MAX_CALLS_KEPT = 100_000;

export class CallLog {
  private entries: Call[] = [];
  private perRoute = new Map<string, number>();

  record(call: Call): void {
    this.entries.push(call);
    if (this.entries.length > MAX_CALLS_KEPT) this.entries.splice(0, this.entries.length - MAX_CALLS_KEPT);
    this.perRoute.set(call.route, (this.perRoute.get(call.route) ?? 0) + 1);
  }

  clear(): void {
    this.entries = [];
    this.perRoute.clear();
  }

  report(): { calls: Call[]; counts: Record<string, number>; total: number } {
    return {
      calls: this.entries.map((c) => ({ ...c })),
      counts: Object.fromEntries(this.perRoute),
      total: [...this.perRoute.values()].reduce((a, b) => a + b, 0),
    };
  }
}

/** Accepts at most `limit` requests in any rolling 1000 ms; refused ones are not counted. */
export class RollingRateLimiter {
  private accepted: number[] = [];

  /** Undefined when accepted; else milliseconds until a slot frees up (≥ 1). */
  admit(now: number, limit: number | null): number | undefined {
    if (limit === null) return undefined;
    while (this.accepted.length > 0 && this.accepted[0]! <= now - 1000) this.accepted.shift();
    if (this.accepted.length < limit) {
      this.accepted.push(now);
      return undefined;
    }
    return Math.max(1, this.accepted[0]! + 1000 - now);
  }

  clear(): void {
    this.accepted = [];
  }
}
