// Setup of the unit project: the unit layer runs without Redis. Any Redis connection a
// unit test (or the code it calls) opens is refused at once and fails the test that
// opened it, naming where: a test that needs Redis belongs in test/integration.
import { Cluster, Redis } from 'ioredis';
import { afterEach } from 'vitest';

const attempts: string[] = [];

function refuse(this: unknown): Promise<void> {
  const error = new Error(
    'a unit test opened a Redis connection: the unit layer runs without Redis (move the test to test/integration)',
  );
  attempts.push(error.stack ?? error.message);
  return Promise.reject(error);
}

for (const client of [Redis, Cluster]) {
  Object.defineProperty(client.prototype, 'connect', { value: refuse, configurable: true, writable: true });
}

/** The refusals seen so far, cleared (for the test of this setup). */
export function takeRedisAttempts(): string[] {
  return attempts.splice(0);
}

afterEach(() => {
  if (attempts.length === 0) return;
  const seen = attempts.splice(0);
  throw new Error(`${seen.length} Redis connection(s) opened in a unit test; the first:\n${seen[0]}`);
});
