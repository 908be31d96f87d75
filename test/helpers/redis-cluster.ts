// A local 3-master Redis Cluster from redis-server binaries (`--cluster-enabled yes`
// x3 + `redis-cli --cluster create`), on free ports in temp dirs; stop() ends every
// node and removes the dirs (and test/helpers/children.ts kills them if a test forgets).
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { portFree } from '../../src/shared/net.js';
import { removeDir, type SpawnedRedis, spawnRedis } from './redis-server.js';

const run = promisify(execFile);

export interface RedisClusterHandle {
  nodes: Array<{ host: string; port: number }>;
  servers: SpawnedRedis[];
  stop(): Promise<void>;
}

/** A port whose cluster bus port (port + 10000) is free too. */
async function clusterPort(taken: Set<number>): Promise<number> {
  for (let i = 0; i < 200; i++) {
    const port = 20_000 + Math.floor(Math.random() * 25_000);
    if (taken.has(port) || taken.has(port + 10_000)) continue;
    if ((await portFree(port)) && (await portFree(port + 10_000))) {
      taken.add(port);
      taken.add(port + 10_000);
      return port;
    }
  }
  throw new Error('no free port pair (port, port + 10000) for a Redis Cluster node');
}

export async function startRedisCluster(masters = 3): Promise<RedisClusterHandle> {
  const servers: SpawnedRedis[] = [];
  const stop = async (): Promise<void> => {
    await Promise.all(servers.map((s) => s.stop('SIGKILL')));
    for (const s of servers) removeDir(s.dir);
  };
  try {
    const taken = new Set<number>();
    for (let i = 0; i < masters; i++) {
      const port = await clusterPort(taken);
      const dir = mkdtempSync(join(tmpdir(), 'gcflow-cluster-'));
      servers.push(
        await spawnRedis({
          port,
          dir,
          args: [
            '--cluster-enabled',
            'yes',
            '--cluster-config-file',
            'nodes.conf',
            '--cluster-node-timeout',
            '5000',
          ],
        }),
      );
    }
    const nodes = servers.map((s) => ({ host: '127.0.0.1', port: s.port }));
    await run(
      'redis-cli',
      [
        '--cluster',
        'create',
        ...nodes.map((n) => `${n.host}:${n.port}`),
        '--cluster-replicas',
        '0',
        '--cluster-yes',
      ],
      { timeout: 60_000 },
    );
    await clusterReady(nodes, 60_000);
    return { nodes, servers, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** Every node says `cluster_state:ok` and knows every other node. */
async function clusterReady(nodes: Array<{ host: string; port: number }>, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  let last = '';
  while (performance.now() < deadline) {
    const states = await Promise.all(
      nodes.map(async (n) => {
        const client = new Redis({
          ...n,
          lazyConnect: true,
          maxRetriesPerRequest: 0,
          retryStrategy: () => null,
        });
        client.on('error', () => undefined);
        try {
          await client.connect();
          const info = String(await client.call('CLUSTER', 'INFO'));
          return (
            /cluster_state:ok/.test(info) && new RegExp(`cluster_known_nodes:${nodes.length}`).test(info)
          );
        } catch (err) {
          last = (err as Error).message;
          return false;
        } finally {
          client.disconnect();
        }
      }),
    );
    if (states.every(Boolean)) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`Redis Cluster not ready within ${timeoutMs} ms ${last}`);
}
