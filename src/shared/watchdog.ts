// A benchmark must end: it waits for its work with a watchdog that fails it, naming
// what is stuck, once progress stops for too long (a lost job would otherwise hang
// `npm run bench` silently).

/** Resolves with `done`; rejects when `progress()` has not moved for `stallMs`. */
export async function withWatchdog(
  done: Promise<void>,
  progress: () => number,
  describe: () => Promise<string>,
  stallMs = 30_000,
): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const stalled = new Promise<never>((_, reject) => {
    let last = progress();
    let since = Date.now();
    timer = setInterval(() => {
      const now = progress();
      if (now !== last) {
        last = now;
        since = Date.now();
      } else if (Date.now() - since >= stallMs) {
        clearInterval(timer);
        void describe().then(
          (what) => reject(new Error(`benchmark stalled: no progress for ${stallMs / 1000} s (${what})`)),
          (err) => reject(err),
        );
      }
    }, 1_000);
  });
  try {
    await Promise.race([done, stalled]);
  } finally {
    clearInterval(timer);
  }
}
