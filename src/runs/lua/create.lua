-- A run's creation (src/runs/store.ts): create_run (create-run.lua, loaded before this).
-- KEYS: run, all-runs zset, workflow-runs zset, active-runs set, events list, definition
-- ARGV: state json, score, run id, definition json ('' when stored already), then the
-- events as JSON
return create_run(KEYS, 1, ARGV, 1, #ARGV)
