// Layered configuration, written down once:
//   DEFAULTS  <  config file (--config, else GCFLOW_CONFIG, else ./config/default.yaml if present)
//            <  environment  <  command-line flags.
// The only reader of the environment for settings; secrets are split out so they
// never travel inside Config.
import { existsSync, readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { GcflowError, ExitCode } from '../shared/errors.js';
import { type Config, configSchema, DEFAULTS, type Secrets } from './schema.js';

export type Env = Record<string, string | undefined>;

export interface LoadOptions {
  env?: Env;
  /** Path given with --config; overrides GCFLOW_CONFIG. */
  configFile?: string;
  /** Settings from command-line flags, deepest wins. */
  flags?: DeepPartial<Config>;
}

export type DeepPartial<T> = { [K in keyof T]?: T[K] extends object ? DeepPartial<T[K]> : T[K] };

export class ConfigError extends GcflowError {
  override readonly name = 'ConfigError';
  constructor(message: string, hint: string) {
    super('E_CONFIG_INVALID', message, { hint, exitCode: ExitCode.usage });
  }
}

export function loadConfig(options: LoadOptions = {}): {
  config: Config;
  secrets: Secrets;
  file: string | undefined;
} {
  const env = options.env ?? process.env;
  const explicit = options.configFile ?? env['GCFLOW_CONFIG'];
  const file = explicit ?? (existsSync('config/default.yaml') ? 'config/default.yaml' : undefined);
  let merged: unknown = structuredClone(DEFAULTS);
  if (file !== undefined) merged = deepMerge(merged, readConfigFile(file, explicit !== undefined));
  merged = deepMerge(merged, fromEnv(env));
  if (options.flags) merged = deepMerge(merged, options.flags);
  const parsed = configSchema.safeParse(merged);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const where = issue.path.join('.');
    throw new ConfigError(
      `invalid setting ${where || '(root)'}${file ? ` (from ${file}, the environment or flags)` : ''}: ${issue.message}`,
      'see config/default.yaml for every setting and its default',
    );
  }
  return { config: parsed.data, secrets: secretsFromEnv(env), file };
}

function readConfigFile(file: string, mustExist: boolean): unknown {
  if (!existsSync(file)) {
    if (!mustExist) return {};
    throw new ConfigError(
      `config file ${file} does not exist`,
      'fix the path in --config or GCFLOW_CONFIG, or unset it to use the defaults',
    );
  }
  try {
    return parseYaml(readFileSync(file, 'utf8')) ?? {};
  } catch (err) {
    throw new ConfigError(
      `config file ${file} is not valid YAML: ${(err as Error).message}`,
      'fix the YAML syntax at the place named',
    );
  }
}

function fromEnv(env: Env): DeepPartial<Config> {
  const out: DeepPartial<Config> = {};
  if (env['GENESISCLOUD_API_URL']) out.genesis = { api_url: env['GENESISCLOUD_API_URL'] };
  if (env['REDIS_URL']) out.redis = { url: env['REDIS_URL'] };
  if (env['GCFLOW_REDIS_PREFIX']) out.redis = { ...out.redis, prefix: env['GCFLOW_REDIS_PREFIX'] };
  if (env['GCFLOW_WORKFLOWS']) out.workflows = env['GCFLOW_WORKFLOWS'];
  if (env['GCFLOW_HTTP']) out.http = { listen: env['GCFLOW_HTTP'] };
  if (env['GCFLOW_PUBLIC_URL']) out.http = { ...out.http, public_url: env['GCFLOW_PUBLIC_URL'] };
  if (env['GCFLOW_LOG_LEVEL']) out.log = { level: env['GCFLOW_LOG_LEVEL'] as Config['log']['level'] };
  return out;
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
