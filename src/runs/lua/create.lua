-- A run's creation (src/runs/store.ts): the record and its index entries in one step,
-- so a process killed in between cannot leave a record that no list shows and that
-- `complete` (src/scheduler/fire.ts) takes for a created run. Nothing if it exists.
-- The run's definition (content-addressed, never changed) is stored with it when given,
-- so a fire or a start writes both in one round trip.
-- KEYS: run, all-runs zset, workflow-runs zset, active-runs set, events list, definition
-- ARGV: state json, score, run id, definition json ('' when stored already), then the
-- events as JSON
if ARGV[4] ~= '' then redis.call('SET', KEYS[6], ARGV[4], 'NX') end
if not redis.call('SET', KEYS[1], ARGV[1], 'NX') then return 0 end
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[3])
redis.call('ZADD', KEYS[3], ARGV[2], ARGV[3])
redis.call('SADD', KEYS[4], ARGV[3])
if #ARGV > 4 then redis.call('RPUSH', KEYS[5], unpack(ARGV, 5, #ARGV)) end
return 1
