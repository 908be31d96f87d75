// What the validator reports: Diagnostic (file:line:col, a stable code, message,
// hint), the list of every code, and the human format with a short code frame.
// Pure; imports nothing.
// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${{ }} is the workflow expression syntax, not a JS template

export interface Diagnostic {
  file: string;
  /** 1-based. */
  line: number;
  /** 1-based. */
  column: number;
  endLine?: number;
  endColumn?: number;
  severity: 'error' | 'warning';
  /** Stable and documented: see DIAGNOSTIC_CODES. */
  code: string;
  message: string;
  hint?: string;
}

/** Every code the validator and the workflow loader emit, with what it means. */
export const DIAGNOSTIC_CODES = {
  E_FILE_TOO_LARGE: 'the file is larger than 1 MiB and is refused before parsing',
  E_FILE_UNREADABLE: 'the file cannot be read',
  E_YAML_SYNTAX: 'the file is not valid YAML',
  E_DUPLICATE_KEY: 'a mapping has the same key twice',
  E_YAML_ALIAS: 'anchors (&name) and aliases (*name) are refused',
  E_YAML_MULTIPLE_DOCUMENTS: 'more than one YAML document (---) in one file',
  E_NOT_A_WORKFLOW: 'the file is empty or its top level is not a mapping',
  E_UNKNOWN_KEY: 'a key the workflow language does not have',
  E_MISSING_KEY: 'a required key is missing',
  E_TYPE: 'a value has the wrong type',
  E_ENUM: 'a value is not one of the allowed words',
  E_RANGE: 'a number is outside its allowed range',
  E_VALUE: 'a value is not acceptable (empty, too long, ...)',
  E_DURATION: 'not a duration such as 30s, 15m, 1h30m or 7d',
  E_CRON: 'not a cron expression of 5 or 6 fields',
  E_TIMEZONE: 'not an IANA timezone',
  E_WORKFLOW_NAME: 'the workflow name does not match ^[a-z0-9][a-z0-9-]{0,62}$',
  E_STEP_ID: 'a step id does not match ^[a-z][a-z0-9_-]*$',
  E_INPUT_NAME: 'an input name cannot be used in expressions',
  E_DUPLICATE_STEP_ID: 'two steps share an id',
  E_UNKNOWN_STEP_KIND: '`uses` names no step kind',
  E_PARAM_UNKNOWN: 'a `with` parameter the step kind does not have',
  E_PARAM_MISSING: 'a required `with` parameter is missing',
  E_PARAM_TYPE: 'a `with` parameter has the wrong type',
  E_PARAM_VALUE: 'a `with` parameter has an unacceptable value',
  E_KEEP_NOT_CREATE: '`keep` on a step other than instance.create',
  E_WAIT_NOT_SUPPORTED: '`wait` on a step kind that does not wait for a status',
  E_FOR_EACH: '`for_each` is neither a list nor one expression, or lists more items than a run takes',
  E_MAX_PARALLEL_WITHOUT_FOR_EACH: '`max_parallel` without `for_each`',
  E_CONCURRENCY_LIMIT: '`concurrency.limit` beside an overlap policy other than queue',
  E_INPUT_DEFAULT: "an input's default does not fit its type or enum",
  E_INPUT_ENUM: "an input's enum holds a value of another type",
  E_TRIGGER_INPUT_UNKNOWN: 'a trigger sets an input the workflow does not declare',
  E_TRIGGER_INPUT_TYPE: "a trigger's input value does not fit the input's type or enum",
  E_TRIGGER_INPUT_MISSING: 'a trigger leaves a required input without a value',
  E_EXPR_SYNTAX: 'an expression does not parse',
  E_EXPR_UNKNOWN_CONTEXT: 'an expression names a context other than inputs, steps, run, item, index, secrets',
  E_EXPR_UNKNOWN_FUNCTION: 'an expression calls a function that does not exist',
  E_EXPR_UNDECLARED_INPUT: 'an expression reads an input the workflow does not declare',
  E_EXPR_UNKNOWN_STEP: 'an expression reads a step that does not exist',
  E_EXPR_STEP_ORDER: 'an expression reads a step that does not run before this one',
  E_EXPR_SELF_REFERENCE: 'an expression reads the step it belongs to',
  E_EXPR_STEP_PROPERTY: 'an expression reads something of a step other than outputs or status',
  E_EXPR_RUN_KEY: 'an expression reads a run key that does not exist',
  E_EXPR_ITEM_OUTSIDE_FOR_EACH: 'item or index used where no for_each item exists',
  E_EXPR_NOT_ALLOWED: 'an expression where only literal values are read',
  E_DUPLICATE_WORKFLOW: 'two files in one directory define the same workflow name',
  W_INSTANCE_NAME_NOT_UNIQUE: 'an instance.create name that is not unique to the run (or item)',
  W_SNAPSHOT_NAME_NOT_UNIQUE: 'an instance.snapshot name that is not unique to the run (or item)',
  W_IF_ALWAYS_TRUE: 'an `if:` with text around its ${{ }} is a non-empty string: always true',
  W_YAML: 'the YAML parser warns (e.g. an unknown tag)',
} as const;

export type DiagnosticCode = keyof typeof DIAGNOSTIC_CODES;

export const severityOf = (code: string): Diagnostic['severity'] =>
  code.startsWith('W_') ? 'warning' : 'error';

/** By position, then code, then message: stable output. */
export function sortDiagnostics(list: Diagnostic[]): Diagnostic[] {
  return [...list].sort(
    (a, b) =>
      a.file.localeCompare(b.file) ||
      a.line - b.line ||
      a.column - b.column ||
      a.code.localeCompare(b.code) ||
      a.message.localeCompare(b.message),
  );
}

const FRAME_WIDTH = 160;

/**
 * `file:line:col: error CODE message`, then `  hint: ...`, then (with the source)
 * the line with a caret under the place.
 */
export function formatDiagnostic(d: Diagnostic, sourceText?: string): string {
  const out = [`${d.file}:${d.line}:${d.column}: ${d.severity} ${d.code} ${d.message}`];
  if (d.hint) out.push(`  hint: ${d.hint}`);
  const frame = sourceText === undefined ? undefined : codeFrame(d, sourceText);
  if (frame) out.push(frame);
  return out.join('\n');
}

function codeFrame(d: Diagnostic, text: string): string | undefined {
  const lines = text.split(/\r?\n/);
  const raw = lines[d.line - 1];
  if (raw === undefined) return undefined;
  const line = raw.replace(/\t/g, ' ');
  const shown = line.length > FRAME_WIDTH ? `${line.slice(0, FRAME_WIDTH)}…` : line;
  const gutter = String(d.line);
  const start = Math.min(Math.max(1, d.column), shown.length + 1);
  const end =
    d.endLine === d.line && d.endColumn !== undefined ? Math.min(d.endColumn, shown.length + 1) : start + 1;
  const width = Math.max(1, end - start);
  return [
    `  ${gutter} | ${shown}`.trimEnd(),
    `  ${' '.repeat(gutter.length)} | ${' '.repeat(start - 1)}${'^'.repeat(width)}`,
  ].join('\n');
}
