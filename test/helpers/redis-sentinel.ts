// A local Sentinel group from redis-server binaries: 1 master with AOF, 1 replica
// (AOF too), 3 sentinels (`redis-server sentinel.conf --sentinel`), quorum 2, on free
// ports in temp dirs. failover() asks for a failover (SENTINEL FAILOVER) and
// killMaster() crashes the master; both resolve once the sentinels name the new
// master. Both first make the replica acknowledge (WAIT) every write made before the
// call. stop() ends every process and removes the dirs.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort } from '../../src/shared/net.js';
import { removeDir, type SpawnedRedis, spawnRedis } from './redis-server.js';
import { waitFor } from './poll.js';

export const SENTINEL_MASTER = 'gcflowmaster';

export interface SentinelGroup {
  name: string;
  sentinels: Array<{ host: string; port: number }>;
  /** Data servers by port (the master and the replica; their roles swap at a failover). */
  servers: Map<number, SpawnedRedis>;
  /** The master's port as the sentinels see it now. */
  masterPort(): Promise<number>;
  /** SENTINEL FAILOVER; resolves with the new master's port once the sentinels agree on it. */
  failover(timeoutMs?: number): Promise<number>;
  /** SIGKILLs the master; resolves with the promoted replica's port. The old master stays down. */
  killMaster(timeoutMs?: number): Promise<number>;
  stop(): Promise<void>;
}

const DOWN_AFTER_MS = 3_000;

