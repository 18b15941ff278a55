/**
 * The `detection` block of a rule compiled to one predicate: selections (maps, lists of maps, keyword lists)
 * joined by the condition tree. Also derives the rule's *witness*: a field and a set of values the record must
 * hold for the rule to have any chance, which the detector's index uses so an event meets only candidate rules.
 */
import { entry, isMapSnapshot, isScalarSnapshot, isSeqSnapshot, scalarValue, type MapSnapshot, type NodeSnapshot } from './snapshot.js';
import { RuleError, type Position } from './diagnostics.js';
import { parseCondition, usedSelections, type Cond } from './condition.js';
import type { JsonObject } from './fields.js';
import { compileFieldItem, compileKeyword, type CompileOptions, type FieldItem, type RuleValue } from './values.js';

export interface Witness {
  field: string;
  values: Set<string>;
}

export interface Selection {
  name: string;
  test: (rec: JsonObject) => boolean;
  fields: string[];
  /** Every field the test reads; null when it reads the whole record (keywords). */
  reads: string[] | null;
  witness?: Witness;
  /** The selection holds when all items of one alternative hold (a map: one; a list of maps: one per map). Not for keywords. */
  alternatives?: FieldItem[][];
}

export interface CompiledDetection {
  test: (rec: JsonObject) => boolean;
  selections: Map<string, Selection>;
  conditions: Cond[];
  /** Every field the detection reads; null when it reads the whole record (see logs/projected.ts). */
  reads: string[] | null;
  witness?: Witness;
  /** Non-fatal remarks (unused selections, legacy keys). */
  warnings: { message: string; pos?: Position }[];
}

export type Test = (rec: JsonObject) => boolean;

// All / any of some tests. Plain loops, and two operands unrolled (the common `a and not b`): with thousands of
// rules every record runs a few dozen of these, and an arrow passed to every()/some() would be a closure per call.
function allOf(ts: Test[]): Test {
  if (ts.length === 1) return ts[0]!;
  if (ts.length === 2) {
    const [a, b] = ts as [Test, Test];
    return (rec) => a(rec) && b(rec);
  }
  return (rec) => {
    for (const t of ts) if (!t(rec)) return false;
    return true;
  };
}

function anyOf(ts: Test[]): Test {
  if (ts.length === 1) return ts[0]!;
  if (ts.length === 2) {
    const [a, b] = ts as [Test, Test];
    return (rec) => a(rec) || b(rec);
  }
  return (rec) => {
    for (const t of ts) if (t(rec)) return true;
    return false;
  };
}

/** Where a node of the rule is in its file, when known (the reference parser knows; the fast path and workers do not). */
export type Locate = (node: NodeSnapshot | null | undefined) => Position | undefined;

