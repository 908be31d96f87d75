// What `docker compose up` and `docker build` read, checked where no Docker engine
// runs: docker-compose.yml is valid YAML whose interpolations compose can expand, with
// Redis on AOF and noeviction and healthchecks on both services; the Dockerfile builds
// in two stages and runs unprivileged with a healthcheck; .dockerignore keeps local
// state and secrets out of the build context without hiding what the build copies.
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';

interface Service {
  image?: string;
  build?: string;
  command?: string[];
  depends_on?: Record<string, { condition: string }>;
  environment?: Record<string, string>;
  healthcheck?: { test: string[]; interval?: string; timeout?: string; retries?: number };
}

function compose(): { services: Record<string, Service> } {
  const text = readFileSync('docker-compose.yml', 'utf8');
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: true });
  expect(doc.errors.map((e) => e.message)).toEqual([]);
  return { services: (doc.toJS() as { services: Record<string, Service> }).services };
}

/** Compose's interpolation: ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?error}, ${VAR?error}, ${VAR:+x}; $$ is a literal $. */
const INTERPOLATION = /\$\{[A-Za-z_][A-Za-z0-9_]*(?:(?::?[-?+])[^}]*)?\}/g;

function expand(value: string, env: Record<string, string>): string {
  return value.replace(INTERPOLATION, (ref) => {
    const [, name, op, arg] = /^\$\{([A-Za-z0-9_]+)(:?[-?+])?(.*)\}$/.exec(ref)!;
    const set = env[name!] !== undefined && (env[name!] !== '' || !op?.startsWith(':'));
    if (op?.endsWith('?') && !set) throw new Error(arg);
    if (op?.endsWith('-')) return set ? env[name!]! : arg!;
    return env[name!] ?? '';
  });
}

function strings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(strings);
  if (typeof value === 'object' && value !== null) return Object.values(value).flatMap(strings);
  return [];
}

describe('docker-compose.yml', () => {
  it('is valid YAML with a redis and a gcflow service', () => {
    expect(Object.keys(compose().services).sort()).toEqual(['gcflow', 'redis']);
  });

  it('runs Redis with an append-only file and never evicts keys, and checks its health', () => {
    const { redis } = compose().services;
    const command = redis!.command!.join(' ');
    expect(command).toMatch(/--appendonly yes\b/);
    expect(command).toMatch(/--maxmemory-policy noeviction\b/);
    expect(redis!.healthcheck!.test).toEqual(['CMD', 'redis-cli', 'ping']);
  });

  it("starts gcflow after Redis is healthy and checks the daemon's /healthz", () => {
    const { gcflow } = compose().services;
    expect(gcflow!.depends_on).toEqual({ redis: { condition: 'service_healthy' } });
    expect(gcflow!.healthcheck!.test[0]).toBe('CMD');
    expect(gcflow!.healthcheck!.test.join(' ')).toContain('http://127.0.0.1:8080/healthz');
    expect(gcflow!.environment!['GCFLOW_HTTP']).toBe('0.0.0.0:8080');
  });

  it('expands its variables as compose does: the tokens are required, with a message that says which', () => {
    const { services } = compose();
    // Every $ in a value is an interpolation compose knows, or an escaped $$.
    for (const value of strings(services))
      expect(value.replace(INTERPOLATION, '').replace(/\$\$/g, '')).not.toContain('$');
    const env = services.gcflow!.environment!;
    const given = { GENESISCLOUD_TOKEN: 'gc-token', GCFLOW_API_TOKEN: 'http-token' };
    expect(expand(env['GENESISCLOUD_TOKEN']!, given)).toBe('gc-token');
    expect(expand(env['GCFLOW_API_TOKEN']!, given)).toBe('http-token');
    expect(expand(env['GCFLOW_SECRET_SLACK_WEBHOOK']!, given)).toBe('');
    expect(() => expand(env['GCFLOW_API_TOKEN']!, { GENESISCLOUD_TOKEN: 'x' })).toThrow(
      /set GCFLOW_API_TOKEN/,
    );
    expect(() => expand(env['GENESISCLOUD_TOKEN']!, { GCFLOW_API_TOKEN: 'x' })).toThrow(
      /set GENESISCLOUD_TOKEN/,
    );
  });
});

describe('Dockerfile and .dockerignore', () => {
  const dockerfile = readFileSync('Dockerfile', 'utf8');
  const stages = dockerfile.split(/^FROM /m).slice(1);
  const ignore = existsSync('.dockerignore')
    ? readFileSync('.dockerignore', 'utf8')
        .split('\n')
        .map((l) => l.trim())
        .filter((l) => l && !l.startsWith('#'))
    : [];

  it('builds with npm ci and prunes dev dependencies in a build stage, with what npm run build reads', () => {
    expect(stages).toHaveLength(2);
    // npm run build runs tsc and every script it names: their files must be in the stage.
    const build = (JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: { build: string } }).scripts
      .build;
    for (const [, dir] of build.matchAll(/node (\w+)\//g))
      expect(stages[0]).toContain(`COPY ${dir} ./${dir}`);
    expect(stages[0]).toMatch(/RUN npm ci\b/);
    expect(stages[0]).toMatch(/npm run build/);
    expect(stages[0]).toMatch(/npm prune --omit=dev/);
  });

  it('runs as an unprivileged user, with a healthcheck, from what the build stage made', () => {
    const final = stages[1]!;
    expect(final).toMatch(/^USER (?!root\b)\S+/m);
    expect(final).toMatch(/^HEALTHCHECK .*\/healthz/ms);
    expect(final).toContain('COPY --from=build /app/node_modules ./node_modules');
    expect(final).not.toMatch(/COPY src\b/);
  });

  it('keeps local state, secrets and dependencies out of the build context, and nothing the build copies', () => {
    for (const entry of ['.git', 'node_modules', 'dist', '.gcflow', '.env', '.env.*'])
      expect(ignore).toContain(entry);
    const copied = [...dockerfile.matchAll(/^COPY (?!--from)(.+) \S+$/gm)].flatMap((m) => m[1]!.split(/\s+/));
    expect(copied.sort()).toEqual(
      [
        'config',
        'package-lock.json',
        'package.json',
        'package.json',
        'schema',
        'scripts',
        'src',
        'tsconfig.json',
        'workflows',
      ].sort(),
    );
    for (const path of copied) {
      expect(existsSync(path), path).toBe(true);
      expect(ignore, path).not.toContain(path);
    }
  });
});
