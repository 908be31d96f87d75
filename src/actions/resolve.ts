// Turns what users write (an instance id or name, ssh key and security group
// names) into the ids the API wants, with errors that name what was not found.
import { type GenesisClient, type Instance, isNotFound } from '../genesis/index.js';
import { StepFailure } from './errors.js';
import type { StatusSource } from './types.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const isUuid = (value: string): boolean => UUID.test(value);

/** An instance by id (GET) or by exact name (list); fails when none or several match. */
export async function resolveInstance(
  client: GenesisClient,
  ref: string,
  signal: AbortSignal,
): Promise<Instance> {
  if (isUuid(ref)) {
    try {
      return await client.instances.get(ref, { signal });
    } catch (err) {
      if (isNotFound(err)) throw instanceNotFound(ref);
      throw err;
    }
  }
  const matches = (await client.instances.listAll({ signal })).filter((i) => i.name === ref);
  if (matches.length === 0) throw instanceNotFound(ref);
  if (matches.length > 1) {
    throw new StepFailure(
      'E_INSTANCE_AMBIGUOUS',
      `${matches.length} instances are named ${ref}: ${matches.map((m) => m.id).join(', ')}`,
      'refer to the instance by id instead of by name',
    );
  }
  return matches[0]!;
}

/**
 * An instance to act on, by id from the coalesced status cache (a status read no more
 * than `maxAgeMs` ago and no earlier than `notBefore`: the list the run just made, or
 * one sweep shared by every step), by name from the list. Gone: E_INSTANCE_NOT_FOUND,
 * as a GET answering 404.
 */
export async function lookUpInstance(
  ctx: { client: GenesisClient; statuses: StatusSource; signal: AbortSignal },
  ref: string,
  fresh: { maxAgeMs?: number; notBefore?: number },
): Promise<Instance> {
  if (!isUuid(ref)) return resolveInstance(ctx.client, ref, ctx.signal);
  const snap = await ctx.statuses.read(ref, {
    maxAgeMs: fresh.maxAgeMs ?? Number.POSITIVE_INFINITY,
    ...(fresh.notBefore === undefined ? {} : { notBefore: fresh.notBefore }),
  });
  if ('gone' in snap) throw instanceNotFound(ref);
  return snap.instance;
}

/** Resolves an instance reference to an id, or undefined when it does not exist. */
export async function findInstanceId(
  client: GenesisClient,
  ref: string,
  signal: AbortSignal,
): Promise<string | undefined> {
  try {
    return (await resolveInstance(client, ref, signal)).id;
  } catch (err) {
    if (err instanceof StepFailure && err.code === 'E_INSTANCE_NOT_FOUND') return undefined;
    throw err;
  }
}

export function instanceNotFound(ref: string): StepFailure {
  return new StepFailure(
    'E_INSTANCE_NOT_FOUND',
    `no instance ${ref}`,
    'check the id or name; list instances with an instances.list step',
  );
}

/** SSH key ids or names -> ids. */
export async function resolveSshKeys(
  client: GenesisClient,
  refs: string[],
  signal: AbortSignal,
): Promise<string[]> {
  if (refs.every(isUuid)) return refs;
  const keys = await client.sshKeys.list({ signal });
  return refs.map((ref) => {
    if (isUuid(ref)) return ref;
    const key = keys.find((k) => k.name === ref);
    if (!key) {
      throw new StepFailure(
        'E_SSH_KEY_NOT_FOUND',
        `no SSH key named ${ref}; known: ${keys.map((k) => k.name).join(', ') || 'none'}`,
        'add the key in the Genesis Cloud console or use its id',
      );
    }
    return key.id;
  });
}

/** Security group ids or names (in the instance's region) -> ids. */
export async function resolveSecurityGroups(
  client: GenesisClient,
  refs: string[],
  region: string,
  signal: AbortSignal,
): Promise<string[]> {
  if (refs.every(isUuid)) return refs;
  const groups = await client.securityGroups.list({ signal });
  return refs.map((ref) => {
    if (isUuid(ref)) return ref;
    const group = groups.find((g) => g.name === ref && (g.region === undefined || g.region === region));
    if (!group) {
      throw new StepFailure(
        'E_SECURITY_GROUP_NOT_FOUND',
        `no security group named ${ref} in region ${region}`,
        'create it first or use its id',
      );
    }
    return group.id;
  });
}
