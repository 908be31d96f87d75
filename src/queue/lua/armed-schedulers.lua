-- The job schedulers BullMQ holds for a queue, with their next fire (src/queue/triggers.ts
-- armed): its scheduler index, less the ids whose record is gone. One command with Redis
-- doing an EXISTS per id, where reading every record took 10,000 HGETALLs on the shared
-- connection with 10,000 schedules (~1 s of the daemon's CPU; a burst of fires waited).
-- The record's key is the index's key, ':', the id (BullMQ 6: queue.toKey('repeat:' + id)).
-- KEYS: the scheduler index (zset `<prefix>:<queue>:repeat`, scored by next fire).
-- Returns {id, next, id, next, ...}, by next fire.
local out = {}
local flat = redis.call('ZRANGE', KEYS[1], 0, -1, 'WITHSCORES')
for i = 1, #flat, 2 do
  if redis.call('EXISTS', KEYS[1] .. ':' .. flat[i]) == 1 then
    out[#out + 1] = flat[i]
    out[#out + 1] = flat[i + 1]
  end
end
return out
