/**
 * Evaluating compiled rules against records. Rules are indexed by their witness (see sigma/detection.ts):
 * an event meets only the rules whose witness field holds one of its witness values, plus the few rules
 * without a witness. With thousands of rules an event still meets a handful, which the values of the index fields
 * prune (prune) and the value of one more field they share narrows further (narrowed).
 */
import { enterRecord, fieldReader, fieldText, leaveRecord, MISSING, type Json, type JsonObject } from '../sigma/fields.js';
import type { DetectionRule } from '../sigma/rule.js';
import type { FieldItem } from '../sigma/values.js';
import { specialize, type Test } from '../sigma/detection.js';
import { covers, MemberNames, mergeReads, type MemberReads, type ProjectedRecord } from '../logs/projected.js';

const NONE: DetectionRule[] = [];
const NONE_INDEXES: number[] = [];

/** Union of two ascending lists of rule indexes, ascending, without duplicates (a new array). */
function mergeSorted(a: number[], b: number[]): number[] {
  const out: number[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const x = a[i]!;
    const y = b[j]!;
    if (x < y) (out.push(x), i++);
    else if (y < x) (out.push(y), j++);
    else (out.push(x), i++, j++);
  }
  while (i < a.length) out.push(a[i++]!);
  while (j < b.length) out.push(b[j++]!);
  return out;
}

interface FieldIndex {
  field: string;
  get: (rec: JsonObject) => Json | typeof MISSING;
  /** Lower-cased witness value -> rules. */
  byValue: Map<string, number[]>;
}

const MEMO_LIMIT = 65536;

/**
 * Index fields whose values plans are specialised to (see prune): CloudTrail fields with a few hundred values at most.
 * A free-text index field (userAgent) still selects candidates, but a plan per distinct user agent would be kept.
 */
const ENUMERATED = new Set(['eventName', 'eventSource', 'eventType', 'eventCategory', 'awsRegion']);

/** Plans by the values of the index fields, in index order (MISSING: absent or null): first field's value -> ... -> plan. */
type Plans = Map<string | typeof MISSING, Plans | CandidatePlan>;

const ALWAYS: Test = () => true;

/** The rules a record is evaluated against, their tests, and the members they read and what of each (null: the whole record). */
interface CandidatePlan {
  rules: number[];
  /** Per rule: its test, or one specialised to the index values the plan was made for (see prune). */
  tests: Test[];
  reads: MemberReads | null;
  /** Narrower plans by the value of a field several of these rules read (see narrowed); null: none worth it. */
  narrowing: Narrowing | null;
}

/**
 * A plan's candidates narrowed by the value of one more field, read before the rest. With thousands of rules, a
 * record's candidates after the index are mostly rules on the same API call that each watch some principal, tool or
 * bucket (`userIdentity.arn|contains: ...`): the verdicts of the items on the record's ARN decide most of them, so
 * only the few left read and test their other members (with the bench's 3,000 variants, 8.3 candidates per record
 * become 0.9). Narrower plans are kept per combination of those verdicts (a handful), and found per value through
 * a memo while the values recur (see narrowed).
 */
interface Narrowing {
  field: string;
  get: (rec: JsonObject) => Json | typeof MISSING;
  /**
   * The members holding the field and what the plan's rules read of them: loaded before the narrower plan, which
   * reads no more of them (see narrowed), so they are read once.
   */
  reads: MemberReads;
  /** The values the plan was specialised to (the index fields'), to which the field's value is added. */
  values: JsonObject;
  /** The distinct items on the field in the plan's rules: their verdicts on a value decide the narrower plan. */
  items: FieldItem[];
  byVerdicts: Map<string, CandidatePlan>;
  /** The narrower plan of recent values; null once the values are found not to recur (see NARROW_SAMPLE). */
  byValue: Map<string, CandidatePlan> | null;
  lookups: number;
  misses: number;
}

