// Reads the keys a zod schema allows at a path (for "supported keys are: ..." and
// "did you mean") by walking its definition. Pure: imports only types of zod.
import type { z } from 'zod';

interface Def {
  type: string;
  entries?: Record<string, string | number>;
  checks?: Array<{ _zod: { def: { check?: string; format?: string; pattern?: RegExp } } }>;
  innerType?: z.ZodType;
  in?: z.ZodType;
  options?: z.ZodType[];
  shape?: Record<string, z.ZodType>;
  element?: z.ZodType;
  valueType?: z.ZodType;
}

const defOf = (schema: z.ZodType): Def => (schema as unknown as { _zod: { def: Def } })._zod.def;

const WRAPPERS = new Set(['optional', 'nullable', 'default', 'prefault', 'readonly', 'catch', 'nonoptional']);

/** The concrete schemas a value at this level may match (wrappers and unions opened). */
function open(schema: z.ZodType): z.ZodType[] {
  const def = defOf(schema);
  if (WRAPPERS.has(def.type) && def.innerType) return open(def.innerType);
  if (def.type === 'pipe' && def.in) return open(def.in);
  if (def.type === 'union' && def.options) return def.options.flatMap(open);
  return [schema];
}

function child(schema: z.ZodType, segment: string | number): z.ZodType | undefined {
  const def = defOf(schema);
  if (def.type === 'object') return def.shape?.[String(segment)];
  if (def.type === 'array' && typeof segment === 'number') return def.element;
  if (def.type === 'record') return def.valueType;
  return undefined;
}

function schemasAt(schema: z.ZodType, path: ReadonlyArray<string | number>): z.ZodType[] {
  let level = [schema];
  for (const segment of path) {
    level = level.flatMap(open).flatMap((s) => {
      const c = child(s, segment);
      return c ? [c] : [];
    });
  }
  return level.flatMap(open);
}

function objectsAt(
  schema: z.ZodType,
  path: ReadonlyArray<string | number>,
): Array<Record<string, z.ZodType>> {
  return schemasAt(schema, path)
    .map(defOf)
    .filter((d) => d.type === 'object' && d.shape)
    .map((d) => d.shape!);
}

/** Keys of the mapping(s) the schema allows at `path`. */
export function keysAt(schema: z.ZodType, path: ReadonlyArray<string | number>): string[] {
  return [...new Set(objectsAt(schema, path).flatMap((shape) => Object.keys(shape)))];
}

/** Keys that must be present in the mapping at `path`. */
export function requiredKeysAt(schema: z.ZodType, path: ReadonlyArray<string | number>): string[] {
  const shape = objectsAt(schema, path)[0];
  if (!shape) return [];
  return Object.entries(shape)
    .filter(([, s]) => defOf(s).type !== 'optional')
    .map(([k]) => k);
}

/**
 * What a value at `path` may be, as zod's type names (`string`, `int`, `array`, ...),
 * with two refinements of `string`: `expression` and `duration` (by their patterns).
 */
export function kindsAt(
  schema: z.ZodType,
  path: ReadonlyArray<string | number>,
  patterns: { expression: string; duration: string },
): string[] {
  return schemasAt(schema, path).map((s) => {
    const def = defOf(s);
    const checks = (def.checks ?? []).map((c) => c._zod.def);
    if (def.type === 'number' && checks.some((c) => c.format?.includes('int'))) return 'int';
    if (def.type === 'string') {
      const pattern = String(checks.find((c) => c.pattern)?.pattern);
      if (pattern === patterns.expression) return 'expression';
      if (pattern === patterns.duration) return 'duration';
    }
    return def.type;
  });
}

/** The words an enum allows at `path` (empty when no enum is there). */
export function enumValuesAt(schema: z.ZodType, path: ReadonlyArray<string | number>): string[] {
  const values = schemasAt(schema, path)
    .map(defOf)
    .filter((d) => d.type === 'enum' && d.entries)
    .flatMap((d) => Object.values(d.entries!).map(String));
  return [...new Set(values)];
}