export function compileDetection(node: MapSnapshot, locate: Locate, opts: CompileOptions): CompiledDetection {
  const selections = new Map<string, Selection>();
  const warnings: CompiledDetection['warnings'] = [];
  let condValue: NodeSnapshot | null | undefined;
  let hasCondition = false;
  for (const [keyNode, value] of node.m) {
    const key = isScalarSnapshot(keyNode) ? String(scalarValue(keyNode)) : undefined;
    if (key === undefined) throw new RuleError('detection keys must be plain names', locate(keyNode));
    if (key === 'condition') {
      hasCondition = true;
      condValue = value;
      continue;
    }
    if (key === 'timeframe') {
      warnings.push({ message: "'timeframe' in detection is Sigma 1 syntax and has no effect on a single-event rule", pos: locate(keyNode) });
      continue;
    }
    selections.set(key, compileSelection(key, value, locate, opts));
  }
  if (!hasCondition) throw new RuleError("detection has no 'condition'", locate(node));
  const names = [...selections.keys()];
  const condTexts: { text: string; pos?: Position }[] = [];
  const text = (n: NodeSnapshot | null | undefined) => {
    const v = isScalarSnapshot(n) ? scalarValue(n) : undefined;
    return typeof v === 'string' ? v : undefined;
  };
  const single = text(condValue);
  if (single !== undefined) condTexts.push({ text: single, pos: locate(condValue) });
  else if (isSeqSnapshot(condValue)) {
    for (const item of condValue.q) {
      const t = text(item);
      if (t === undefined) throw new RuleError('condition list items must be strings', locate(item));
      condTexts.push({ text: t, pos: locate(item) });
    }
  } else throw new RuleError('condition must be a string', locate(condValue));
  const conditions = condTexts.map(({ text, pos }) => {
    try {
      return parseCondition(text, names);
    } catch (e) {
      if (e instanceof RuleError && !e.pos) throw new RuleError(e.message, pos);
      throw e;
    }
  });
  const used = new Set<string>();
  conditions.forEach((c) => usedSelections(c, used));
  for (const n of names) if (!used.has(n)) warnings.push({ message: `selection '${n}' is not used by the condition`, pos: locate(entry(node, n)?.[0]) });

  // A rule that can never fire is a defect, not a style issue: refuse it (Sigma 1 rules often meant a time window).
  const dead = conditions.map((c) => contradiction(c, selections));
  if (dead.every(Boolean)) {
    throw new RuleError(`condition can never match a single event: ${dead[0]}; a correlation rule (temporal) expresses "both within a time span"`, condTexts[0]?.pos);
  }
  // A list of conditions means any of them (Sigma 1 style; still accepted).
  const whole = specialize({ conditions, selections }, () => undefined);
  const test: Test = typeof whole === 'boolean' ? () => whole : whole; // with no item known, always a test
  const ws = conditions.map((c) => condWitness(c, selections));
  const witness = orWitness(ws);
  const reads = mergeReads([...selections.values()].map((s) => s.reads));
  return witness ? { test, selections, conditions, reads, warnings, witness } : { test, selections, conditions, reads, warnings };
}

/** Union of field lists; null (the whole record) absorbs everything. */
export function mergeReads(lists: (string[] | null)[]): string[] | null {
  if (lists.some((l) => l === null)) return null;
  return [...new Set((lists as string[][]).flat())];
}

function compileSelection(name: string, node: NodeSnapshot | null, locate: Locate, opts: CompileOptions): Selection {
  const pos = locate(node);
  if (isMapSnapshot(node)) return mapSelection(name, node, locate, opts);
  if (isSeqSnapshot(node)) {
    if (node.q.length === 0) throw new RuleError(`selection '${name}' is an empty list`, pos);
    if (node.q.every(isMapSnapshot)) {
      // A list of maps: any of them.
      const maps = (node.q as MapSnapshot[]).map((m) => mapSelection(name, m, locate, opts));
      const tests = maps.map((m) => m.test);
      return {
        name,
        test: anyOf(tests),
        fields: [...new Set(maps.flatMap((m) => m.fields))],
        reads: mergeReads(maps.map((m) => m.reads)),
        witness: orWitness(maps.map((m) => m.witness)),
        alternatives: maps.flatMap((m) => m.alternatives!),
      };
    }
    if (node.q.every(isScalarSnapshot)) {
      const tests = node.q.map((x) => compileKeyword(ruleValue(x, locate)));
      return { name, test: anyOf(tests), fields: [], reads: null };
    }
    throw new RuleError(`selection '${name}' mixes maps and plain values`, pos);
  }
  if (isScalarSnapshot(node) && scalarValue(node) !== null) {
    const t = compileKeyword(ruleValue(node, locate));
    return { name, test: t, fields: [], reads: null };
  }
  throw new RuleError(`selection '${name}' must be a map of fields, a list of maps, or a list of keywords`, pos);
}

/**
 * Identical items share one compiled item (per set of compile options): rule sets repeat the same `eventSource: x`,
 * `eventName: y` and filter items across rules (the bench's 3,000 variants hold 11,571 items, 806 of them distinct),
 * so sharing saves compile time and memory. An item that fails to compile is not kept: each rule reports its own.
 */
const sharedItems = new WeakMap<CompileOptions, Map<string, FieldItem>>();

