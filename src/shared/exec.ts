// Pipelines and transactions of ioredis answer each command with [error, value]; callers
// want the values, or the first error thrown. Pure apart from the call it awaits.
import type { ChainableCommander } from 'ioredis';

/** Runs a pipeline or transaction: its replies' values in order, or its first error thrown. */
export async function execChecked(commands: ChainableCommander): Promise<unknown[]> {
  const replies = await commands.exec();
  // Null only for a transaction aborted by WATCH, which gcflow does not use.
  if (replies === null) throw new Error('Redis answered the transaction with nothing (aborted)');
  for (const [err] of replies) if (err) throw err;
  return replies.map(([, value]) => value);
}
