-- One API budget per account (src/daemon/api-budget.ts): a token bucket shared by every
-- replica, in Redis time so replicas' clocks do not matter. A take reserves the next
-- slot and answers how long the caller waits before sending; tokens may go below zero
-- (callers queued), so takes never poll. A pause (a 429's Retry-After) hands out no
-- slot before its end.
-- KEYS: the bucket hash {v, tokens, ts}. ARGV: rate per s, burst, pause ms (0: a take),
-- and how many slots a take reserves (default 1: one process's concurrent callers
-- share one call, src/shared/batch.ts).
-- Returns a take's waits in ms, one per slot in order, or 0 (a pause).
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local pause = tonumber(ARGV[3])
local count = tonumber(ARGV[4]) or 1
local state = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
local tokens = tonumber(state[1]) or burst
local ts = tonumber(state[2]) or now
-- ts is when tokens was last brought up to date; in the future while paused.
if now > ts then
  tokens = math.min(burst, tokens + (now - ts) * rate / 1000)
  ts = now
end
local waits = 0
if pause > 0 then
  if now + pause > ts then ts = now + pause end
  if tokens > 0 then tokens = 0 end
else
  waits = {}
  for i = 1, count do
    tokens = tokens - 1
    local wait = ts - now
    if tokens < 0 then wait = wait + math.ceil(-tokens * 1000 / rate) end
    waits[i] = wait
  end
end
redis.call('HSET', KEYS[1], 'v', 1, 'tokens', tostring(tokens), 'ts', ts)
-- Kept while anything is queued or paused, then a minute: a bucket at rest is full anyway.
local left = ts - now
if tokens < 0 then left = left + math.ceil(-tokens * 1000 / rate) end
redis.call('PEXPIRE', KEYS[1], left + 60000)
return waits
