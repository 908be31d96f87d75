// `gcflow schema`: prints the JSON Schema of workflow files (for editors such as
// yaml-language-server), generated from the schema the validator uses.
import type { Command } from 'commander';
import { workflowJsonSchema } from '../dsl/index.js';
import { type CliIO, printJson } from './io.js';
import type { RegisterCommand } from './program.js';

export const register: RegisterCommand = (program: Command, io: CliIO) => {
  program
    .command('schema')
    .description('print the JSON Schema of workflow files (point editors at it)')
    .action(() => {
      printJson(io, workflowJsonSchema());
    });
};
