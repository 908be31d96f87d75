-- A run leaves its concurrency group (src/scheduler/gate.ts): frees the slot if it
-- held it and returns the next live waiting run (to be woken), or false.
-- KEYS: holder, pending zset, active-runs set. ARGV: run id.
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
redis.call('ZREM', KEYS[2], ARGV[1])
local waiting = redis.call('ZRANGE', KEYS[2], 0, -1)
for _, id in ipairs(waiting) do
  if redis.call('SISMEMBER', KEYS[3], id) == 1 then return id end
  redis.call('ZREM', KEYS[2], id)
end
return false
