-- create_run: a run's creation (src/runs/store.ts), the record and its index entries in
-- one step, so a process killed in between cannot leave a record that no list shows and
-- that `complete` (src/scheduler/fire.ts) takes for a created run. Nothing if it exists.
-- The run's definition (content-addressed, never changed) is stored with it when given,
-- so a fire or a start writes both in one round trip. A library: scripts that create a
-- run (create.lua, and a schedule fire's claim-if-idle.lua) are loaded after it.
-- keys[k..k+5]: run, all-runs zset, workflow-runs zset, active-runs set, events list,
-- definition. argv[a..a+3]: state json, score, run id, definition json ('' when stored
-- already); argv[a+4..last]: the events as JSON. Returns 1 when created, 0 when it existed.
local function create_run(keys, k, argv, a, last)
  if argv[a + 3] ~= '' then redis.call('SET', keys[k + 5], argv[a + 3], 'NX') end
  if not redis.call('SET', keys[k], argv[a], 'NX') then return 0 end
  redis.call('ZADD', keys[k + 1], argv[a + 1], argv[a + 2])
  redis.call('ZADD', keys[k + 2], argv[a + 1], argv[a + 2])
  redis.call('SADD', keys[k + 3], argv[a + 2])
  if last >= a + 4 then redis.call('RPUSH', keys[k + 4], unpack(argv, a + 4, last)) end
  return 1
end
