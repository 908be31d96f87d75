// How the janitor recognises gcflow's boxes when Redis has forgotten them: every
// instance.create step names its box from a template (`batch-${{ run.id }}`), and a
// run id has a known shape per workflow. A template with `${{ run.id }}` becomes a
// pattern that only names made by a run of that workflow match. Templates without
// the run id are not used: such a name could be anybody's. Pure.
import { stepsOf } from '../engine/advance.js';
import type { WorkflowDefinition } from '../dsl/types.js';
import { scanExpressions } from '../expr/index.js';

export interface NameTemplate {
  workflow: string;
  step: string;
  /** As written, for messages. */
  template: string;
  pattern: RegExp;
}

const escapeRegex = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const RUN_ID = /^\s*run\.id\s*$/;

/** A run id of `workflow`: manual (`<wf>-<base36 time><8 hex>`) or scheduled (`<wf>-t<n>-<stamp>z`). */
export const runIdPattern = (workflow: string): string =>
  `${escapeRegex(workflow)}-(?:[0-9a-z]{6,12}[0-9a-f]{8}|t\\d+-\\d{8}t\\d{6}z)`;

export function nameTemplates(defs: Iterable<WorkflowDefinition>): NameTemplate[] {
  const out: NameTemplate[] = [];
  for (const def of defs) {
    for (const phase of ['main', 'on_failure', 'finally'] as const) {
      for (const spec of stepsOf(def, phase)) {
        if (spec.uses !== 'instance.create') continue;
        const template = spec.with['name'];
        if (typeof template !== 'string') continue;
        const pattern = toPattern(template, def.name);
        if (pattern) out.push({ workflow: def.name, step: spec.id, template, pattern });
      }
    }
  }
  return out;
}

function toPattern(template: string, workflow: string): RegExp | undefined {
  const { segments, unterminatedAt } = scanExpressions(template);
  if (unterminatedAt !== undefined || !segments.some((s) => RUN_ID.test(s.inner))) return undefined;
  let source = '';
  let at = 0;
  for (const s of segments) {
    source += escapeRegex(template.slice(at, s.start));
    source += RUN_ID.test(s.inner) ? runIdPattern(workflow) : '.+?';
    at = s.end;
  }
  source += escapeRegex(template.slice(at));
  return new RegExp(`^${source}$`);
}

/** The run id inside a name made from `t`, when the template holds it once. */
export function runIdIn(name: string, t: NameTemplate): string | undefined {
  const id = new RegExp(runIdPattern(t.workflow), 'g');
  return name.match(id)?.[0];
}
