// Layered configuration, written down once:
//   DEFAULTS  <  config file (--config, else GCFLOW_CONFIG, else ./config/default.yaml if present)
//            <  environment (documented names, then GCFLOW_<SECTION>_<KEY>)  <  command-line flags.
// The only reader of the environment for settings; secrets are split out so they
// never travel inside Config. Every problem is reported at once, each with where it came from.
import { existsSync, readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { suggest } from '../dsl/suggest.js';
import { ExitCode, GcflowError } from '../shared/errors.js';
import { type Config, type ConfigInput, configSchema, DEFAULTS, type Secrets } from './schema.js';
import { keysAt, namedVariables, RESERVED_ENV, type Setting, settings } from './settings.js';

export type Env = Record<string, string | undefined>;

export interface LoadOptions {
  env?: Env;
  /** Path given with --config; overrides GCFLOW_CONFIG. */
  configFile?: string;
  /** Settings from command-line flags, as written (durations as text); deepest wins. */
  flags?: DeepPartial<ConfigInput>;
}

export type DeepPartial<T> = { [K in keyof T]?: T[K] extends object ? DeepPartial<T[K]> : T[K] };

/** One thing wrong with the configuration, and where it was set. */
export interface ConfigProblem {
  /** `worker.concurrency`, or the variable name for an unknown variable. */
  setting: string;
  /** The file, the variable, `command-line flags` or `defaults`. */
  source: string;
  message: string;
}

const HINT =
  'see config/default.yaml for every setting and its default; any setting can also be set as GCFLOW_<SECTION>_<KEY>, e.g. GCFLOW_WORKER_CONCURRENCY=20';

export class ConfigError extends GcflowError {
  override readonly name = 'ConfigError';
  readonly problems: ConfigProblem[];
  constructor(problems: ConfigProblem[], hint = HINT) {
    const lines = problems.map((p) => `${p.setting} (from ${p.source}): ${p.message}`);
    super(
      'E_CONFIG_INVALID',
      lines.length === 1
        ? `invalid setting ${lines[0]}`
        : `${lines.length} problems in the configuration:\n  - ${lines.join('\n  - ')}`,
      { hint, exitCode: ExitCode.usage },
    );
    this.problems = problems;
  }
}

export function loadConfig(options: LoadOptions = {}): {
  config: Config;
  secrets: Secrets;
  file: string | undefined;
} {
  const env = options.env ?? process.env;
  const explicit = options.configFile ?? (env['GCFLOW_CONFIG'] || undefined);
  const file = explicit ?? (existsSync('config/default.yaml') ? 'config/default.yaml' : undefined);
  const origins = new Map<string, string>();
  const problems: ConfigProblem[] = [];
  let merged: unknown = structuredClone(DEFAULTS);
  if (file !== undefined) {
    const data = readConfigFile(file, explicit !== undefined);
    markOrigins(data, [], file, origins);
    merged = deepMerge(merged, data);
  }
  merged = deepMerge(merged, fromEnv(env, origins, problems));
  if (options.flags) {
    markOrigins(options.flags, [], 'command-line flags', origins);
    merged = deepMerge(merged, options.flags);
  }
  const parsed = configSchema.safeParse(merged, { reportInput: true });
  if (!parsed.success) problems.push(...parsed.error.issues.flatMap((i) => toProblems(i, origins)));
  if (problems.length > 0) throw new ConfigError(problems);
  return { config: parsed.data!, secrets: secretsFromEnv(env), file };
}

function readConfigFile(file: string, mustExist: boolean): unknown {
  if (!existsSync(file)) {
    if (!mustExist) return {};
    throw new ConfigError(
      [{ setting: 'config file', source: file, message: 'the file does not exist' }],
      'fix the path in --config or GCFLOW_CONFIG, or unset it to use the defaults',
    );
  }
  try {
    return parseYaml(readFileSync(file, 'utf8')) ?? {};
  } catch (err) {
    throw new ConfigError(
      [{ setting: 'config file', source: file, message: `not valid YAML: ${(err as Error).message}` }],
      'fix the YAML syntax at the place named',
    );
  }
}

/** Settings from the environment: documented names first, then GCFLOW_<SECTION>_<KEY>. */
function fromEnv(env: Env, origins: Map<string, string>, problems: ConfigProblem[]): unknown {
  let out: unknown = {};
  const set = (name: string, setting: Setting) => {
    const text = env[name];
    if (!text) return;
    const value = envValue(text, setting, name, problems);
    if (value === undefined) return;
    out = deepMerge(out, nest(setting.path, value));
    origins.set(setting.path.join('.'), name);
  };
  for (const [name, setting] of namedVariables()) set(name, setting);
  const all = settings();
  for (const setting of all) set(setting.env, setting);
  problems.push(...unknownVariables(env, all));
  return out;
}

function envValue(text: string, setting: Setting, name: string, problems: ConfigProblem[]): unknown {
  switch (setting.kind) {
    case 'number':
      return /^\s*-?\d+(\.\d+)?\s*$/.test(text) ? Number(text) : text;
    case 'boolean':
      return text === 'true' ? true : text === 'false' ? false : text;
    case 'list':
      // `a.example, b.example`, or a YAML list `[a.example, b.example]`.
      if (!text.trim().startsWith('['))
        return text
          .split(',')
          .map((item) => item.trim())
          .filter((item) => item !== '');
      return parseYamlValue(text, setting, name, problems);
    case 'structure':
      return parseYamlValue(text, setting, name, problems);
    default:
      return text;
  }
}

function parseYamlValue(text: string, setting: Setting, name: string, problems: ConfigProblem[]): unknown {
  try {
    return parseYaml(text);
  } catch (err) {
    problems.push({
      setting: setting.path.join('.'),
      source: name,
      message: `not valid YAML: ${(err as Error).message}`,
    });
    return undefined;
  }
}

/** GCFLOW_* variables that look like settings (a section's prefix, or close to a setting's name) but are none. */
function unknownVariables(env: Env, all: Setting[]): ConfigProblem[] {
  const known = new Set([...all.map((s) => s.env), ...namedVariables().keys()]);
  const sections = new Set(all.filter((s) => s.path.length === 2).map((s) => s.path[0]!.toUpperCase()));
  const problems: ConfigProblem[] = [];
  for (const name of Object.keys(env).sort()) {
    if (!name.startsWith('GCFLOW_') || known.has(name) || RESERVED_ENV.some((re) => re.test(name))) continue;
    const rest = name.slice('GCFLOW_'.length);
    const close = suggest(
      rest,
      all.map((s) => s.env.slice('GCFLOW_'.length)),
    );
    const section = rest.split('_')[0]!;
    if (!close && !sections.has(section)) continue;
    const inSection = all.filter((s) => s.path.length === 2 && s.path[0]!.toUpperCase() === section);
    problems.push({
      setting: name,
      source: 'the environment',
      message: `not a gcflow setting${close ? `; did you mean GCFLOW_${close}?` : ''}${
        !close && inSection.length > 0
          ? ` (settings of ${section.toLowerCase()}: ${inSection.map((s) => s.env).join(', ')})`
          : ''
      }`,
    });
  }
  return problems;
}

type Issue = z.core.$ZodIssue;

function toProblems(issue: Issue, origins: Map<string, string>): ConfigProblem[] {
  const path = issue.path.map(String);
  if (issue.code === 'unrecognized_keys') {
    const known = keysAt(path);
    return issue.keys.map((key) => {
      const setting = [...path, key].join('.');
      const close = suggest(key, known);
      return {
        setting,
        source: originOf([...path, key], origins),
        message: `unknown setting${close ? `; did you mean ${[...path, close].join('.')}?` : ''}${
          !close && known.length > 0
            ? ` (${path.length > 0 ? `settings of ${path.join('.')}` : 'sections'}: ${known.join(', ')})`
            : ''
        }`,
      };
    });
  }
  return [
    { setting: path.join('.') || '(root)', source: originOf(path, origins), message: describeIssue(issue) },
  ];
}

function describeIssue(issue: Issue): string {
  const input = (issue as { input?: unknown }).input;
  const got = input === undefined ? 'nothing' : JSON.stringify(input);
  switch (issue.code) {
    case 'invalid_type':
      return `must be ${issue.expected === 'object' ? 'a mapping' : `a ${issue.expected}`}, got ${got}`;
    case 'too_small':
      return `must be at least ${String(issue.minimum)}, got ${got}`;
    case 'too_big':
      return `must be at most ${String(issue.maximum)}, got ${got}`;
    case 'invalid_value': {
      const allowed = issue.values.map(String);
      const close = typeof input === 'string' ? suggest(input, allowed) : undefined;
      return `must be one of ${allowed.join(', ')}, got ${got}${close ? `; did you mean ${close}?` : ''}`;
    }
    case 'invalid_format':
      return `must be ${issue.format === 'url' ? 'a URL' : `a ${issue.format}`}, got ${got}`;
    default:
      return issue.message;
  }
}

/** Where the value at `path` (or the section holding it) was set. */
function originOf(path: string[], origins: Map<string, string>): string {
  for (let n = path.length; n > 0; n--) {
    const origin = origins.get(path.slice(0, n).join('.'));
    if (origin) return origin;
  }
  return 'defaults';
}

function markOrigins(value: unknown, path: string[], source: string, origins: Map<string, string>): void {
  if (!isPlainObject(value)) {
    if (path.length > 0) origins.set(path.join('.'), source);
    return;
  }
  for (const [key, child] of Object.entries(value)) markOrigins(child, [...path, key], source, origins);
}

const SECRET_PREFIX = 'GCFLOW_SECRET_';

export function secretsFromEnv(env: Env): Secrets {
  const workflowSecrets: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) {
    if (key.startsWith(SECRET_PREFIX) && value !== undefined && key.length > SECRET_PREFIX.length) {
      workflowSecrets[key.slice(SECRET_PREFIX.length).toLowerCase()] = value;
    }
  }
  return {
    apiToken: env['GENESISCLOUD_TOKEN'] || env['GENESIS_CLOUD_TOKEN'] || undefined,
    httpToken: env['GCFLOW_API_TOKEN'] || undefined,
    workflowSecrets,
  };
}

function nest(path: string[], value: unknown): unknown {
  return path.reduceRight<unknown>((inner, key) => ({ [key]: inner }), value);
}

function deepMerge(base: unknown, over: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(over)) return over === undefined ? base : over;
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) {
    if (value !== undefined) out[key] = deepMerge(base[key], value);
  }
  return out;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
