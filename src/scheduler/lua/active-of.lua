-- The active runs of some workflows (src/scheduler/gate.ts GroupView.active): the
-- members of the active-runs set that start with one of the given prefixes
-- (`<workflow>-`), less one excluded id. Filtered in Redis, not in the daemon: a burst
-- of 1,000 fires read the whole set (up to 1,000 ids) once per fire.
-- KEYS: active-runs set. ARGV: excluded id, then the prefixes.
-- Matched by Redis (SSCAN MATCH), as in claim-if-idle.lua.
local out, seen = {}, {[ARGV[1]] = true}
for i = 2, #ARGV do
  local cursor = '0'
  repeat
    local page = redis.call('SSCAN', KEYS[1], cursor, 'MATCH', ARGV[i] .. '*', 'COUNT', 1000)
    cursor = page[1]
    -- Each id once: a page may repeat one, and one workflow's prefix may start another's.
    for _, id in ipairs(page[2]) do
      if not seen[id] then
        seen[id] = true
        out[#out + 1] = id
      end
    end
  until cursor == '0'
end
return out
