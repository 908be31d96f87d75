// The error every expression problem becomes: a stable E_EXPR_ code, the expression
// it is about, and (when known) where in the expression it went wrong. Pure.
import { GcflowError } from '../shared/errors.js';

export interface ExpressionErrorOptions {
  hint?: string;
  /** 0-based offset of the problem inside the expression text as written. */
  offset?: number;
  /** Length of the offending token, when known. */
  length?: number;
  cause?: unknown;
}

export class ExpressionError extends GcflowError {
  override readonly name = 'ExpressionError';
  /** The expression as written between `${{` and `}}` (trimmed). */
  readonly expression: string;
  /** What went wrong, without the expression: `unknown context 'github'`. */
  readonly detail: string;
  readonly offset: number | undefined;
  readonly length: number | undefined;

  constructor(code: string, expression: string, detail: string, options: ExpressionErrorOptions = {}) {
    super(code, `${detail} in \${{ ${expression.trim()} }}`, { hint: options.hint, cause: options.cause });
    this.expression = expression.trim();
    this.detail = detail;
    this.offset = options.offset;
    this.length = options.length;
  }
}
