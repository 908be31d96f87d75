// CPU time of the processes a benchmark drives besides its own: the simulator child
// (from /proc, Linux only) and Redis (INFO cpu). With the engine's own CPU they show
// where a step's cost lands on the machine's cores, and which process is the bottleneck.
import { readFileSync } from 'node:fs';
import type { Redis } from 'ioredis';

/** Linux's USER_HZ: /proc reports CPU time in ticks of 1/100 s on every common kernel. */
const TICK_US = 10_000;

/** User + system CPU of a process so far (µs, all threads); NaN where /proc has no such file. */
export function processCpuUs(pid: number): number {
  try {
    return cpuOfStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return Number.NaN;
  }
}

/** utime + stime (µs) of a /proc/<pid>/stat line. */
export function cpuOfStat(stat: string): number {
  // Read after the command name, which may hold spaces and parentheses: state is
  // field 3, utime 14, stime 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * TICK_US;
}

/** Redis' own CPU so far (µs, main thread and background threads), from INFO cpu. */
export async function redisCpuUs(redis: Redis): Promise<number> {
  const info = await redis.info('cpu');
  const seconds = (name: string) =>
    Number(new RegExp(`^${name}:([\\d.]+)`, 'm').exec(info)?.[1] ?? Number.NaN);
  return (seconds('used_cpu_user') + seconds('used_cpu_sys')) * 1e6;
}
