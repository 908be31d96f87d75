-- The lease holder renews its lease: PEXPIRE only while KEYS[1] still names it (ARGV[1]).
-- KEYS[1] lease key; ARGV[1] holder id, ARGV[2] ttl in ms. Returns 1 when renewed, else 0.
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
