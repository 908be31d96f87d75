-- A run asks to enter its concurrency group (src/scheduler/gate.ts): it enters when it
-- holds the group already, or when the holder is gone and no live run waits before it;
-- otherwise it joins the waiting runs in arrival order. Runs no longer active are
-- dropped from the front of the queue as they are met.
-- KEYS: holder, pending zset, active-runs set. ARGV: run id, arrival score.
-- Returns 1 (entered) or 0 (waits).
local holder = redis.call('GET', KEYS[1])
if holder == ARGV[1] then return 1 end
if holder and redis.call('SISMEMBER', KEYS[3], holder) == 1 then
  redis.call('ZADD', KEYS[2], 'NX', ARGV[2], ARGV[1])
  return 0
end
local waiting = redis.call('ZRANGE', KEYS[2], 0, -1)
for _, id in ipairs(waiting) do
  if id == ARGV[1] then break end
  if redis.call('SISMEMBER', KEYS[3], id) == 1 then
    redis.call('ZADD', KEYS[2], 'NX', ARGV[2], ARGV[1])
    return 0
  end
  redis.call('ZREM', KEYS[2], id)
end
redis.call('SET', KEYS[1], ARGV[1])
redis.call('ZREM', KEYS[2], ARGV[1])
return 1
