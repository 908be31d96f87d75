import { describe, expect, it } from 'vitest';
import { cpuOfStat, processCpuUs } from '../../../src/bench/cpu.js';

describe('bench: CPU of another process', () => {
  it('reads utime and stime after a command name holding spaces and parentheses', () => {
    const stat =
      '4242 (node (sim) x) S 1 4242 4242 0 -1 4194560 900 0 0 0 123 45 0 0 20 0 11 0 777 1000 2000';
    expect(cpuOfStat(stat)).toBe((123 + 45) * 10_000);
  });

  it('grows with the CPU a process burns, and is NaN for a process that does not exist', () => {
    const before = processCpuUs(process.pid);
    const own = process.cpuUsage();
    // Busy until this process has burnt 60 ms of CPU, however loaded the machine is.
    while (process.cpuUsage(own).user < 60_000) Math.sqrt(Math.random());
    // /proc counts in 10 ms ticks, so allow one tick at each end.
    expect(processCpuUs(process.pid) - before).toBeGreaterThanOrEqual(40_000);
    expect(processCpuUs(2 ** 22 + 1)).toBeNaN();
  });
});