/** Narrow a plan when at least this many of its rules read one field (one rule gains nothing from it). */
const NARROW_RULES = 2;
/**
 * Values remembered per plan (past this, its memo starts over), and over all plans (past this, new values are not
 * remembered): a few MB at most, whatever the number of plans and distinct ARNs.
 */
const NARROW_MEMO = 1024;
const NARROW_MEMO_TOTAL = 65536;
/**
 * Lookups per check that the field's values recur: when more than a quarter are new, the plan stops remembering
 * values (a session ARN new in every record would fill the memo for nothing) and tests the items every time.
 */
const NARROW_SAMPLE = 1 << 12;

export class Detector {
  readonly rules: DetectionRule[];
  private readonly indexes: FieldIndex[] = [];
  private readonly unindexed: number[] = [];
  /** The member names this detector reads, numbered for projected records (logs/projected.ts). */
  readonly names = new MemberNames();
  /** Members each rule reads (null: the whole record), and those the index reads. */
  private readonly ruleReads: (MemberReads | null)[];
  private indexKeys: number[] = [];
  /** Index fields with few values (ENUMERATED): plans are specialised to their values (see prune). */
  private readonly knownFields: string[];
  private readonly byValues: Plans = new Map();
  private planCount = 0;
  /** Plans by candidate list and the index values those candidates read (see planAt), and what each list reads. */
  private readonly plansByKey = new Map<string, CandidatePlan>();
  private readonly readsByList = new Map<string, MemberReads | null>();
  private readonly unindexedPlan: CandidatePlan;
  /** Per rule, a closure calling its test (a rule's test may replace itself once compiled: see sigma/portable.ts). */
  private readonly ruleTests: Test[];
  /** Narrower plans made so far (see narrowed), bounded like the index's memo, and values remembered for them. */
  private narrowedCount = 0;
  private rememberedValues = 0;
  private readonly indexFields: Set<string>;

  constructor(rules: DetectionRule[]) {
    this.rules = rules;
    this.ruleReads = rules.map((r) => (r.reads ? this.names.fieldReads(r.reads) : null));
    this.ruleTests = rules.map((r) => (rec) => r.test(rec));
    const byField = new Map<string, FieldIndex>();
    rules.forEach((r, i) => {
      const w = r.detection.witness;
      if (!w) {
        this.unindexed.push(i);
        return;
      }
      let idx = byField.get(w.field);
      if (!idx) {
        idx = { field: w.field, get: fieldReader(w.field).get, byValue: new Map() };
        byField.set(w.field, idx);
        this.indexes.push(idx);
      }
      for (const v of w.values) {
        const list = idx.byValue.get(v);
        if (list) list.push(i);
        else idx.byValue.set(v, [i]);
      }
    });
    this.indexKeys = this.names.fieldIds(this.indexes.map((x) => x.field));
    this.knownFields = this.indexes.map((x) => x.field).filter((f) => ENUMERATED.has(f));
    this.indexFields = new Set(this.indexes.map((x) => x.field));
    this.unindexedPlan = this.planOf(this.unindexed);
  }

  /**
   * The rules to evaluate a record against and the members they read, memoised by the values of the index fields:
   * the index lookups, their union and the pruning below run once per combination of values (a few hundred event
   * names and sources), not per record. A value that is not a string or absent (an array, a number) takes the
   * unmemoised path.
   */
  private planFor(rec: JsonObject): CandidatePlan {
    const idxs = this.indexes;
    let node = this.byValues;
    for (let k = 0; k < idxs.length; k++) {
      const got = idxs[k]!.get(rec);
      const v = got === null ? MISSING : got;
      if (typeof v !== 'string' && v !== MISSING) return this.planOf(this.candidates(rec));
      const next = node.get(v);
      if (k < idxs.length - 1) {
        if (next) node = next as Plans;
        else if (this.planCount >= MEMO_LIMIT) return this.planOf(this.candidates(rec));
        else node.set(v, (node = new Map()));
        continue;
      }
      if (next) return next as CandidatePlan;
      if (this.planCount >= MEMO_LIMIT) return this.planOf(this.candidates(rec)); // bounded: free-text index fields may vary a lot
      const plan = this.planAt(rec);
      this.planCount++;
      node.set(v, plan);
      return plan;
    }
    return this.unindexedPlan;
  }

