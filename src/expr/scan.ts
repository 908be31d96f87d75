// Finds the `${{ ... }}` segments of a string, with their offsets, so the evaluator
// can interpolate them and the validator can point at them. Pure; imports nothing.

export interface Segment {
  /** Offset of `${{` in the text. */
  start: number;
  /** Offset just after the closing `}}`. */
  end: number;
  /** The expression between the braces, untrimmed. */
  inner: string;
  /** Offset of `inner` in the text (start + 3). */
  innerStart: number;
}

export interface ScanResult {
  segments: Segment[];
  /** A `${{` without its `}}`: the offset of that `${{`. */
  unterminatedAt?: number;
}

const OPEN = '${{';

/** Every `${{ }}` in `text`; a `}}` inside a single-quoted string literal does not close it. */
export function scanExpressions(text: string): ScanResult {
  const segments: Segment[] = [];
  let from = 0;
  for (;;) {
    const start = text.indexOf(OPEN, from);
    if (start < 0) return { segments };
    const innerStart = start + OPEN.length;
    let inString = false;
    let close = -1;
    for (let i = innerStart; i < text.length; i++) {
      const c = text[i];
      if (c === "'")
        inString = !inString; // '' (an escaped quote) toggles twice
      else if (!inString && c === '}' && text[i + 1] === '}') {
        close = i;
        break;
      }
    }
    if (close < 0) return { segments, unterminatedAt: start };
    segments.push({ start, end: close + 2, inner: text.slice(innerStart, close), innerStart });
    from = close + 2;
  }
}

/** True when `text` holds an expression marker at all (cheap pre-check). */
export function hasExpression(text: string): boolean {
  return text.includes(OPEN);
}

/** True when any string in `value` (deep over arrays and object values) holds an expression marker. */
export function containsExpression(value: unknown): boolean {
  if (typeof value === 'string') return hasExpression(value);
  if (Array.isArray(value)) return value.some(containsExpression);
  if (value !== null && typeof value === 'object') return Object.values(value).some(containsExpression);
  return false;
}

/**
 * The one segment when `text` is exactly one `${{ }}` (surrounding whitespace
 * allowed): its value keeps its type (number, list, object...). Else undefined.
 */
export function singleExpression(text: string): Segment | undefined {
  const { segments, unterminatedAt } = scanExpressions(text);
  if (unterminatedAt !== undefined || segments.length !== 1) return undefined;
  const only = segments[0]!;
  if (text.slice(0, only.start).trim() !== '' || text.slice(only.end).trim() !== '') return undefined;
  return only;
}
