// Turns zod's issues into diagnostics with stable codes, the place in the file, a
// message that names the field, and a hint (supported keys, allowed values).
// Pure.
import type { z } from 'zod';
import { DURATION_HINT } from '../shared/duration.js';
import { type Diagnostic, severityOf } from './diagnostics.js';
import { describeValue, expectedName, fieldName, isRecord, oneOf, owned, where } from './describe.js';
import { STEP_ID_RE, WORKFLOW_NAME_RE } from './schema.js';
import type { Path, SourceFile } from './source.js';
import { durationText, expression } from './step-params.js';
import { didYouMean } from './suggest.js';
import { enumValuesAt, keysAt, kindsAt, requiredKeysAt } from './zod-keys.js';

type Issue = z.core.$ZodIssue;

export interface IssueScope {
  source: SourceFile;
  /** The whole document value, to name steps by id. */
  root: unknown;
  /** Where the validated value sits in the document. */
  prefix: Path;
  /** What was validated, to list supported keys. */
  schema: z.ZodType;
  /** The value that was validated (sits at `prefix` in the document, or stands in for it). */
  value: unknown;
  /** `with` parameters of a step kind get E_PARAM_* codes. */
  kind?: string;
}

const DURATION_KEYS = new Set([
  'timeout',
  'delay',
  'max_delay',
  'poll',
  'catch_up_window',
  'duration',
  'max_age',
  'keep_within',
]);
/** The regex of a `z.string().regex(...)` schema, as zod reports it in issues. */
const patternOf = (schema: z.ZodType): string =>
  String(
    (schema.def as { checks?: Array<{ _zod: { def: { pattern?: RegExp } } }> }).checks?.[0]?._zod.def.pattern,
  );
const EXPRESSION_PATTERN = patternOf(expression);
const DURATION_PATTERN = patternOf(durationText);
const PATTERN_CODES: Record<string, string> = {
  [String(WORKFLOW_NAME_RE)]: 'E_WORKFLOW_NAME',
  [String(STEP_ID_RE)]: 'E_STEP_ID',
  [DURATION_PATTERN]: 'E_DURATION',
};

export function validate(schema: z.ZodType, scope: IssueScope): { ok: boolean; diagnostics: Diagnostic[] } {
  const result = schema.safeParse(scope.value, { reportInput: true });
  if (result.success) return { ok: true, diagnostics: [] };
  return { ok: false, diagnostics: result.error.issues.flatMap((i) => toDiagnostics(i, [], scope)) };
}

function toDiagnostics(issue: Issue, base: Path, scope: IssueScope): Diagnostic[] {
  const rel = [...base, ...(issue.path as Array<string | number>)];
  const path = [...scope.prefix, ...rel];
  const w = where(path, scope.root);
  const param = scope.kind !== undefined;
  const make = (
    code: string,
    message: string,
    hint?: string,
    at: 'value' | 'key' | 'point' = 'value',
    p: Path = path,
  ) => {
    const span = at === 'point' ? pointAt(scope.source, p) : scope.source.spanOf(p, at);
    const d: Diagnostic = { file: scope.source.file, ...span, severity: severityOf(code), code, message };
    if (hint) d.hint = hint;
    return d;
  };
  const input = (issue as { input?: unknown }).input;

  switch (issue.code) {
    case 'unrecognized_keys': {
      const known = keysAt(scope.schema, rel);
      const inside = w.field ? ` in ${w.field}` : '';
      return issue.keys.map((key) => {
        const what =
          param && rel.length === 0 ? `parameter '${key}' for ${scope.kind}` : `key '${key}'${inside}`;
        return make(
          param ? 'E_PARAM_UNKNOWN' : 'E_UNKNOWN_KEY',
          owned(w, `unknown ${what}${didYouMean(key, known)}`),
          `supported ${param && rel.length === 0 ? 'parameters' : 'keys'}: ${known.join(', ')}`,
          'key',
          [...path, key],
        );
      });
    }
    case 'invalid_type': {
      const parentPath = rel.slice(0, -1);
      const key = rel[rel.length - 1];
      const parent = valueAt(scope.value, parentPath);
      if (
        input === undefined &&
        key !== undefined &&
        isRecord(parent) &&
        !Object.hasOwn(parent, String(key))
      ) {
        const required = requiredKeysAt(scope.schema, parentPath);
        const pw = where([...scope.prefix, ...parentPath], scope.root);
        const what =
          param && parentPath.length === 0
            ? `${scope.kind} needs parameter '${key}'`
            : `missing required key '${key}'${pw.field ? ` in ${pw.field}` : ''}`;
        return [
          make(
            param ? 'E_PARAM_MISSING' : 'E_MISSING_KEY',
            owned(pw, what),
            required.length > 0 ? `required: ${required.join(', ')}` : undefined,
            'point',
            [...scope.prefix, ...parentPath],
          ),
        ];
      }
      return [typeMismatch([issue.expected], input, rel, w, param, make)];
    }
    case 'invalid_union':
      return fromUnion(issue, rel, input, w, scope, make);
    case 'invalid_value':
      return [notAllowed(issue.values.map(String), input, w, param, make)];
    case 'too_small':
    case 'too_big':
      return [
        make(
          param ? 'E_PARAM_VALUE' : issue.origin === 'number' ? 'E_RANGE' : 'E_VALUE',
          owned(w, sizeMessage(issue, input, w)),
        ),
      ];
    case 'invalid_format':
      return [formatIssue(issue as Issue & { pattern?: string }, input, w, param, make, scope, rel)];
    case 'custom': {
      const params = (issue.params ?? {}) as { code?: string; hint?: string; field?: boolean };
      const code = params.code ?? (param ? 'E_PARAM_VALUE' : 'E_VALUE');
      const text = params.field
        ? `${fieldName(w)} ${issue.message}`
        : params.code
          ? issue.message
          : `${fieldName(w)}: ${issue.message}`;
      return [make(code, owned(w, text), params.hint)];
    }
    case 'invalid_key':
    case 'invalid_element':
      return issue.issues.flatMap((i) => toDiagnostics(i, rel, scope));
    default:
      return [make(param ? 'E_PARAM_VALUE' : 'E_VALUE', owned(w, `${fieldName(w)}: ${issue.message}`))];
  }
}

