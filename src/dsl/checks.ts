// Checks that need more than one key at a time: step kinds and their `with`,
// duplicate step ids, keep/wait/for_each rules, input declarations and the inputs
// triggers set, and names that must be unique per run. Pure.
// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${{ }} is the workflow expression syntax, not a JS template
import { collectReferences, parseExpression, scanExpressions } from '../expr/index.js';
import { type Diagnostic, severityOf } from './diagnostics.js';
import { isRecord, where } from './describe.js';
import { checkInputValue } from './inputs.js';
import { pointAt, validate } from './issues.js';
import { INPUT_NAME_RE, INPUT_TYPES, STEP_LISTS } from './schema.js';
import type { Path, SourceFile } from './source.js';
import { DEFAULT_WAIT_STATUS, STEP_PARAMS } from './step-params.js';
import { didYouMean } from './suggest.js';
import { FOR_EACH_MAX_ITEMS, type InputType, STEP_KINDS, type StepKind } from './types.js';

const WAITING_KINDS = Object.keys(DEFAULT_WAIT_STATUS);

export function checkWorkflow(source: SourceFile, root: Record<string, unknown>): Diagnostic[] {
  const out: Diagnostic[] = [];
  const add = (
    code: string,
    path: Path,
    message: string,
    hint?: string,
    part: 'value' | 'key' | 'point' = 'value',
  ) => {
    const span = part === 'point' ? pointAt(source, path) : source.spanOf(path, part);
    const d: Diagnostic = { file: source.file, ...span, severity: severityOf(code), code, message };
    if (hint) d.hint = hint;
    out.push(d);
  };
  checkSteps(source, root, add, out);
  checkInputsAndTriggers(root, add);
  checkConcurrency(root, add);
  return out;
}

/** What `limit` beside each other policy would mean, for the diagnostic. */
const LIMIT_CONFLICT: Record<string, string> = {
  skip: 'skip drops a scheduled run while one of the group is active, so no second run ever starts',
  cancel_running: 'cancel_running cancels the active runs, so at most one ever runs',
  allow: 'allow puts no bound on the group',
};

/** `limit` bounds the runs of `overlap: queue`; beside another policy it is a contradiction. */
function checkConcurrency(root: Record<string, unknown>, add: Add) {
  const c = root['concurrency'];
  if (!isRecord(c) || c['limit'] === undefined) return;
  const overlap = c['overlap'];
  if (typeof overlap !== 'string' || !(overlap in LIMIT_CONFLICT)) return;
  add(
    'E_CONCURRENCY_LIMIT',
    ['concurrency', 'limit'],
    `concurrency.limit works only with overlap: queue, not overlap: ${overlap} (${LIMIT_CONFLICT[overlap]})`,
    `did you mean overlap: queue? With limit: ${String(c['limit'])} that many runs of the group run at once and the others wait their turn; or remove limit to keep overlap: ${overlap}`,
    'key',
  );
}

type Add = (
  code: string,
  path: Path,
  message: string,
  hint?: string,
  part?: 'value' | 'key' | 'point',
) => void;

