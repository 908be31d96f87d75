// Which step a step may read, where item/index exist, and where a diagnostic points
// inside quoted and block scalars.
// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${{ }} is the workflow expression syntax, not a JS template
import { describe, expect, it } from 'vitest';
import { parseWorkflow } from '../../../src/dsl/index.js';

const codes = (text: string) =>
  parseWorkflow(text, 'wf.yaml').diagnostics.map((d) => `${d.line}:${d.column} ${d.code}`);

describe('step references', () => {
  it('allows earlier main steps, and main steps plus earlier ones of the own list in finally and on_failure', () => {
    const text = `name: refs
steps:
  - { id: a, uses: instance.get, with: { instance: x } }
  - { id: b, uses: instance.get, with: { instance: "\${{ steps.a.outputs.instance.id }}" } }
finally:
  - { id: f1, uses: sleep, if: "steps.b.status == 'succeeded'", with: { duration: 1s } }
  - { id: f2, uses: instance.get, with: { instance: "\${{ steps.f1.status }}\${{ steps.a.outputs.instance.id }}" } }
on_failure:
  - { id: o1, uses: sleep, with: { duration: 1s } }
  - { id: o2, uses: notify.webhook, with: { url: "https://x", text: "\${{ steps.o1.status }} \${{ steps.b.outputs }}" } }
`;
    expect(codes(text)).toEqual([]);
  });

  it('refuses later steps, finally/on_failure steps from main steps, and the other cleanup list', () => {
    const text = `name: refs
steps:
  - { id: a, uses: instance.get, with: { instance: "\${{ steps.f1.status }}" } }
finally:
  - { id: f1, uses: sleep, with: { duration: "\${{ steps.o1.status }}" } }
on_failure:
  - { id: o1, uses: sleep, with: { duration: "\${{ steps.f1.status }}" } }
`;
    expect(codes(text)).toEqual([
      '3:63 E_EXPR_STEP_ORDER',
      '5:57 E_EXPR_STEP_ORDER',
      '7:57 E_EXPR_STEP_ORDER',
    ]);
  });

  it('knows item and index in with and wait of a for_each step only', () => {
    const ok = `name: items
steps:
  - id: a
    uses: instance.stop
    for_each: [x, y]
    with: { instance: "\${{ item }}-\${{ index }}" }
    wait: { timeout: "\${{ index }}m" }
`;
    expect(codes(ok)).toEqual([]);
    const bad = `name: items
steps:
  - id: a
    uses: instance.stop
    for_each: "\${{ fromJSON(format('[{0}]', index)) }}"
    if: item != ''
    timeout: "\${{ index }}m"
    with: { instance: x }
`;
    expect(codes(bad)).toEqual([
      '5:45 E_EXPR_ITEM_OUTSIDE_FOR_EACH',
      '6:9 E_EXPR_ITEM_OUTSIDE_FOR_EACH',
      '7:19 E_EXPR_ITEM_OUTSIDE_FOR_EACH',
    ]);
  });

  it('reads inputs case-insensitively, like the evaluator, and ignores ${{ in descriptions', () => {
    const text = `name: inputs
description: "reads \${{ inputs.Region }} at run time"
inputs:
  region: { type: string, default: r, description: "used as \${{ inputs.region }}" }
steps:
  - { id: a, uses: availability.check, with: { region: "\${{ inputs.REGION }}" } }
`;
    expect(codes(text)).toEqual([]);
  });
});

describe('positions inside scalars', () => {
  it('points into plain, quoted, escaped, literal and folded scalars', () => {
    const text = `name: pos
steps:
  - id: a
    uses: notify.webhook
    with:
      url: https://x/\${{ inputs.a }}
      text: "q \\"x\\" \${{ inputs.b }}"
      headers:
        h1: 'it''s \${{ inputs.c }}'
      body:
        lit: |
          line one
            indented \${{ inputs.d }}
        fold: >
          folded text
          then \${{ inputs.e }}
`;
    expect(codes(text)).toEqual([
      '6:33 E_EXPR_UNDECLARED_INPUT',
      '7:33 E_EXPR_UNDECLARED_INPUT',
      '9:31 E_EXPR_UNDECLARED_INPUT',
      '13:33 E_EXPR_UNDECLARED_INPUT',
      '16:27 E_EXPR_UNDECLARED_INPUT',
    ]);
  });
});