type Make = (code: string, message: string, hint?: string) => Diagnostic;

/** A word outside an enum: `status must be one of ..., got 'stoped'; did you mean 'stopped'?`. */
function notAllowed(
  allowed: string[],
  input: unknown,
  w: ReturnType<typeof where>,
  param: boolean,
  make: Make,
): Diagnostic {
  const suggestion = typeof input === 'string' ? didYouMean(input, allowed) : '';
  const code = param ? 'E_PARAM_VALUE' : 'E_ENUM';
  const got = describeValue(input);
  // A long list (statuses) goes to the hint, so the message stays one readable line.
  if (allowed.length > 8)
    return make(
      code,
      owned(w, `${fieldName(w)} cannot be ${got}${suggestion}`),
      `one of: ${allowed.join(', ')}`,
    );
  return make(code, owned(w, `${fieldName(w)} must be one of ${oneOf(allowed)}, got ${got}${suggestion}`));
}

function typeMismatch(
  expected: string[],
  input: unknown,
  rel: Path,
  w: ReturnType<typeof where>,
  param: boolean,
  make: Make,
): Diagnostic {
  const key = rel[rel.length - 1];
  if (typeof key === 'string' && DURATION_KEYS.has(key) && typeof input === 'number') {
    return make(
      'E_DURATION',
      owned(w, `${fieldName(w)} needs a unit: ${input} is not a duration`),
      DURATION_HINT,
    );
  }
  const words = oneOf(expected.map(expectedName));
  return make(
    param ? 'E_PARAM_TYPE' : 'E_TYPE',
    owned(w, `${fieldName(w)} must be ${words}, got ${describeValue(input)}`),
  );
}

/** The value is not of this branch's type at all (as opposed to a right type with a wrong detail). */
function shallow(i: Issue): boolean {
  if (i.path.length > 0) return false;
  if (i.code === 'invalid_type') return true;
  // An enum of words refusing a number, a list or a mapping: a wrong type, not a wrong word.
  if (i.code === 'invalid_value') return typeof (i as { input?: unknown }).input !== 'string';
  if (i.code === 'invalid_format') return (i as { pattern?: string }).pattern === EXPRESSION_PATTERN;
  if (i.code === 'invalid_union') return i.errors.every((b) => b.length === 1 && shallow(b[0]!));
  return false;
}

function expectedOf(i: Issue): string[] {
  if (i.code === 'invalid_union') return i.errors.flatMap((b) => (b[0] ? expectedOf(b[0]) : []));
  if (i.code === 'invalid_type') return [i.expected ?? 'value'];
  if (i.code === 'invalid_value') return ['string'];
  return ['expression'];
}