function sharedFieldItem(field: string, mods: string[], values: RuleValue[], keyPos: Position, opts: CompileOptions): FieldItem {
  let items = sharedItems.get(opts);
  if (!items) sharedItems.set(opts, (items = new Map()));
  const key = JSON.stringify([field, mods, values.map((v) => [v.value, v.text])]);
  let item = items.get(key);
  if (!item) items.set(key, (item = compileFieldItem(field, mods, values, keyPos, opts)));
  else item.share?.();
  return item;
}

function mapSelection(name: string, node: MapSnapshot, locate: Locate, opts: CompileOptions): Selection {
  if (node.m.length === 0) throw new RuleError(`selection '${name}' is empty`, locate(node));
  const items = node.m.map(([keyNode, valueNode]) => {
    const key = isScalarSnapshot(keyNode) ? scalarValue(keyNode) : null;
    if (key === null) throw new RuleError(`selection '${name}' has an empty field name`, locate(keyNode));
    const [field, ...mods] = String(key).split('|');
    const keyPos = locate(keyNode) ?? { line: 0, col: 0 };
    if (!field) {
      // `'|contains': [...]` means keywords with a modifier.
      throw new RuleError(`selection '${name}': keyword search with modifiers ('${String(key)}') is not supported; list plain keywords instead`, keyPos);
    }
    let values: RuleValue[];
    if (isSeqSnapshot(valueNode)) values = valueNode.q.map((x) => ruleValue(x, locate));
    else values = [ruleValue(valueNode, locate, keyPos)];
    return sharedFieldItem(field, mods, values, keyPos, opts);
  });
  const tests = items.map((i) => i.test);
  const test = allOf(tests);
  const witness = andWitness(items.map((i) => (i.witness ? { field: i.field, values: i.witness } : undefined)));
  return {
    name, test, fields: [...new Set(items.map((i) => i.field))], reads: [...new Set(items.flatMap((i) => [i.field, ...(i.refs ?? [])]))], witness,
    alternatives: [items],
  };
}

/**
 * The detection on records where some items' verdicts are known (`known` gives true/false, or undefined when the item
 * depends on what is not known): a boolean when that decides it (false: no such record can match; true: every such
 * record matches), otherwise the test of what is left, with the known items left out and what they decide folded
 * (three-valued logic over the condition; keyword selections are unknown). The rule index knows eventName and
 * eventSource before a candidate runs, and with thousands of rules a candidate's own items are mostly those two: its
 * residual test reads only the rest. Same answer as the detection's test on every record that agrees with `known`;
 * with nothing known it is that test (compileDetection builds it so).
 */
export function specialize(
  { conditions, selections }: Pick<CompiledDetection, 'conditions' | 'selections'>,
  known: (item: FieldItem) => boolean | undefined,
): Test | boolean {
  type Part = Test | boolean;
  const and = (ps: Part[]): Part => {
    if (ps.includes(false)) return false;
    const rest = ps.filter((x): x is Test => x !== true);
    return rest.length === 0 ? true : allOf(rest);
  };
  const or = (ps: Part[]): Part => {
    if (ps.includes(true)) return true;
    const rest = ps.filter((x): x is Test => x !== false);
    return rest.length === 0 ? false : anyOf(rest);
  };
  const sel = (name: string): Part => {
    const s = selections.get(name)!;
    if (!s.alternatives) return s.test;
    const verdicts = s.alternatives.map((items) => items.map(known));
    if (verdicts.every((vs) => vs.every((v) => v === undefined))) return s.test; // nothing known: the selection as it is
    return or(s.alternatives.map((items, a) => and(items.map((item, k) => verdicts[a]![k] ?? item.test))));
  };
  const cond = (c: Cond): Part => {
    switch (c.type) {
      case 'sel':
        return sel(c.name);
      case 'not': {
        const v = cond(c.item);
        return typeof v === 'boolean' ? !v : (rec) => !v(rec);
      }
      case 'and':
        return and(c.items.map(cond));
      case 'or':
        return or(c.items.map(cond));
      case 'of':
        return c.all ? and(c.names.map(sel)) : or(c.names.map(sel));
    }
  };
  return or(conditions.map(cond));
}

