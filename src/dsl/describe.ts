// Words for diagnostics: where in the file a path is ("step 'keep': retry.attempts")
// and what a value is ("'abc'", "a list"). Pure; imports nothing that does I/O.
// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${{ }} is the workflow expression syntax, not a JS template
import type { Path } from './source.js';

const LIST_LABEL: Record<string, string> = {
  steps: 'step',
  finally: 'finally step',
  on_failure: 'on_failure step',
};

export interface Where {
  /** `step 'keep'`, `triggers[0]`, `input 'script'`, or empty at the top level. */
  owner: string;
  /** The rest of the path: `retry.attempts`, `with.fallback[1].type`. */
  field: string;
}

export function where(path: Path, root: unknown): Where {
  const [head, index] = path;
  if (typeof head === 'string' && head in LIST_LABEL && typeof index === 'number') {
    const id = stepIdAt(root, head, index);
    const owner = id ? `${LIST_LABEL[head]} '${id}'` : `${head}[${index}]`;
    return { owner, field: formatPath(path.slice(2)) };
  }
  if (head === 'triggers' && typeof index === 'number')
    return { owner: `triggers[${index}]`, field: formatPath(path.slice(2)) };
  if (head === 'inputs' && index !== undefined)
    return { owner: `input '${index}'`, field: formatPath(path.slice(2)) };
  return { owner: '', field: formatPath(path) };
}

/** `owner: text`, or just `text` at the top level. */
export function owned(w: Where, text: string): string {
  return w.owner ? `${w.owner}: ${text}` : text;
}

/** `field` or, for the owner itself, a word that names it. */
export function fieldName(w: Where): string {
  return w.field || (w.owner ? 'the value' : 'the workflow');
}

export function formatPath(path: Path): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else out += out === '' ? segment : `.${segment}`;
  }
  return out;
}

export function stepIdAt(root: unknown, list: string, index: number): string | undefined {
  const steps = isRecord(root) ? root[list] : undefined;
  const step = Array.isArray(steps) ? steps[index] : undefined;
  const id = isRecord(step) ? step['id'] : undefined;
  return typeof id === 'string' && id !== '' ? id : undefined;
}

export function describeValue(value: unknown): string {
  if (value === undefined || value === null) return 'nothing';
  if (typeof value === 'string') {
    const short = value.length > 40 ? `${value.slice(0, 37)}...` : value;
    return `'${short.replace(/\n/g, '\\n')}'`;
  }
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return 'a list';
  return 'a mapping';
}

const EXPECTED: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'an integer',
  boolean: 'true or false',
  object: 'a mapping',
  record: 'a mapping',
  map: 'a mapping',
  array: 'a list',
  tuple: 'a list',
  null: 'nothing',
  expression: 'an expression ${{ }}',
  duration: 'a duration such as 30s',
};

export function expectedName(expected: string): string {
  return EXPECTED[expected] ?? expected;
}

/** `a, b or c`. */
export function oneOf(words: readonly string[]): string {
  const unique = [...new Set(words)];
  if (unique.length <= 1) return unique[0] ?? '';
  return `${unique.slice(0, -1).join(', ')} or ${unique[unique.length - 1]}`;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
