// Writes each shell's completion script to dist/cli/completion/, from the built command
// tree: `gcflow completion SHELL` then prints it without loading every command
// (src/cli/completion.ts). Run by `npm run build`, after tsc.
import { mkdirSync, writeFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const { buildProgram } = await import('../dist/cli/program.js');
const { builtScript, completionScript, SHELLS } = await import('../dist/cli/completion.js');
const discard = new Writable({ write: (_chunk, _encoding, done) => done() });
const io = {
  stdout: discard,
  stderr: discard,
  env: {},
  isTTY: false,
  shutdown: new AbortController().signal,
  exitCode: 0,
};
const program = await buildProgram(io);
for (const shell of SHELLS) {
  const file = fileURLToPath(builtScript(shell));
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, completionScript(program, shell));
}
