// Parses one expression (the text between `${{` and `}}`) with GitHub's own parser
// (@actions/expressions) and turns its errors into ExpressionError with an offset.
// Parsed trees are cached by text. Pure: no eval, no Function, no I/O.
// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${{ }} is the workflow expression syntax, not a JS template
import { type Expr, Lexer, Parser } from '@actions/expressions';
import { FunctionCall } from '@actions/expressions/ast';
import { ErrorType, ExpressionError as ActionsExpressionError } from '@actions/expressions/errors';
import { ExpressionError } from './errors.js';

/** The contexts an expression may name (DESIGN.md "Workflow files"). */
export const CONTEXTS = ['inputs', 'steps', 'run', 'item', 'index', 'secrets'] as const;
/** The keys of `run`. */
export const RUN_KEYS = [
  'id',
  'workflow',
  'trigger',
  'scheduled_at',
  'started_at',
  'attempt',
  'error',
  'report_url',
] as const;
/** GitHub's functions we support, spelled as GitHub documents them (names are case-insensitive). */
export const FUNCTIONS = [
  'contains',
  'startsWith',
  'endsWith',
  'format',
  'join',
  'toJSON',
  'fromJSON',
] as const;

const FUNCTION_SET = new Set(FUNCTIONS.map((f) => f.toLowerCase()));
const CONTEXT_HINT = `expressions may use ${CONTEXTS.join(', ')}`;
const FUNCTION_HINT = `supported functions: ${FUNCTIONS.map((f) => `${f}()`).join(', ')}`;
const CACHE_LIMIT = 1000;
const cache = new Map<string, Expr>();

/** The tree of `inner`; throws ExpressionError (E_EXPR_SYNTAX, E_EXPR_UNKNOWN_CONTEXT, E_EXPR_UNKNOWN_FUNCTION). */
export function parseExpression(inner: string): Expr {
  const cached = cache.get(inner);
  if (cached) return cached;
  const tree = parseUncached(inner);
  if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
  cache.set(inner, tree);
  return tree;
}

function parseUncached(inner: string): Expr {
  if (inner.trim() === '') {
    throw new ExpressionError('E_EXPR_SYNTAX', inner, 'empty expression', {
      hint: 'write an expression between ${{ and }}, e.g. ${{ inputs.name }}',
      offset: 0,
    });
  }
  let tree: Expr | undefined;
  try {
    const { tokens } = new Lexer(inner).lex();
    tree = new Parser(tokens, [...CONTEXTS], []).parse();
  } catch (err) {
    throw translate(inner, err);
  }
  if (tree === undefined)
    throw new ExpressionError('E_EXPR_SYNTAX', inner, 'empty expression', { offset: 0 });
  checkFunctions(inner, tree);
  return tree;
}

function translate(inner: string, err: unknown): ExpressionError {
  if (err instanceof ActionsExpressionError) {
    const { typ, tok } = err as unknown as { typ: ErrorType; tok: { lexeme: string } };
    const offset = offsetOf(inner, err.pos.line, err.pos.column);
    if (typ === ErrorType.ErrorUnrecognizedContext || typ === ErrorType.ErrorUnrecognizedNamedValue) {
      return new ExpressionError('E_EXPR_UNKNOWN_CONTEXT', inner, `unknown context '${tok.lexeme}'`, {
        hint: CONTEXT_HINT,
        offset,
        length: tok.lexeme.length,
      });
    }
    if (typ === ErrorType.ErrorUnrecognizedFunction) return unknownFunction(inner, tok.lexeme, offset);
    const detail = err.message.replace(/^(\w)/, (c) => c.toLowerCase());
    return new ExpressionError('E_EXPR_SYNTAX', inner, detail, {
      hint: syntaxHint(typ),
      offset,
      length: Math.max(1, tok.lexeme.length),
    });
  }
  const message = err instanceof Error ? err.message : String(err);
  const located = /^Unexpected symbol: '([\s\S]*)'\. Located at position (\d+)/.exec(message);
  if (located) {
    const symbol = located[1]!;
    const detail = symbol.startsWith("'") ? 'unterminated string literal' : `unexpected symbol '${symbol}'`;
    return new ExpressionError('E_EXPR_SYNTAX', inner, detail, {
      hint: "strings use single quotes ('text', '' for a quote); compare with == and combine with && and ||",
      offset: Number(located[2]) - 1,
    });
  }
  if (message === 'ErrorExceededMaxLength') {
    return new ExpressionError('E_EXPR_SYNTAX', inner, 'expression longer than 21000 characters', {
      offset: 0,
    });
  }
  return new ExpressionError('E_EXPR_SYNTAX', inner, message, { offset: 0 });
}

function syntaxHint(typ: ErrorType): string {
  if (typ === ErrorType.ErrorTooFewParameters || typ === ErrorType.ErrorTooManyParameters) {
    return 'see the GitHub Actions expression functions for their parameters';
  }
  if (typ === ErrorType.ErrorUnexpectedEndOfExpression)
    return 'the expression stops early: complete the operator or close the parenthesis';
  return "write expressions as in GitHub Actions: inputs.name, steps.<id>.outputs.<key>, 'text', ==, !=, &&, ||, !";
}

function unknownFunction(inner: string, name: string, offset: number): ExpressionError {
  const detail = `unknown function '${name}()'`;
  const status = ['success', 'failure', 'always', 'cancelled'].includes(name.toLowerCase());
  const hint = status
    ? `${FUNCTION_HINT}; status functions do not exist here: finally steps always run, on_failure steps run when the run failed, and run.error holds the failure`
    : FUNCTION_HINT;
  return new ExpressionError('E_EXPR_UNKNOWN_FUNCTION', inner, detail, { hint, offset, length: name.length });
}

/** The parser knows a few functions we do not offer (e.g. the experimental case()). */
function checkFunctions(inner: string, tree: Expr): void {
  const stack: unknown[] = [tree];
  while (stack.length > 0) {
    const node = stack.pop();
    if (node === null || typeof node !== 'object') continue;
    if (node instanceof FunctionCall && !FUNCTION_SET.has(node.functionName.lexeme.toLowerCase())) {
      const { line, column } = node.functionName.range.start;
      throw unknownFunction(inner, node.functionName.lexeme, offsetOf(inner, line, column));
    }
    for (const value of Object.values(node)) {
      if (Array.isArray(value)) stack.push(...value);
      else if (value !== null && typeof value === 'object' && 'accept' in value) stack.push(value);
    }
  }
}

/** 0-based line/column of the lexer -> offset in `text`. */
export function offsetOf(text: string, line: number, column: number): number {
  let offset = 0;
  for (let l = 0; l < line; l++) {
    const nl = text.indexOf('\n', offset);
    if (nl < 0) break;
    offset = nl + 1;
  }
  return Math.min(text.length, offset + column);
}
