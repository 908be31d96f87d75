// The rules for what an expression may read from where: declared inputs, steps that
// exist and run before the reader, run keys, item/index only in for_each. Pure.
import { type Reference, RUN_KEYS } from '../expr/index.js';
import type { StepList } from './schema.js';
import { didYouMean } from './suggest.js';

export type Role = 'with' | 'if' | 'for_each' | 'timeout' | 'wait';

export interface StepPlace {
  list: StepList;
  index: number;
  id: string | undefined;
  forEach: boolean;
}

export interface ReferenceScope {
  /** Lower-case declared input names; undefined when `inputs` is broken (no checks then). */
  inputs: Set<string> | undefined;
  /** Lower-case step id -> where it is (first occurrence). */
  steps: Map<string, { list: StepList; index: number; id: string }>;
}

export interface Problem {
  code: string;
  message: string;
  hint?: string;
  offset: number;
  length: number;
}

/** What is wrong with `ref` read by a step at `place` in `role`, if anything. */
export function referenceProblem(
  scope: ReferenceScope,
  place: StepPlace,
  role: Role,
  ref: Reference,
): Problem | undefined {
  const [first, second] = ref.path;
  const name = first?.name ?? null;
  const nameAt = (message: string, code: string, hint?: string): Problem => ({
    code,
    message,
    hint,
    offset: first?.offset ?? ref.offset,
    length: name?.length ?? ref.context.length,
  });
  switch (ref.context) {
    case 'inputs': {
      if (name === null || !scope.inputs || scope.inputs.has(name.toLowerCase())) return undefined;
      const declared = [...scope.inputs];
      return nameAt(
        `input '${name}' is not declared${didYouMean(name, declared)}`,
        'E_EXPR_UNDECLARED_INPUT',
        declared.length > 0
          ? `declared inputs: ${declared.join(', ')}; or declare '${name}' under inputs:`
          : `declare it under inputs: (e.g. ${name}: { type: string })`,
      );
    }
    case 'steps': {
      if (name === null) return undefined;
      const target = scope.steps.get(name.toLowerCase());
      if (!target) {
        const ids = [...scope.steps.values()].map((s) => s.id);
        return nameAt(
          `no step '${name}'${didYouMean(name, ids)}`,
          'E_EXPR_UNKNOWN_STEP',
          ids.length > 0 ? `step ids: ${ids.join(', ')}` : undefined,
        );
      }
      if (target.list === place.list && target.index === place.index) {
        return nameAt(
          `step '${target.id}' reads its own result`,
          'E_EXPR_SELF_REFERENCE',
          "a step's outputs exist only after it ran: read them in a later step",
        );
      }
      if (!runsBefore(target, place)) return orderProblem(target, place, nameAt);
      const prop = second?.name ?? null;
      if (prop !== null && !['outputs', 'status'].includes(prop.toLowerCase())) {
        return {
          code: 'E_EXPR_STEP_PROPERTY',
          message: `steps.${name}.${prop} does not exist${didYouMean(prop, ['outputs', 'status'])}`,
          hint: 'a step has outputs (steps.<id>.outputs.<key>) and status (steps.<id>.status)',
          offset: second?.offset ?? ref.offset,
          length: prop.length,
        };
      }
      return undefined;
    }
    case 'run':
      if (name === null || (RUN_KEYS as readonly string[]).includes(name.toLowerCase())) return undefined;
      return nameAt(
        `run has no key '${name}'${didYouMean(name, RUN_KEYS)}`,
        'E_EXPR_RUN_KEY',
        `run keys: ${RUN_KEYS.join(', ')}`,
      );
    case 'item':
    case 'index': {
      if (place.forEach && (role === 'with' || role === 'wait')) return undefined;
      const message = place.forEach
        ? `${ref.context} is not set in ${role}: it is evaluated once for the whole step, before the items`
        : `${ref.context} is only set inside a step with for_each`;
      return {
        code: 'E_EXPR_ITEM_OUTSIDE_FOR_EACH',
        message,
        hint: 'item and index can be read in with and wait of a for_each step',
        offset: ref.offset,
        length: ref.context.length,
      };
    }
    default:
      return undefined;
  }
}

function runsBefore(target: { list: StepList; index: number }, place: StepPlace): boolean {
  if (target.list === place.list) return target.index < place.index;
  return target.list === 'steps';
}

function orderProblem(
  target: { list: StepList; id: string },
  place: StepPlace,
  nameAt: (m: string, c: string, h?: string) => Problem,
): Problem {
  if (target.list === place.list) {
    return nameAt(
      `step '${target.id}' runs after this one`,
      'E_EXPR_STEP_ORDER',
      `steps run in order: move '${target.id}' before this step, or read it later`,
    );
  }
  if (place.list === 'steps') {
    return nameAt(
      `step '${target.id}' is a ${target.list} step: it runs after the main steps`,
      'E_EXPR_STEP_ORDER',
      'main steps may read only earlier main steps',
    );
  }
  return nameAt(
    `step '${target.id}' is ${target.list === 'on_failure' ? 'an' : 'a'} ${target.list} step and does not run before ${place.list} steps`,
    'E_EXPR_STEP_ORDER',
    `${place.list} steps may read main steps and earlier ${place.list} steps`,
  );
}
