// The JSON Schema of workflow files, for editors (yaml-language-server) and
// `gcflow schema`: generated from the validator's zod schemas, then annotated with
// the descriptions catalogue (descriptions.ts) and the patterns a schema can check
// (cron, timezone), and kept compilable under ajv's strict mode. Pure.
import { z } from 'zod';
import { PARAM_DESCRIPTIONS, STEP_DESCRIPTIONS, WORKFLOW_DESCRIPTIONS } from './descriptions.js';
import { STEP_LISTS, stepSchema, workflowShape } from './schema.js';
import { STEP_PARAMS } from './step-params.js';
import { STEP_KINDS } from './types.js';
import { requiredKeysAt } from './zod-keys.js';

type Node = Record<string, unknown>;

/** 5 or 6 space-separated fields of cron characters; `gcflow validate` checks the rest. */
export const CRON_PATTERN = '^\\s*[0-9A-Za-z*/,?#-]+(\\s+[0-9A-Za-z*/,?#-]+){4,5}\\s*$';
/** IANA names (Europe/Berlin, America/Argentina/Buenos_Aires, Etc/GMT+5, UTC, EST5EDT). */
export const TIMEZONE_PATTERN = '^[A-Za-z][A-Za-z0-9_+-]*(/[A-Za-z0-9_+-]+){0,2}$';

const PATTERNS: Record<string, { pattern: string; examples: string[] }> = {
  'triggers[].cron': { pattern: CRON_PATTERN, examples: ['0 2 * * *', '0 19 * * 1-5', '*/30 * * * * *'] },
  'triggers[].timezone': {
    pattern: TIMEZONE_PATTERN,
    examples: ['UTC', 'Europe/Berlin', 'America/New_York'],
  },
};

const toJson = (schema: z.ZodType): Node => {
  const options = { target: 'draft-7', unrepresentable: 'any', io: 'input' } as const;
  const { $schema: _, ...rest } = z.toJSONSchema(schema, options) as Node;
  return rest;
};

/** Calls `visit` for every property schema below `node` with its path (`retry.attempts`, `triggers[].cron`). */
export function walkProperties(node: unknown, visit: (node: Node, path: string) => void, path = ''): void {
  if (!isNode(node)) return;
  for (const [key, child] of Object.entries(isNode(node['properties']) ? node['properties'] : {})) {
    const at = path ? `${path}.${key}` : key;
    if (isNode(child)) visit(child, at);
    walkProperties(child, visit, at);
  }
  if (isNode(node['items'])) walkProperties(node['items'], visit, `${path}[]`);
  if (isNode(node['additionalProperties'])) {
    const at = `${path}.*`;
    visit(node['additionalProperties'], at);
    walkProperties(node['additionalProperties'], visit, at);
  }
  for (const key of ['anyOf', 'oneOf', 'allOf'] as const) {
    const list = node[key];
    if (Array.isArray(list)) for (const branch of list) walkProperties(branch, visit, path);
  }
}

/** Sets each property's description from `texts` by path; returns the paths used. */
export function describe(node: Node, texts: Record<string, string>): Set<string> {
  const used = new Set<string>();
  walkProperties(node, (child, path) => {
    const text = texts[path];
    if (text === undefined) return;
    child['description'] = text;
    used.add(path);
  });
  return used;
}

/** ajv strict mode refuses `type: [a, b]`: the same as `anyOf` of single types. */
function noUnionTypes(node: unknown): void {
  if (Array.isArray(node)) {
    for (const child of node) noUnionTypes(child);
    return;
  }
  if (!isNode(node)) return;
  const type = node['type'];
  if (Array.isArray(type)) {
    delete node['type'];
    node['anyOf'] = type.map((t) => ({ type: t }));
  }
  for (const child of Object.values(node)) noUnionTypes(child);
}

/** The `with` of one step kind: its parameters, described. */
export function paramsJsonSchema(kind: (typeof STEP_KINDS)[number]): Node {
  const texts = PARAM_DESCRIPTIONS[kind];
  const params = toJson(STEP_PARAMS[kind]);
  if (texts) {
    params['description'] = texts.kind;
    describe(params, texts.params);
  }
  return params;
}

/** The JSON Schema of workflow files, for editors (yaml-language-server) and `gcflow schema`. */
export function workflowJsonSchema(): Node {
  // One step schema; `with` is narrowed per kind with if/then, so editors complete
  // each kind's parameters without 17 copies of every step key.
  const step = toJson(stepSchema(z.enum(STEP_KINDS), z.record(z.string(), z.unknown())));
  describe(step, STEP_DESCRIPTIONS);
  step['allOf'] = STEP_KINDS.map((kind) => ({
    if: { properties: { uses: { const: kind } }, required: ['uses'] },
    // biome-ignore lint/suspicious/noThenProperty: JSON Schema's if/then, not a promise
    then: {
      properties: { with: paramsJsonSchema(kind) },
      ...(requiredKeysAt(STEP_PARAMS[kind], []).length > 0 ? { required: ['with'] } : {}),
    },
  }));
  const root = toJson(workflowShape(z.record(z.string(), z.unknown())));
  describe(root, WORKFLOW_DESCRIPTIONS);
  walkProperties(root, (node, path) => Object.assign(node, PATTERNS[path]));
  const properties = root['properties'] as Record<string, Node>;
  for (const list of STEP_LISTS)
    properties[list] = { ...properties[list], items: { $ref: '#/definitions/step' } };
  const schema = {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: 'https://gcflow.dev/schema/workflow.schema.json',
    title: 'gcflow workflow',
    description: 'A gcflow workflow: see workflows/README.md',
    ...root,
    definitions: { step },
  };
  noUnionTypes(schema);
  return schema;
}

function isNode(value: unknown): value is Node {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
