// Vitest global setup: provides one Redis URL to every test file.
// Order: REDIS_URL if set; else testcontainers where a Docker engine answers;
// else a `redis-server` spawned on a free port (stopped after the run).
// Tests isolate themselves with their own key prefix (see test/helpers/prefix.ts).
import { existsSync } from 'node:fs';
import type { TestProject } from 'vitest/node';
import { removeDir, spawnRedis } from './redis-server.js';

declare module 'vitest' {
  export interface ProvidedContext {
    redisUrl: string;
    redisSource: 'REDIS_URL' | 'testcontainers' | 'redis-server';
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  if (process.env['REDIS_URL']) {
    project.provide('redisUrl', process.env['REDIS_URL']);
    project.provide('redisSource', 'REDIS_URL');
    return async () => {};
  }
  const errors: string[] = [];
  if (dockerEngineLikely()) {
    try {
      const { GenericContainer } = await import('testcontainers');
      const container = await new GenericContainer('redis:7-alpine').withExposedPorts(6379).start();
      project.provide('redisUrl', `redis://${container.getHost()}:${container.getMappedPort(6379)}`);
      project.provide('redisSource', 'testcontainers');
      return async () => {
        await container.stop();
      };
    } catch (err) {
      errors.push(`testcontainers: ${(err as Error).message}`);
    }
  } else {
    errors.push('testcontainers: no Docker engine socket (/var/run/docker.sock or DOCKER_HOST)');
  }
  try {
    const redis = await spawnRedis();
    project.provide('redisUrl', redis.url);
    project.provide('redisSource', 'redis-server');
    return async () => {
      await redis.stop();
      removeDir(redis.dir);
    };
  } catch (err) {
    errors.push(`redis-server: ${(err as Error).message}`);
  }
  throw new Error(
    `no Redis for the tests. Tried:\n  - REDIS_URL: not set\n  - ${errors.join('\n  - ')}\n` +
      'Fix one: set REDIS_URL=redis://host:port, start a Docker engine, or install redis-server (apt-get install -y redis-server).',
  );
}

function dockerEngineLikely(): boolean {
  return Boolean(process.env['DOCKER_HOST']) || existsSync('/var/run/docker.sock');
}
