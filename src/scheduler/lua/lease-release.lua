-- The lease holder hands its lease over: DEL only while KEYS[1] still names it (ARGV[1]).
-- KEYS[1] lease key; ARGV[1] holder id. Returns 1 when released, else 0.
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
