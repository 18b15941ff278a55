/**
 * The backend-neutral form of a rule's detection, built from the same YAML the engine compiled and with the engine's
 * own value readers (ruleValue, stringPatterns), so a converter sees exactly the tests the engine runs:
 *
 *   condition tree (and / or / not / selection references) over selections; a selection is an AND of field items
 *   (a list of maps: an OR of such ANDs) or an OR of keywords. A field item is one `field|modifiers: values` line.
 *
 * Values keep their wildcards structured (Pattern: literal text, STAR, ONE); transforming modifiers (contains,
 * startswith, endswith, windash, base64, base64offset, utf16*, expand) are already applied, so a backend only
 * renders "whole value matches one of these patterns". A backend that cannot express a construct exactly throws
 * ConversionError naming it; nothing is dropped or approximated silently.
 */
import { isMapSnapshot, isScalarSnapshot, isSeqSnapshot, scalarValue, type MapSnapshot, type NodeSnapshot, type ScalarSnapshot } from '../sigma/snapshot.js';
import type { Cond } from '../sigma/condition.js';
import { ruleValue, type Locate } from '../sigma/detection.js';
import type { Position } from '../sigma/diagnostics.js';
import { parsePattern, wrap, type Pattern } from '../sigma/patterns.js';
import type { CorrelationRule, DetectionRule, FilterRule } from '../sigma/rule.js';
import { NUMERIC, stringPatterns, TIME_PARTS, type CompileOptions, type RuleValue, type TimePart } from '../sigma/values.js';

export class ConversionError extends Error {
  constructor(
    /** The construct that cannot be converted, e.g. `modifier 'cidr' (IPv6)`. */
    readonly construct: string,
    message: string,
  ) {
    super(message);
    this.name = 'ConversionError';
  }
}

/** One test of a field's value (the text the engine compares: see fieldText). */
export type ValueTest =
  /** The whole text matches one of the patterns (an expanded value: windash, base64offset, expand). */
  | { kind: 'wild'; alternatives: Pattern[]; cased: boolean }
  /** Unanchored regular expression search, JavaScript syntax and flags (i, m, s). */
  | { kind: 're'; source: string; flags: string }
  | { kind: 'cidr'; network: string }
  /** Numeric comparison of the value (numbers, numeric strings), or of a UTC time part of it. */
  | { kind: 'num'; op: 'lt' | 'lte' | 'gt' | 'gte' | 'eq'; value: number; part?: TimePart };

export type Leaf =
  | {
      kind: 'field';
      field: string;
      modifiers: string[];
      /** Non-null values; the item holds if any holds (all of them with `all`). */
      tests: ValueTest[];
      /** A `null` value is listed: a missing field or JSON null matches. */
      matchNull: boolean;
      all: boolean;
      /** `neq`: the field is present, not null, and the item does not hold. */
      neq: boolean;
    }
  | { kind: 'exists'; field: string; modifiers: string[]; want: boolean }
  | {
      kind: 'fieldref';
      field: string;
      modifiers: string[];
      refs: string[];
      mode: 'equals' | 'contains' | 'startswith' | 'endswith';
      cased: boolean;
      all: boolean;
      neq: boolean;
    }
  /** Case-insensitive match of a pattern (already wrapped in `*`) against every scalar leaf of the record. */
  | { kind: 'keyword'; pattern: Pattern };

export type Expr =
  | { kind: 'and' | 'or'; items: Expr[] }
  | { kind: 'not'; item: Expr }
  | { kind: 'sel'; name: string }
  | Leaf;

export interface IrDetection {
  selections: Map<string, Expr>;
  condition: Expr;
}

export interface IrRule {
  id: string;
  title: string;
  level?: string;
  /** The rule's detection, then every meta-filter AND-ed into it (as the engine does). */
  detections: IrDetection[];
}

/** Build the IR of a loaded detection rule and the filters the loader applied to it. */
export function ruleIr(rule: DetectionRule, filters: FilterRule[] = []): IrRule {
  const dets = [detectionIr(rule)];
  for (const fid of rule.filters) {
    const f = filters.find((x) => x.id === fid);
    if (!f) throw new ConversionError('meta-filter', `meta-filter ${fid} applies to this rule but was not given to the converter`);
    dets.push(detectionIr(f));
  }
  return { id: rule.id, title: rule.title, level: rule.level, detections: dets };
}

export function correlationUnsupported(rule: CorrelationRule): never {
  throw new ConversionError(`correlation '${rule.type}'`, `correlation rules (${rule.type}) are not converted yet`);
}

// The rule compiled when it loaded, with positions for its errors: what is converted here is known to be valid.
const noLocate: Locate = () => undefined;

function detectionIr(rule: DetectionRule | FilterRule): IrDetection {
  const src = rule.source;
  if (!src) throw new ConversionError('detection', `rule ${rule.id} was not loaded from YAML (no detection source kept)`);
  const node = src.node;
  const selections = new Map<string, Expr>();
  for (const [k, v] of node.m) {
    const key = isScalarSnapshot(k) ? String(scalarValue(k)) : '';
    if (key === 'condition' || key === 'timeframe' || key === 'rules') continue;
    if (!rule.detection.selections.has(key)) continue;
    selections.set(key, selectionIr(v, src.opts));
  }
  const conds = rule.detection.conditions.map(condIr);
  return { selections, condition: conds.length === 1 ? conds[0]! : { kind: 'or', items: conds } };
}

