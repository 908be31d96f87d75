// Shape checks for conformance tests: a response against the official model schema
// (test/fixtures/genesis/models-2024-10.json) and against an example body of the
// Instances page (same keys, same JSON types).
import { readFileSync } from 'node:fs';

interface Schema {
  $ref?: string;
  type?: string;
  format?: string;
  nullable?: boolean;
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
}

const MODELS = JSON.parse(
  readFileSync(new URL('../../fixtures/genesis/models-2024-10.json', import.meta.url), 'utf8'),
) as { components: { schemas: Record<string, Schema> } };

const ISO_MS_Z = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

export function modelSchema(name: string): Schema {
  const schema = MODELS.components.schemas[name];
  if (!schema) throw new Error(`no model schema ${name}`);
  return schema;
}

const resolve = (schema: Schema): Schema =>
  schema.$ref ? resolve(modelSchema(schema.$ref.replace('#/components/schemas/', ''))) : schema;

export const kindOf = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);

function check(value: unknown, raw: Schema, path: string, errors: string[]): void {
  const schema = resolve(raw);
  if (value === null) {
    if (!schema.nullable && !raw.nullable) errors.push(`${path}: null, but the model does not allow null`);
    return;
  }
  const kind = kindOf(value);
  switch (schema.type) {
    case 'string':
      if (kind !== 'string') errors.push(`${path}: ${kind}, model says string`);
      else if (schema.format === 'date-time' && !ISO_MS_Z.test(value as string)) {
        errors.push(`${path}: "${value}" is not ISO-8601 with milliseconds and Z`);
      }
      return;
    case 'integer':
      if (!Number.isInteger(value)) errors.push(`${path}: ${JSON.stringify(value)}, model says integer`);
      return;
    case 'number':
      if (kind !== 'number') errors.push(`${path}: ${kind}, model says number`);
      return;
    case 'boolean':
      if (kind !== 'boolean') errors.push(`${path}: ${kind}, model says boolean`);
      return;
    case 'array':
      if (kind !== 'array') errors.push(`${path}: ${kind}, model says array`);
      else if (schema.items) {
        for (const [i, v] of (value as unknown[]).entries()) check(v, schema.items, `${path}[${i}]`, errors);
      }
      return;
    case 'object': {
      if (kind !== 'object') {
        errors.push(`${path}: ${kind}, model says object`);
        return;
      }
      const record = value as Record<string, unknown>;
      for (const key of schema.required ?? [])
        if (!(key in record)) errors.push(`${path}.${key}: required, missing`);
      for (const [key, sub] of Object.entries(schema.properties ?? {})) {
        if (key in record) check(record[key], sub, `${path}.${key}`, errors);
      }
      return;
    }
    default:
      return;
  }
}

/** Everything in `value` that disagrees with the model schema `name` (required keys, types, nullability). */
export function modelErrors(value: unknown, name: string): string[] {
  const errors: string[] = [];
  check(value, modelSchema(name), name, errors);
  return errors;
}

/** Keys the model knows for `name`. */
export const modelKeys = (name: string): string[] => Object.keys(resolve(modelSchema(name)).properties ?? {});

/** Keys the model marks nullable for `name`. */
export const nullableKeys = (name: string): Set<string> =>
  new Set(
    Object.entries(resolve(modelSchema(name)).properties ?? {})
      .filter(([, s]) => s.nullable)
      .map(([k]) => k),
  );

/**
 * Where `actual` differs from an example body of the page: a key of the example missing,
 * or a different JSON type (null vs value is fine for keys in `nullable`). Arrays: every
 * element of `actual` is compared with the example's first element.
 */
export function exampleErrors(
  example: unknown,
  actual: unknown,
  nullable: Set<string>,
  path = '$',
): string[] {
  const key =
    path
      .split('.')
      .at(-1)
      ?.replace(/\[\d+\]$/, '') ?? '';
  const [ek, ak] = [kindOf(example), kindOf(actual)];
  if (ek !== ak) {
    if ((ek === 'null' || ak === 'null') && nullable.has(key)) return [];
    return [`${path}: example has ${ek}, got ${ak}`];
  }
  if (ek === 'array') {
    const [first] = example as unknown[];
    if (first === undefined) return [];
    return (actual as unknown[]).flatMap((v, i) => exampleErrors(first, v, nullable, `${path}[${i}]`));
  }
  if (ek !== 'object') return [];
  const e = example as Record<string, unknown>;
  const a = actual as Record<string, unknown>;
  return Object.keys(e).flatMap((k) =>
    k in a ? exampleErrors(e[k], a[k], nullable, `${path}.${k}`) : [`${path}.${k}: in the example, missing`],
  );
}
