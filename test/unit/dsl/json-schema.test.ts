// What editors get from the JSON Schema: it compiles under ajv's strict mode, accepts
// the shipped examples, knows the enumerated values (statuses) and the forms of cron
// and timezone strings, and describes every key and every `with` parameter.
import { readdirSync, readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  PARAM_DESCRIPTIONS,
  STEP_DESCRIPTIONS,
  WORKFLOW_DESCRIPTIONS,
} from '../../../src/dsl/descriptions.js';
import { parseWorkflow, STEP_KINDS, STEP_PARAMS, workflowJsonSchema } from '../../../src/dsl/index.js';
import { CRON_PATTERN, TIMEZONE_PATTERN, walkProperties } from '../../../src/dsl/json-schema.js';
import { keysAt } from '../../../src/dsl/zod-keys.js';

type Node = Record<string, unknown>;
const schema = workflowJsonSchema();
const step = (schema['definitions'] as Record<string, Node>)['step']!;
const withOf = (kind: string): Node => {
  const rules = step['allOf'] as Array<{ if: { properties: { uses: { const: string } } }; then: Node }>;
  const rule = rules.find((r) => r.if.properties.uses.const === kind)!;
  return (rule.then['properties'] as Record<string, Node>)['with']!;
};
const { definitions: _, ...root } = schema;

function descriptions(node: Node): Map<string, unknown> {
  const out = new Map<string, unknown>();
  walkProperties(node, (child, path) => out.set(path, child['description']));
  return out;
}

// Compiled once for the file: a compile of the whole schema costs about a second.
let compiled: ReturnType<Ajv['compile']> | undefined;
const validator = () => {
  compiled ??= new Ajv({ strict: true, allErrors: true }).compile(schema);
  return compiled;
};
const workflow = (text: string) => parse(text) as unknown;

describe('workflow JSON Schema for editors', () => {
  it('compiles under ajv strict mode', () => {
    expect(() => validator()).not.toThrow();
  });

  it('accepts every shipped example workflow', () => {
    const validate = validator();
    for (const file of readdirSync('workflows').filter((f) => f.endsWith('.yaml'))) {
      const ok = validate(workflow(readFileSync(`workflows/${file}`, 'utf8')));
      expect(validate.errors ?? [], file).toEqual([]);
      expect(ok, file).toBe(true);
    }
  });

  it('describes every `with` parameter of every step kind, nested ones included', () => {
    const missing: string[] = [];
    for (const kind of STEP_KINDS) {
      const params = withOf(kind);
      if (!params['description']) missing.push(`${kind}: (the kind)`);
      const described = descriptions(params);
      for (const key of keysAt(STEP_PARAMS[kind], []))
        if (!described.get(key)) missing.push(`${kind}: ${key}`);
      for (const [path, text] of described)
        if (!path.endsWith('*') && !text) missing.push(`${kind}: ${path}`);
    }
    expect(missing).toEqual([]);
  });

  it('describes every workflow key and every step key', () => {
    const missing = [
      ...[...descriptions(root)].filter(([p, t]) => !p.endsWith('*') && !t).map(([p]) => p),
      ...[...descriptions(step)].filter(([p, t]) => !p.endsWith('*') && !t).map(([p]) => `step: ${p}`),
    ];
    expect(missing).toEqual([]);
    expect(descriptions(root).size).toBeGreaterThan(20);
  });

  it('uses every text of the descriptions catalogue (none describes a key that is gone)', () => {
    const stale = [
      ...Object.keys(WORKFLOW_DESCRIPTIONS).filter((p) => !descriptions(root).has(p)),
      ...Object.keys(STEP_DESCRIPTIONS).filter((p) => !descriptions(step).has(p)),
      ...Object.entries(PARAM_DESCRIPTIONS).flatMap(([kind, texts]) =>
        Object.keys(texts!.params)
          .filter((p) => !descriptions(withOf(kind)).has(p))
          .map((p) => `${kind}: ${p}`),
      ),
    ];
    expect(stale).toEqual([]);
  });

  it('knows the statuses: a misspelt status is refused by the schema and by gcflow validate with a did-you-mean', () => {
    const text = `name: w
steps:
  - id: job
    uses: instance.wait
    with: { instance: box-1, status: stoped }
  - id: stop
    uses: instance.stop
    with: { instance: box-1 }
    wait: { status: stoped }
`;
    const validate = validator();
    expect(validate(workflow(text))).toBe(false);
    expect(validate(workflow(text.replaceAll('stoped', 'stopped')))).toBe(true);
    const { diagnostics } = parseWorkflow(text, 'w.yaml');
    expect(diagnostics.map((d) => `${d.line}:${d.code} ${d.message}`)).toEqual([
      "5:E_PARAM_VALUE step 'job': with.status cannot be 'stoped'; did you mean 'stopped'?",
      "9:E_ENUM step 'stop': wait.status cannot be 'stoped'; did you mean 'stopped'?",
    ]);
    expect(diagnostics[0]!.hint).toMatch(/^one of: creating, .*stopped.*deleted$/);
  });

  it('checks snapshot statuses and listed instance statuses item by item', () => {
    const { diagnostics } = parseWorkflow(
      `name: w
steps:
  - { id: a, uses: snapshots.list, with: { status: [created, deleted] } }
  - { id: b, uses: instances.list, with: { status: [active, stoped] } }
  - { id: c, uses: instances.list, with: { status: "\${{ 'active' }}" } }
`,
      'w.yaml',
    );
    expect(diagnostics.map((d) => d.message)).toEqual([
      "step 'a': with.status[1] must be one of creating, created, active, pending_delete, deleting or error, got 'deleted'; did you mean 'deleting'?",
      "step 'b': with.status[1] cannot be 'stoped'; did you mean 'stopped'?",
    ]);
  });

  it('checks the form of cron and timezone strings as far as a pattern can', () => {
    const cron = new RegExp(CRON_PATTERN);
    for (const ok of ['0 2 * * *', '*/15 * * * *', '30 */15 * * * *', '0 7 * * MON-FRI', '0 0 L * ?'])
      expect(cron.test(ok), ok).toBe(true);
    for (const bad of ['0 2 * *', '@daily', '0 2 * * * * *', '0 2 * * $'])
      expect(cron.test(bad), bad).toBe(false);
    const zone = new RegExp(TIMEZONE_PATTERN);
    for (const ok of [...Intl.supportedValuesOf('timeZone'), 'UTC', 'US/Pacific', 'Etc/GMT+5', 'EST5EDT'])
      expect(zone.test(ok), ok).toBe(true);
    for (const bad of ['Europe Berlin', '+02:00', 'Europe/', '/Berlin', 'Europe/Berlin!'])
      expect(zone.test(bad), bad).toBe(false);
    const validate = validator();
    const trigger = (c: string, tz: string) =>
      validate(
        workflow(
          `name: w\ntriggers: [{ cron: "${c}", timezone: "${tz}" }]\nsteps: [{ id: a, uses: sleep, with: { duration: 1s } }]\n`,
        ),
      );
    expect(trigger('0 2 * * *', 'Europe/Berlin')).toBe(true);
    expect(trigger('0 2 * *', 'Europe/Berlin')).toBe(false);
    expect(trigger('0 2 * * *', 'Europe Berlin')).toBe(false);
  });
});
