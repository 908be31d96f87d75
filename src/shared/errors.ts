// The base error every gcflow module throws: a stable code, a message that names
// what failed and where, and a hint that says what to do. Imports nothing.

/** Exit codes of the CLI (DESIGN.md): 1 the run or check failed, 2 usage, 3 unreachable. */
export const ExitCode = { ok: 0, failed: 1, usage: 2, unreachable: 3 } as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

export interface GcflowErrorOptions {
  hint?: string;
  cause?: unknown;
  exitCode?: ExitCode;
}

export class GcflowError extends Error {
  override readonly name: string = 'GcflowError';
  /** Stable, documented, greppable: `E_CONFIG_INVALID`, `E_API_429`, ... */
  readonly code: string;
  /** What the user should do next; printed under the message. */
  readonly hint: string | undefined;
  readonly exitCode: ExitCode;

  constructor(code: string, message: string, options: GcflowErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.hint = options.hint;
    this.exitCode = options.exitCode ?? ExitCode.failed;
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
