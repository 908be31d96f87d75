-- A fire's decision in one round trip (src/scheduler/records.ts claimIfIdle): the slot's
-- stored decision when there is one; else, when no run of the slot's concurrency group
-- is active, claims `start` (as claim-slot.lua does). A group with active runs is left
-- to the full decision (the caller reads their states, decides, and claims).
-- The caller may pass the registration it fired with: when the one stored differs (or is
-- gone), nothing is done and the stored one is returned.
-- The group is looked up in the active runs by name (O(log n) per workflow, where the
-- set would be read whole: a burst of 1,000 fires met up to 1,000 active runs in each).
-- That index is rebuilt from the set when their sizes differ: a replica of an earlier
-- version, during a rolling upgrade, writes the set only.
-- KEYS: slot decision, last-slot hash, active-runs set, registrations hash, active runs
--       by name (zset).
-- ARGV: start decision JSON, ttl ms, scheduler id, slot ms, the firing run's id (not
-- counted), the registration JSON ('' when not checked), then the prefixes
-- (`<workflow>-`) of the group's runs; none: not looked at.
-- Returns {0, decision} (decided before), {1, decision} (this call decided), {2, ''}
-- (runs of the group are active: nothing claimed), {3, registration or ''} (changed).
if ARGV[6] ~= '' then
  local current = redis.call('HGET', KEYS[4], ARGV[3])
  if current ~= ARGV[6] then return {3, current or ''} end
end
local existing = redis.call('GET', KEYS[1])
if existing then return {0, existing} end
if #ARGV > 6 then
  if redis.call('SCARD', KEYS[3]) ~= redis.call('ZCARD', KEYS[5]) then
    redis.call('DEL', KEYS[5])
    for _, id in ipairs(redis.call('SMEMBERS', KEYS[3])) do redis.call('ZADD', KEYS[5], 0, id) end
  end
  for i = 7, #ARGV do
    local p = ARGV[i]
    -- At most one of the first two is the firing run itself.
    for _, id in ipairs(redis.call('ZRANGEBYLEX', KEYS[5], '[' .. p, '(' .. p .. '\255', 'LIMIT', 0, 2)) do
      if id ~= ARGV[5] then return {2, ''} end
    end
  end
end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
local slot = tonumber(ARGV[4])
local last = tonumber(redis.call('HGET', KEYS[2], ARGV[3]) or '0')
if slot > last then redis.call('HSET', KEYS[2], ARGV[3], ARGV[4]) end
return {1, ARGV[1]}
