// The StatusSource of a plan: status polls read the instance through the plan
// client, and a wait the plan is in always succeeds: the instance is taken to be
// in the awaited status (recorded in the overlay). No I/O of its own.
import type { StatusSource } from '../actions/index.js';
import { type Instance, isNotFound } from '../genesis/index.js';
import type { PlanClient } from './client.js';
import type { PlanOverlay } from './overlay.js';

type Snapshot = Awaited<ReturnType<StatusSource['get']>>;

/** `deleted` is not an API status: it means GET answers 404 (as in actions/wait-status.ts). */
const DELETED = 'deleted';

export class PlanStatuses implements StatusSource {
  /** What the current task waits for; undefined when it waits for nothing. */
  expected: string[] | undefined;
  /** Set when a poll had to assume the wait succeeded. */
  assumed = false;

  constructor(
    private readonly client: PlanClient,
    private readonly overlay: PlanOverlay,
    private readonly now: () => number,
  ) {}

  /** Starts a task: what it waits for. */
  begin(expected: string[] | undefined): void {
    this.expected = expected;
    this.assumed = false;
  }

  async get(id: string): Promise<Snapshot> {
    const at = this.now();
    let instance: Instance;
    try {
      instance = await this.client.instances.get(id);
    } catch (err) {
      if (isNotFound(err)) return { at, gone: true };
      throw err;
    }
    const expected = this.expected;
    if (!expected || expected.length === 0 || expected.includes(instance.status)) return { at, instance };
    this.assumed = true;
    if (expected.includes(DELETED)) {
      this.overlay.deleteInstance(id);
      return { at, gone: true };
    }
    return { at, instance: this.overlay.setStatus(instance, expected[0]!, at) };
  }

  /** A look before acting: the instance as the plan client has it, nothing assumed. */
  async read(id: string): Promise<Snapshot> {
    const at = this.now();
    try {
      return { at, instance: await this.client.instances.get(id) };
    } catch (err) {
      if (isNotFound(err)) return { at, gone: true };
      throw err;
    }
  }

  async remember(): Promise<void> {}

  async invalidate(): Promise<void> {}
}