function checkSteps(source: SourceFile, root: Record<string, unknown>, add: Add, out: Diagnostic[]) {
  const seen = new Map<string, Path>();
  for (const list of STEP_LISTS) {
    const steps = root[list];
    if (!Array.isArray(steps)) continue;
    steps.forEach((step, index) => {
      if (!isRecord(step)) return;
      const base: Path = [list, index];
      const who = where(base, root).owner;
      const id = step['id'];
      if (typeof id === 'string' && id !== '') {
        const first = seen.get(id);
        if (first) {
          const line = source.spanOf([...first, 'id']).line;
          add(
            'E_DUPLICATE_STEP_ID',
            [...base, 'id'],
            `step id '${id}' is already used at line ${line}`,
            'step ids must be unique across steps, finally and on_failure: outputs are read by id',
          );
        } else seen.set(id, base);
      }
      const uses = step['uses'];
      const kind =
        typeof uses === 'string' && (STEP_KINDS as readonly string[]).includes(uses)
          ? (uses as StepKind)
          : undefined;
      if (typeof uses === 'string' && !kind) {
        add(
          'E_UNKNOWN_STEP_KIND',
          [...base, 'uses'],
          `${who}: unknown step kind '${uses}'${didYouMean(uses, STEP_KINDS)}`,
          `step kinds: ${STEP_KINDS.join(', ')}`,
        );
      }
      if (kind && (step['with'] === undefined || isRecord(step['with']))) {
        const params = STEP_PARAMS[kind];
        const value = step['with'] ?? {};
        out.push(
          ...validate(params, { source, root, prefix: [...base, 'with'], schema: params, kind, value })
            .diagnostics,
        );
      }
      if (kind && 'keep' in step && kind !== 'instance.create') {
        add(
          'E_KEEP_NOT_CREATE',
          [...base, 'keep'],
          `${who}: keep applies only to instance.create, not ${kind}`,
          'remove keep here; put keep: true on the instance.create step whose box should outlive the run',
          'key',
        );
      }
      if (kind && step['wait'] !== undefined && step['wait'] !== false && !WAITING_KINDS.includes(kind)) {
        add(
          'E_WAIT_NOT_SUPPORTED',
          [...base, 'wait'],
          `${who}: ${kind} does not wait for a status`,
          `wait applies to ${WAITING_KINDS.join(', ')}; use an instance.wait step to wait for a status`,
          'key',
        );
      }
      const forEach = step['for_each'];
      if (typeof forEach === 'string' && forEach.includes('${{')) {
        const { segments } = scanExpressions(forEach);
        const only =
          segments.length === 1 && forEach.trim() === forEach.slice(segments[0]!.start, segments[0]!.end);
        if (!only)
          add(
            'E_FOR_EACH',
            [...base, 'for_each'],
            `${who}: for_each must be exactly one \${{ }} that yields a list, not text around it`,
            'e.g. for_each: ${{ steps.boxes.outputs.instances }}',
          );
      }
      if (Array.isArray(forEach) && forEach.length > FOR_EACH_MAX_ITEMS)
        add(
          'E_FOR_EACH',
          [...base, 'for_each'],
          `${who}: for_each lists ${forEach.length} items; a run takes at most ${FOR_EACH_MAX_ITEMS} per step`,
          'split the work over several runs, or raise engine.for_each_max_items (config) knowing each item is stored',
        );
      if ('max_parallel' in step && forEach === undefined) {
        add(
          'E_MAX_PARALLEL_WITHOUT_FOR_EACH',
          [...base, 'max_parallel'],
          `${who}: max_parallel has no effect without for_each`,
          'add for_each, or remove max_parallel',
          'key',
        );
      }
      if (kind === 'instance.create' || kind === 'instance.snapshot')
        checkUniqueName(kind, step, base, who, add);
    });
  }
}

/** Creates are adopted by name after a crash: the name must be unique to the run (and to the item). */
function checkUniqueName(kind: StepKind, step: Record<string, unknown>, base: Path, who: string, add: Add) {
  const name = isRecord(step['with']) ? step['with']['name'] : undefined;
  if (typeof name !== 'string') return;
  const read = new Set<string>();
  for (const seg of scanExpressions(name).segments) {
    try {
      for (const ref of collectReferences(parseExpression(seg.inner), seg.inner)) {
        read.add(ref.path[0]?.name ? `${ref.context}.${ref.path[0].name.toLowerCase()}` : ref.context);
      }
    } catch {
      return; // the expression check reports it
    }
  }
  const runKeys = kind === 'instance.create' ? ['run.id'] : ['run.id', 'run.scheduled_at'];
  const code = kind === 'instance.create' ? 'W_INSTANCE_NAME_NOT_UNIQUE' : 'W_SNAPSHOT_NAME_NOT_UNIQUE';
  const what = kind === 'instance.create' ? 'instance' : 'snapshot';
  const path = [...base, 'with', 'name'];
  if (!runKeys.some((k) => read.has(k))) {
    add(
      code,
      path,
      `${who}: the ${what} name does not contain \${{ ${runKeys.join(' }} or ${{ ')} }}`,
      `after a crash gcflow adopts the ${what} with this exact name instead of creating a second one; a name shared by several runs would adopt another run's ${what}. Put \${{ run.id }} in the name`,
    );
  } else if (
    step['for_each'] !== undefined &&
    !read.has('item') &&
    !read.has('index') &&
    ![...read].some((r) => r.startsWith('item.'))
  ) {
    add(
      code,
      path,
      `${who}: the ${what} name is the same for every for_each item`,
      `put \${{ item.name }} or \${{ index }} in the name, so each item gets its own ${what}`,
    );
  }
}

