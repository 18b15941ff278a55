/**
 * Shared pieces of the SIEM targets (Splunk SPL, Sentinel KQL, Elastic ES|QL and Lucene): the walk over the IR's
 * condition tree, pattern shapes, the pipelines' extra data (field types, arrays, objects) and warnings.
 *
 * Every target renders the engine's semantics (README "Rules", DESIGN.md) leaf by leaf; a leaf it cannot express
 * exactly throws ConversionError naming the construct, and a documented difference of the target (e.g. Lucene's
 * case-sensitive keyword fields) is reported as a per-rule warning, never silently.
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { ONE, STAR, type Pattern } from '../../sigma/patterns.js';
import { ConversionError, type Expr, type IrRule, type Leaf } from '../ir.js';
import { resolvePipeline, type Pipeline } from '../pipeline.js';

/** Collects the warnings of one conversion (deduplicated, in order). */
export class Warnings {
  private readonly seen = new Set<string>();
  add(w: string): void {
    this.seen.add(w);
  }
  list(): string[] {
    return [...this.seen];
  }
}

export interface Ops {
  and(items: string[]): string;
  or(items: string[]): string;
  not(item: string): string;
}

/** Render the rule's condition (every detection AND-ed: the rule, then its meta-filters). */
export function renderRule(rule: IrRule, leaf: (l: Leaf) => string, ops: Ops): string {
  const parts = rule.detections.map((det) => {
    const expr = (e: Expr): string => {
      switch (e.kind) {
        case 'and':
          return ops.and(e.items.map(expr));
        case 'or':
          return ops.or(e.items.map(expr));
        case 'not':
          return ops.not(expr(e.item));
        case 'sel': {
          const s = det.selections.get(e.name);
          if (!s) throw new ConversionError(`selection '${e.name}'`, `selection '${e.name}' is not defined`);
          return expr(s);
        }
        default:
          return leaf(e);
      }
    };
    return expr(det.condition);
  });
  return parts.length === 1 ? parts[0]! : ops.and(parts);
}

/** Every leaf of the rule (to decide a rendering mode before rendering). */
export function leaves(rule: IrRule): Leaf[] {
  const out: Leaf[] = [];
  const visit = (e: Expr) => {
    if (e.kind === 'and' || e.kind === 'or') e.items.forEach(visit);
    else if (e.kind === 'not') visit(e.item);
    else if (e.kind !== 'sel') out.push(e as Leaf);
  };
  for (const d of rule.detections) d.selections.forEach(visit);
  return out;
}

/** The shape of a whole-value pattern: what most query languages have an operator for. */
export type Shape =
  | { kind: 'any' }
  | { kind: 'eq'; text: string }
  | { kind: 'contains'; text: string }
  | { kind: 'startswith'; text: string }
  | { kind: 'endswith'; text: string }
  | { kind: 'wild'; pattern: Pattern };

export function shapeOf(p: Pattern): Shape {
  if (p.length === 0) return { kind: 'eq', text: '' };
  if (p.every((t) => typeof t === 'string')) return { kind: 'eq', text: p.join('') };
  if (p.length === 1 && p[0] === STAR) return { kind: 'any' };
  if (p.length === 3 && p[0] === STAR && p[2] === STAR && typeof p[1] === 'string') return { kind: 'contains', text: p[1] };
  if (p.length === 2 && typeof p[0] === 'string' && p[1] === STAR) return { kind: 'startswith', text: p[0] };
  if (p.length === 2 && p[0] === STAR && typeof p[1] === 'string') return { kind: 'endswith', text: p[1] };
  return { kind: 'wild', pattern: p };
}

/** An anchored regular expression (RE2 / PCRE syntax) for a whole-value pattern; `*` and `?` match any character. */
export function patternRegex(p: Pattern, anchors: { start: string; end: string } = { start: '^', end: '$' }): string {
  const body = p.map((t) => (t === STAR ? '(?s:.*)' : t === ONE ? '(?s:.)' : regexLiteral(t))).join('');
  return anchors.start + body + anchors.end;
}

/** Literal text inside an RE2/PCRE regular expression: metacharacters escaped, control and non-ASCII characters as \x{..}. */
export function regexLiteral(s: string): string {
  let out = '';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (/[\\^$.|?*+()[\]{}]/.test(ch)) out += '\\' + ch;
    else if (c < 0x20 || c === 0x7f || c > 0x7e) out += `\\x{${c.toString(16)}}`;
    else out += ch;
  }
  return out;
}

/** The extra keys a SIEM pipeline file may carry (read from the same YAML file as the pipeline). */
export interface PipelineExtras {
  /** Target field -> type, where not a string/keyword (bool, number, ip, flattened...). */
  types: Record<string, string>;
  /** Target fields that hold arrays (multivalued). */
  arrays: string[];
  /** Target fields that hold JSON objects in the record (compared as text by the engine). */
  objects: string[];
  /** Target field -> the IP-typed field holding the same value when it is an address (cidr). */
  ipFields: Record<string, string>;
}

export function pipelineExtras(p: Pipeline): PipelineExtras {
  const doc = (parseYaml(readFileSync(p.file, 'utf8')) ?? {}) as Record<string, unknown>;
  const rec = (x: unknown) => (x && typeof x === 'object' && !Array.isArray(x) ? (x as Record<string, string>) : {});
  const list = (x: unknown) => (Array.isArray(x) ? x.map(String) : []);
  return { types: rec(doc.types), arrays: list(doc.arrays), objects: list(doc.objects), ipFields: rec(doc.ip_fields) };
}

/** The pipeline a SIEM target names, with its extras. */
export function targetPipeline(name: string): { pipeline: Pipeline; extras: PipelineExtras } {
  const pipeline = resolvePipeline(name);
  return { pipeline, extras: pipelineExtras(pipeline) };
}

/** The prefix mapping (JSON/flattened column) a mapped field lies under, if any. */
export function underPrefix(p: Pipeline, field: string): { column: string; kind: string; rest: string[] } | undefined {
  for (const m of Object.values(p.prefixes)) {
    if (field === m.column) return { column: m.column, kind: m.kind, rest: [] };
    if (field.startsWith(m.column + '.')) return { column: m.column, kind: m.kind, rest: field.slice(m.column.length + 1).split('.') };
  }
  return undefined;
}

export function refuseKeywords(target: string): never {
  throw new ConversionError(
    'keywords',
    `keyword search (a list without a field) searches every scalar value of the record case-insensitively; ${target} full-text search also matches keys and raw JSON text`,
  );
}

export function refuseFieldref(target: string, mode: string): never {
  throw new ConversionError(`modifier 'fieldref'${mode === 'equals' ? '' : ` with '${mode}'`}`, `${target} cannot compare one field with another${mode === 'equals' ? '' : ` by '${mode}'`} in this query language`);
}

/** A number as the query languages write it (finite, no exponent surprises). */
export function numberText(n: number): string {
  if (!Number.isFinite(n)) throw new ConversionError('number', `number ${n} is not finite`);
  return String(n);
}

export const cmpOps = { lt: '<', lte: '<=', gt: '>', gte: '>=', eq: '==' } as const;

/** Letters whose case matters (the value differs from its case-folded forms). */
export const hasCase = (s: string) => s.toLowerCase() !== s.toUpperCase();