  /**
   * The plan for a new combination of index values. Distinct values of a free-text index field (userAgent, which the
   * SigmaHQ TruffleHog rule is indexed by) mostly give the same candidates: such combinations share one plan, keyed
   * by the candidates and the enumerated values they read. (Each distinct user agent used to build and keep its own:
   * 300 MB for 65,536 of them with the SigmaHQ rules; now 28 MB, mostly the memo's own maps.)
   */
  private planAt(rec: JsonObject): CandidatePlan {
    const cands = this.candidates(rec);
    const values: JsonObject = {};
    let key = cands.join(',');
    for (const f of this.knownFields) {
      const v = rec[f];
      if (typeof v !== 'string' || !cands.some((i) => this.ruleReadsField(i, f))) continue;
      values[f] = v;
      key += `\u0000${f}\u0000${v}`;
    }
    let plan = this.plansByKey.get(key);
    if (!plan) this.plansByKey.set(key, (plan = this.prune(values, cands)));
    return plan;
  }

  private ruleReadsField(i: number, field: string): boolean {
    const reads = this.rules[i]!.reads;
    return reads === null || reads.includes(field);
  }

  /**
   * The candidates that can still match given the values of the top-level index fields (eventName, eventSource).
   * A rule indexed by eventSource with `eventName|startswith: Put` is a candidate for every S3 event, and its
   * verdict on a GetObject is known to be false before any other member is read: each candidate's condition is
   * evaluated three-valued with only the items on those fields known (sigma/detection.ts specialize), and the rules
   * that cannot match are dropped (with the bench's 3,000 variants, 10.2 candidates per record become 8.3). The rest
   * run what is left of their condition: without their eventName and eventSource items, which every record of the
   * plan holds.
   */
  private prune(values: JsonObject, cands: number[], narrow = true): CandidatePlan {
    const known = (item: FieldItem) => (item.refs || !Object.hasOwn(values, item.field) ? undefined : item.test(values));
    const keep: number[] = [];
    const tests: Test[] = [];
    for (const i of cands) {
      const rest = specialize(this.rules[i]!.detection, known);
      if (rest === false) continue;
      keep.push(i);
      // A rule with meta-filters keeps its own test (the filters are AND-ed into it, not into its detection).
      tests.push(this.rules[i]!.filters.length ? this.ruleTests[i]! : rest === true ? ALWAYS : rest);
    }
    const plan = this.planOf(keep, tests);
    if (narrow && plan.reads) plan.narrowing = this.narrowingOf(values, keep, tests, plan.reads);
    return plan;
  }

  /**
   * How to narrow these candidates (see Narrowing): by the field most of them read, when at least NARROW_RULES do,
   * other than the fields whose values the plan already knows and the index's. Rules whose test is already decided
   * (ALWAYS) or kept whole (meta-filters) gain nothing, so they are not counted.
   */
  private narrowingOf(values: JsonObject, keep: number[], tests: Test[], planReads: MemberReads): Narrowing | null {
    if (keep.length < NARROW_RULES) return null;
    const counts = new Map<string, number>();
    keep.forEach((i, k) => {
      const reads = this.rules[i]!.reads;
      if (reads === null || tests[k] === ALWAYS || tests[k] === this.ruleTests[i]) return;
      for (const f of new Set(reads)) {
        if (Object.hasOwn(values, f) || this.indexFields.has(f) || f.split('.').includes('__proto__')) continue;
        counts.set(f, (counts.get(f) ?? 0) + 1);
      }
    });
    let field: string | undefined;
    let most = NARROW_RULES - 1;
    for (const [f, n] of counts) if (n > most) (field = f), (most = n);
    if (field === undefined) return null;
    // The items prune's `known` will decide once the field's value is known: those on the field, without references.
    const items = new Set<FieldItem>();
    for (const i of keep) {
      for (const sel of this.rules[i]!.detection.selections.values()) {
        for (const alt of sel.alternatives ?? []) for (const item of alt) if (item.field === field && !item.refs) items.add(item);
      }
    }
    if (items.size === 0) return null;
    const ids = this.names.fieldIds([field]);
    const reads = { ids, shapes: ids.map((id) => planReads.shapes[planReads.ids.indexOf(id)] ?? this.names.shapes[id]!) };
    return { field, get: fieldReader(field).get, reads, values, items: [...items], byVerdicts: new Map(), byValue: new Map(), lookups: 0, misses: 0 };
  }