/** A scalar of a selection as the engine reads it (exported for the rule converters, which must read values identically). */
export function ruleValue(node: NodeSnapshot | null, locate: Locate, fallback?: Position): RuleValue {
  const pos = locate(node) ?? fallback ?? { line: 0, col: 0 };
  if (node === null || node === undefined) return { value: null, text: 'null', pos };
  if (!isScalarSnapshot(node)) throw new RuleError('a value must be a string, number, boolean or null (not a map or nested list)', pos);
  const v = scalarValue(node);
  if (v !== null && typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') {
    throw new RuleError(`unsupported value type ${typeof v}`, pos);
  }
  // Keep the source text of plain scalars: `1.10` must stay `1.10`, not become 1.1.
  const text = typeof v === 'string' ? v : (node.src ?? String(v));
  return { value: v, text, pos };
}

function condWitness(c: Cond, sels: Map<string, Selection>): Witness | undefined {
  switch (c.type) {
    case 'sel':
      return sels.get(c.name)!.witness;
    case 'not':
      return undefined;
    case 'and':
      return andWitness(c.items.map((x) => condWitness(x, sels)));
    case 'or':
      return orWitness(c.items.map((x) => condWitness(x, sels)));
    case 'of': {
      const ws = c.names.map((n) => sels.get(n)!.witness);
      return c.all ? andWitness(ws) : orWitness(ws);
    }
  }
}

// Fields CloudTrail always writes as one string: only there do two different required values contradict
// (any other field may be an array, where different elements can satisfy each part).
const SCALAR_FIELDS = new Set(['eventName', 'eventSource', 'eventType', 'eventCategory', 'awsRegion', 'eventVersion', 'recipientAccountId', 'userIdentity.type']);

/** An AND whose parts require one field to hold values from disjoint sets (e.g. two different eventNames). */
function contradiction(c: Cond, sels: Map<string, Selection>): string | undefined {
  if (c.type === 'not') return undefined;
  if (c.type === 'or') {
    const all = c.items.map((x) => contradiction(x, sels));
    return all.every(Boolean) ? all[0] : undefined;
  }
  if (c.type === 'and' || (c.type === 'of' && c.all)) {
    const parts: Cond[] = c.type === 'and' ? c.items : c.type === 'of' ? c.names.map((name): Cond => ({ type: 'sel', name })) : [];
    for (const p of parts) {
      const inner = contradiction(p, sels);
      if (inner) return inner;
    }
    const ws = parts.map((p) => ({ p, w: condWitness(p, sels) })).filter((x) => x.w);
    for (let i = 0; i < ws.length; i++) {
      for (let j = i + 1; j < ws.length; j++) {
        const a = ws[i]!.w!;
        const b = ws[j]!.w!;
        if (a.field === b.field && SCALAR_FIELDS.has(a.field) && ![...a.values].some((v) => b.values.has(v))) {
          return `'${a.field}' cannot be both ${[...a.values].join('|')} and ${[...b.values].join('|')}`;
        }
      }
    }
  }
  return undefined;
}

// eventName is the most selective field in CloudTrail, then eventSource; otherwise the smallest set.
const RANK: Record<string, number> = { eventName: 0, eventSource: 1 };
function andWitness(ws: (Witness | undefined)[]): Witness | undefined {
  let best: Witness | undefined;
  for (const w of ws) {
    if (!w) continue;
    if (!best) best = w;
    else {
      const rw = RANK[w.field] ?? 2;
      const rb = RANK[best.field] ?? 2;
      if (rw < rb || (rw === rb && w.values.size < best.values.size)) best = w;
    }
  }
  return best;
}

function orWitness(ws: (Witness | undefined)[]): Witness | undefined {
  if (ws.length === 0 || ws.some((w) => !w)) return undefined;
  const field = ws[0]!.field;
  if (ws.some((w) => w!.field !== field)) return undefined;
  return { field, values: new Set(ws.flatMap((w) => [...w!.values])) };
}
