// A CliIO for running the command tree in-process: no terminal, an empty environment,
// stdout collected (`printed()`), stderr discarded.
import { Writable } from 'node:stream';
import type { CliIO } from '../../src/cli/io.js';
import { ExitCode } from '../../src/shared/errors.js';

export function testIO(): CliIO & { printed(): string } {
  let printed = '';
  return {
    stdout: new Writable({
      write(chunk, _encoding, done) {
        printed += String(chunk);
        done();
      },
    }),
    stderr: new Writable({ write: (_chunk, _encoding, done) => done() }),
    env: {},
    isTTY: false,
    shutdown: new AbortController().signal,
    exitCode: ExitCode.ok,
    printed: () => printed,
  };
}
