-- Claims the decision for one slot of a trigger (src/scheduler/records.ts): the first
-- caller's decision is stored (SET NX), later callers get that one back; the trigger's
-- most recent decided slot moves forward.
-- KEYS: slot decision, last-slot hash. ARGV: decision JSON, ttl ms, scheduler id, slot ms.
-- Returns {1, decision} when this call decided, {0, decision} when another did first.
local ok = redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2])
if not ok then
  local existing = redis.call('GET', KEYS[1])
  if existing then return {0, existing} end
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
end
local slot = tonumber(ARGV[4])
local last = tonumber(redis.call('HGET', KEYS[2], ARGV[3]) or '0')
if slot > last then redis.call('HSET', KEYS[2], ARGV[3], ARGV[4]) end
return {1, ARGV[1]}
