import { describe, expect, it } from 'vitest';
import { inputsFromBody } from '../../../src/daemon/http/api.js';
import type { InputSpec, WorkflowDefinition } from '../../../src/dsl/types.js';

function workflow(inputs: Record<string, InputSpec>): WorkflowDefinition {
  return {
    name: 'w',
    inputs,
    triggers: [],
    concurrency: { group: 'w', overlap: 'skip' },
    steps: [],
    finally: [],
    on_failure: [],
  };
}

const str: InputSpec = { type: 'string', required: false };

describe('inputs of POST /api/workflows/{name}/runs', () => {
  it('takes a bare object as the inputs', () => {
    expect(inputsFromBody({ region: 'NORD-NO-KRS-1' }, workflow({ region: str }))).toEqual({
      region: 'NORD-NO-KRS-1',
    });
  });

  it('unwraps {inputs: {...}}, whose values win over top-level keys', () => {
    const def = workflow({ region: str, type: str });
    expect(inputsFromBody({ inputs: { region: 'A' } }, def)).toEqual({ region: 'A' });
    expect(inputsFromBody({ region: 'B', type: 'T', inputs: { region: 'A' } }, def)).toEqual({
      region: 'A',
      type: 'T',
    });
  });

  it('keeps an input named inputs when the workflow declares one', () => {
    const def = workflow({ inputs: { type: 'object', required: false } });
    expect(inputsFromBody({ inputs: { a: 1 } }, def)).toEqual({ inputs: { a: 1 } });
  });

  it('treats a non-object inputs value as a bare input (reported later if unknown)', () => {
    expect(inputsFromBody({ inputs: 'x' }, workflow({}))).toEqual({ inputs: 'x' });
  });

  it('reads no body as no inputs and refuses arrays and scalars', () => {
    expect(inputsFromBody(undefined, workflow({}))).toEqual({});
    for (const body of [[1], 'text', 3, null]) {
      expect(() => inputsFromBody(body, workflow({}))).toThrow(/must be a JSON object/);
    }
  });
});
