/**
 * A rule document as plain data: what the loader, the compiler, the converters and worker threads read, whichever
 * parser produced it (fast-yaml.ts from js-yaml, or the `yaml` library with positions). Scalars keep their source
 * text when it is not a string (`1.10` stays `1.10`, which the engine and the converters read).
 */
import { isAlias, isMap, isSeq, type Document, type Node, type Scalar } from 'yaml';
import { RuleError, type Position } from './diagnostics.js';
import type { Json, JsonObject } from './fields.js';
import { plainValue } from './fast-yaml.js';

export type ScalarSnapshot = { s: string | number | boolean | null; src?: string };
export type MapSnapshot = { m: [NodeSnapshot, NodeSnapshot | null][] };
export type SeqSnapshot = { q: (NodeSnapshot | null)[] };
export type NodeSnapshot = ScalarSnapshot | MapSnapshot | SeqSnapshot;

export const isMapSnapshot = (n: NodeSnapshot | null | undefined): n is MapSnapshot => !!n && 'm' in n;
export const isSeqSnapshot = (n: NodeSnapshot | null | undefined): n is SeqSnapshot => !!n && 'q' in n;
export const isScalarSnapshot = (n: NodeSnapshot | null | undefined): n is ScalarSnapshot => !!n && 's' in n;

/** A scalar's value. JSON has no Infinity or NaN (`.inf`, `.nan`): they reach workers as null, the text restores them. */
export function scalarValue(n: ScalarSnapshot): string | number | boolean | null {
  return n.s === null && n.src ? plainValue(n.src) : n.s;
}

/** The value of a map's key that is the scalar `key`, and that key's node. */
export function entry(map: MapSnapshot, key: string): [NodeSnapshot, NodeSnapshot | null] | undefined {
  return map.m.find(([k]) => isScalarSnapshot(k) && scalarValue(k) === key);
}

/** The document as JSON, as the `yaml` library's toJSON() gives it (keys are strings; null is ''). */
export function plain(n: NodeSnapshot | null): Json {
  if (n === null) return null;
  if (isScalarSnapshot(n)) return scalarValue(n);
  if (isSeqSnapshot(n)) return n.q.map(plain);
  const out: JsonObject = {};
  for (const [k, v] of n.m) {
    const kv = plain(k);
    const key = kv === null ? '' : typeof kv === 'object' ? JSON.stringify(kv) : String(kv);
    // `__proto__` and other inherited names become own properties, as in yaml's toJSON
    if (key in out) Object.defineProperty(out, key, { value: plain(v), writable: true, enumerable: true, configurable: true });
    else out[key] = plain(v);
  }
  return out;
}

/** Positions of a document's nodes: `at` reads one from a `yaml` node, `of` receives those of the snapshot's nodes. */
export interface Positions {
  at(node: Node): Position | undefined;
  of: WeakMap<NodeSnapshot, Position>;
}

/** A `yaml` node as a snapshot. An alias is replaced by what it names, which makes anchors work as YAML means them. */
export function snapshot(node: Node, doc: Document, positions?: Positions, path = new Set<Node>()): NodeSnapshot {
  if (isAlias(node)) {
    const target = node.resolve(doc) as Node | undefined;
    if (!target || path.has(target)) throw new RuleError(`alias *${node.source} names no anchor before it, or itself`, positions?.at(node));
    path.add(target);
    const made = snapshot(target, doc, positions, path);
    path.delete(target);
    return made;
  }
  let made: NodeSnapshot;
  if (isMap(node)) {
    made = { m: node.items.map((p) => [snapshot(p.key as Node, doc, positions, path), p.value == null ? null : snapshot(p.value as Node, doc, positions, path)]) };
  } else if (isSeq(node)) {
    made = { q: node.items.map((x) => (x == null ? null : snapshot(x as Node, doc, positions, path))) };
  } else {
    const sc = node as Scalar;
    const value = sc.value as string | number | boolean | null;
    made = sc.source !== undefined && typeof value !== 'string' ? { s: value, src: sc.source } : { s: value };
  }
  const pos = positions?.at(node);
  if (pos) positions!.of.set(made, pos);
  return made;
}
