// The workflow language: YAML text -> WorkflowDefinition | Diagnostic[], the JSON
// Schema for editors, and input coercion. Pure: no I/O (src/workflows reads files).
export {
  type Diagnostic,
  DIAGNOSTIC_CODES,
  type DiagnosticCode,
  formatDiagnostic,
  sortDiagnostics,
} from './diagnostics.js';
export { checkInputValue, coerceInputs, type InputOrigin } from './inputs.js';
export { RETRY_DEFAULTS, TRIGGER_DEFAULTS } from './normalise.js';
export { parseWorkflow } from './parse.js';
export { workflowJsonSchema } from './json-schema.js';
export { INPUT_NAME_RE, STEP_ID_RE, WORKFLOW_NAME_RE } from './schema.js';
export { spanOfPath } from './read-yaml.js';
export { MAX_FILE_BYTES, tooLarge } from './source.js';
export { didYouMean } from './suggest.js';
export { DEFAULT_WAIT_STATUS, RUNTIME_STEP_PARAMS, STEP_PARAMS, type StepParams } from './step-params.js';
export * from './types.js';
