// The wall clock against the monotonic one, in a test worker. A VM paused by its host,
// or a clock stepped by NTP, moves Date.now() ahead of performance.now(): every
// process on the machine (daemons, Redis) sees that much time pass at once. A .ci/run saw it:
// a test whose `until` timed out after 10 s of Date.now() ran 3 s by vitest's clock,
// and schedule slots due in the gap were late by design (the same as 7 s of downtime).
// So the tests' deadlines and elapsed times are measured on the monotonic clock
// (performance.now), and tests whose promise is about time on the wall (a slot's run
// on time) ask here whether the clock jumped across their window; each jump is also
// printed to stderr.
const TICK_MS = 100;
/** Wall time gained over monotonic time in one tick that counts as a jump. */
const JUMP_MS = 500;

export interface ClockJump {
  /** Wall time just before and just after the jump (ms). */
  from: number;
  to: number;
  /** How far the wall clock moved ahead of the monotonic one. */
  aheadMs: number;
}

const jumps: ClockJump[] = [];
let watching = false;

/** Starts watching (once per worker); the timer never keeps the worker alive. */
export function watchClock(): void {
  if (watching) return;
  watching = true;
  let wall = Date.now();
  let mono = performance.now();
  setInterval(() => {
    const nowWall = Date.now();
    const nowMono = performance.now();
    const aheadMs = nowWall - wall - (nowMono - mono);
    if (Math.abs(aheadMs) >= JUMP_MS) {
      jumps.push({ from: wall, to: nowWall, aheadMs });
      process.stderr.write(
        `clock-watch: the wall clock moved ${Math.round(aheadMs)} ms against the monotonic clock between ${new Date(wall).toISOString()} and ${new Date(nowWall).toISOString()} (a paused VM or a stepped clock); time-based tests across it see that much time pass at once\n`,
      );
    }
    wall = nowWall;
    mono = nowMono;
  }, TICK_MS).unref();
}

/** The jumps whose span meets [fromMs, toMs] (wall time). */
export function clockJumps(fromMs: number, toMs: number = Date.now()): ClockJump[] {
  return jumps.filter((j) => j.to >= fromMs && j.from <= toMs);
}

/**
 * Of `slots` (wall ms), those a clock jump since `sinceMs` can explain missing: due
 * during the jump, or within `graceMs` (plus a second of delivery) before it, so that
 * every replica saw them late at once.
 */
export function slotsAcrossJumps(slots: number[], graceMs: number, sinceMs: number): number[] {
  const seen = clockJumps(sinceMs);
  return slots.filter((s) => seen.some((j) => s >= j.from - graceMs - 1_000 && s <= j.to + 1_000));
}

/**
 * Splits the missing `slots` of a one-run-per-slot test into those a clock jump since
 * `sinceMs` explains (printed as a warning) and the rest, which the test counts as lost.
 */
export function missingAcrossJumps(
  slots: number[],
  graceMs: number,
  sinceMs: number,
): { acrossJumps: number[]; unexplained: number[] } {
  const acrossJumps = slotsAcrossJumps(slots, graceMs, sinceMs);
  if (acrossJumps.length > 0)
    console.warn(`slots missing across a clock jump: ${acrossJumps.map((s) => new Date(s).toISOString())}`);
  return { acrossJumps, unexplained: slots.filter((s) => !acrossJumps.includes(s)) };
}
