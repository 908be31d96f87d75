// Setup file of the integration and e2e projects: when a test file ends, every child
// process it started through test/helpers (gcflow CLI and daemons, redis-server) and
// did not stop is SIGKILLed, so a failed assertion never leaves a daemon running.
// It also watches the wall clock for jumps (clock-watch.ts).
import { afterAll } from 'vitest';
import { watchClock } from './clock-watch.js';
import { killChildren } from './processes.js';

watchClock();
afterAll(killChildren);
