// Exit codes of the CLI (DESIGN.md): 0 ok, 1 the run or check failed, 2 usage, 3 unreachable.
// Its own module so errors.ts and the error catalogue share it without importing each other.

export const ExitCode = { ok: 0, failed: 1, usage: 2, unreachable: 3 } as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];
