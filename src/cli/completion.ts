// `gcflow completion bash|zsh|fish`: a completion script generated from the command
// tree itself (commands, their flags, the values of flags with choices), so it never
// lags behind a new command. Workflow names for run/plan are read at completion time
// from the `name:` lines of the workflow files ($GCFLOW_WORKFLOWS, else ./workflows).
// The build writes each shell's script beside this module (scripts/completions.mjs), so
// printing it, at every new shell, loads no other command (~0.2 s instead of ~1.3 s);
// run from src/, the script is made from the whole tree, loaded then.
import { readFileSync } from 'node:fs';
import { type Command, type Option, Argument } from 'commander';
import { type CliIO, print } from './io.js';
import type { RegisterCommand } from './program.js';

export const SHELLS = ['bash', 'zsh', 'fish'] as const;
type Shell = (typeof SHELLS)[number];

interface Spec {
  name: string;
  description: string;
  options: Array<{ flags: string[]; description: string; takesValue: boolean; choices: string[] }>;
  /** Takes a workflow name (run, plan) or a choice of words. */
  operand: 'workflow' | 'files' | string[] | undefined;
}

const WORKFLOW_OPERAND = new Set(['run', 'plan']);
const FILE_OPERAND = new Set(['validate']);

function optionSpec(o: Option): Spec['options'][number] {
  return {
    flags: [o.short, o.long].filter((f): f is string => Boolean(f)),
    description: o.description,
    takesValue: o.required || o.optional,
    choices: o.argChoices ?? [],
  };
}

function specs(program: Command): Spec[] {
  return program.commands.map((c) => {
    const choices = c.registeredArguments[0]?.argChoices;
    return {
      name: c.name(),
      description: c.description(),
      options: [
        ...c.options.map(optionSpec),
        { flags: ['-h', '--help'], description: 'show help', takesValue: false, choices: [] },
      ],
      operand: WORKFLOW_OPERAND.has(c.name())
        ? 'workflow'
        : FILE_OPERAND.has(c.name())
          ? 'files'
          : choices && choices.length > 0
            ? choices
            : undefined,
    };
  });
}

/** The `name:` of each workflow file (unquoted names, as the validator's pattern allows). */
const NAME_SED = "sed -n 's/^name:[[:space:]]*\\([a-z0-9][a-z0-9-]*\\).*$/\\1/p'";

/** bash and zsh: the workflow names in $GCFLOW_WORKFLOWS, else ./workflows. */
const SH_WORKFLOWS = `_gcflow_workflows() {
  local dir="\${GCFLOW_WORKFLOWS:-./workflows}" f
  for f in "$dir"/*.yaml "$dir"/*.yml; do
    [ -f "$f" ] && ${NAME_SED} "$f"
  done
}`;

const q = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`;

function bash(all: Spec[], globals: Spec['options']): string {
  const valueFlags = [
    ...new Set(
      [...globals, ...all.flatMap((s) => s.options)].filter((o) => o.takesValue).flatMap((o) => o.flags),
    ),
  ];
  const choiceCases = all
    .flatMap((s) => s.options)
    .filter((o) => o.choices.length > 0)
    .map(
      (o) =>
        `      ${o.flags.join('|')}) COMPREPLY=($(compgen -W ${q(o.choices.join(' '))} -- "$cur")); return ;;`,
    );
  const optionCases = all.map(
    (s) => `      ${s.name}) opts=${q(s.options.flatMap((o) => o.flags).join(' '))} ;;`,
  );
  const operandCases = all
    .filter((s) => s.operand !== undefined)
    .map((s) =>
      s.operand === 'workflow'
        ? `      ${s.name}) COMPREPLY=($(compgen -W "$(_gcflow_workflows)" -- "$cur")) ;;`
        : s.operand === 'files'
          ? `      ${s.name}) COMPREPLY=($(compgen -f -- "$cur")) ;;`
          : `      ${s.name}) COMPREPLY=($(compgen -W ${q((s.operand as string[]).join(' '))} -- "$cur")) ;;`,
    );
  return `# gcflow completion for bash. Load it with:  source <(gcflow completion bash)
${SH_WORKFLOWS}
_gcflow() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="\${COMP_WORDS[COMP_CWORD-1]}"
  local cmd="" opts="" i
  for ((i = 1; i < COMP_CWORD; i++)); do
    case "\${COMP_WORDS[i]}" in
      ${valueFlags.join('|')}) ((i++)) ;;
      -*) ;;
      *) cmd="\${COMP_WORDS[i]}"; break ;;
    esac
  done
  case "$prev" in
${choiceCases.join('\n')}
      -c|--config) COMPREPLY=($(compgen -f -- "$cur")); return ;;
  esac
  if [[ -z "$cmd" ]]; then
    COMPREPLY=($(compgen -W ${q([...all.map((s) => s.name), ...globals.flatMap((o) => o.flags)].join(' '))} -- "$cur"))
    return
  fi
  case "$cmd" in
${optionCases.join('\n')}
  esac
  if [[ "$cur" == -* ]]; then
    COMPREPLY=($(compgen -W "$opts" -- "$cur"))
    return
  fi
  case "$cmd" in
