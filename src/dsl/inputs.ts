// Input values against their declarations: one check serves the validator (defaults,
// enums, trigger inputs) and runs (CLI strings, API JSON, trigger literals).
// Pure.
import { parseDuration } from '../shared/duration.js';
import { describeValue, isRecord } from './describe.js';
import { didYouMean } from './suggest.js';
import type { InputSpec, InputType, WorkflowDefinition } from './types.js';

export type InputOrigin = 'cli' | 'api' | 'trigger';

export type Checked = { ok: true; value: unknown } | { ok: false; error: string };

const TYPE_WORDS: Record<InputType, string> = {
  string: 'a string',
  integer: 'an integer',
  number: 'a number',
  boolean: 'true or false',
  duration: 'a duration such as 30s, 15m, 1h30m or 7d',
  list: 'a list',
  object: 'a mapping (object)',
};

/** The value as its declared type; CLI strings are converted ("3" -> 3, "true" -> true, JSON for list/object). */
export function checkInputValue(
  spec: Pick<InputSpec, 'type' | 'enum'>,
  value: unknown,
  origin: InputOrigin,
): Checked {
  const typed = origin === 'cli' && typeof value === 'string' ? fromText(spec.type, value) : value;
  const fail = (): Checked => ({
    ok: false,
    error: `must be ${TYPE_WORDS[spec.type]}, got ${describeValue(value)}${cliHint(spec.type, origin)}`,
  });
  if (typed === undefined || !fits(spec.type, typed)) return fail();
  if (spec.enum && !spec.enum.some((allowed) => same(allowed, typed))) {
    return {
      ok: false,
      error: `must be one of ${spec.enum.map((e) => describeValue(e)).join(', ')}, got ${describeValue(typed)}`,
    };
  }
  return { ok: true, value: spec.type === 'duration' ? (typed as string).trim() : typed };
}

function fits(type: InputType, value: unknown): boolean {
  switch (type) {
    case 'string':
      return typeof value === 'string';
    case 'integer':
      return typeof value === 'number' && Number.isSafeInteger(value);
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'boolean':
      return typeof value === 'boolean';
    case 'duration':
      return typeof value === 'string' && parseDuration(value) !== undefined;
    case 'list':
      return Array.isArray(value);
    case 'object':
      return isRecord(value);
  }
}

function fromText(type: InputType, text: string): unknown {
  const t = text.trim();
  switch (type) {
    case 'integer':
      return /^[+-]?\d+$/.test(t) ? Number(t) : undefined;
    case 'number':
      return /^[+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?$/i.test(t) ? Number(t) : undefined;
    case 'boolean':
      return /^true$/i.test(t) ? true : /^false$/i.test(t) ? false : undefined;
    case 'list':
    case 'object':
      try {
        return JSON.parse(t);
      } catch {
        return undefined;
      }
    default:
      return text;
  }
}

function cliHint(type: InputType, origin: InputOrigin): string {
  if (origin !== 'cli') return '';
  if (type === 'list') return ` (write JSON: -i key='["a","b"]')`;
  if (type === 'object') return ` (write JSON: -i key='{"a":1}')`;
  return '';
}

function same(a: unknown, b: unknown): boolean {
  return a === b || JSON.stringify(a) === JSON.stringify(b);
}

/**
 * A run's inputs: unknown names refused, values converted and checked, defaults
 * applied, required inputs enforced. Every problem is listed, not just the first.
 */
export function coerceInputs(
  def: WorkflowDefinition,
  raw: Record<string, unknown>,
  origin: InputOrigin,
): { values: Record<string, unknown>; errors: string[] } {
  const values: Record<string, unknown> = {};
  const errors: string[] = [];
  const declared = Object.keys(def.inputs);
  for (const name of Object.keys(raw)) {
    if (Object.hasOwn(def.inputs, name)) continue;
    errors.push(
      declared.length === 0
        ? `unknown input '${name}': workflow '${def.name}' declares no inputs`
        : `unknown input '${name}'${didYouMean(name, declared)} (declared: ${declared.join(', ')})`,
    );
  }
  for (const [name, spec] of Object.entries(def.inputs)) {
    const given = Object.hasOwn(raw, name) ? raw[name] : undefined;
    if (given !== undefined && given !== null) {
      const checked = checkInputValue(spec, given, origin);
      if (checked.ok) values[name] = checked.value;
      else errors.push(`input '${name}' ${checked.error}`);
    } else if (spec.default !== undefined) {
      values[name] = structuredClone(spec.default);
    } else if (spec.required) {
      errors.push(`missing required input '${name}'${spec.description ? ` (${spec.description})` : ''}`);
    }
  }
  return { values, errors };
}