  /**
   * The plan narrowed to the record's value of its narrowing field (its members must be loaded): the candidates
   * pruned again with that value known too. Pruning depends only on the verdicts of the items on the field, so
   * values with the same verdicts share one narrower plan. A value that is not a string (absent, an array...) keeps
   * the plan as it is.
   */
  private narrowed(plan: CandidatePlan, rec: JsonObject): CandidatePlan {
    const n = plan.narrowing!;
    const v = n.get(rec);
    if (typeof v !== 'string') return plan;
    const byValue = n.byValue;
    if (byValue) {
      const hit = byValue.get(v);
      if (++n.lookups === NARROW_SAMPLE) {
        if (n.misses * 4 > n.lookups) {
          this.rememberedValues -= byValue.size;
          n.byValue = null;
        }
        n.lookups = n.misses = 0;
      }
      if (hit) return hit;
      n.misses++;
    }
    let verdicts = '';
    for (const item of n.items) verdicts += item.test(rec) ? '1' : '0';
    let sub = n.byVerdicts.get(verdicts);
    if (!sub) {
      if (this.narrowedCount >= MEMO_LIMIT) return plan;
      sub = this.narrowTo(plan, n, v);
      n.byVerdicts.set(verdicts, sub);
    }
    if (n.byValue) {
      if (n.byValue.size >= NARROW_MEMO) {
        this.rememberedValues -= n.byValue.size;
        n.byValue.clear();
      }
      if (this.rememberedValues < NARROW_MEMO_TOTAL) {
        this.rememberedValues++;
        n.byValue.set(v, sub);
      }
    }
    return sub;
  }

  /** The plan's candidates pruned with the narrowing field's value known as well. */
  private narrowTo(plan: CandidatePlan, n: Narrowing, v: string): CandidatePlan {
    this.narrowedCount++;
    const sub = this.prune({ ...n.values, [n.field]: v }, plan.rules, false);
    if (!sub.reads) return sub;
    // The narrower plan's rules are some of the plan's: of the members already loaded, they read no more than the
    // plan's rules. Naming the loaded shape lets load() skip those members (it compares shapes by identity).
    const { ids, shapes } = n.reads;
    const own = sub.reads;
    sub.reads = {
      ids: own.ids,
      shapes: own.shapes.map((s, k) => {
        const at = ids.indexOf(own.ids[k]!);
        return at >= 0 && covers(shapes[at]!, s) ? shapes[at]! : s;
      }),
    };
    return sub;
  }

  /**
   * The members a candidate list reads (null: one of them reads the whole record) are loaded once for the list: a
   * record's candidates mostly read the same members, and one pass over their union costs less than one per rule.
   * Of an object member, only the keys these candidates read (see ProjectedRecord.load).
   */
  private planOf(rules: number[], tests = rules.map((i) => this.ruleTests[i]!)): CandidatePlan {
    return { rules, tests, reads: this.readsOf(rules), narrowing: null };
  }

  /** What a candidate list reads, kept per list (a few hundred distinct lists; merged shapes are new objects). */
  private readsOf(rules: number[]): MemberReads | null {
    const key = rules.join(',');
    let reads = this.readsByList.get(key);
    if (reads === undefined) {
      const all = rules.map((i) => this.ruleReads[i]!);
      reads = all.some((r) => r === null) ? null : mergeReads(all as MemberReads[]);
      if (this.readsByList.size < MEMO_LIMIT) this.readsByList.set(key, reads);
    }
    return reads;
  }

