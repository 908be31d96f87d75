// Delivers cancel announcements (Redis pub/sub) to the runs executing in this
// process, so an in-flight API call is aborted at once. A missed message is
// harmless: the runner also reads the cancel flag at every turn. The same watcher on
// the report channel tells a turn under way that a batch job reported (runner.ts).
import type { Redis } from 'ioredis';
import type { Logger } from '../shared/logger.js';
import { runKeys } from './keys.js';
import type { CancelWatcher } from './runner.js';

export class RedisCancelWatcher implements CancelWatcher {
  private readonly listeners = new Map<string, Set<() => void>>();
  private readonly channel: string;

  private constructor(
    private readonly subscriber: Redis,
    prefix: string,
    channel: 'cancelChannel' | 'reportChannel',
  ) {
    this.channel = runKeys(prefix)[channel];
  }

  /** Takes ownership of `subscriber` (a dedicated connection: it enters subscriber mode). */
  static async start(
    subscriber: Redis,
    prefix: string,
    logger: Logger,
    channel: 'cancelChannel' | 'reportChannel' = 'cancelChannel',
  ): Promise<RedisCancelWatcher> {
    const watcher = new RedisCancelWatcher(subscriber, prefix, channel);
    subscriber.on('message', (channel: string, runId: string) => {
      if (channel !== watcher.channel) return;
      for (const listener of watcher.listeners.get(runId) ?? []) {
        try {
          listener();
        } catch (err) {
          logger.error({ err, runId }, 'cancel listener failed');
        }
      }
    });
    await subscriber.subscribe(watcher.channel);
    return watcher;
  }

  watch(runId: string, onCancel: () => void): () => void {
    const set = this.listeners.get(runId) ?? new Set<() => void>();
    this.listeners.set(runId, set);
    set.add(onCancel);
    return () => {
      set.delete(onCancel);
      if (set.size === 0) this.listeners.delete(runId);
    };
  }

  async close(): Promise<void> {
    this.listeners.clear();
    this.subscriber.disconnect();
  }
}
