// The engine's public surface: the pure run state machine.
export {
  advance,
  findStep,
  stepsOf,
  type AdvanceInput,
  type CancelRequest,
  type Decision,
  type TaskRef,
  type Transition,
} from './advance.js';
export { retryDelayMs } from './backoff.js';
export { exprContext } from './context.js';
export { event, type RunEvent, type RunEventType } from './events.js';
export { applyOutcome, type TaskOutcome } from './outcome.js';
export * from './state.js';
export {
  prepareTask,
  type Prepared,
  type PreparedTask,
  type WaitDefaults,
  type WaitSettings,
} from './task.js';
