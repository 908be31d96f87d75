// The base error every gcflow module throws: a stable code, a message that names
// what failed and where, and a hint that says what to do. Codes, their default hints
// and exit codes are listed in error-catalogue.ts. Imports only the catalogue.
import { catalogueEntry } from './error-catalogue.js';
import { ExitCode } from './exit-codes.js';

export { ExitCode } from './exit-codes.js';

export interface GcflowErrorOptions {
  hint?: string;
  cause?: unknown;
  exitCode?: ExitCode;
}

export class GcflowError extends Error {
  override readonly name: string = 'GcflowError';
  /** Stable, documented, greppable: `E_CONFIG_INVALID`, `E_API_429`, ... (see ERROR_CATALOGUE). */
  readonly code: string;
  /** What the user should do next; printed under the message. */
  readonly hint: string | undefined;
  readonly exitCode: ExitCode;

  constructor(code: string, message: string, options: GcflowErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    const entry = catalogueEntry(code);
    this.hint = options.hint ?? entry?.hint;
    this.exitCode = options.exitCode ?? entry?.exit ?? ExitCode.failed;
  }

  toJSON(): { code: string; message: string; hint?: string } {
    return this.hint
      ? { code: this.code, message: this.message, hint: this.hint }
      : { code: this.code, message: this.message };
  }
}

/** Bad flags, arguments or files given on the command line. */
export class UsageError extends GcflowError {
  override readonly name = 'UsageError';
  constructor(message: string, hint?: string) {
    super('E_USAGE', message, { hint, exitCode: ExitCode.usage });
  }
}

/** A dependency (Redis, the API, the daemon) cannot be reached. */
export class UnreachableError extends GcflowError {
  override readonly name = 'UnreachableError';
  constructor(what: string, where: string, hint: string, cause?: unknown) {
    super('E_UNREACHABLE', `cannot reach ${what} at ${where}`, {
      hint,
      cause,
      exitCode: ExitCode.unreachable,
    });
  }
}

/** One line for logs and the CLI: `E_CODE message (hint)`; never throws. */
export function describeError(err: unknown): string {
  if (err instanceof GcflowError) return `${err.code} ${err.message}`;
  if (err instanceof Error) return err.message;
  return String(err);
}