${operandCases.join('\n')}
  esac
}
complete -o default -F _gcflow gcflow
`;
}

/** For a zsh single-quoted spec: `[`, `]`, `:` and `\` escaped for _arguments; `'` closed and reopened. */
const zq = (text: string) => text.replace(/[[\]:\\]/g, (c) => `\\${c}`).replace(/'/g, `'\\''`);

function zsh(all: Spec[], globals: Spec['options']): string {
  const optionLines = (options: Spec['options']) =>
    options.map((o) => {
      const action =
        o.choices.length > 0 ? `(${o.choices.join(' ')})` : o.flags.includes('--config') ? '_files' : ' ';
      const value = o.takesValue ? `:value:${action}` : '';
      const names = o.flags.length > 1 ? `{${o.flags.join(',')}}` : o.flags[0];
      return `        ${o.flags.length > 1 ? `'(${o.flags.join(' ')})'` : ''}${names}'[${zq(o.description)}]${value}'`;
    });
  const cases = all.map((s) => {
    const operand =
      s.operand === 'workflow'
        ? `        '1:workflow:{compadd -- \${(f)"$(_gcflow_workflows)"}; _files}'`
        : s.operand === 'files'
          ? `        '*:path:_files'`
          : Array.isArray(s.operand)
            ? `        '1:value:(${s.operand.join(' ')})'`
            : undefined;
    return `    (${s.name})\n      _arguments -s \\\n${[...optionLines(s.options), ...(operand ? [operand] : [])].join(' \\\n')}\n      ;;`;
  });
  return `#compdef gcflow
# gcflow completion for zsh. Load it with:  source <(gcflow completion zsh)
# (or save it as _gcflow in a directory of $fpath).
${SH_WORKFLOWS.replace('{\n', '{\n  setopt localoptions nullglob\n')}
_gcflow() {
  local context state line
  local -a commands
  commands=(
${all.map((s) => `    '${zq(s.name)}:${zq(s.description)}'`).join('\n')}
  )
  _arguments -C \\
${optionLines(globals).join(' \\\n')} \\
    '1:command:->command' \\
    '*::argument:->argument'
  case $state in
    (command) _describe -t commands 'gcflow command' commands ;;
    (argument)
  case $line[1] in
${cases.join('\n')}
  esac
  ;;
  esac
}
if [[ "$funcstack[1]" = "_gcflow" ]]; then _gcflow "$@"; else compdef _gcflow gcflow; fi
`;
}

function fish(all: Spec[], globals: Spec['options']): string {
  const fq = (text: string) => `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  const flag = (o: Spec['options'][number], condition: string) => {
    const parts = [`complete -c gcflow -n ${fq(condition)}`];
    for (const f of o.flags) parts.push(f.startsWith('--') ? `-l ${f.slice(2)}` : `-s ${f.slice(1)}`);
    if (o.takesValue) parts.push(o.choices.length > 0 ? `-x -a ${fq(o.choices.join(' '))}` : '-r');
    parts.push(`-d ${fq(o.description)}`);
    return parts.join(' ');
  };
  const lines = [
    '# gcflow completion for fish. Load it with:  gcflow completion fish | source',
    '# (or save it as ~/.config/fish/completions/gcflow.fish).',
    'function __gcflow_workflows',
    '    set -l dir ./workflows',
    '    set -q GCFLOW_WORKFLOWS; and set dir $GCFLOW_WORKFLOWS',
    `    for f in $dir/*.yaml $dir/*.yml; ${NAME_SED} $f; end`,
    'end',
    'complete -c gcflow -f',
    ...globals.map((o) => flag(o, '__fish_use_subcommand')),
    ...all.map((s) => `complete -c gcflow -n '__fish_use_subcommand' -a ${s.name} -d ${fq(s.description)}`),
  ];
  for (const s of all) {
    const on = `__fish_seen_subcommand_from ${s.name}`;
    lines.push(...s.options.map((o) => flag(o, on)));
    if (s.operand === 'workflow') lines.push(`complete -c gcflow -n ${fq(on)} -F -a '(__gcflow_workflows)'`);
    else if (s.operand === 'files') lines.push(`complete -c gcflow -n ${fq(on)} -F`);
    else if (Array.isArray(s.operand))
      lines.push(`complete -c gcflow -n ${fq(on)} -x -a ${fq(s.operand.join(' '))}`);
  }
  return `${lines.join('\n')}\n`;
}

/** The completion script for `shell`, from the commands registered on `program`. */
export function completionScript(program: Command, shell: Shell): string {
  const all = specs(program);
  const globals = [
    ...program.options.map(optionSpec),
    { flags: ['-h', '--help'], description: 'show help', takesValue: false, choices: [] },
  ];
  return { bash, zsh, fish }[shell](all, globals);
}

/** Where the build writes `shell`'s script. */
export const builtScript = (shell: Shell): URL => new URL(`./completion/${shell}.sh`, import.meta.url);

/** The script the build wrote, else one made from the whole command tree. */
async function scriptFor(shell: Shell, io: CliIO): Promise<string> {
  try {
    return readFileSync(builtScript(shell), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const { buildProgram } = await import('./program.js');
  return completionScript(await buildProgram(io), shell);
}

export const register: RegisterCommand = (program: Command, io: CliIO) => {
  program
    .command('completion')
    .description('print a shell completion script: source <(gcflow completion bash)')
    .addArgument(new Argument('<shell>', 'bash, zsh or fish').choices(SHELLS))
    .action(async (shell: Shell) => {
      print(io.stdout, (await scriptFor(shell, io)).trimEnd());
    });
};
