/** A YAML file read with positions, so every problem found in its data can be reported as `file:line:col`. */
import { isMap, isSeq, LineCounter, parseAllDocuments, type Document, type Node } from 'yaml';
import type { Diagnostic, Position } from '../sigma/diagnostics.js';

export type Path = readonly (string | number)[];

export interface YamlSource {
  file: string;
  text: string;
  /** The first document's data (content objects are one per file). */
  value: unknown;
  documents: number;
  errors: Diagnostic[];
  /** Where the value at `path` starts; with `key`, where its key is written. Falls back to the closest parent. */
  at(path: Path, key?: boolean): Position;
}

export function readYamlSource(file: string, text: string): YamlSource {
  const lc = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true });
  const list: Document.Parsed[] = Array.isArray(docs) ? docs : [];
  const errors: Diagnostic[] = [];
  const pos = (offset: number): Position => {
    const p = lc.linePos(offset);
    return { line: p.line, col: p.col };
  };
  for (const d of list) {
    for (const e of d.errors) errors.push({ file, ...pos(e.pos[0]), severity: 'error', message: `YAML: ${e.message.split('\n')[0]}` });
  }
  const doc = list[0];
  let value: unknown;
  if (doc && errors.length === 0) value = doc.toJS({ maxAliasCount: 1000 });
  return {
    file,
    text,
    value,
    documents: list.length,
    errors,
    at(path, key = false) {
      let node: unknown = doc?.contents;
      let found: Position = { line: 1, col: 1 };
      if (node && (node as Node).range) found = pos((node as Node).range![0]);
      for (let i = 0; i < path.length; i++) {
        const seg = path[i]!;
        if (isMap(node)) {
          const pair = node.items.find((p) => String((p.key as { value?: unknown } | null)?.value ?? p.key) === String(seg));
          if (!pair) break;
          const keyNode = pair.key as Node | null;
          if (key && i === path.length - 1 && keyNode?.range) return pos(keyNode.range[0]);
          node = pair.value;
          const r = (pair.value as Node | null)?.range ?? keyNode?.range;
          if (r) found = pos(r[0]);
        } else if (isSeq(node) && typeof seg === 'number') {
          node = node.items[seg];
          const r = (node as Node | undefined)?.range;
          if (!r) break;
          found = pos(r[0]);
        } else break;
      }
      return found;
    },
  };
}
