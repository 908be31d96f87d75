// A parsed workflow file with positions: maps a key path back to line:col, and the
// size limit every workflow file is held to. Pure: imports only yaml.
import { type Document, isMap, isScalar, isSeq, type LineCounter, type Node } from 'yaml';
import type { Diagnostic } from './diagnostics.js';

export const MAX_FILE_BYTES = 1024 * 1024;

export type Path = ReadonlyArray<string | number>;

export interface Span {
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

export interface Located {
  /** The node at the path, or the deepest one that exists. */
  node: Node | null | undefined;
  /** The key of the pair that holds `node`, when it is a mapping value. */
  key: Node | undefined;
  found: boolean;
}

export class SourceFile {
  constructor(
    readonly file: string,
    readonly text: string,
    readonly doc: Document.Parsed,
    private readonly lines: LineCounter,
  ) {}

  span(start: number, end = start): Span {
    const a = this.lines.linePos(Math.max(0, Math.min(start, this.text.length)));
    const b = this.lines.linePos(Math.max(0, Math.min(Math.max(end, start), this.text.length)));
    return { line: a.line, column: a.col, endLine: b.line, endColumn: b.col };
  }

  locate(path: Path): Located {
    let node: Node | null | undefined = this.doc.contents;
    let key: Node | undefined;
    for (const segment of path) {
      if (isMap(node)) {
        const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(segment));
        if (!pair) return { node, key, found: false };
        key = pair.key as Node;
        node = pair.value as Node | null;
      } else if (isSeq(node) && Number.isInteger(Number(segment))) {
        const item = node.items[Number(segment)] as Node | undefined;
        if (item === undefined) return { node, key, found: false };
        key = undefined;
        node = item;
      } else {
        return { node, key, found: false };
      }
    }
    return { node, key, found: true };
  }

  /** Where to point for `path`: its value (or key), or the closest place that exists. */
  spanOf(path: Path, part: 'value' | 'key' = 'value'): Span {
    const { node, key, found } = this.locate(path);
    if (found && part === 'key' && key?.range) return this.span(key.range[0], key.range[1]);
    if (found && node?.range && node.range[1] > node.range[0]) return this.span(node.range[0], node.range[1]);
    if (key?.range) return this.span(key.range[0], key.range[1]);
    if (node?.range) return this.span(node.range[0]);
    return this.span(0);
  }
}

export function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}

export function tooLarge(file: string, bytes: number): Diagnostic {
  return {
    file,
    line: 1,
    column: 1,
    severity: 'error',
    code: 'E_FILE_TOO_LARGE',
    message: `file is ${(bytes / 1024 / 1024).toFixed(1)} MiB; workflow files may be at most 1 MiB`,
    hint: 'a workflow this large is almost certainly not one: split it, or move data out of the file',
  };
}
