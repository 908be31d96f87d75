// Polling with a deadline, for tests: read until a condition holds, never sleep blindly.
// The one place that decides how a test waits: every harness's `until`/`eventually`
// calls waitFor. Deadlines are on the monotonic clock (performance.now()): a wall-clock
// jump on a loaded machine must not time a wait out early (see clock-watch.ts).

export interface WaitOptions {
  /** How long to wait in all (default 20 s). */
  timeoutMs?: number;
  /** Pause between two looks (default 10 ms). */
  everyMs?: number;
  /** What is awaited, for the error; a function is called only when the wait fails. */
  what?: string | (() => string);
  /** Keep polling when `check` throws (the last error is named if time runs out). */
  retryErrors?: boolean;
}

/** Polls `check` until it returns something other than undefined; returns that. */
export async function waitFor<T>(
  check: () => Promise<T | undefined> | T | undefined,
  { timeoutMs = 20_000, everyMs = 10, what = 'the condition', retryErrors = false }: WaitOptions = {},
): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (err) {
      if (!retryErrors) throw err;
      last = err;
    }
    if (performance.now() > deadline) {
      const subject = typeof what === 'function' ? what() : what;
      const cause = last === undefined ? '' : `: ${(last as Error).message}`;
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${subject}${cause}`);
    }
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

/** Polls `read` until `done` holds or the deadline passes; returns the value that held. */
export async function pollUntil<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  { timeoutMs = 20_000, everyMs = 10 } = {},
): Promise<T> {
  let last: T | undefined;
  const held = await waitFor(
    async () => {
      last = await read();
      return done(last) ? { value: last } : undefined;
    },
    { timeoutMs, everyMs, what: () => `the condition (last read: ${JSON.stringify(last)})` },
  );
  return held.value;
}