/** A union failed: report the branch the value came closest to, or the types it could have had. */
function fromUnion(
  issue: Extract<Issue, { code: 'invalid_union' }>,
  rel: Path,
  input: unknown,
  w: ReturnType<typeof where>,
  scope: IssueScope,
  make: Make,
): Diagnostic[] {
  const branches = issue.errors.filter((b) => b.length > 0);
  const deep = branches.filter((b) => !(b.length === 1 && shallow(b[0]!)));
  if (deep.length > 0) {
    // A branch that got inside the value (a list whose item is wrong) says more than one
    // that refused the value as a whole; then the branch with the fewest problems.
    const inside = deep.filter((b) => b.every((i) => i.path.length > 0));
    const best = (inside.length > 0 ? inside : deep).reduce((a, b) => (b.length < a.length ? b : a));
    return best.flatMap((i) => toDiagnostics(i, rel, scope));
  }
  const expected = branches.flatMap((b) => expectedOf(b[0]!));
  return [typeMismatch(expected, input, rel, w, scope.kind !== undefined, make)];
}

function sizeMessage(
  issue: Extract<Issue, { code: 'too_small' | 'too_big' }>,
  input: unknown,
  w: ReturnType<typeof where>,
): string {
  const small = issue.code === 'too_small';
  const limit = Number(
    small ? (issue as { minimum: unknown }).minimum : (issue as { maximum: unknown }).maximum,
  );
  const name = fieldName(w);
  if (issue.origin === 'string') {
    if (small && limit === 1) return `${name} must not be empty`;
    return `${name} must be ${small ? 'at least' : 'at most'} ${limit} characters long`;
  }
  if (issue.origin === 'array' || issue.origin === 'set') {
    if (small && limit === 1) return `${name} must not be empty`;
    return `${name} must have ${small ? 'at least' : 'at most'} ${limit} items`;
  }
  return `${name} must be ${small ? 'at least' : 'at most'} ${limit}, got ${describeValue(input)}`;
}

function formatIssue(
  issue: Issue & { pattern?: string },
  input: unknown,
  w: ReturnType<typeof where>,
  param: boolean,
  make: Make,
  scope: IssueScope,
  rel: Path,
): Diagnostic {
  const code = PATTERN_CODES[issue.pattern ?? ''];
  const name = fieldName(w);
  if (code === 'E_WORKFLOW_NAME') {
    return make(
      code,
      `workflow name ${describeValue(input)} must be 1-63 lower-case letters, digits and dashes, starting with a letter or digit`,
      `e.g. '${slug(String(input), /[^a-z0-9-]+/g).replace(/^-+/, '') || 'my-workflow'}'`,
    );
  }
  if (code === 'E_STEP_ID') {
    return make(
      code,
      `step id ${describeValue(input)} must start with a lower-case letter and hold only a-z, 0-9, _ and -`,
      `e.g. '${slug(String(input), /[^a-z0-9_-]+/g).replace(/^[^a-z]+/, '') || 'step'}'`,
    );
  }
  if (code === 'E_DURATION')
    return make(code, owned(w, `${name} ${describeValue(input)} is not a duration`), DURATION_HINT);
  if (issue.pattern === EXPRESSION_PATTERN) {
    // zod reports only the expression branch of `X or an expression` when the value is a string.
    const allowed = enumValuesAt(scope.schema, rel);
    if (allowed.length > 0 && typeof input === 'string') return notAllowed(allowed, input, w, param, make);
    const kinds = kindsAt(scope.schema, rel, { expression: EXPRESSION_PATTERN, duration: DURATION_PATTERN });
    if (kinds.includes('duration'))
      return make('E_DURATION', owned(w, `${name} ${describeValue(input)} is not a duration`), DURATION_HINT);
    const words = oneOf((kinds.length > 0 ? kinds : ['expression']).map(expectedName));
    return make(
      param ? 'E_PARAM_TYPE' : 'E_TYPE',
      owned(w, `${name} must be ${words}, got ${describeValue(input)}`),
    );
  }
  return make(
    param ? 'E_PARAM_VALUE' : 'E_VALUE',
    owned(w, `${name} ${describeValue(input)} has the wrong form: ${issue.message}`),
  );
}

const slug = (text: string, drop: RegExp) =>
  text.toLowerCase().replace(/\s+/g, '-').replace(drop, '').slice(0, 63);

function valueAt(value: unknown, rel: Path): unknown {
  let cur: unknown = value;
  for (const segment of rel) {
    if (Array.isArray(cur) && typeof segment === 'number') cur = cur[segment];
    else if (isRecord(cur)) cur = cur[String(segment)];
    else return undefined;
  }
  return cur;
}

/** For a missing key: the key that holds the mapping (`with:`), or where the mapping starts. */
export function pointAt(source: SourceFile, path: Path): ReturnType<SourceFile['span']> {
  const { node, key, found } = source.locate(path);
  if (found && key?.range) return source.span(key.range[0], key.range[1]);
  if (node?.range) return source.span(node.range[0]);
  return source.span(0);
}
