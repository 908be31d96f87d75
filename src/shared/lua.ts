// Redis Lua scripts live in `.lua` files beside the module that runs them (readable and
// diffable as Lua), and run as ioredis commands registered with defineCommand: EVALSHA,
// falling back to EVAL once per connection. Files are read on first use, never at
// import time; the build copies them next to the compiled modules (scripts/copy-lua.mjs).
import { readFileSync } from 'node:fs';
import type { Redis } from 'ioredis';

export interface LuaScript {
  /** The command's name on the connection: unique across gcflow. */
  name: string;
  /** Omitted: the caller passes the number of keys as the first argument. */
  numberOfKeys?: number;
  /** The file, e.g. `new URL('./lua/checkpoint.lua', import.meta.url)`. */
  file: URL;
  /**
   * Files of `local function`s the script calls, put before it (Lua has no include):
   * one definition of a step that two scripts take (a run's creation).
   */
  uses?: URL[];
}

const sources = new Map<string, string>();

function source(file: URL): string {
  let lua = sources.get(file.href);
  if (lua === undefined) {
    lua = readFileSync(file, 'utf8');
    sources.set(file.href, lua);
  }
  return lua;
}

/** Keys first, then arguments; resolves with the script's reply. */
export type LuaCommand = (...keysThenArgs: Array<string | number>) => Promise<unknown>;

/** The script as a command of `redis`, defined on the connection the first time. */
export function luaCommand(redis: Redis, script: LuaScript): LuaCommand {
  const commands = redis as unknown as Record<string, LuaCommand>;
  if (!(script.name in redis)) {
    redis.defineCommand(script.name, {
      lua: [...(script.uses ?? []), script.file].map(source).join('\n'),
      ...(script.numberOfKeys === undefined ? {} : { numberOfKeys: script.numberOfKeys }),
    });
  }
  const command = commands[script.name]!;
  return (...args) => command.apply(redis, args);
}
