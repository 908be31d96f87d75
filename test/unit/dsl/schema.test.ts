// The committed JSON Schema (what editors load) is exactly what the validator's
// schema generates today, so it never goes stale; and it describes the language.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { STEP_KINDS, workflowJsonSchema } from '../../../src/dsl/index.js';

const COMMITTED = join(import.meta.dirname, '../../../schema/workflow.schema.json');

describe('workflow JSON Schema', () => {
  it('equals the committed schema/workflow.schema.json (regenerate: node dist/main.js schema > schema/workflow.schema.json)', () => {
    expect(JSON.parse(readFileSync(COMMITTED, 'utf8'))).toEqual(
      JSON.parse(JSON.stringify(workflowJsonSchema())),
    );
  });

  it('is draft-07, refuses unknown keys and requires name and steps', () => {
    const schema = workflowJsonSchema() as Record<string, unknown>;
    expect(schema['$schema']).toBe('http://json-schema.org/draft-07/schema#');
    expect(schema['additionalProperties']).toBe(false);
    expect(schema['required']).toEqual(['name', 'steps']);
  });

  it('narrows `with` for every step kind and requires it where a kind has required parameters', () => {
    const step = (workflowJsonSchema()['definitions'] as Record<string, Record<string, unknown>>)['step']!;
    const rules = step['allOf'] as Array<{
      if: { properties: { uses: { const: string } } };
      then: Record<string, unknown>;
    }>;
    expect(rules.map((r) => r.if.properties.uses.const)).toEqual([...STEP_KINDS]);
    const create = rules.find((r) => r.if.properties.uses.const === 'instance.create')!.then;
    expect(create['required']).toEqual(['with']);
    const withSchema = (create['properties'] as Record<string, Record<string, unknown>>)['with']!;
    expect(withSchema['required']).toEqual(['name', 'type', 'region', 'image']);
    expect(withSchema['additionalProperties']).toBe(false);
    const list = rules.find((r) => r.if.properties.uses.const === 'instances.list')!.then;
    expect(list['required']).toBeUndefined();
  });
});
