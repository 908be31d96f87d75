-- The active runs of some workflows (src/scheduler/gate.ts GroupView.active): the ids in
-- the active runs by name that start with one of the given prefixes (`<workflow>-`),
-- less one excluded id; one ZRANGEBYLEX per prefix. The index is rebuilt from the set
-- when their sizes differ, as in claim-if-idle.lua.
-- KEYS: active-runs set, active runs by name (zset). ARGV: excluded id, then the prefixes.
if redis.call('SCARD', KEYS[1]) ~= redis.call('ZCARD', KEYS[2]) then
  redis.call('DEL', KEYS[2])
  for _, id in ipairs(redis.call('SMEMBERS', KEYS[1])) do redis.call('ZADD', KEYS[2], 0, id) end
end
local out, seen = {}, {[ARGV[1]] = true}
for i = 2, #ARGV do
  local p = ARGV[i]
  -- One workflow's prefix may start another's (`a-` and `a-b-`): each id once.
  for _, id in ipairs(redis.call('ZRANGEBYLEX', KEYS[2], '[' .. p, '(' .. p .. '\255')) do
    if not seen[id] then
      seen[id] = true
      out[#out + 1] = id
    end
  end
end
return out
