// `npm run bench`: every performance target of gcflow, measured in one run on a
// private Redis, printed as tables. Ratios compare like with like (ours vs raw
// BullMQ on the same Redis); absolute numbers depend on the machine.
// The benchmark's own entry point, as src/main.ts is the CLI's: it alone reads argv.
import { budgetBench } from './budget.js';
import { callsBench } from './calls.js';
import { benchEnv } from './env.js';
import { forEachBench } from './for-each.js';
import { parkedBench } from './parked.js';
import { pollingBench } from './polling.js';
import { schedulerBench } from './scheduler.js';
import { printTable } from './table.js';
import { throughputBench } from './throughput.js';

const arg = (name: string, fallback: number): number => {
  const found = process.argv.find((a) => a.startsWith(`--${name}=`));
  return found ? Number(found.split('=')[1]) : fallback;
};

/** `--only=budget,parked`: just those tables (names: throughput, parked, for-each, polling, budget, scheduler, calls). */
const only = process.argv
  .find((a) => a.startsWith('--only='))
  ?.slice('--only='.length)
  .split(',');
const wanted = (name: string): boolean => only === undefined || only.includes(name);

async function main(): Promise<void> {
  const env = await benchEnv();
  try {
    const concurrency = arg('concurrency', 50);
    if (wanted('throughput'))
      printTable('engine throughput', await throughputBench(env, arg('runs', 1_000), concurrency));
    if (wanted('parked')) printTable('parked runs', await parkedBench(env, arg('parked', 100_000)));
    if (wanted('for-each')) printTable('for_each at scale', await forEachBench(env, arg('items', 10_000)));
    if (wanted('polling'))
      printTable('status polling', await pollingBench(env, arg('waiters', 1_000), arg('intervals', 5)));
    if (wanted('budget'))
      printTable(
        'one API budget across replicas',
        await budgetBench(env, arg('budget-runs', 60), arg('budget-limit', 30)),
      );
    if (wanted('scheduler'))
      printTable(
        'schedule fire lag',
        await schedulerBench(env, arg('schedules', 10_000), arg('burst', 1_000)),
      );
    if (wanted('calls')) printTable('API calls per job', await callsBench(env, arg('boxes', 100)));
  } finally {
    await env.close();
  }
}

await main();
