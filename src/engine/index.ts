// The engine's public surface: the pure run state machine and the driver that runs it.
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
export {
  beginTurn,
  type CancelSource,
  type DriveOptions,
  type DriveResult,
  driveRun,
  type TaskExecutor,
  type TaskIO,
  type TaskLogger,
} from './driver.js';
export { event, type RunEvent, type RunEventType } from './events.js';
export { applyOutcome, type TaskOutcome } from './outcome.js';
export {
  CLEANUP_KIND,
  CLEANUP_STEP,
  CLEANUP_STEP_ID,
  type CleanupParams,
  type EngineStep,
  type ResourceUpdate,
  type TaskKind,
} from './resources.js';
export * from './state.js';
export {
  prepareTask,
  type Prepared,
  type PreparedTask,
  type WaitDefaults,
  type WaitSettings,
} from './task.js';