  /** Indexes of the rules that can match this record, ascending (planFor memoises them by the index values). */
  candidates(rec: JsonObject): number[] {
    let out: number[] | undefined;
    for (const idx of this.indexes) {
      const v = idx.get(rec);
      if (v === MISSING || v === null) continue;
      if (Array.isArray(v)) {
        for (const el of v) {
          if (el === null || Array.isArray(el)) continue;
          const hit = idx.byValue.get(fieldText(el).toLowerCase());
          if (hit) out = out ? mergeSorted(out, hit) : hit;
        }
        continue;
      }
      const hit = idx.byValue.get(fieldText(v).toLowerCase());
      if (hit) out = out ? mergeSorted(out, hit) : hit;
    }
    if (this.unindexed.length) out = out ? mergeSorted(out, this.unindexed) : this.unindexed;
    return out ?? NONE_INDEXES; // may be an index's own list: callers only read it
  }

  /** The rules that match this record, in rule order (field values memoised for the record: see fields.ts recordScope). */
  match(rec: JsonObject): DetectionRule[] {
    const entered = enterRecord();
    try {
      let plan = this.planFor(rec);
      if (plan.narrowing) plan = this.narrowed(plan, rec);
      return this.evaluate(plan, rec);
    } finally {
      leaveRecord(entered);
    }
  }

  /**
   * The same answer as match(), on a record read member by member: the index's members first, then each candidate
   * rule's members, so a record that meets no rule costs a few short parses instead of a whole JSON.parse.
   */
  matchProjected(p: ProjectedRecord): DetectionRule[] {
    const entered = enterRecord();
    try {
      p.load(this.indexKeys);
      let plan = this.planFor(p.rec);
      if (plan.rules.length === 0) return NONE;
      if (plan.narrowing) {
        p.load(plan.narrowing.reads.ids, plan.narrowing.reads.shapes);
        plan = this.narrowed(plan, p.rec);
        if (plan.rules.length === 0) return NONE;
      }
      if (plan.reads === null) p.loadAll();
      else p.load(plan.reads.ids, plan.reads.shapes);
      return this.evaluate(plan, p.rec);
    } finally {
      leaveRecord(entered);
    }
  }

  /** The candidates that match, in rule order. */
  private evaluate({ rules, tests }: CandidatePlan, rec: JsonObject): DetectionRule[] {
    let out: DetectionRule[] | undefined;
    for (let k = 0; k < rules.length; k++) if (tests[k]!(rec)) (out ??= []).push(this.rules[rules[k]!]!);
    return out ?? NONE;
  }

  /** `combinations`: of index values memoised; `plans`: distinct plans they share. */
  get stats(): { indexed: number; unindexed: number; fields: string[]; combinations: number; plans: number; narrowed: number } {
    return {
      indexed: this.rules.length - this.unindexed.length, unindexed: this.unindexed.length, fields: this.indexes.map((i) => i.field),
      combinations: this.planCount, plans: this.plansByKey.size, narrowed: this.narrowedCount,
    };
  }
}

const fieldGetters = new WeakMap<DetectionRule, { test: (r: JsonObject) => boolean; fields: [string, (r: JsonObject) => Json | typeof MISSING][] }[]>();

/** The values, in the record, of the fields named by the selections that hold (what an analyst looks at first). */
export function matchedFields(rule: DetectionRule, rec: JsonObject): Record<string, Json> {
  let sels = fieldGetters.get(rule);
  if (!sels) {
    sels = [...rule.detection.selections.values()]
      .filter((s) => s.fields.length > 0)
      .map((s) => ({ test: s.test, fields: s.fields.map((f) => [f, fieldReader(f).get] as [string, (r: JsonObject) => Json | typeof MISSING]) }));
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
