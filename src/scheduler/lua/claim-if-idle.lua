-- A fire's decision in one round trip (src/scheduler/records.ts claimIfIdle): the slot's
-- stored decision when there is one; else, when no run of the slot's concurrency group
-- is active, claims `start` (as claim-slot.lua does). A group with active runs is left
-- to the full decision (the caller reads their states, decides, and claims).
-- The caller may pass the registration it fired with: when the one stored differs (or is
-- gone), nothing is done and the stored one is returned.
-- The caller may also pass the slot's run, ready to create: when the slot's decision
-- (stored or just claimed) is the plain `start`, the run is created in the same step
-- (create_run, create-run.lua, loaded before this), so a fire writes once, not twice.
-- KEYS: slot decision, last-slot hash, active-runs set, registrations hash, then
-- optionally the run creation's 6 keys.
-- ARGV: start decision JSON, ttl ms, scheduler id, slot ms, the firing run's id (not
-- counted), the registration JSON ('' when not checked), the number n of prefixes, the
-- prefixes (`<workflow>-`) of the group's runs (none: not looked at), then with the run
-- creation's keys its arguments (state, score, id, definition, events).
-- Returns {0, decision, created} (decided before), {1, decision, created} (this call
-- decided), {2, ''} (runs of the group are active: nothing claimed), {3, registration
-- or ''} (changed); created: 1 (created), 0 (it existed), -1 (not asked, or no start).
if ARGV[6] ~= '' then
  local current = redis.call('HGET', KEYS[4], ARGV[3])
  if current ~= ARGV[6] then return {3, current or ''} end
end
local prefixes = tonumber(ARGV[7])
local function create(state, decision)
  if #KEYS < 10 or decision ~= ARGV[1] then return {state, decision, -1} end
  return {state, decision, create_run(KEYS, 5, ARGV, 8 + prefixes, #ARGV)}
end
local existing = redis.call('GET', KEYS[1])
if existing then return create(0, existing) end
-- The set is matched by Redis itself (SSCAN MATCH, prefixes hold only [a-z0-9-]): the
-- ids copied into Lua and compared there cost ~550 us of Redis per fire once a burst
-- had created 1,000 runs.
for i = 8, 7 + prefixes do
  local cursor = '0'
  repeat
    local page = redis.call('SSCAN', KEYS[3], cursor, 'MATCH', ARGV[i] .. '*', 'COUNT', 1000)
    cursor = page[1]
    for _, id in ipairs(page[2]) do
      if id ~= ARGV[5] then return {2, ''} end
    end
  until cursor == '0'
end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
local slot = tonumber(ARGV[4])
local last = tonumber(redis.call('HGET', KEYS[2], ARGV[3]) or '0')
if slot > last then redis.call('HSET', KEYS[2], ARGV[3], ARGV[4]) end
return create(1, ARGV[1])
