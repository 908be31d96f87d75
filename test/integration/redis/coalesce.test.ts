// Write coalescing (src/queue/coalesce.ts): commands issued in one round of the event
// loop leave in one socket write, in order, and every reply comes back to its command;
// commands issued later (timers, replies) are sent too; a reconnect's new socket is
// coalesced as well; a blocking command on it is not held up.
import type { Socket } from 'node:net';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { coalesceClientWrites } from '../../../src/queue/coalesce.js';
import { createRedis } from '../../../src/queue/connection.js';
import { loadConfig } from '../../../src/config/load.js';
import { testPrefix } from '../../helpers/prefix.js';

const clients: Redis[] = [];
afterEach(() => {
  for (const c of clients.splice(0)) c.disconnect();
});

async function connected(client: Redis): Promise<Redis> {
  clients.push(client);
  await client.ping();
  return client;
}

/** Counts the socket's writes to the kernel (one per _write, one per _writev). */
function countWrites(socket: Socket): { writes: number } {
  const count = { writes: 0 };
  const internals = socket as unknown as {
    _write: (...a: unknown[]) => void;
    _writev: (...a: unknown[]) => void;
  };
  const write = internals._write;
  const writev = internals._writev;
  internals._write = function (this: Socket, ...a: unknown[]) {
    count.writes++;
    return write.apply(this, a);
  };
  internals._writev = function (this: Socket, ...a: unknown[]) {
    count.writes++;
    return writev.apply(this, a);
  };
  return count;
}

describe('write coalescing on a Redis connection', () => {
  const prefix = testPrefix('coalesce');

  it('sends the commands of one round in one write, in order, each reply to its command', async () => {
    const client = new Redis(inject('redisUrl'));
    coalesceClientWrites(client);
    await connected(client);
    const count = countWrites(client.stream);
    const replies = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        client.incrby(`${prefix}:counter`, i === 0 ? 1 : 0).then((v) => [i, v]),
      ),
    );
    expect(count.writes).toBe(1);
    expect(replies.every(([i, v]) => i !== undefined && v === 1)).toBe(true);
    // Order kept: a SET then a GET of the same key in the same round.
    const [set, get] = await Promise.all([client.set(`${prefix}:k`, 'v1'), client.get(`${prefix}:k`)]);
    expect([set, get]).toEqual(['OK', 'v1']);
  });

  it('without it, each command is its own write (what the test above measures is real)', async () => {
    const client = await connected(new Redis(inject('redisUrl')));
    const count = countWrites(client.stream);
    await Promise.all(Array.from({ length: 50 }, () => client.get(`${prefix}:none`)));
    expect(count.writes).toBe(50);
  });

  it('sends commands issued from timers and from replies, one after the other', async () => {
    const client = new Redis(inject('redisUrl'));
    coalesceClientWrites(client);
    await connected(client);
    let n = 0;
    for (let i = 0; i < 20; i++) {
      await new Promise((resolve) => setTimeout(resolve, 1));
      n = await client.incr(`${prefix}:chain`);
    }
    expect(n).toBe(20);
  });

  it('coalesces the new socket after a reconnect', async () => {
    const client = new Redis(inject('redisUrl'));
    coalesceClientWrites(client);
    await connected(client);
    const first = client.stream;
    await new Promise<void>((resolve) => {
      client.once('ready', () => resolve());
      first.destroy();
    });
    expect(client.stream).not.toBe(first);
    const count = countWrites(client.stream);
    await Promise.all(Array.from({ length: 30 }, () => client.get(`${prefix}:none`)));
    expect(count.writes).toBe(1);
  });

  it('does not hold up a blocking command, and is on for createRedis connections', async () => {
    const { config } = loadConfig({ env: { REDIS_URL: inject('redisUrl') }, configFile: '/dev/null' });
    const blocking = await connected(createRedis(config.redis, { blocking: true }));
    const pusher = await connected(createRedis(config.redis));
    const count = countWrites(pusher.stream);
    const popped = blocking.blpop(`${prefix}:list`, 5);
    await new Promise((resolve) => setTimeout(resolve, 50));
    await Promise.all([pusher.rpush(`${prefix}:list`, 'a'), pusher.ping(), pusher.ping()]);
    expect(count.writes).toBe(1);
    expect(await popped).toEqual([`${prefix}:list`, 'a']);
  });
});