function checkInputsAndTriggers(root: Record<string, unknown>, add: Add) {
  const inputs = root['inputs'] === undefined ? {} : root['inputs'];
  if (!isRecord(inputs)) return;
  const specs = new Map<
    string,
    { type: InputType; enum?: unknown[]; required: boolean; hasDefault: boolean }
  >();
  for (const [name, spec] of Object.entries(inputs)) {
    const path: Path = ['inputs', name];
    if (!INPUT_NAME_RE.test(name)) {
      add(
        'E_INPUT_NAME',
        path,
        `input name '${name}' cannot be read as inputs.${name}`,
        'use letters, digits, _ and -, starting with a letter or _',
        'key',
      );
    }
    if (!isRecord(spec) || !(INPUT_TYPES as readonly string[]).includes(String(spec['type']))) continue;
    const type = spec['type'] as InputType;
    let enumValues = Array.isArray(spec['enum']) ? spec['enum'] : undefined;
    enumValues?.forEach((value, i) => {
      const checked = checkInputValue({ type }, value, 'trigger');
      if (!checked.ok) {
        add(
          'E_INPUT_ENUM',
          [...path, 'enum', i],
          `input '${name}': enum value ${checked.error}`,
          `every enum value must be of the input's type (${type})`,
        );
        enumValues = undefined;
      }
    });
    const hasDefault = spec['default'] !== undefined && spec['default'] !== null;
    if (hasDefault) {
      const checked = checkInputValue({ type, enum: enumValues }, spec['default'], 'trigger');
      if (!checked.ok)
        add(
          'E_INPUT_DEFAULT',
          [...path, 'default'],
          `input '${name}': default ${checked.error}`,
          `the default must be a valid ${type}${enumValues ? ' from the enum' : ''}`,
        );
    }
    specs.set(name, { type, enum: enumValues, required: spec['required'] === true, hasDefault });
  }
  const declared = Object.keys(inputs);
  const triggers = root['triggers'];
  if (!Array.isArray(triggers)) return;
  triggers.forEach((trigger, i) => {
    if (!isRecord(trigger)) return;
    const given = trigger['inputs'] === undefined ? {} : trigger['inputs'];
    if (!isRecord(given)) return;
    const base: Path = ['triggers', i, 'inputs'];
    for (const [name, value] of Object.entries(given)) {
      if (!Object.hasOwn(inputs, name)) {
        add(
          'E_TRIGGER_INPUT_UNKNOWN',
          [...base, name],
          `triggers[${i}]: input '${name}' is not declared${didYouMean(name, declared)}`,
          declared.length > 0 ? `declared inputs: ${declared.join(', ')}` : 'declare it under inputs: first',
          'key',
        );
        continue;
      }
      const spec = specs.get(name);
      if (!spec || value === null) continue;
      const checked = checkInputValue(spec, value, 'trigger');
      if (!checked.ok)
        add('E_TRIGGER_INPUT_TYPE', [...base, name], `triggers[${i}]: input '${name}' ${checked.error}`);
    }
    for (const [name, spec] of specs) {
      if (spec.required && !spec.hasDefault && (given[name] === undefined || given[name] === null)) {
        add(
          'E_TRIGGER_INPUT_MISSING',
          trigger['inputs'] === undefined ? ['triggers', i] : base,
          `triggers[${i}]: required input '${name}' has no value`,
          `set it under this trigger's inputs:, or give the input a default`,
          'point',
        );
      }
    }
  });
}