function condIr(c: Cond): Expr {
  switch (c.type) {
    case 'and':
    case 'or':
      return { kind: c.type, items: c.items.map(condIr) };
    case 'not':
      return { kind: 'not', item: condIr(c.item) };
    case 'sel':
      return { kind: 'sel', name: c.name };
    case 'of': {
      const items: Expr[] = c.names.map((name) => ({ kind: 'sel', name }));
      return items.length === 1 ? items[0]! : { kind: c.all ? 'and' : 'or', items };
    }
  }
}

function selectionIr(node: NodeSnapshot | null, opts: CompileOptions): Expr {
  if (isMapSnapshot(node)) return mapIr(node, opts);
  if (isSeqSnapshot(node)) {
    if (node.q.every(isMapSnapshot)) return orOf((node.q as MapSnapshot[]).map((m) => mapIr(m, opts)));
    return orOf(node.q.map((x) => keywordIr(ruleValue(x, noLocate))));
  }
  return keywordIr(ruleValue(node, noLocate));
}

const orOf = (items: Expr[]): Expr => (items.length === 1 ? items[0]! : { kind: 'or', items });

function keywordIr(v: RuleValue): Leaf {
  return { kind: 'keyword', pattern: wrap(parsePattern(typeof v.value === 'string' ? v.value : v.text), true, true) };
}

function mapIr(node: MapSnapshot, opts: CompileOptions): Expr {
  const items: Expr[] = node.m.map(([keyNode, valueNode]) => {
    const [field, ...mods] = String(scalarValue(keyNode as ScalarSnapshot)).split('|');
    const keyPos: Position = { line: 0, col: 0 };
    const values = isSeqSnapshot(valueNode) ? valueNode.q.map((x) => ruleValue(x, noLocate)) : [ruleValue(valueNode, noLocate, keyPos)];
    return fieldItemIr(field!, mods, values, keyPos, opts);
  });
  return items.length === 1 ? items[0]! : { kind: 'and', items };
}

/** Mirrors compileFieldItem (src/sigma/values.ts): the rule already compiled there, so only the happy paths remain. */
function fieldItemIr(field: string, modifiers: string[], values: RuleValue[], keyPos: Position, opts: CompileOptions): Leaf {
  const mods = new Set(modifiers);
  const has = (m: string) => mods.has(m);
  if (has('exists')) return { kind: 'exists', field, modifiers, want: values[0]!.value === true };
  const all = has('all');
  const neq = has('neq');
  if (has('fieldref')) {
    const mode = has('contains') ? 'contains' : has('startswith') ? 'startswith' : has('endswith') ? 'endswith' : 'equals';
    return { kind: 'fieldref', field, modifiers, refs: values.map((v) => String(v.value)), mode, cased: has('cased'), all, neq };
  }
  const timePart = TIME_PARTS.find((p) => has(p));
  const numOp = NUMERIC.find((p) => has(p));
  let tests: ValueTest[];
  let matchNull = false;
  if (has('re')) {
    const flags = (has('i') ? 'i' : '') + (has('m') ? 'm' : '') + (has('s') ? 's' : '');
    tests = values.map((v) => ({ kind: 're', source: String(v.value), flags }));
  } else if (has('cidr')) {
    tests = values.map((v) => ({ kind: 'cidr', network: String(v.value).trim() }));
  } else if (numOp || timePart) {
    tests = values.map((v) => {
      const n = typeof v.value === 'number' ? v.value : Number(v.value);
      return timePart ? { kind: 'num', op: numOp ?? 'eq', value: n, part: timePart } : { kind: 'num', op: numOp ?? 'eq', value: n };
    });
  } else {
    const cased = has('cased') || has('base64') || has('base64offset');
    tests = [];
    for (const v of values) {
      if (v.value === null) {
        matchNull = true;
        continue;
      }
      tests.push({ kind: 'wild', alternatives: stringPatterns(field, v, mods, opts, keyPos), cased });
    }
    if (all && matchNull) throw new ConversionError("'all' with null", `field '${field}': 'all' with a null value`);
  }
  return { kind: 'field', field, modifiers, tests, matchNull, all, neq };
}

/** Every field path the IR reads (for pipelines: mapping checks and messages). */
export function irFields(rule: IrRule): string[] {
  const out = new Set<string>();
  const visit = (e: Expr) => {
    switch (e.kind) {
      case 'and':
      case 'or':
        e.items.forEach(visit);
        break;
      case 'not':
        visit(e.item);
        break;
      case 'field':
      case 'exists':
        out.add(e.field);
        break;
      case 'fieldref':
        out.add(e.field);
        e.refs.forEach((r) => out.add(r));
        break;
      default:
    }
  };
  for (const d of rule.detections) {
    d.selections.forEach(visit);
  }
  return [...out];
}
