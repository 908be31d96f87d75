// parseWorkflow: YAML text -> WorkflowDefinition or every problem of the file in one
// pass, sorted by position. Pure (hashing is computation, not I/O).
import { createHash } from 'node:crypto';
import type { z } from 'zod';
import { checkWorkflow } from './checks.js';
import { isRecord } from './describe.js';
import { type Diagnostic, sortDiagnostics } from './diagnostics.js';
import { checkExpressions } from './expressions.js';
import { validate } from './issues.js';
import { normalise } from './normalise.js';
import { STEP_LISTS, type StepList, workflowSchema } from './schema.js';
import { readYaml } from './read-yaml.js';
import type { WorkflowDefinition } from './types.js';

export function parseWorkflow(
  text: string,
  file: string,
): { definition?: WorkflowDefinition; diagnostics: Diagnostic[] } {
  const read = readYaml(text, file);
  const { source } = read;
  if (!source || !('value' in read)) return { diagnostics: sortDiagnostics(read.diagnostics) };
  const root = read.value;
  if (!isRecord(root)) {
    const empty = root === null || root === undefined;
    const start = source.doc.contents?.range?.[0] ?? 0;
    const d: Diagnostic = {
      file,
      ...source.span(start),
      severity: 'error',
      code: 'E_NOT_A_WORKFLOW',
      message: empty
        ? 'the file is empty'
        : `a workflow file must be a mapping (name:, steps:, ...), got ${Array.isArray(root) ? 'a list' : 'a single value'}`,
      hint: 'a workflow needs at least name: and steps: (see workflows/README.md)',
    };
    return { diagnostics: sortDiagnostics([...read.diagnostics, d]) };
  }
  const diagnostics = [
    ...read.diagnostics,
    ...validate(workflowSchema, { source, root, prefix: [], schema: workflowSchema, value: root })
      .diagnostics,
    ...checkWorkflow(source, root),
    ...checkExpressions({ source, root, inputs: declaredInputs(root), steps: stepIndex(root) }),
  ];
  const sorted = sortDiagnostics(dedupe(diagnostics));
  if (sorted.some((d) => d.severity === 'error')) return { diagnostics: sorted };
  const hash = createHash('sha256').update(text).digest('hex');
  const definition = normalise(root as z.output<typeof workflowSchema>, source, hash);
  return { definition: JSON.parse(JSON.stringify(definition)) as WorkflowDefinition, diagnostics: sorted };
}

function declaredInputs(root: Record<string, unknown>): Set<string> | undefined {
  const inputs = root['inputs'];
  if (inputs === undefined || inputs === null) return new Set();
  return isRecord(inputs) ? new Set(Object.keys(inputs).map((k) => k.toLowerCase())) : undefined;
}

function stepIndex(
  root: Record<string, unknown>,
): Map<string, { list: StepList; index: number; id: string }> {
  const out = new Map<string, { list: StepList; index: number; id: string }>();
  for (const list of STEP_LISTS) {
    const steps = root[list];
    if (!Array.isArray(steps)) continue;
    steps.forEach((step, index) => {
      const id = isRecord(step) ? step['id'] : undefined;
      if (typeof id === 'string' && id !== '' && !out.has(id.toLowerCase()))
        out.set(id.toLowerCase(), { list, index, id });
    });
  }
  return out;
}

function dedupe(list: Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  return list.filter((d) => {
    const key = `${d.line}:${d.column}:${d.code}:${d.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
