// `npm run bench`: every performance target of gcflow, measured in one run on a
// private Redis, printed as tables. Ratios compare like with like (ours vs raw
// BullMQ on the same Redis); absolute numbers depend on the machine.
// The benchmark's own entry point, as src/main.ts is the CLI's: it alone reads argv.
import { benchEnv } from './env.js';
import { parkedBench } from './parked.js';
import { pollingBench } from './polling.js';
import { schedulerBench } from './scheduler.js';
import { printTable } from './table.js';
import { throughputBench } from './throughput.js';

const arg = (name: string, fallback: number): number => {
  const found = process.argv.find((a) => a.startsWith(`--${name}=`));
  return found ? Number(found.split('=')[1]) : fallback;
};

async function main(): Promise<void> {
  const env = await benchEnv();
  try {
    const concurrency = arg('concurrency', 50);
    printTable('engine throughput', await throughputBench(env, arg('runs', 1_000), concurrency));
    printTable('parked runs', await parkedBench(env, arg('parked', 10_000)));
    printTable('status polling', await pollingBench(env, arg('waiters', 1_000), arg('intervals', 5)));
    printTable('schedule fire lag', await schedulerBench(env, arg('schedules', 1_000), arg('burst', 200)));
  } finally {
    await env.close();
  }
}

await main();
