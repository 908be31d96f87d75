// Reads YAML text into a SourceFile, refusing what could be expensive or ambiguous
// before anything is resolved: files over 1 MiB, anchors and aliases (an alias bomb
// costs nothing), deep nesting; turns YAML errors into diagnostics. Pure.
import {
  type Document,
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  parseDocument,
  type YAMLMap,
} from 'yaml';
import { type Diagnostic, severityOf } from './diagnostics.js';
import { MAX_FILE_BYTES, type Path, SourceFile, type Span, tooLarge, utf8Length } from './source.js';

const MAX_DEPTH = 64;

export interface ReadResult {
  source?: SourceFile;
  /** The plain value, only when the YAML is sound (duplicate keys aside). */
  value?: unknown;
  diagnostics: Diagnostic[];
}

/** UTF-8 length without allocating the encoding. */
export function readYaml(text: string, file: string): ReadResult {
  if (text.length > MAX_FILE_BYTES || utf8Length(text) > MAX_FILE_BYTES) {
    return { diagnostics: [tooLarge(file, utf8Length(text))] };
  }
  const lines = new LineCounter();
  const diagnostics: Diagnostic[] = [];
  const at = (code: string, span: Span, message: string, hint?: string): Diagnostic => ({
    file,
    ...span,
    severity: severityOf(code),
    code,
    message,
    ...(hint ? { hint } : {}),
  });
  let doc: Document.Parsed;
  try {
    doc = parseDocument(text, {
      lineCounter: lines,
      keepSourceTokens: true,
      prettyErrors: false,
      uniqueKeys: true,
    });
  } catch (err) {
    return {
      diagnostics: [
        at(
          'E_YAML_SYNTAX',
          { line: 1, column: 1, endLine: 1, endColumn: 1 },
          `cannot parse: ${(err as Error).message}`,
        ),
      ],
    };
  }
  const source = new SourceFile(file, text, doc, lines);
  let fatal = false;
  const later: unknown[] = [];
  for (const e of doc.errors) {
    const span = source.span(e.pos[0], e.pos[1]);
    if (e.code === 'DUPLICATE_KEY') {
      const found = pairAt(doc, e.pos[0]);
      const keyNode = found?.map.items[found.index]?.key as Node | undefined;
      const key = isScalar(keyNode) ? String(keyNode.value) : text.slice(e.pos[0], e.pos[1]);
      const place = keyNode?.range ? source.span(keyNode.range[0], keyNode.range[1]) : span;
      const first = found?.map.items.find((p) => isScalar(p.key) && String(p.key.value) === key)?.key as
        | Node
        | undefined;
      const firstLine =
        first?.range && first !== keyNode
          ? ` (the first, at line ${source.span(first.range[0]).line}, is used)`
          : '';
      const hint = 'each key may appear once in a mapping: remove or merge one of them';
      diagnostics.push(at('E_DUPLICATE_KEY', place, `duplicate key '${key}'${firstLine}`, hint));
      if (found && firstLine) later.push(found.map.items[found.index]);
    } else if (e.code === 'MULTIPLE_DOCS') {
      fatal = true;
      diagnostics.push(
        at(
          'E_YAML_MULTIPLE_DOCUMENTS',
          span,
          'a workflow file holds one YAML document; this one has more (---)',
          'put each workflow in its own file',
        ),
      );
    } else {
      fatal = true;
      diagnostics.push(at('E_YAML_SYNTAX', span, firstLine(e.message), yamlHint(e.code)));
    }
  }
  for (const w of doc.warnings) {
    diagnostics.push(
      at(
        'W_YAML',
        source.span(w.pos[0], w.pos[1]),
        firstLine(w.message),
        'gcflow reads plain YAML: remove the tag',
      ),
    );
  }
  if (fatal) return { source, diagnostics };
  // The first of duplicate keys wins, so the rest of the file is checked against one value.
  for (const pair of later) {
    const found = pairAt(doc, (pair as { key: Node }).key.range?.[0] ?? -1);
    found?.map.items.splice(found.index, 1);
  }

  const refused = refuseAliasesAndDepth(doc, source, at);
  if (refused.length > 0) return { source, diagnostics: [...diagnostics, ...refused] };
  try {
    return { source, value: doc.toJS({ maxAliasCount: 0 }), diagnostics };
  } catch (err) {
    diagnostics.push(
      at('E_YAML_SYNTAX', source.span(0), `cannot read the document: ${(err as Error).message}`),
    );
    return { source, diagnostics };
  }
}

