// Evaluates `${{ }}` over a run's context with GitHub Actions semantics: typed
// results for a value that is exactly one expression, text otherwise, GitHub
// truthiness for `if:`. Never uses eval or Function. Pure.
// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${{ }} is the workflow expression syntax, not a JS template
import { data, Evaluator } from '@actions/expressions';
import { truthy } from '@actions/expressions/result';
import { fromData, toData, toText } from './data.js';
import { ExpressionError } from './errors.js';
import { parseExpression } from './parse.js';
import { scanExpressions, singleExpression } from './scan.js';

export interface ExprContext {
  inputs: Record<string, unknown>;
  steps: Record<string, { outputs: Record<string, unknown>; status: string }>;
  run: {
    id: string;
    workflow: string;
    trigger: string;
    scheduled_at: string | null;
    started_at: string | null;
    attempt: number;
    error: string | null;
    /** Where a batch job's box POSTs its reports (holds a secret token); '' when unknown. */
    report_url: string;
  };
  item?: unknown;
  index?: number;
  secrets: Record<string, string>;
}

/**
 * Deep over objects and arrays. A string that is exactly one `${{ expr }}` yields the
 * expression's typed value; otherwise each `${{ }}` is turned into text in place.
 * Object keys are not interpolated.
 */
export function interpolate(value: unknown, ctx: ExprContext): unknown {
  return interpolateWith(value, ctx, lazyScope(ctx));
}

/** An `if:` with or without `${{ }}`; true when the result is truthy (GitHub rules). */
export function evaluateCondition(text: string, ctx: ExprContext): boolean {
  const dict = lazyScope(ctx);
  if (text.includes('${{')) return truthy(toData(interpolateWith(text, ctx, dict)));
  return truthy(evaluateData(text, dict, ctx));
}

/** One expression (without `${{ }}`) as a plain value. */
export function evaluateExpression(expression: string, ctx: ExprContext): unknown {
  return fromData(evaluateData(expression, lazyScope(ctx), ctx));
}

function interpolateWith(value: unknown, ctx: ExprContext, dict: Scope): unknown {
  if (typeof value === 'string') return interpolateString(value, ctx, dict);
  if (Array.isArray(value)) return value.map((v) => interpolateWith(v, ctx, dict));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value)) out[key] = interpolateWith(v, ctx, dict);
    return out;
  }
  return value;
}

function interpolateString(text: string, ctx: ExprContext, dict: Scope): unknown {
  if (!text.includes('${{')) return text;
  const only = singleExpression(text);
  if (only) return fromData(evaluateData(only.inner, dict, ctx));
  const { segments, unterminatedAt } = scanExpressions(text);
  if (unterminatedAt !== undefined) {
    throw new ExpressionError(
      'E_EXPR_SYNTAX',
      text.slice(unterminatedAt + 3),
      'unterminated ${{ (no closing }})',
      {
        hint: 'close the expression with }}',
      },
    );
  }
  let out = '';
  let from = 0;
  for (const seg of segments) {
    out += text.slice(from, seg.start) + toText(evaluateData(seg.inner, dict, ctx));
    from = seg.end;
  }
  return out + text.slice(from);
}

function evaluateData(expression: string, dict: Scope, ctx: ExprContext): data.ExpressionData {
  const tree = parseExpression(expression);
  try {
    return new Evaluator(tree, dict()).evaluate();
  } catch (err) {
    const reason = redact(err instanceof Error ? err.message : String(err), ctx.secrets);
    throw new ExpressionError('E_EXPR_EVAL', expression, `cannot evaluate: ${reason}`, {
      hint: 'check the values the expression reads (gcflow status shows step outputs)',
    });
  }
}

/**
 * The context as expression data, built on first use: most values hold no `${{ }}`,
 * and converting every step's outputs for each of them cost a step time in
 * proportion to the whole run's outputs.
 */
type Scope = () => data.Dictionary;

function lazyScope(ctx: ExprContext): Scope {
  let dict: data.Dictionary | undefined;
  return () => (dict ??= scope(ctx));
}

function scope(ctx: ExprContext): data.Dictionary {
  return new data.Dictionary(
    { key: 'inputs', value: toData(ctx.inputs) },
    { key: 'steps', value: toData(ctx.steps) },
    { key: 'run', value: toData(ctx.run) },
    { key: 'item', value: toData(ctx.item) },
    { key: 'index', value: toData(ctx.index) },
    { key: 'secrets', value: toData(ctx.secrets) },
  );
}

/** Evaluation errors may quote values (format strings, JSON); never let a secret through. */
function redact(message: string, secrets: Record<string, string>): string {
  let out = message;
  for (const secret of Object.values(secrets)) {
    if (secret.length >= 3) out = out.split(secret).join('***');
  }
  return out;
}
