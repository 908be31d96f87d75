// The Genesis Cloud compute API simulator: public surface for `gcflow simulator`,
// `gcflow dev` and tests. Serves /compute/v1 like API-NOTES.md says, admin under /__sim.
// Faults: see faults.ts (`drop: true | "before" | "after"`; "after" = the request was
// handled, e.g. the instance created, and then the connection dropped).
export { API_PREFIX, createSimulatorApp } from './app.js';
export type { Call } from './calls.js';
export { ApiFailure, ErrorCode } from './errors.js';
export type { Fault, FaultSpec } from './faults.js';
export type { SimEnv } from './http.js';
export { allowedActions, scriptShutsDown } from './lifecycle.js';
export { INSTANCE_TYPES, REGIONS, SEED_IDS } from './seed.js';
export { type RunningSimulator, type StartSimulatorOptions, startSimulator } from './server.js';
export { DEFAULT_SETTINGS, type SimulatorSettings } from './settings.js';
export { type ForceStatusOptions, Simulator, type SimulatorOptions } from './simulator.js';