/**
 * One pass over the nodes in document order, without resolving anything: reports the
 * first anchor and the first alias (with how many there are), and refuses deep nesting.
 */
function refuseAliasesAndDepth(
  doc: Document.Parsed,
  source: SourceFile,
  at: (code: string, span: Span, message: string, hint?: string) => Diagnostic,
): Diagnostic[] {
  const hint =
    'gcflow refuses YAML anchors and aliases (they can expand a small file into a huge one): write the value out';
  let anchors = 0;
  let aliases = 0;
  let firstAnchor: Node | undefined;
  let firstAlias: Node | undefined;
  const stack: Array<{ node: unknown; depth: number }> = [{ node: doc.contents, depth: 0 }];
  while (stack.length > 0) {
    const { node, depth } = stack.pop()!;
    if (node === null || typeof node !== 'object') continue;
    if (depth > MAX_DEPTH) {
      const range = (node as Node).range;
      return [
        at(
          'E_YAML_SYNTAX',
          source.span(range?.[0] ?? 0),
          `nested deeper than ${MAX_DEPTH} levels`,
          'flatten the structure',
        ),
      ];
    }
    if (isAlias(node)) {
      aliases++;
      firstAlias ??= node;
      continue;
    }
    if (isPair(node)) {
      stack.push({ node: node.value, depth }, { node: node.key, depth });
      continue;
    }
    const n = node as Node;
    if (n.anchor) {
      anchors++;
      firstAnchor ??= n;
    }
    if (isMap(n) || isSeq(n))
      for (let i = n.items.length - 1; i >= 0; i--) stack.push({ node: n.items[i], depth: depth + 1 });
  }
  const out: Diagnostic[] = [];
  const counts = `(${anchors} anchor${anchors === 1 ? '' : 's'} and ${aliases} alias${aliases === 1 ? '' : 'es'} in this file)`;
  if (firstAnchor) {
    // The node's range starts after its properties: find the `&name` before it.
    const start = firstAnchor.range?.[0] ?? 0;
    const mark = source.text.lastIndexOf(`&${firstAnchor.anchor}`, start);
    const from = mark >= 0 ? mark : start;
    const span = source.span(from, from + 1 + String(firstAnchor.anchor).length);
    out.push(at('E_YAML_ALIAS', span, `anchor &${firstAnchor.anchor} refused ${counts}`, hint));
  }
  if (firstAlias && isAlias(firstAlias)) {
    const r = firstAlias.range;
    out.push(
      at(
        'E_YAML_ALIAS',
        source.span(r?.[0] ?? 0, r?.[1]),
        `alias *${firstAlias.source} refused ${counts}`,
        hint,
      ),
    );
  }
  return out;
}

/** The pair whose key starts at `offset` (a DUPLICATE_KEY error points at it with a one-character range). */
function pairAt(doc: Document.Parsed, offset: number): { map: YAMLMap; index: number } | undefined {
  const stack: unknown[] = [doc.contents];
  while (stack.length > 0) {
    const node = stack.pop();
    if (isMap(node)) {
      const index = node.items.findIndex((p) => (p.key as Node | null)?.range?.[0] === offset);
      if (index >= 0) return { map: node, index };
      for (const pair of node.items) stack.push(pair.value);
    } else if (isSeq(node)) stack.push(...node.items);
  }
  return undefined;
}

function firstLine(message: string): string {
  const line = message.split('\n')[0] ?? message;
  return line.replace(/ at line \d+, column \d+:?$/, '').replace(/^(\w)/, (c) => c.toLowerCase());
}

function yamlHint(code: string): string {
  switch (code) {
    case 'TAB_AS_INDENT':
      return 'indent with spaces, not tabs';
    case 'BAD_INDENT':
    case 'MISSING_CHAR':
    case 'UNEXPECTED_TOKEN':
      return 'check the indentation and punctuation of this line against the lines around it';
    case 'BLOCK_AS_IMPLICIT_KEY':
    case 'MULTILINE_IMPLICIT_KEY':
      return 'a key must fit on one line and be followed by ": "; quote values that contain ": " or " #"';
    default:
      return 'fix the YAML here; quote values that contain ": ", " #" or start with a special character';
  }
}

/** Where `path` is in `text` (for problems found outside the parser, e.g. duplicate names across files). */
export function spanOfPath(text: string, file: string, path: Path): Span {
  const read = readYaml(text, file);
  return read.source ? read.source.spanOf(path) : { line: 1, column: 1, endLine: 1, endColumn: 1 };
}
