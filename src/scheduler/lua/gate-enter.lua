-- A run asks to enter its concurrency group (src/scheduler/gate.ts). The group has
-- `limit` slots, held by the runs in the holders set. A run enters when it holds a
-- slot already, or when a slot is free for it: fewer live runs wait before it than
-- slots are free (so runs are admitted in arrival order). Otherwise it joins the
-- waiting runs. Holders and waiting runs that are no longer active (ended, or their
-- record is gone) are dropped as they are met: a slot is never held by a dead run.
-- A holder from before limits (a plain string key) is moved into the set first.
-- KEYS: legacy holder (string), holders set, pending zset, active-runs set.
-- ARGV: run id, arrival score, limit. Returns 1 (entered) or 0 (waits).
local legacy = redis.call('GET', KEYS[1])
if legacy then
  redis.call('SADD', KEYS[2], legacy)
  redis.call('DEL', KEYS[1])
end
local me = ARGV[1]
if redis.call('SISMEMBER', KEYS[2], me) == 1 then return 1 end
for _, id in ipairs(redis.call('SMEMBERS', KEYS[2])) do
  if redis.call('SISMEMBER', KEYS[4], id) == 0 then redis.call('SREM', KEYS[2], id) end
end
local free = tonumber(ARGV[3]) - redis.call('SCARD', KEYS[2])
if free <= 0 then
  redis.call('ZADD', KEYS[3], 'NX', ARGV[2], me)
  return 0
end
local ahead = 0
for _, id in ipairs(redis.call('ZRANGE', KEYS[3], 0, -1)) do
  if id == me then break end
  if redis.call('SISMEMBER', KEYS[4], id) == 1 then
    ahead = ahead + 1
    if ahead >= free then
      redis.call('ZADD', KEYS[3], 'NX', ARGV[2], me)
      return 0
    end
  else
    redis.call('ZREM', KEYS[3], id)
  end
end
redis.call('SADD', KEYS[2], me)
redis.call('ZREM', KEYS[3], me)
return 1
