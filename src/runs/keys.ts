// Every Redis key gcflow writes outside BullMQ's own, in one place. All share the
// configured prefix; on Redis Cluster use a hash-tagged prefix such as "{gcflow}"
// so a run's keys and its BullMQ job lock live in one slot (checkpoints are fenced
// by a Lua script that reads both). BullMQ owns `${prefix}:<queue>:*` for its
// queues (`runs`, `triggers`): nothing here may start with a queue's name. Pure.

export function runKeys(prefix: string) {
  return {
    run: (id: string) => `${prefix}:run:${id}`,
    events: (id: string) => `${prefix}:run:${id}:events`,
    cancel: (id: string) => `${prefix}:run:${id}:cancel`,
    /** A for_each step's list, stored once when the step starts. */
    itemList: (id: string, step: string) => `${prefix}:run:${id}:list:${step}`,
    /** Hash: item index -> the item's state (started items only). */
    items: (id: string, step: string) => `${prefix}:run:${id}:items:${step}`,
    definition: (hash: string) => `${prefix}:def:${hash}`,
    /** Sorted set of every run id by creation time. */
    allRuns: `${prefix}:index:runs`,
    workflowRuns: (workflow: string) => `${prefix}:index:workflow:${workflow}`,
    /** Set of runs not yet finished. */
    activeRuns: `${prefix}:index:active`,
    /** Hash: instance id -> ownership record. */
    owned: `${prefix}:owned`,
    /** Hash: task key -> create intent (written before POST /instances). */
    intents: `${prefix}:intents`,
    /** Cached instance statuses shared by every waiter and replica. */
    status: (instanceId: string) => `${prefix}:status:${instanceId}`,
    statusSweepLock: `${prefix}:status:sweep`,
    /** Pub/sub channel announcing cancel requests. */
    cancelChannel: `${prefix}:cancel`,
    /** A batch job's last report (src/runs/reports.ts). */
    report: (id: string) => `${prefix}:run:${id}:report`,
    /** Counter of a run's reports in the current rate window. */
    reportRate: (id: string) => `${prefix}:run:${id}:report:rate`,
    /** The HMAC key report tokens are derived from (never leaves Redis and the daemon). */
    reportKey: `${prefix}:report:key`,
    /** Pub/sub channel announcing reports (wakes a job.wait turn under way). */
    reportChannel: `${prefix}:report`,
  };
}

export type RunKeys = ReturnType<typeof runKeys>;
