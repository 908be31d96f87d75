// Maps an offset inside a scalar's value (after YAML unquoted and unfolded it) back
// to the file, as exactly as the source allows: verbatim values and literal blocks
// exactly, other forms at the `${{` of the expression, else at the scalar. Pure.
import { isScalar } from 'yaml';
import type { Path, SourceFile, Span } from './source.js';

export interface ValueRange {
  /** Offset of the place inside the value. */
  offset: number;
  length: number;
  /** Offset in the value of the `${{` this place belongs to, if any. */
  segmentStart?: number;
}

export function spanInValue(source: SourceFile, path: Path, value: string, at: ValueRange): Span {
  const { node, found } = source.locate(path);
  if (!found || !isScalar(node) || !node.range) return source.spanOf(path);
  const [start, end] = node.range;
  const raw = source.text.slice(start, end);
  const mapped = mapOffset(raw, value, at, String(node.type ?? ''));
  if (mapped === undefined) return source.span(start, end);
  return source.span(start + mapped, start + mapped + Math.max(1, at.length));
}

function mapOffset(raw: string, value: string, at: ValueRange, type: string): number | undefined {
  // Plain scalars and quoted ones without escapes hold the value verbatim.
  if (value !== '' && !value.includes('\n')) {
    const idx = raw.indexOf(value);
    if (idx >= 0) return idx + at.offset;
  }
  if (type === 'BLOCK_LITERAL') {
    const exact = inLiteralBlock(raw, value, at.offset);
    if (exact !== undefined) return exact;
  }
  if (at.segmentStart !== undefined) {
    const k = countOccurrences(value.slice(0, at.segmentStart), '${{');
    const rawStart = nthIndexOf(raw, '${{', k);
    if (rawStart >= 0) {
      const between = value.slice(at.segmentStart, at.offset);
      return raw.startsWith(between, rawStart) ? rawStart + between.length : rawStart;
    }
  }
  return undefined;
}

/** `|` blocks keep lines as they are, minus the indentation: line L of the value is line L+1 of the source. */
function inLiteralBlock(raw: string, value: string, offset: number): number | undefined {
  const before = value.slice(0, offset);
  const line = countOccurrences(before, '\n');
  const column = offset - (before.lastIndexOf('\n') + 1);
  const valueLine = value.split('\n')[line] ?? '';
  const rawLines = raw.split('\n');
  const rawLine = rawLines[line + 1];
  if (rawLine === undefined || !rawLine.endsWith(valueLine)) return undefined;
  let lineStart = 0;
  for (let i = 0; i <= line; i++) lineStart += rawLines[i]!.length + 1;
  return lineStart + (rawLine.length - valueLine.length) + column;
}

function countOccurrences(text: string, needle: string): number {
  let n = 0;
  for (let i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + needle.length)) n++;
  return n;
}

function nthIndexOf(text: string, needle: string, n: number): number {
  let i = text.indexOf(needle);
  for (let k = 0; k < n && i >= 0; k++) i = text.indexOf(needle, i + needle.length);
  return i;
}
