-- A holder lets go of a lock or lease: DEL only while KEYS[1] still names it (ARGV[1]),
-- so one that outlived its TTL never frees the next holder's.
-- KEYS[1] the lock's key; ARGV[1] the holder's id. Returns 1 when released, else 0.
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
