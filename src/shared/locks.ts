// Letting go of a Redis lock or lease taken with SET NX PX and a holder id: only while
// it still names that holder (src/shared/lua/release-if-held.lua). A holder that outlived
// its TTL (a slow API call, a paused process) must not free the next holder's.
import type { Redis } from 'ioredis';
import { type LuaScript, luaCommand } from './lua.js';

const RELEASE: LuaScript = {
  name: 'gcflowReleaseIfHeld',
  numberOfKeys: 1,
  file: new URL('./lua/release-if-held.lua', import.meta.url),
};

/** Deletes `key` if `holder` still holds it; true when it did. */
export async function releaseIfHeld(redis: Redis, key: string, holder: string): Promise<boolean> {
  return (await luaCommand(redis, RELEASE)(key, holder)) === 1;
}
