// concurrency.limit: how it combines with overlap (implies queue; contradicts the
// other policies with a did-you-mean), its range, and what the engine receives.
// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${{ }} is the workflow expression syntax, not a JS template
import { describe, expect, it } from 'vitest';
import { parseWorkflow } from '../../../src/dsl/index.js';

const workflow = (concurrency: string) => `name: gpu-jobs
concurrency: ${concurrency}
steps:
  - id: pause
    uses: sleep
    with: { duration: 1s }
`;

describe('concurrency.limit', () => {
  it('alone implies overlap: queue', () => {
    const { definition, diagnostics } = parseWorkflow(workflow('{ group: gpu, limit: 2 }'), 'wf.yaml');
    expect(diagnostics).toEqual([]);
    expect(definition!.concurrency).toEqual({ group: 'gpu', overlap: 'queue', limit: 2 });
  });

  it('is kept beside overlap: queue, and absent when not written', () => {
    expect(
      parseWorkflow(workflow('{ overlap: queue, limit: 3 }'), 'wf.yaml').definition!.concurrency,
    ).toEqual({
      group: 'gpu-jobs',
      overlap: 'queue',
      limit: 3,
    });
    expect(parseWorkflow(workflow('{ overlap: queue }'), 'wf.yaml').definition!.concurrency).toEqual({
      group: 'gpu-jobs',
      overlap: 'queue',
    });
  });

  it.each(['skip', 'cancel_running', 'allow'])(
    'contradicts overlap: %s, pointing at limit with a did-you-mean',
    (overlap) => {
      const text = workflow(`{ group: gpu, overlap: ${overlap}, limit: 2 }`);
      const { definition, diagnostics } = parseWorkflow(text, 'wf.yaml');
      expect(definition).toBeUndefined();
      expect(diagnostics).toHaveLength(1);
      const d = diagnostics[0]!;
      expect(d).toMatchObject({ code: 'E_CONCURRENCY_LIMIT', severity: 'error', line: 2 });
      expect(text.split('\n')[1]!.slice(d.column - 1)).toMatch(/^limit/);
      expect(d.message).toContain(`not overlap: ${overlap}`);
      expect(d.hint).toMatch(/^did you mean overlap: queue\?/);
      expect(d.hint).toContain(`remove limit to keep overlap: ${overlap}`);
    },
  );

  it.each([
    ['0', 'E_RANGE'],
    ['1001', 'E_RANGE'],
    ['1.5', 'E_TYPE'],
    ['two', 'E_TYPE'],
  ])('refuses limit %s', (limit, code) => {
    const { definition, diagnostics } = parseWorkflow(workflow(`{ limit: ${limit} }`), 'wf.yaml');
    expect(definition).toBeUndefined();
    expect(diagnostics.map((d) => d.code)).toContain(code);
  });
});

describe('instance.create capacity', () => {
  const create = (capacity: string) => `name: capx
steps:
  - id: box
    uses: instance.create
    with:
      name: "capx-\${{ run.id }}"
      type: vcpu-2_memory-4g
      region: NORD-NO-KRS-1
      image: ubuntu-22.04
      ssh_keys: [ops-laptop]
      capacity: ${capacity}
`;

  it.each(['wait', 'fail'])('accepts %s', (capacity) => {
    expect(parseWorkflow(create(capacity), 'wf.yaml').diagnostics).toEqual([]);
  });

  it('refuses anything else with a did-you-mean', () => {
    const { diagnostics } = parseWorkflow(create('wiat'), 'wf.yaml');
    expect(diagnostics).toHaveLength(1);
    expect(diagnostics[0]).toMatchObject({ code: 'E_PARAM_VALUE', line: 11 });
    expect(diagnostics[0]!.message).toBe(
      "step 'box': with.capacity must be one of wait or fail, got 'wiat'; did you mean 'wait'?",
    );
  });
});
