/**
 * Evaluating compiled rules against records. Rules are indexed by their witness (see sigma/detection.ts):
 * an event meets only the rules whose witness field holds one of its witness values, plus the few rules
 * without a witness. With thousands of rules an event still meets a handful.
 */
import { compilePath, fieldText, MISSING, type Json, type JsonObject } from '../sigma/fields.js';
import type { DetectionRule } from '../sigma/rule.js';

interface FieldIndex {
  field: string;
  get: (rec: JsonObject) => Json | typeof MISSING;
  byValue: Map<string, number[]>;
}

export class Detector {
  readonly rules: DetectionRule[];
  private readonly indexes: FieldIndex[] = [];
  private readonly unindexed: number[] = [];

  constructor(rules: DetectionRule[]) {
    this.rules = rules;
    const byField = new Map<string, FieldIndex>();
    rules.forEach((r, i) => {
      const w = r.detection.witness;
      if (!w) {
        this.unindexed.push(i);
        return;
      }
      let idx = byField.get(w.field);
      if (!idx) {
        idx = { field: w.field, get: compilePath(w.field), byValue: new Map() };
        byField.set(w.field, idx);
        this.indexes.push(idx);
      }
      for (const v of w.values) {
        const list = idx.byValue.get(v);
        if (list) list.push(i);
        else idx.byValue.set(v, [i]);
      }
    });
  }

  /** Indexes of the rules that can match this record, ascending. */
  candidates(rec: JsonObject): number[] {
    let out: number[] | undefined;
    let sorted = true;
    for (const idx of this.indexes) {
      const v = idx.get(rec);
      if (v === MISSING || v === null) continue;
      if (Array.isArray(v)) {
        for (const el of v) {
          if (el === null || Array.isArray(el)) continue;
          const hit = idx.byValue.get(fieldText(el).toLowerCase());
          if (hit) (out ??= []).push(...hit), (sorted = false);
        }
        continue;
      }
      const hit = idx.byValue.get(fieldText(v).toLowerCase());
      if (hit) {
        if (out) (out.push(...hit), (sorted = false));
        else out = hit.slice();
      }
    }
    if (this.unindexed.length) {
      if (out) (out.push(...this.unindexed), (sorted = false));
      else return this.unindexed;
    }
    if (!out) return [];
    if (!sorted) out = [...new Set(out)].sort((a, b) => a - b);
    return out;
  }

  /** The rules that match this record, in rule order. */
  match(rec: JsonObject): DetectionRule[] {
    const cands = this.candidates(rec);
    if (cands.length === 0) return [];
    const out: DetectionRule[] = [];
    for (const i of cands) {
      const r = this.rules[i]!;
      if (r.test(rec)) out.push(r);
    }
    return out;
  }

  get stats(): { indexed: number; unindexed: number; fields: string[] } {
    return { indexed: this.rules.length - this.unindexed.length, unindexed: this.unindexed.length, fields: this.indexes.map((i) => i.field) };
  }
}

const fieldGetters = new WeakMap<DetectionRule, { test: (r: JsonObject) => boolean; fields: [string, (r: JsonObject) => Json | typeof MISSING][] }[]>();

/** The values, in the record, of the fields named by the selections that hold (what an analyst looks at first). */
export function matchedFields(rule: DetectionRule, rec: JsonObject): Record<string, Json> {
  let sels = fieldGetters.get(rule);
  if (!sels) {
    sels = [...rule.detection.selections.values()]
      .filter((s) => s.fields.length > 0)
      .map((s) => ({ test: s.test, fields: s.fields.map((f) => [f, compilePath(f)] as [string, (r: JsonObject) => Json | typeof MISSING]) }));
    fieldGetters.set(rule, sels);
  }
  const out: Record<string, Json> = {};
  for (const sel of sels) {
    if (!sel.test(rec)) continue;
    for (const [f, get] of sel.fields) {
      const v = get(rec);
      if (v !== MISSING) out[f] = v;
    }
  }
  return out;
}
