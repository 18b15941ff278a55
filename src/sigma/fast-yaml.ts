/**
 * Fast path for reading rule YAML: js-yaml (7-9x faster than the `yaml` library's Document API on rule files) turned
 * into the same plain snapshots (snapshot.ts) that `yaml` gives, with the `yaml` library's own YAML 1.2 core
 * schema deciding what a plain scalar means (so `1.10`, `0x1F`, `~`, `True` resolve exactly as on the reference path).
 *
 * Why: with thousands of rules, parsing with `yaml` was most of a hunt's start-up (0.25 ms per file, and as much again
 * in garbage collection). `yaml` stays the reference: it gives positions for diagnostics, so load.ts parses a file
 * with it again whenever the fast path bails out or the rule has anything to report. The fast path returns undefined
 * for anything it does not map one to one: a js-yaml error, anchors and aliases, explicit tags, complex keys, keys
 * that a JS object would reorder or that resolve to the same value, text that could carry the plain-scalar marker.
 * test/fast-yaml.test.ts compares both paths on every real rule and on generated edge cases.
 */
import jsyaml from 'js-yaml';
import { Document, isScalar, type Scalar } from 'yaml';
import type { NodeSnapshot, ScalarSnapshot } from './snapshot.js';

/** One document of the fast path: its root and where the root starts (1-based, as `yaml` reports it). */
export interface FastDoc {
  root: NodeSnapshot;
  line: number;
  col: number;
}

/** A plain (unquoted) scalar's text, kept unresolved; as a mapping key js-yaml stringifies it with the marker. */
const MARK = '\u0000';
class Plain {
  constructor(readonly text: string) {}
  // js-yaml turns keys into strings, and replaces objects whose class tag is [object Object] with that text
  get [Symbol.toStringTag]() {
    return 'Plain';
  }
  toString() {
    return MARK + this.text;
  }
}
const PLAIN_TAG = 'tag:tideline,plain';
// Implicit types apply to plain scalars only: quoted and block scalars stay strings (the failsafe schema's str).
const SCHEMA = jsyaml.FAILSAFE_SCHEMA.extend({
  implicit: [new jsyaml.Type(PLAIN_TAG, { kind: 'scalar', resolve: () => true, construct: (text: string) => new Plain(text) })],
});

// The tags a default `yaml` Document resolves plain scalars with (YAML 1.2 core), in its order.
const CORE = new Document().schema;
type ScalarTagLike = { default?: boolean | 'key'; test?: RegExp; resolve: (s: string, onError: (m: string) => void, o: object) => unknown };
const CORE_TAGS = (CORE.tags as ScalarTagLike[]).filter((t) => t.test);
const STRING_TAG = (CORE as unknown as Record<symbol, ScalarTagLike>)[Symbol.for('yaml.scalar')]!;
const RESOLVE_OPTIONS = new Document().options;

// Bail-out screens on the text. Escapes that make a NUL (which could fake the marker); `?` explicit keys and flow
// collections used as keys (js-yaml would stringify them).
const NUL_ESCAPE = /\u0000|\\(?:0|x00|u0000|U00000000)/;
const COMPLEX_KEY = /^[ \t-]*\?(?:[ \t]|$)|[\]}][ \t]*:(?:[ \t]|$)/m;
// A key made of digits only is put first by a JS object, whatever its place in the file.
const INDEX_KEY = /^(?:0|[1-9]\d*)$/;

class Bail extends Error {}

/** What js-yaml's listener sees (its typings list only part of it). */
interface ListenerState {
  depth: number;
  line: number;
  lineStart: number;
  position: number;
  anchor: string | null;
  tag: string | null;
}

/** The documents of a rule file, or undefined when the reference parser must read it. */
export function fastParse(src: string, file: string): FastDoc[] | undefined {
  if (NUL_ESCAPE.test(src) || COMPLEX_KEY.test(src)) return undefined;
  const starts: { line: number; col: number }[] = [];
  let unusual = false;
  let values: unknown[];
  try {
    values = jsyaml.loadAll(src, undefined, {
      filename: file,
      schema: SCHEMA,
      listener(event, s) {
        const state = s as unknown as ListenerState;
        if (event === 'open') {
          // a document root opens after the separation space, directives and `---` before it
          if (state.depth === 1) starts.push({ line: state.line + 1, col: state.position - state.lineStart + 1 });
          return;
        }
        if (state.anchor !== null) unusual = true;
        if (state.tag !== null && state.tag !== '!' && state.tag !== PLAIN_TAG) unusual = true;
      },
    });
  } catch {
    return undefined;
  }
  if (unusual || starts.length !== values.length) return undefined;
  try {
    const docs: FastDoc[] = [];
    values.forEach((v, i) => {
      if (v === null || v === undefined) return; // an empty document: `yaml` gives no contents either
      docs.push({ root: snap(v), ...starts[i]! });
    });
    return docs;
  } catch (e) {
    if (e instanceof Bail) return undefined;
    throw e;
  }
}

function snap(v: unknown): NodeSnapshot {
  if (v === null) return { s: null, src: '' }; // an empty node: `yaml` composes it as the plain scalar ''
  if (v instanceof Plain) return resolvePlain(v.text, false);
  if (typeof v === 'string') return { s: v };
  if (Array.isArray(v)) return { q: v.map(snap) };
  if (typeof v !== 'object') throw new Bail();
  const pairs: [NodeSnapshot, NodeSnapshot | null][] = [];
  const seen = new Set<unknown>();
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
    if (INDEX_KEY.test(k) || k.indexOf(MARK, 1) >= 0) throw new Bail();
    const key = k.startsWith(MARK) ? resolvePlain(k.slice(1), true) : { s: k };
    // `yaml` (uniqueKeys) refuses two keys with the same value, such as `1` and `0x1`; js-yaml compares the text
    if (seen.has(key.s)) throw new Bail();
    seen.add(key.s);
    pairs.push([key, snap(x)]);
  }
  return { m: pairs };
}

/** A plain scalar as `yaml` composes it (compose-scalar.js findScalarTagByTest), with its source text. */
function resolvePlain(text: string, atKey: boolean): ScalarSnapshot {
  const tag = CORE_TAGS.find((t) => (t.default === true || (atKey && t.default === 'key')) && t.test!.test(text)) ?? STRING_TAG;
  let failed = false;
  const res = tag.resolve(text, () => (failed = true), RESOLVE_OPTIONS);
  if (failed) throw new Bail();
  const value = (isScalar(res) ? (res as Scalar).value : res) as string | number | boolean | null;
  return typeof value === 'string' ? { s: value } : { s: value, src: text };
}

/** The value of a plain scalar's text under the YAML 1.2 core schema (as `yaml` resolves it). */
export function plainValue(text: string): ScalarSnapshot['s'] {
  return resolvePlain(text, false).s;
}
