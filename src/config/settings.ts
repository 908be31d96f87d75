// Every setting as a path in the config schema, with the environment variables
// that set it: `GCFLOW_<SECTION>_<KEY>` for all of them (found by walking the
// schema, so a new setting gets its variable for free) plus the documented names
// (REDIS_URL, GCFLOW_HTTP, ...). Pure: imports only zod's types and the schema.
import type { z } from 'zod';
import { configSchema } from './schema.js';

export type SettingKind = 'string' | 'number' | 'boolean' | 'list' | 'structure';

export interface Setting {
  /** `['worker', 'concurrency']`. */
  path: string[];
  /** `GCFLOW_WORKER_CONCURRENCY`. */
  env: string;
  /** How an environment value is read: as text, a number, true/false, a comma-separated (or YAML) list, or YAML. */
  kind: SettingKind;
}

/** The documented variables that predate GCFLOW_<SECTION>_<KEY>; the generic name wins when both are set. */
const NAMED: Record<string, string[]> = {
  GENESISCLOUD_API_URL: ['genesis', 'api_url'],
  REDIS_URL: ['redis', 'url'],
  GCFLOW_HTTP: ['http', 'listen'],
  GCFLOW_PUBLIC_URL: ['http', 'public_url'],
};

/** GCFLOW_* variables that are not settings (secrets, the config file, test and fault hooks). */
export const RESERVED_ENV = [
  /^GCFLOW_CONFIG$/,
  /^GCFLOW_API_TOKEN$/,
  /^GCFLOW_SECRET_/,
  /^GCFLOW_FAULT/,
  /^GCFLOW_TEST_/,
  /^GCFLOW_DEV_/,
];

interface Def {
  type: string;
  shape?: Record<string, z.ZodType>;
  innerType?: z.ZodType;
  in?: z.ZodType;
  options?: z.ZodType[];
}
const defOf = (schema: z.ZodType): Def => (schema as unknown as { _zod: { def: Def } })._zod.def;

/** Wrappers and transforms opened: the schema a written value is checked against. */
function bare(schema: z.ZodType): z.ZodType {
  const def = defOf(schema);
  if (def.innerType && ['optional', 'default', 'nullable', 'readonly'].includes(def.type))
    return bare(def.innerType);
  if (def.type === 'pipe' && def.in) return bare(def.in);
  return schema;
}

function shapeOf(schema: z.ZodType): Record<string, z.ZodType> | undefined {
  const def = defOf(bare(schema));
  return def.type === 'object' ? def.shape : undefined;
}

function kindOf(schema: z.ZodType): SettingKind {
  const type = defOf(bare(schema)).type;
  if (type === 'number') return 'number';
  if (type === 'boolean') return 'boolean';
  if (type === 'string' || type === 'enum' || type === 'literal') return 'string';
  if (type === 'array') return 'list';
  // A union of words (public_url: '' or a URL) is text; other unions and objects are YAML.
  if (type === 'union' && defOf(bare(schema)).options?.every((o) => kindOf(o) === 'string')) return 'string';
  return 'structure';
}

/** The keys the config schema allows at `path` (for "did you mean"). */
export function keysAt(path: ReadonlyArray<string | number>): string[] {
  let schema: z.ZodType | undefined = configSchema;
  for (const segment of path) schema = schema ? shapeOf(schema)?.[String(segment)] : undefined;
  return Object.keys((schema && shapeOf(schema)) ?? {});
}

let cached: Setting[] | undefined;

/** Every setting: the keys of each section, and top-level values (sentinel and cluster are one structured setting each). */
export function settings(): Setting[] {
  if (cached) return cached;
  const out: Setting[] = [];
  for (const [name, top] of Object.entries(shapeOf(configSchema) ?? {})) {
    const section = shapeOf(top);
    if (!section) out.push(leaf(top, [name]));
    else for (const [key, child] of Object.entries(section)) out.push(leaf(child, [name, key]));
  }
  cached = out;
  return out;
}

const leaf = (schema: z.ZodType, path: string[]): Setting => ({
  path,
  env: `GCFLOW_${path.join('_').toUpperCase()}`,
  kind: kindOf(schema),
});

/** The documented variable names whose setting exists in this build, by variable. */
export function namedVariables(): Map<string, Setting> {
  const byPath = new Map(settings().map((s) => [s.path.join('.'), s]));
  const out = new Map<string, Setting>();
  for (const [name, path] of Object.entries(NAMED)) {
    const setting = byPath.get(path.join('.'));
    if (setting) out.set(name, setting);
  }
  return out;
}
