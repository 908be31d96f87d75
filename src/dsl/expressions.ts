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
  RUN_KEYS,
  scanExpressions,
} from '../expr/index.js';
import { type Diagnostic, severityOf } from './diagnostics.js';
import { isRecord, stepIdAt, where } from './describe.js';
import { STEP_LISTS, type StepList } from './schema.js';
import { spanInValue, type ValueRange } from './scalar-pos.js';
import type { Path, SourceFile } from './source.js';
import { didYouMean } from './suggest.js';

type Role = 'with' | 'if' | 'for_each' | 'timeout' | 'wait';
const ALLOWED: readonly Role[] = ['with', 'if', 'for_each', 'timeout', 'wait'];
/** Prose: never evaluated, so `${{` in it is just text. */
const PROSE_KEYS = new Set(['description']);

export interface StepPlace {
  list: StepList;
  index: number;
  id: string | undefined;
  forEach: boolean;
}

export interface ExpressionScope {
  source: SourceFile;
  root: Record<string, unknown>;
  /** Lower-case declared input names; undefined when `inputs` is broken (no checks then). */
  inputs: Set<string> | undefined;
  /** Lower-case step id -> where it is (first occurrence). */
  steps: Map<string, { list: StepList; index: number; id: string }>;
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

interface Problem {
  code: string;
  message: string;
  hint?: string;
  offset: number;
  length: number;
}

function referenceProblem(
  scope: ExpressionScope,
  place: StepPlace,
  role: Role,
  ref: Reference,
): Problem | undefined {
  const [first, second] = ref.path;
  const name = first?.name ?? null;
  const nameAt = (message: string, code: string, hint?: string): Problem => ({
    code,
    message,
    hint,
    offset: first?.offset ?? ref.offset,
    length: name?.length ?? ref.context.length,
  });
  switch (ref.context) {
    case 'inputs': {
      if (name === null || !scope.inputs || scope.inputs.has(name.toLowerCase())) return undefined;
      const declared = [...scope.inputs];
      return nameAt(
        `input '${name}' is not declared${didYouMean(name, declared)}`,
        'E_EXPR_UNDECLARED_INPUT',
        declared.length > 0
          ? `declared inputs: ${declared.join(', ')}; or declare '${name}' under inputs:`
          : `declare it under inputs: (e.g. ${name}: { type: string })`,
      );
    }
    case 'steps': {
      if (name === null) return undefined;
      const target = scope.steps.get(name.toLowerCase());
      if (!target) {
        const ids = [...scope.steps.values()].map((s) => s.id);
        return nameAt(
          `no step '${name}'${didYouMean(name, ids)}`,
          'E_EXPR_UNKNOWN_STEP',
          ids.length > 0 ? `step ids: ${ids.join(', ')}` : undefined,
        );
      }
      if (target.list === place.list && target.index === place.index) {
        return nameAt(
          `step '${target.id}' reads its own result`,
          'E_EXPR_SELF_REFERENCE',
          "a step's outputs exist only after it ran: read them in a later step",
        );
      }
      if (!runsBefore(target, place)) return orderProblem(target, place, nameAt);
      const prop = second?.name ?? null;
      if (prop !== null && !['outputs', 'status'].includes(prop.toLowerCase())) {
        return {
          code: 'E_EXPR_STEP_PROPERTY',
          message: `steps.${name}.${prop} does not exist${didYouMean(prop, ['outputs', 'status'])}`,
          hint: 'a step has outputs (steps.<id>.outputs.<key>) and status (steps.<id>.status)',
          offset: second?.offset ?? ref.offset,
          length: prop.length,
        };
      }
      return undefined;
    }
    case 'run':
      if (name === null || (RUN_KEYS as readonly string[]).includes(name.toLowerCase())) return undefined;
      return nameAt(
        `run has no key '${name}'${didYouMean(name, RUN_KEYS)}`,
        'E_EXPR_RUN_KEY',
        `run keys: ${RUN_KEYS.join(', ')}`,
      );
    case 'item':
    case 'index': {
      if (place.forEach && (role === 'with' || role === 'wait')) return undefined;
      const message = place.forEach
        ? `${ref.context} is not set in ${role}: it is evaluated once for the whole step, before the items`
        : `${ref.context} is only set inside a step with for_each`;
      return {
        code: 'E_EXPR_ITEM_OUTSIDE_FOR_EACH',
        message,
        hint: 'item and index can be read in with and wait of a for_each step',
        offset: ref.offset,
        length: ref.context.length,
      };
    }
    default:
      return undefined;
  }
}

function runsBefore(target: { list: StepList; index: number }, place: StepPlace): boolean {
  if (target.list === place.list) return target.index < place.index;
  return target.list === 'steps';
}

function orderProblem(
  target: { list: StepList; id: string },
  place: StepPlace,
  nameAt: (m: string, c: string, h?: string) => Problem,
): Problem {
  if (target.list === place.list) {
    return nameAt(
      `step '${target.id}' runs after this one`,
      'E_EXPR_STEP_ORDER',
      `steps run in order: move '${target.id}' before this step, or read it later`,
    );
  }
  if (place.list === 'steps') {
    return nameAt(
      `step '${target.id}' is a ${target.list} step: it runs after the main steps`,
      'E_EXPR_STEP_ORDER',
      'main steps may read only earlier main steps',
    );
  }
  return nameAt(
    `step '${target.id}' is ${target.list === 'on_failure' ? 'an' : 'a'} ${target.list} step and does not run before ${place.list} steps`,
    'E_EXPR_STEP_ORDER',
    `${place.list} steps may read main steps and earlier ${place.list} steps`,
  );
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
