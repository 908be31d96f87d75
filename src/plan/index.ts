// `gcflow plan`'s library: plan a run against the real state, changing nothing.
// Re-exports only; runs nothing.
export { type PlanClient, type PlanClientOptions, createPlanClient } from './client.js';
export { formatPlan } from './format.js';
export { GONE, PlanOverlay } from './overlay.js';
export { PLAN_RUN_ID, type PlanOptions, planRun } from './plan.js';
export type { Plan, PlannedCall, PlannedStep, PlannedStepStatus } from './types.js';
