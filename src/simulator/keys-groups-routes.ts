// HTTP routes of /compute/v1/ssh-keys (bodies unwrapped) and /security-groups
// (`{security_group}`; `default` and `standard` are reserved names, at least one rule).
import { Hono } from 'hono';
import { conflict, invalid } from './errors.js';
import { type SimEnv, noContent, pageOf, readJson, type RouteDeps } from './http.js';
import { type SecurityGroupRule, securityGroupView, sshKeyView } from './model.js';
import { REGIONS, sshKeyRecord } from './seed.js';
import type { Store } from './store.js';
import { asObject, type Body, int, paginate, requireFields, str } from './validate.js';

const SSH_KEY = /^(ssh-(ed25519|rsa|dss)|ecdsa-sha2-nistp(256|384|521)) [A-Za-z0-9+/]+={0,3}( .*)?$/;
const RESERVED_GROUP_NAMES = ['default', 'standard'];
const PROTOCOLS = ['tcp', 'udp', 'icmp', 'all'];
const DIRECTIONS = ['ingress', 'egress'];

function readRules(body: Body): SecurityGroupRule[] {
  const value = body['rules'];
  if (!Array.isArray(value) || value.length === 0)
    throw invalid('rules must be an array with at least one rule');
  return value.map((item, i) => {
    const rule = asObject(item, `rules[${i}]`);
    const protocol = str(rule, 'protocol');
    const direction = str(rule, 'direction');
    if (!protocol || !PROTOCOLS.includes(protocol)) {
      throw invalid(`rules[${i}].protocol must be one of ${PROTOCOLS.join(', ')}`);
    }
    if (!direction || !DIRECTIONS.includes(direction)) {
      throw invalid(`rules[${i}].direction must be one of ${DIRECTIONS.join(', ')}`);
    }
    const min = int(rule, 'port_range_min') ?? null;
    const max = int(rule, 'port_range_max') ?? min;
    for (const port of [min, max]) {
      if (port !== null && (port < 1 || port > 65535)) throw invalid(`rules[${i}] ports must be 1..65535`);
    }
    if (min !== null && max !== null && max < min)
      throw invalid(`rules[${i}].port_range_max is below port_range_min`);
    return { protocol, direction, port_range_min: min, port_range_max: max };
  });
}

function checkGroupName(name: string): void {
  if (RESERVED_GROUP_NAMES.includes(name.trim().toLowerCase())) {
    throw invalid(`security group name "${name}" is reserved (default and standard are not allowed)`);
  }
}

function editableGroup(store: Store, id: string) {
  const group = store.getFrom(store.securityGroups, 'security group', id);
  if (group.is_internal) throw conflict(`security group ${id} (${group.name}) is managed by the platform`);
  return group;
}

function sshKeyRoutes(app: Hono<SimEnv>, store: Store): void {
  app.get('/ssh-keys', (c) =>
    c.json(paginate('ssh_keys', [...store.sshKeys.values()], pageOf(c), sshKeyView)),
  );

  app.post('/ssh-keys', async (c) => {
    const body = asObject(await readJson(c));
    requireFields(body, ['name', 'value']);
    const value = str(body, 'value')!.trim();
    if (!SSH_KEY.test(value))
      throw invalid('value is not an SSH public key (e.g. "ssh-ed25519 AAAA... comment")');
    const record = sshKeyRecord(store.newId(), str(body, 'name')!, value, store.now());
    store.sshKeys.set(record.id, record);
    return c.json(sshKeyView(record), 201);
  });

  app.get('/ssh-keys/:id', (c) =>
    c.json(sshKeyView(store.getFrom(store.sshKeys, 'ssh key', c.req.param('id')))),
  );

  app.patch('/ssh-keys/:id', async (c) => {
    const record = store.getFrom(store.sshKeys, 'ssh key', c.req.param('id'));
    const name = str(asObject(await readJson(c)), 'name');
    if (name === '') throw invalid('name must not be empty');
    if (name !== undefined) record.name = name;
    record.updated_at = store.now();
    return c.json(sshKeyView(record));
  });

  app.delete('/ssh-keys/:id', (c) => {
    const record = store.getFrom(store.sshKeys, 'ssh key', c.req.param('id'));
    store.sshKeys.delete(record.id);
    return noContent(c);
  });
}

function securityGroupRoutes(app: Hono<SimEnv>, store: Store): void {
  app.get('/security-groups', (c) =>
    c.json(paginate('security_groups', [...store.securityGroups.values()], pageOf(c), securityGroupView)),
  );

  app.post('/security-groups', async (c) => {
    const body = asObject(await readJson(c));
    requireFields(body, ['name', 'region', 'rules']);
    const name = str(body, 'name')!;
    checkGroupName(name);
    const region = str(body, 'region')!;
    if (!(REGIONS as readonly string[]).includes(region)) throw invalid(`unknown region "${region}"`);
    const rules = readRules(body);
    const now = store.now();
    const record = {
      id: store.newId(),
      name,
      description: str(body, 'description') ?? '',
      is_internal: false,
      region,
      status: 'created',
      rules,
      created_at: now,
      updated_at: now,
    };
    store.securityGroups.set(record.id, record);
    return c.json({ security_group: securityGroupView(record) }, 201);
  });

  app.get('/security-groups/:id', (c) => {
    const group = store.getFrom(store.securityGroups, 'security group', c.req.param('id'));
    return c.json({ security_group: securityGroupView(group) });
  });

  app.patch('/security-groups/:id', async (c) => {
    const group = editableGroup(store, c.req.param('id'));
    const body = asObject(await readJson(c));
    const name = str(body, 'name');
    if (name !== undefined) checkGroupName(name);
    const description = str(body, 'description');
    const rules = body['rules'] === undefined ? undefined : readRules(body);
    if (name) group.name = name;
    if (description !== undefined) group.description = description;
    if (rules) group.rules = rules;
    group.updated_at = store.now();
    return c.json({ security_group: securityGroupView(group) });
  });

  app.delete('/security-groups/:id', (c) => {
    const group = editableGroup(store, c.req.param('id'));
    const user = store.listInstances().find((i) => i.security_groups.some((g) => g.id === group.id));
    if (user) throw conflict(`security group ${group.id} is attached to instance ${user.id}`);
    store.securityGroups.delete(group.id);
    return noContent(c);
  });
}

export function keysGroupsRoutes({ sim }: RouteDeps): Hono<SimEnv> {
  const app = new Hono<SimEnv>();
  sshKeyRoutes(app, sim.store);
  securityGroupRoutes(app, sim.store);
  return app;
}
