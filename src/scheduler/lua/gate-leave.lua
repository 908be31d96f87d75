-- A run leaves its concurrency group (src/scheduler/gate.ts): frees its slot and
-- returns the live waiting runs, first in line, that may now take the free slots
-- (to be woken at once rather than at their next poll). Runs no longer active are
-- dropped from the holders and from the line as they are met.
-- KEYS: legacy holder (string), holders set, pending zset, active-runs set.
-- ARGV: run id, limit. Returns a list of run ids (possibly empty).
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
local legacy = redis.call('GET', KEYS[1])
if legacy then
  redis.call('SADD', KEYS[2], legacy)
  redis.call('DEL', KEYS[1])
end
redis.call('SREM', KEYS[2], ARGV[1])
redis.call('ZREM', KEYS[3], ARGV[1])
for _, id in ipairs(redis.call('SMEMBERS', KEYS[2])) do
  if redis.call('SISMEMBER', KEYS[4], id) == 0 then redis.call('SREM', KEYS[2], id) end
end
local free = tonumber(ARGV[2]) - redis.call('SCARD', KEYS[2])
local wake = {}
if free <= 0 then return wake end
for _, id in ipairs(redis.call('ZRANGE', KEYS[3], 0, -1)) do
  if redis.call('SISMEMBER', KEYS[4], id) == 1 then
    wake[#wake + 1] = id
    if #wake >= free then break end
  else
    redis.call('ZREM', KEYS[3], id)
  end
end
return wake
