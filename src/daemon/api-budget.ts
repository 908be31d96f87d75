// The Redis side of the one API budget per account (genesis/shared-rate-limit.ts
// declares it): one hash per API URL and token hash, `<prefix>:budget:<url>:<sha256>`,
// updated by one Lua script (lua/api-budget.lua) in Redis time.
import type { Redis } from 'ioredis';
import type { SharedBudget } from '../genesis/index.js';
import { type LuaScript, luaCommand } from '../shared/lua.js';

const BUDGET: LuaScript = {
  name: 'gcflowApiBudget',
  numberOfKeys: 1,
  file: new URL('./lua/api-budget.lua', import.meta.url),
};

const DOWN = new Set(['reconnecting', 'close', 'end']);

export function redisBudget(redis: Redis, prefix: string): SharedBudget {
  const script = luaCommand(redis, BUDGET);
  const keyOf = (key: string) => `${prefix}:budget:${key}`;
  return {
    // Down once a connection was lost (ioredis reconnecting) or closed; a first connect
    // still under way is waited for (bounded by the limiter's timeout).
    ready: () => !DOWN.has(redis.status),
    take: async (key, rate, burst, count) =>
      ((await script(keyOf(key), rate, burst, 0, count)) as unknown[]).map(Number),
    pause: async (key, ms, rate, burst) => {
      await script(keyOf(key), rate, burst, Math.max(1, Math.ceil(ms)));
    },
  };
}
