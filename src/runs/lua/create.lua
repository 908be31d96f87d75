-- A run's creation (src/runs/store.ts): the record and its index entries in one step,
-- so a process killed in between cannot leave a record that no list shows and that
-- `complete` (src/scheduler/fire.ts) takes for a created run. Nothing if it exists.
-- KEYS: run, all-runs zset, workflow-runs zset, active-runs set, events list
-- ARGV: state json, score, run id, then the events as JSON
if not redis.call('SET', KEYS[1], ARGV[1], 'NX') then return 0 end
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[3])
redis.call('ZADD', KEYS[3], ARGV[2], ARGV[3])
redis.call('SADD', KEYS[4], ARGV[3])
if #ARGV > 3 then redis.call('RPUSH', KEYS[5], unpack(ARGV, 4, #ARGV)) end
return 1
