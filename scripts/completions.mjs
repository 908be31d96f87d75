// Writes, from the built command tree, what the CLI would otherwise load every command
// for: each shell's completion script to dist/cli/completion/ (`gcflow completion SHELL`
// prints it; src/cli/completion.ts), and the root help's list of commands to
// dist/cli/root-help.json (`gcflow --help`; src/cli/root-help.ts). Run by `npm run
// build`, after tsc.
import { mkdirSync, writeFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const { buildProgram } = await import('../dist/cli/program.js');
const { builtScript, completionScript, SHELLS } = await import('../dist/cli/completion.js');
const { BUILT_COMMAND_LIST, commandList } = await import('../dist/cli/root-help.js');
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
writeFileSync(fileURLToPath(BUILT_COMMAND_LIST), `${JSON.stringify(commandList(program), null, 2)}\n`);
