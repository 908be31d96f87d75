// Lists what an expression reads (`steps.box.outputs.id` -> context `steps`, path
// [box, outputs, id]) so the validator can check names before anything runs. Pure.
import type { Expr } from '@actions/expressions';
import {
  Binary,
  ContextAccess,
  FunctionCall,
  Grouping,
  IndexAccess,
  Literal,
  Logical,
  Star,
  Unary,
} from '@actions/expressions/ast';
import { data } from '@actions/expressions';
import { offsetOf } from './parse.js';

export interface PathSegment {
  /** The literal key (`outputs`, `'id'`, `0`), or null for a computed index or `*`. */
  name: string | null;
  /** 0-based offset of the segment in the expression text, when literal. */
  offset?: number;
}

export interface Reference {
  /** Lower-case context name: inputs, steps, run, item, index, secrets. */
  context: string;
  /** 0-based offset of the context name in the expression text. */
  offset: number;
  path: PathSegment[];
}

/** Every context access in `tree`; `inner` is the text it was parsed from (for offsets). */
export function collectReferences(tree: Expr, inner: string): Reference[] {
  const refs: Reference[] = [];
  const at = (tok: { range: { start: { line: number; column: number } } }) =>
    offsetOf(inner, tok.range.start.line, tok.range.start.column);

  const walk = (e: Expr): void => {
    if (e instanceof ContextAccess || e instanceof IndexAccess) {
      const ref = flatten(e);
      if (ref) refs.push(ref);
    } else if (e instanceof Binary) {
      walk(e.left);
      walk(e.right);
    } else if (e instanceof Logical) {
      for (const arg of e.args) walk(arg);
    } else if (e instanceof Unary) {
      walk(e.expr);
    } else if (e instanceof Grouping) {
      walk(e.group);
    } else if (e instanceof FunctionCall) {
      for (const arg of e.args) walk(arg);
    }
  };

  const flatten = (e: Expr): Reference | undefined => {
    if (e instanceof ContextAccess)
      return { context: e.name.lexeme.toLowerCase(), offset: at(e.name), path: [] };
    if (!(e instanceof IndexAccess)) {
      walk(e);
      return undefined;
    }
    const base = flatten(e.expr);
    let segment: PathSegment = { name: null };
    if (e.index instanceof Literal && e.index.literal.kind === data.Kind.String) {
      segment = { name: (e.index.literal as data.StringData).value, offset: at(e.index.token) };
    } else if (e.index instanceof Literal && e.index.literal.kind === data.Kind.Number) {
      segment = { name: String((e.index.literal as data.NumberData).value), offset: at(e.index.token) };
    } else if (!(e.index instanceof Star)) {
      walk(e.index);
    }
    if (!base) return undefined;
    base.path.push(segment);
    return base;
  };

  walk(tree);
  return refs;
}
