// Checks every `${{ }}` of a workflow before anything runs: syntax, contexts and
// functions, declared inputs, steps that exist and run earlier, run keys, item/index
// only inside for_each; and refuses expressions where values are read literally.
// Pure.
// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${{ }} is the workflow expression syntax, not a JS template
import {
  collectReferences,
  ExpressionError,
  parseExpression,
  type Reference,
  scanExpressions,
} from '../expr/index.js';
import { type Diagnostic, severityOf } from './diagnostics.js';
import { isRecord, stepIdAt, where } from './describe.js';
import { STEP_LISTS, type StepList } from './schema.js';
import { spanInValue, type ValueRange } from './scalar-pos.js';
import type { Path, SourceFile } from './source.js';
import { referenceProblem, type ReferenceScope, type Role, type StepPlace } from './references.js';

const ALLOWED: readonly Role[] = ['with', 'if', 'for_each', 'timeout', 'wait'];
/** Prose: never evaluated, so `${{` in it is just text. */
const PROSE_KEYS = new Set(['description']);

export interface ExpressionScope extends ReferenceScope {
  source: SourceFile;
  root: Record<string, unknown>;
}

export function checkExpressions(scope: ExpressionScope): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const [key, value] of Object.entries(scope.root)) {
    if (STEP_LISTS.includes(key as StepList) && Array.isArray(value)) {
      value.forEach((step, index) => {
        if (isRecord(step)) checkStep(scope, key as StepList, index, step, out);
        else refuseAll(scope, [key, index], step, out);
      });
    } else if (!PROSE_KEYS.has(key)) {
      refuseAll(scope, [key], value, out);
    }
  }
  return out;
}

function checkStep(
  scope: ExpressionScope,
  list: StepList,
  index: number,
  step: Record<string, unknown>,
  out: Diagnostic[],
) {
  const place: StepPlace = {
    list,
    index,
    id: stepIdAt(scope.root, list, index),
    forEach: step['for_each'] !== undefined,
  };
  for (const [key, value] of Object.entries(step)) {
    const path: Path = [list, index, key];
    if (!ALLOWED.includes(key as Role)) {
      refuseAll(scope, path, value, out);
      continue;
    }
    const role = key as Role;
    forEachString(value, path, (text, p) => {
      if (role === 'if' && p.length === path.length && !text.includes('${{')) {
        checkOne(scope, place, role, p, text, text, { offset: 0, length: text.length }, 0, out);
        return;
      }
      checkText(scope, place, role, p, text, out);
    });
  }
}

function checkText(
  scope: ExpressionScope,
  place: StepPlace,
  role: Role,
  path: Path,
  text: string,
  out: Diagnostic[],
) {
  const { segments, unterminatedAt } = scanExpressions(text);
  for (const seg of segments) {
    checkOne(
      scope,
      place,
      role,
      path,
      text,
      seg.inner,
      { offset: seg.start, length: seg.end - seg.start, segmentStart: seg.start },
      seg.innerStart,
      out,
    );
  }
  if (unterminatedAt !== undefined) {
    out.push(
      diag(
        scope,
        'E_EXPR_SYNTAX',
        path,
        text,
        { offset: unterminatedAt, length: 3, segmentStart: unterminatedAt },
        owner(scope, path, 'unterminated ${{ (no closing }})'),
        'close the expression with }}',
      ),
    );
  }
  if (
    role === 'if' &&
    path.length === 3 &&
    (segments.length > 1 ||
      (segments.length === 1 && text.trim() !== text.slice(segments[0]!.start, segments[0]!.end)))
  ) {
    out.push(
      diag(
        scope,
        'W_IF_ALWAYS_TRUE',
        path,
        text,
        { offset: 0, length: text.length },
        owner(scope, path, 'has text outside its ${{ }}, so it is a non-empty string: always true'),
        'write the whole condition inside one ${{ }}, or leave the braces out: if: a && b',
      ),
    );
  }
}

function checkOne(
  scope: ExpressionScope,
  place: StepPlace,
  role: Role,
  path: Path,
  text: string,
  inner: string,
  whole: ValueRange,
  innerStart: number,
  out: Diagnostic[],
) {
  const at = (offset: number, length: number): ValueRange => ({
    offset: innerStart + offset,
    length,
    segmentStart: whole.segmentStart,
  });
  let refs: Reference[];
  try {
    refs = collectReferences(parseExpression(inner), inner);
  } catch (err) {
    if (!(err instanceof ExpressionError)) throw err;
    out.push(
      diag(
        scope,
        err.code,
        path,
        text,
        at(err.offset ?? 0, 1),
        owner(scope, path, `${err.detail} in \${{ ${err.expression} }}`),
        err.hint,
      ),
    );
    return;
  }
  for (const ref of refs) {
    const problem = referenceProblem(scope, place, role, ref);
    if (problem)
      out.push(
        diag(
          scope,
          problem.code,
          path,
          text,
          at(problem.offset, problem.length),
          owner(scope, path, problem.message),
          problem.hint,
        ),
      );
  }
}

/** Literal places: any `${{` there would be taken as text, which is never what was meant. */
function refuseAll(scope: ExpressionScope, path: Path, value: unknown, out: Diagnostic[]) {
  forEachString(value, path, (text, p) => {
    if (PROSE_KEYS.has(String(p[p.length - 1])) || !text.includes('${{')) return;
    const offset = text.indexOf('${{');
    out.push(
      diag(
        scope,
        'E_EXPR_NOT_ALLOWED',
        p,
        text,
        { offset, length: 3, segmentStart: offset },
        owner(scope, p, `an expression in ${lastKey(p)} is not evaluated`),
        "expressions are evaluated in a step's with, if, for_each, timeout and wait; trigger inputs and other keys are literal",
      ),
    );
  });
}

function forEachString(value: unknown, path: Path, visit: (text: string, path: Path) => void, depth = 0) {
  if (depth > 64) return;
  if (typeof value === 'string') visit(value, path);
  else if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) forEachString(value[i], [...path, i], visit, depth + 1);
  } else if (isRecord(value))
    for (const [k, v] of Object.entries(value)) forEachString(v, [...path, k], visit, depth + 1);
}

const lastKey = (path: Path): string => {
  const key = [...path].reverse().find((k) => typeof k === 'string');
  return key === undefined ? 'this value' : String(key);
};

function owner(scope: ExpressionScope, path: Path, message: string): string {
  const w = where(path, scope.root);
  const field = w.field ? `${w.field}: ` : '';
  return w.owner ? `${w.owner}: ${field}${message}` : `${field}${message}`;
}

function diag(
  scope: ExpressionScope,
  code: string,
  path: Path,
  text: string,
  at: ValueRange,
  message: string,
  hint?: string,
): Diagnostic {
  const span = spanInValue(scope.source, path, text, at);
  const d: Diagnostic = { file: scope.source.file, ...span, severity: severityOf(code), code, message };
  if (hint) d.hint = hint;
  return d;
}
