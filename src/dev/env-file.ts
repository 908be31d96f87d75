// `.gcflow/dev.env`: what a running `gcflow dev` tells the other commands started in
// the same directory (its Redis and key prefix, its simulator's URL and token, its
// workflows). Written when dev is up, removed when it stops; a file left behind by a
// dev that was killed is recognised by its pid and ignored. Variables come in groups
// applied whole and only when none of the group is set, so a real token never meets
// the simulator and a production REDIS_URL never meets the dev prefix.
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';

export const DEV_ENV_FILE = join('.gcflow', 'dev.env');

type Env = Record<string, string | undefined>;

/** Each group is applied only when none of its variables (aliases included) is set, even to ''. */
const GROUPS: Array<{ vars: string[]; blockedBy: string[] }> = [
  { vars: ['REDIS_URL', 'GCFLOW_REDIS_PREFIX'], blockedBy: ['GCFLOW_REDIS_URL'] },
  {
    vars: ['GENESISCLOUD_API_URL', 'GENESISCLOUD_TOKEN'],
    blockedBy: ['GENESIS_CLOUD_TOKEN', 'GCFLOW_GENESIS_API_URL'],
  },
  { vars: ['GCFLOW_WORKFLOWS'], blockedBy: [] },
  { vars: ['GCFLOW_CONFIG'], blockedBy: [] },
];

export interface DevEnv {
  pid: number;
  host: string;
  /** The daemon's HTTP URL, for people reading the file. */
  url: string | undefined;
  vars: Record<string, string>;
}

const HEADER = [
  '# Written by `gcflow dev` and removed when it stops. Other gcflow commands in this',
  '# directory use these settings for variables that are not set in their environment',
  '# (per group: Redis, the API, workflows, config file), while that process is alive.',
];

/** Writes the file atomically (rename), readable by the owner only. */
export function writeDevEnv(dir: string, env: DevEnv): string {
  const file = resolve(dir, DEV_ENV_FILE);
  mkdirSync(resolve(dir, '.gcflow'), { recursive: true });
  const lines = [
    ...HEADER,
    `GCFLOW_DEV_PID=${env.pid}`,
    `GCFLOW_DEV_HOST=${env.host}`,
    ...(env.url ? [`GCFLOW_DEV_URL=${env.url}`] : []),
    ...Object.entries(env.vars).map(([k, v]) => `${k}=${v}`),
  ];
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${lines.join('\n')}\n`, { mode: 0o600 });
  renameSync(tmp, file);
  return file;
}

/** The file's content if present and well formed (alive or not). */
export function readDevEnv(dir: string): DevEnv | undefined {
  const file = resolve(dir, DEV_ENV_FILE);
  if (!existsSync(file)) return undefined;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  const all: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const match = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(line.trim());
    if (match) all[match[1]!] = match[2]!;
  }
  const pid = Number(all['GCFLOW_DEV_PID']);
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  const vars = Object.fromEntries(Object.entries(all).filter(([k]) => !k.startsWith('GCFLOW_DEV_')));
  return { pid, host: all['GCFLOW_DEV_HOST'] ?? '', url: all['GCFLOW_DEV_URL'], vars };
}

/** True while the dev that wrote the file runs (same host, its pid alive). */
export function isAlive(env: DevEnv): boolean {
  if (env.host !== hostname()) return false;
  try {
    process.kill(env.pid, 0);
    return true;
  } catch (err) {
    // EPERM: alive, but another user's.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Removes the file if `pid` wrote it (a newer dev's file is left alone). */
export function removeDevEnv(dir: string, pid: number): void {
  const current = readDevEnv(dir);
  if (current?.pid === pid) rmSync(resolve(dir, DEV_ENV_FILE), { force: true });
}

/**
 * `env` with a live dev's settings added where the variables are unset; `applied` names
 * the variables taken from the file (empty when there is no live dev in `dir`).
 */
export function withDevEnv(env: Env, dir: string): { env: Env; applied: string[]; dev: DevEnv | undefined } {
  const dev = readDevEnv(dir);
  if (!dev || !isAlive(dev)) return { env, applied: [], dev: undefined };
  const out: Env = { ...env };
  const applied: string[] = [];
  for (const group of GROUPS) {
    if ([...group.vars, ...group.blockedBy].some((name) => env[name] !== undefined)) continue;
    for (const name of group.vars) {
      const value = dev.vars[name];
      if (value === undefined) continue;
      out[name] = value;
      applied.push(name);
    }
  }
  return { env: out, applied, dev };
}
