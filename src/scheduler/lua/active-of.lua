-- The active runs of some workflows (src/scheduler/gate.ts GroupView.active): the
-- members of the active-runs set that start with one of the given prefixes
-- (`<workflow>-`), less one excluded id. Filtered here, not in the daemon: a burst of
-- 1,000 fires read the whole set (up to 1,000 ids) once per fire.
-- KEYS: active-runs set. ARGV: excluded id, then the prefixes.
local out = {}
local members = redis.call('SMEMBERS', KEYS[1])
for _, id in ipairs(members) do
  if id ~= ARGV[1] then
    for i = 2, #ARGV do
      local p = ARGV[i]
      if string.sub(id, 1, #p) == p then
        out[#out + 1] = id
        break
      end
    end
  end
end
return out
