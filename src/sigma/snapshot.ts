/**
 * YAML nodes as plain data, and back. Scalars keep their source text when it is not a string (`1.10` stays `1.10`,
 * which the engine and the converters read). The fast YAML path (fast-yaml.ts) produces these directly, and worker
 * threads receive rules in this form (portable.ts).
 */
import { isMap, isScalar, isSeq, Pair, Scalar, YAMLMap, YAMLSeq, type Node } from 'yaml';
import { plainValue } from './fast-yaml.js';

export type NodeSnapshot =
  | { s: string | number | boolean | null; src?: string }
  | { m: [NodeSnapshot, NodeSnapshot | null][] }
  | { q: (NodeSnapshot | null)[] };

/** An alias (`*anchor`) has no snapshot: it would have to be resolved, and rules almost never use one. */
export class NoSnapshot extends Error {}

export function snapshot(node: Node): NodeSnapshot {
  if (isMap(node)) return { m: node.items.map((p) => [snapshot(p.key as Node), p.value == null ? null : snapshot(p.value as Node)]) };
  if (isSeq(node)) return { q: node.items.map((x) => (x == null ? null : snapshot(x as Node))) };
  if (!isScalar(node)) throw new NoSnapshot();
  const sc = node as Scalar;
  const value = sc.value as string | number | boolean | null;
  return sc.source !== undefined && typeof value !== 'string' ? { s: value, src: sc.source } : { s: value };
}

/** YAML nodes (without positions) from a snapshot. */
export function fromSnapshot(s: NodeSnapshot): Node {
  if ('m' in s) {
    const map = new YAMLMap();
    for (const [k, v] of s.m) map.items.push(new Pair(fromSnapshot(k), v === null ? null : fromSnapshot(v)));
    return map;
  }
  if ('q' in s) {
    const seq = new YAMLSeq();
    for (const x of s.q) seq.items.push(x === null ? null : fromSnapshot(x));
    return seq;
  }
  // JSON has no Infinity or NaN (`.inf`, `.nan`): they reach workers as null, and their source text restores them.
  const sc = new Scalar(s.s === null && s.src ? plainValue(s.src) : s.s);
  if (s.src !== undefined) sc.source = s.src;
  return sc;
}
