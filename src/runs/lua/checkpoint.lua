-- A run's checkpoint (src/runs/store.ts): writes the state and appends its events,
-- only if the caller still holds the run job's lock (a worker that lost its run can
-- no longer write). A run's history is capped at ARGV[6] events. for_each lists and
-- items are written to their own keys (src/runs/items.ts), only those that changed.
-- KEYS: lock, run, events, active-runs set, then the run's for_each keys (a list key
--       and an items hash per for_each step).
-- ARGV: token ('' = unfenced), state json, terminal ('1'/'0'), run id,
--       ttl seconds (0 = none), events cap, number of events, then the events as JSON,
--       then for each for_each key in KEYS order: a count n, then n values (a list
--       key: 0 or 1 JSON list; an items hash: n field/value pairs, so 2n values).
if ARGV[1] ~= '' and redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[2], ARGV[2])
local events = tonumber(ARGV[7])
if events > 0 and redis.call('LLEN', KEYS[3]) < tonumber(ARGV[6]) then
  redis.call('RPUSH', KEYS[3], unpack(ARGV, 8, 7 + events))
end
local at = 8 + events
for k = 5, #KEYS do
  local n = tonumber(ARGV[at])
  at = at + 1
  if n > 0 then
    if k % 2 == 1 then
      redis.call('SET', KEYS[k], ARGV[at])
      at = at + 1
    else
      redis.call('HSET', KEYS[k], unpack(ARGV, at, at + 2 * n - 1))
      at = at + 2 * n
    end
  end
end
if ARGV[3] == '1' then
  redis.call('SREM', KEYS[4], ARGV[4])
  local ttl = tonumber(ARGV[5])
  if ttl > 0 then
    for k = 2, #KEYS do
      if k ~= 4 then redis.call('EXPIRE', KEYS[k], ttl) end
    end
  end
end
return 1
