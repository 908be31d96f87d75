// The `${{ }}` expression language (GitHub Actions semantics via @actions/expressions):
// evaluation for the engine, parsing and reference listing for the validator.
// Pure: no eval, no Function, no I/O.
export { type ExprContext, evaluateCondition, evaluateExpression, interpolate } from './evaluate.js';
export { ExpressionError, type ExpressionErrorOptions } from './errors.js';
export { CONTEXTS, FUNCTIONS, parseExpression, RUN_KEYS } from './parse.js';
export { collectReferences, type PathSegment, type Reference } from './refs.js';
export {
  containsExpression,
  hasExpression,
  type ScanResult,
  type Segment,
  scanExpressions,
  singleExpression,
} from './scan.js';
