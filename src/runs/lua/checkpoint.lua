-- A run's checkpoint (src/runs/store.ts): writes the state and appends its events,
-- only if the caller still holds the run job's lock (a worker that lost its run can
-- no longer write). A run's history is capped at ARGV[6] events.
-- KEYS: lock, run, events, active-runs set.
-- ARGV: token ('' = unfenced), state json, terminal ('1'/'0'), run id,
--       ttl seconds (0 = none), events cap, then the events as JSON.
if ARGV[1] ~= '' and redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[2], ARGV[2])
if #ARGV >= 7 and redis.call('LLEN', KEYS[3]) < tonumber(ARGV[6]) then
  redis.call('RPUSH', KEYS[3], unpack(ARGV, 7))
end
if ARGV[3] == '1' then
  redis.call('SREM', KEYS[4], ARGV[4])
  local ttl = tonumber(ARGV[5])
  if ttl > 0 then
    redis.call('EXPIRE', KEYS[2], ttl)
    redis.call('EXPIRE', KEYS[3], ttl)
  end
end
return 1