async function sentinelCall<T>(port: number, ...args: string[]): Promise<T> {
  const client = new Redis({
    port,
    host: '127.0.0.1',
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return (await client.call('SENTINEL', ...args)) as T;
  } finally {
    client.disconnect();
  }
}

const until = <T>(check: () => Promise<T | undefined>, timeoutMs: number, what: string): Promise<T> =>
  waitFor(check, { timeoutMs, what: `Sentinel group: ${what}`, everyMs: 200, retryErrors: true });

export async function startSentinelGroup(): Promise<SentinelGroup> {
  const servers = new Map<number, SpawnedRedis>();
  const sentinelProcs: SpawnedRedis[] = [];
  const stop = async (): Promise<void> => {
    const all = [...servers.values(), ...sentinelProcs];
    await Promise.all(all.map((s) => s.stop('SIGKILL')));
    for (const s of all) removeDir(s.dir);
  };
  try {
    const aof = ['--appendfsync', 'everysec'];
    const master = await spawnRedis({ appendonly: true, args: aof });
    servers.set(master.port, master);
    const replica = await spawnRedis({
      appendonly: true,
      args: [...aof, '--replicaof', '127.0.0.1', String(master.port)],
    });
    servers.set(replica.port, replica);
    for (let i = 0; i < 3; i++) {
      const port = await freePort();
      const dir = mkdtempSync(join(tmpdir(), 'gcflow-sentinel-'));
      const conf = join(dir, 'sentinel.conf');
      writeFileSync(
        conf,
        [
          `sentinel monitor ${SENTINEL_MASTER} 127.0.0.1 ${master.port} 2`,
          `sentinel down-after-milliseconds ${SENTINEL_MASTER} ${DOWN_AFTER_MS}`,
          `sentinel failover-timeout ${SENTINEL_MASTER} 10000`,
          `sentinel parallel-syncs ${SENTINEL_MASTER} 1`,
          '',
        ].join('\n'),
      );
      sentinelProcs.push(await spawnRedis({ port, dir, configFile: conf, args: ['--sentinel'] }));
    }
    const group: SentinelGroup = {
      name: SENTINEL_MASTER,
      sentinels: sentinelProcs.map((s) => ({ host: '127.0.0.1', port: s.port })),
      servers,
      masterPort: async () => {
        const [, port] = await sentinelCall<string[]>(
          sentinelProcs[0]!.port,
          'get-master-addr-by-name',
          SENTINEL_MASTER,
        );
        return Number(port);
      },
      failover: async (timeoutMs = 60_000) => {
        const before = await group.masterPort();
        // Replication is asynchronous and SENTINEL FAILOVER promotes the replica without
        // waiting for it: first make the replica acknowledge everything written so far, so
        // what the test set up before calling failover() survives it (see replicaAcked).
        await replicaAcked(before, timeoutMs);
        await until(
          async () => {
            await sentinelCall(sentinelProcs[0]!.port, 'failover', SENTINEL_MASTER);
            return true;
          },
          timeoutMs,
          'SENTINEL FAILOVER accepted',
        );
        const now = await agreeOnNewMaster(before, timeoutMs);
        // The old master comes back as the new one's replica and catches up.
        await replicaAcked(now, timeoutMs);
        return now;
      },
      killMaster: async (timeoutMs = 60_000) => {
        const before = await group.masterPort();
        // Crash a master whose replica has acknowledged everything written before this
        // call: what is lost then is only what was written in the last moments
        // (asynchronous replication; see README, Durability).
        await replicaAcked(before, timeoutMs);
        await servers.get(before)!.stop('SIGKILL');
        return agreeOnNewMaster(before, timeoutMs);
      },
      stop,
    };
    /**
     * The replica has acknowledged every write the master took before this call: a marker
     * written on a fresh connection, then WAIT 1 (the replica's acknowledged offset reaches
     * the marker's, so every earlier write too). Retried until the deadline: WAIT answers 0
     * while the replica is still (re)syncing. An offset comparison from INFO is not enough:
     * it tolerates a lag, and a run created just before a failover may be in that lag.
     */
    const replicaAcked = (masterPort: number, timeoutMs: number): Promise<true> =>
      until(
        async () => {
          const client = new Redis({
            port: masterPort,
            host: '127.0.0.1',
            lazyConnect: true,
            maxRetriesPerRequest: 0,
            retryStrategy: () => null,
          });
          client.on('error', () => undefined);
          try {
            await client.connect();
            await client.set('gcflow-harness:replication-marker', String(Date.now()));
            const acked = Number(await client.call('WAIT', '1', '2000'));
            return acked >= 1 ? (true as const) : undefined;
          } finally {
            client.disconnect();
          }
        },
        timeoutMs,
        `the replica acknowledging every write of the master on port ${masterPort}`,
      );
    const agreeOnNewMaster = (before: number, timeoutMs: number): Promise<number> =>
      until(
        async () => {
          const ports = await Promise.all(
            sentinelProcs.map(async (s) => {
              const [, port] = await sentinelCall<string[]>(
                s.port,
                'get-master-addr-by-name',
                SENTINEL_MASTER,
              );
              return Number(port);
            }),
          );
          const now = ports[0]!;
          if (now === before || !ports.every((p) => p === now)) return undefined;
          // The promoted server says it is a master.
          const client = new Redis({
            port: now,
            host: '127.0.0.1',
            lazyConnect: true,
            maxRetriesPerRequest: 0,
            retryStrategy: () => null,
          });
          client.on('error', () => undefined);
          try {
            await client.connect();
            const role = (await client.call('ROLE')) as unknown[];
            return role[0] === 'master' ? now : undefined;
          } finally {
            client.disconnect();
          }
        },
        timeoutMs,
        'the sentinels agreeing on a new master',
      );
    // Ready: the replica is in sync and every sentinel knows the replica and the other two.
    await until(
      async () => {
        for (const s of sentinelProcs) {
          const replicas = await sentinelCall<unknown[][]>(s.port, 'replicas', SENTINEL_MASTER);
          const others = await sentinelCall<unknown[]>(s.port, 'sentinels', SENTINEL_MASTER);
          const ok = replicas.some((r) => {
            const fields = new Map<string, string>();
            for (let i = 0; i + 1 < r.length; i += 2) fields.set(String(r[i]), String(r[i + 1]));
            return fields.get('flags') === 'slave' && fields.get('master-link-status') === 'ok';
          });
          if (!ok || others.length < 2) return undefined;
        }
        return true;
      },
      60_000,
      'replica in sync and sentinels acquainted',
    );
    return group;
  } catch (err) {
    await stop();
    throw err;
  }
}
