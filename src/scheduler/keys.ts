// The scheduler's Redis keys, built like src/runs/keys.ts under the same prefix (on
// Redis Cluster use a hash-tagged prefix such as "{gcflow}": the Lua scripts of the
// slot claim and the concurrency gate read several of these keys at once). Pure.

export function schedulerKeys(prefix: string) {
  return {
    /** Hash: scheduler id -> Registration JSON (what the leader registered). */
    registered: `${prefix}:sched:registered`,
    /**
     * Counter bumped with every change of `registered` (same transaction): a reader that
     * holds the registrations of one count need not read 10,000 of them again.
     */
    registeredGen: `${prefix}:sched:registered:gen`,
    /** Hash: scheduler id -> the most recent slot (ms) decided for it. */
    lastSlot: `${prefix}:sched:last`,
    /** Hash: scheduler id -> the last slot the missed-slot check looked at (src/scheduler/missed.ts). */
    swept: `${prefix}:sched:swept`,
    /** The decision taken for one slot (FireDecision JSON), kept while a redelivery can come. */
    slot: (id: string, slotMs: number) => `${prefix}:sched:slot:${id}:${slotMs}`,
    /** Which replica took over a slot whose fire another replica took but never decided (src/scheduler/take-over.ts). */
    takenOver: (id: string, slotMs: number) => `${prefix}:sched:taken-over:${id}:${slotMs}`,
    /** Lease of the replica that reconciles (value: its replica id). */
    leader: `${prefix}:sched:leader`,
    /**
     * The run holding a concurrency group's slot, as written before `concurrency.limit`
     * (a string); the gate's scripts move it into `gateHolders` when they meet it.
     */
    gate: (group: string) => `${prefix}:sched:gate:${group}`,
    /** Set of the runs holding one of a concurrency group's slots (`overlap: queue`, `limit`). */
    gateHolders: (group: string) => `${prefix}:sched:gate:${group}:holders`,
    /** Sorted set of runs waiting for the group's slot, by arrival. */
    gatePending: (group: string) => `${prefix}:sched:gate:${group}:pending`,
  };
}

export type SchedulerKeys = ReturnType<typeof schedulerKeys>;
