/**
 * Sigma 2.1 correlation rules, evaluated over a stream of detection matches (in-process, like rsigma; pySigma only
 * converts them). Every type: event_count, value_count, temporal, temporal_ordered, value_sum, value_avg,
 * value_percentile, value_median; group-by with aliases; generate; chained correlations.
 *
 * Semantics (the spec leaves these to the tool; README "Correlation rules" says the same):
 * - Event time is the record's `eventTime`. Records arrive out of order (CloudTrail delivers per account and region,
 *   five minutes at a time): matches are held in a buffer until the newest event time seen is `maxDisorderMs` past
 *   them, then applied in (time, arrival) order. A match older than what was already applied is *late*: it is
 *   counted (`stats.late`) and not correlated, so results never depend on how late records happened to arrive.
 * - Windows slide per group: a window is `[end - timespan, end]`, both ends inclusive, so two events exactly one
 *   timespan apart are in one window.
 * - A condition with lower bounds only (`gt`, `gte`) is checked each time an event enters its group's window and
 *   fires as soon as it holds. A condition with an upper bound or equality (`lt`, `lte`, `eq`, `neq`, or a range) can
 *   only be decided when the window is over: the window then opens at the group's first event, runs for `timespan`,
 *   and is checked when event time passes its end (or at the end of input).
 * - When a correlation fires, the group's window restarts empty: ten failed logins with `gte: 5` give two alerts.
 * - Group values are compared as text, exactly (case-sensitive); a missing field is `null`, a group of its own (as
 *   SQL GROUP BY does). Duplicate deliveries (same rule and eventID) count once per window.
 * - temporal: value = how many of the referenced rules matched in the window (default condition: all of them).
 *   temporal_ordered: value = how many of the rules matched in the order written (each by a later event).
 *   value_count: distinct values of `condition.field`; value_sum/avg/percentile/median: over its numeric values
 *   (events without one are not counted). Percentiles interpolate linearly (`percentile: 95`; median = 50).
 * - generate (default false): the referenced rules' own alerts are not emitted; a correlation alert that feeds
 *   another correlation is itself an event of that correlation, carrying its group fields and time.
 */
import { compilePath, fieldText, MISSING, type Json, type JsonObject } from '../sigma/fields.js';
import type { CorrelationRule, DetectionRule } from '../sigma/rule.js';

export const DEFAULT_MAX_DISORDER_MS = 15 * 60_000;

export interface CorrelationAlert {
  rule: { id: string; title: string; level: string | null; tags: string[]; type: string };
  /** End of the window (event time of the event that completed it). */
  time: string;
  window: { start: string; end: string };
  /** group-by field -> value. */
  group: Record<string, string | null>;
  /** The count / sum / avg / percentile / median that met the condition. */
  value?: number;
  /** eventIDs of the contributing events. */
  events: string[];
}

const OPS = ['gt', 'gte', 'lt', 'lte', 'eq', 'neq'] as const;
type Op = (typeof OPS)[number];

interface Condition {
  preds: [Op, number][];
  field?: string[];
  percentile?: number;
}

type Source = { kind: 'detection'; rule: DetectionRule } | { kind: 'correlation'; index: number };

interface Compiled {
  rule: CorrelationRule;
  index: number;
  spanMs: number;
  cond: Condition;
  /** arrival: checked as events enter; close: checked when the window ends. */
  mode: 'arrival' | 'close';
  generate: boolean;
  /** Alerts are written (not an intermediate step of another correlation with generate: false). */
  output: boolean;
  sources: Source[];
  /** Per source position: group-by field names as they are called in that source's events. */
  groupFields: string[][];
  groupGetters: ((rec: JsonObject) => Json | typeof MISSING)[][];
  valueFields: string[][];
  valueGetters: ((rec: JsonObject) => Json | typeof MISSING)[][];
}

export interface CorrelationProblem {
  rule: CorrelationRule;
  message: string;
}

/** An event of a correlation, as kept in windows and buffers (JSON-serialisable). */
interface Entry {
  t: number;
  /** Arrival sequence of the record (ties at one time keep input order; one record = one s). */
  s: number;
  /** Position in the correlation's `rules`. */
  r: number;
  ids: string[];
  /** value_count: distinct-value key; value_*: number. */
  v?: string | number;
}

interface Pending extends Entry {
  c: number;
  key: string;
  group: Record<string, string | null>;
}

interface GroupState {
  group: Record<string, string | null>;
  entries: Entry[];
  /** close mode: end of the current window. */
  end?: number;
}

interface Deadline {
  d: number;
  c: number;
  key: string;
}

export interface CorrelationState {
  version: 1;
  maxDisorderMs: number | null;
  maxT: number | null;
  releasedTo: number | null;
  seq: number;
  /** Buffered matches (c: the correlation's id). */
  pending: (Omit<Pending, 'c'> & { c: string })[];
  deadlines: (Omit<Deadline, 'c'> & { c: string })[];
  /** Per correlation id: its open windows by group key. */
  groups: Record<string, [string, GroupState][]>;
  stats: CorrelationStats;
}

export interface CorrelationStats {
  /** Matches older than what was already applied (beyond the disorder tolerance): not correlated. */
  late: number;
  /** Matches without a parsable eventTime: not correlated. */
  untimed: number;
  /** Correlation alerts emitted (generate: false intermediates not counted). */
  alerts: number;
}

const SPAN_UNITS: Record<string, number> = { s: 1e3, m: 60e3, h: 3600e3, d: 86400e3, w: 7 * 86400e3, M: 30 * 86400e3, y: 365 * 86400e3 };

export function timespanMs(text: string): number | undefined {
  const m = /^(\d+)([smhdwMy])$/.exec(text);
  return m ? Number(m[1]) * SPAN_UNITS[m[2]!]! : undefined;
}

/** Parse a duration flag (`15m`, `2h`, `0s`), or `all`/`none`/`inf` for "wait for the end of input". */
export function parseDisorder(text: string): number | undefined {
  if (/^(all|inf|infinity|none)$/i.test(text)) return Infinity;
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  return timespanMs(text);
}

/** What a set of correlations needs from the detection side, and what is wrong with it. */
export interface CorrelationPlan {
  compiled: (Compiled | undefined)[];
  problems: CorrelationProblem[];
  /** Detection rules whose matches feed a correlation. */
  correlated: Set<string>;
  /** Detection rules whose own alerts are not written (every correlation using them has generate: false). */
  silent: Set<string>;
}

export function planCorrelations(correlations: CorrelationRule[], rules: DetectionRule[]): CorrelationPlan {
  const problems: CorrelationProblem[] = [];
  const find = (ref: string): Source | undefined => {
    const d = rules.find((r) => r.id === ref) ?? rules.find((r) => r.name === ref);
    if (d) return { kind: 'detection', rule: d };
    const ci = correlations.findIndex((c) => c.id === ref);
    const cj = ci >= 0 ? ci : correlations.findIndex((c) => c.name === ref);
    return cj >= 0 ? { kind: 'correlation', index: cj } : undefined;
  };
  const compiled: (Compiled | undefined)[] = correlations.map((rule, index) => {
    const errs: string[] = [];
    const raw = rule.raw;
    const spanMs = rule.timespan ? timespanMs(rule.timespan) : undefined;
    if (spanMs === undefined) errs.push("correlation needs a 'timespan' (e.g. 5m)");
    const sources: Source[] = [];
    for (const ref of rule.rules) {
      const s = find(ref);
      if (!s) errs.push(`correlation refers to rule '${ref}', which is not loaded (or not a CloudTrail rule)`);
      else sources.push(s);
    }
    const cond = parseCondition(rule, errs);
    let generate = false;
    if (raw.generate !== undefined) {
      if (typeof raw.generate !== 'boolean') errs.push("'generate' must be true or false");
      else generate = raw.generate;
    }
    const aliases = raw.aliases;
    if (aliases !== undefined && (aliases === null || typeof aliases !== 'object' || Array.isArray(aliases))) errs.push("'aliases' must map alias names to {rule name: field}");
    const fieldFor = (name: string, pos: number): string => {
      const a = aliases && typeof aliases === 'object' && !Array.isArray(aliases) ? aliases[name] : undefined;
      if (!a || typeof a !== 'object' || Array.isArray(a)) return name;
      const s = sources[pos];
      const keys = [rule.rules[pos]!, s?.kind === 'detection' ? s.rule.name : s ? correlations[s.index]!.name : undefined, s?.kind === 'detection' ? s.rule.id : s ? correlations[s.index]!.id : undefined];
      for (const k of keys) if (k !== undefined && typeof a[k] === 'string') return a[k] as string;
      return name;
    };
    if (errs.length) {
      for (const message of errs) problems.push({ rule, message });
      return undefined;
    }
    const groupFields = sources.map((_, pos) => rule.groupBy.map((g) => fieldFor(g, pos)));
    const valueFields = sources.map((_, pos) => (cond.field ?? []).map((f) => fieldFor(f, pos)));
    const upper = cond.preds.some(([op]) => op !== 'gt' && op !== 'gte');
    return {
      rule, index, spanMs: spanMs!, cond, mode: upper ? 'close' : 'arrival', generate, output: true, sources,
      groupFields, groupGetters: groupFields.map((fs) => fs.map(compilePath)),
      valueFields, valueGetters: valueFields.map((fs) => fs.map(compilePath)),
    };
  });
  // Chains must not loop: a correlation in a cycle (or depending on a broken one) is disabled.
  const state = new Array<number>(correlations.length).fill(0); // 0 new, 1 visiting, 2 ok, 3 bad
  const visit = (i: number): boolean => {
    if (state[i] === 2) return true;
    if (state[i] === 3) return false;
    const c = compiled[i];
    if (!c || state[i] === 1) {
      if (c) problems.push({ rule: c.rule, message: 'correlation refers to itself through a chain of correlations' });
      state[i] = 3;
      compiled[i] = undefined;
      return false;
    }
    state[i] = 1;
    let ok = true;
    for (const s of c.sources) if (s.kind === 'correlation' && !visit(s.index)) ok = false;
    if (!ok && compiled[i]) problems.push({ rule: c.rule, message: 'correlation depends on a correlation that cannot be evaluated' });
    state[i] = ok ? 2 : 3;
    if (!ok) compiled[i] = undefined;
    return ok;
  };
  correlations.forEach((_, i) => visit(i));

  const correlated = new Set<string>();
  const emittedBy = new Map<string, boolean>(); // rule/correlation key -> some user has generate: true
  for (const c of compiled) {
    if (!c) continue;
    for (const s of c.sources) {
      const key = s.kind === 'detection' ? `d:${s.rule.id}` : `c:${s.index}`;
      if (s.kind === 'detection') correlated.add(s.rule.id);
      emittedBy.set(key, (emittedBy.get(key) ?? false) || c.generate);
    }
  }
  const silent = new Set<string>();
  for (const [key, gen] of emittedBy) {
    if (gen) continue;
    if (key.startsWith('d:')) silent.add(key.slice(2));
    else compiled[Number(key.slice(2))]!.output = false;
  }
  return { compiled, problems, correlated, silent };
}

function parseCondition(rule: CorrelationRule, errs: string[]): Condition {
  const raw = rule.raw.condition;
  const n = rule.rules.length;
  const temporal = rule.type === 'temporal' || rule.type === 'temporal_ordered';
  if (raw === undefined || raw === null) {
    if (!temporal) errs.push(`${rule.type} correlation needs a 'condition' (e.g. gte: 5)`);
    return { preds: [['gte', n]] };
  }
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    errs.push(temporal && typeof raw === 'string'
      ? `condition '${raw}': boolean conditions over rule names are not supported; use a count (gte: 2) or list the rules`
      : "'condition' must be a mapping such as {gte: 5}");
    return { preds: [] };
  }
  const cond: Condition = { preds: [] };
  for (const [k, v] of Object.entries(raw)) {
    if ((OPS as readonly string[]).includes(k)) {
      const num = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
      if (!Number.isFinite(num)) errs.push(`condition ${k}: '${String(v)}' is not a number`);
      else cond.preds.push([k as Op, num]);
    } else if (k === 'field') {
      const list = typeof v === 'string' ? [v] : Array.isArray(v) && v.every((x) => typeof x === 'string') ? (v as string[]) : undefined;
      if (!list || !list.length) errs.push("condition 'field' must be a field name (or a list of them)");
      else cond.field = list;
    } else if (k === 'percentile') {
      const p = typeof v === 'number' ? v : Number(v);
      if (!Number.isFinite(p) || p < 0 || p > 100) errs.push(`condition percentile: '${String(v)}' must be a number from 0 to 100`);
      else cond.percentile = p;
    } else errs.push(`condition: unknown key '${k}' (expected ${OPS.join(', ')}, field, percentile)`);
  }
  if (!cond.preds.length) {
    if (temporal) cond.preds.push(['gte', n]);
    else errs.push(`condition needs a comparison (${OPS.join(', ')})`);
  }
  const needsField = rule.type !== 'event_count' && !temporal;
  if (needsField && !cond.field) errs.push(`${rule.type} correlation needs 'field' in its condition`);
  if (cond.field && cond.field.length > 1 && rule.type !== 'value_count') errs.push(`${rule.type} takes one 'field'`);
  if (cond.percentile !== undefined && rule.type !== 'value_percentile') errs.push(`'percentile' only applies to value_percentile`);
  if (rule.type === 'value_percentile' && cond.percentile === undefined) cond.percentile = 50;
  if (rule.type === 'value_median') cond.percentile = 50;
  return cond;
}

const textOf = (v: Json | typeof MISSING): string | null => (v === MISSING || v === null ? null : fieldText(v));
const numberOf = (v: Json | typeof MISSING): number | undefined => {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v === 'string' && v.trim() !== '') {
    const n = Number(v);
    return Number.isFinite(n) ? n : undefined;
  }
  return undefined;
};

function holds(cond: Condition, v: number): boolean {
  for (const [op, x] of cond.preds) {
    const ok = op === 'gt' ? v > x : op === 'gte' ? v >= x : op === 'lt' ? v < x : op === 'lte' ? v <= x : op === 'eq' ? v === x : v !== x;
    if (!ok) return false;
  }
  return true;
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 1) return sorted[0]!;
  const rank = (p / 100) * (sorted.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (rank - lo);
}

const byTime = (a: { t: number; s: number }, b: { t: number; s: number }) => a.t - b.t || a.s - b.s;

/** Binary min-heap ordered by (t, s) or (d): JSON-serialisable as its array. */
class Heap<T> {
  constructor(readonly items: T[], private readonly less: (a: T, b: T) => boolean) {}
  get size() {
    return this.items.length;
  }
  peek(): T | undefined {
    return this.items[0];
  }
  push(x: T): void {
    const a = this.items;
    a.push(x);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(a[i]!, a[p]!)) break;
      [a[i], a[p]] = [a[p]!, a[i]!];
      i = p;
    }
  }
  pop(): T | undefined {
    const a = this.items;
    if (!a.length) return undefined;
    const top = a[0]!;
    const last = a.pop()!;
    if (a.length) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && this.less(a[l]!, a[m]!)) m = l;
        if (r < a.length && this.less(a[r]!, a[m]!)) m = r;
        if (m === i) break;
        [a[i], a[m]] = [a[m]!, a[i]!];
        i = m;
      }
    }
    return top;
  }
}

export class CorrelationEngine {
  readonly problems: CorrelationProblem[];
  readonly correlated: Set<string>;
  readonly silent: Set<string>;
  readonly stats: CorrelationStats = { late: 0, untimed: 0, alerts: 0 };
  private readonly compiled: (Compiled | undefined)[];
  /** Per detection rule id: (correlation, source position) pairs it feeds. */
  private readonly feeds = new Map<string, [Compiled, number][]>();
  /** Per correlation index: (correlation, position) pairs its alerts feed. */
  private readonly chains = new Map<number, [Compiled, number][]>();
  private readonly maxDisorderMs: number;
  private maxT: number | null = null;
  private releasedTo: number | null = null;
  private seq = 0;
  private pending = new Heap<Pending>([], (a, b) => byTime(a, b) < 0);
  private deadlines = new Heap<Deadline>([], (a, b) => a.d < b.d);
  private groups: Map<string, GroupState>[];
  private lastSweep = -Infinity;

  constructor(correlations: CorrelationRule[], rules: DetectionRule[], opts: { maxDisorderMs?: number } = {}) {
    const plan = planCorrelations(correlations, rules);
    this.compiled = plan.compiled;
    this.problems = plan.problems;
    this.correlated = plan.correlated;
    this.silent = plan.silent;
    this.maxDisorderMs = opts.maxDisorderMs ?? DEFAULT_MAX_DISORDER_MS;
    this.groups = correlations.map(() => new Map());
    for (const c of this.compiled) {
      if (!c) continue;
      c.sources.forEach((s, pos) => {
        if (s.kind === 'detection') {
          const l = this.feeds.get(s.rule.id) ?? [];
          l.push([c, pos]);
          this.feeds.set(s.rule.id, l);
        } else {
          const l = this.chains.get(s.index) ?? [];
          l.push([c, pos]);
          this.chains.set(s.index, l);
        }
      });
    }
  }

  /** Correlations that are evaluated (the others are in `problems`). */
  get active(): CorrelationRule[] {
    return this.compiled.filter((c): c is Compiled => !!c).map((c) => c.rule);
  }

  /** Feed one record and the detection rules it matched (from Detector.match); returns correlation alerts it completes. */
  process(rec: JsonObject, matched: DetectionRule[]): CorrelationAlert[] {
    let fed: [Compiled, number][] | undefined;
    for (const r of matched) {
      const f = this.feeds.get(r.id);
      if (f) (fed ??= []).push(...f);
    }
    if (!fed) return [];
    const t = typeof rec.eventTime === 'string' ? Date.parse(rec.eventTime) : NaN;
    if (Number.isNaN(t)) {
      this.stats.untimed++;
      return [];
    }
    if (this.releasedTo !== null && t < this.releasedTo) {
      this.stats.late++;
      return [];
    }
    const s = this.seq++;
    const ids = typeof rec.eventID === 'string' ? [rec.eventID] : [];
    for (const [c, pos] of fed) {
      const p = this.entryFor(c, pos, t, s, ids, (i) => c.groupGetters[pos]![i]!(rec), (i) => c.valueGetters[pos]![i]!(rec));
      if (p) this.pending.push(p);
    }
    if (this.maxT === null || t > this.maxT) this.maxT = t;
    return this.release(this.maxT - this.maxDisorderMs);
  }

  /** End of input: returns alerts pending because of disorder tolerance (and windows still open). */
  flush(): CorrelationAlert[] {
    const out = this.release(Infinity);
    while (this.deadlines.size) out.push(...this.closeWindow(this.deadlines.pop()!));
    return out;
  }

  snapshot(): CorrelationState {
    const groups: CorrelationState['groups'] = {};
    this.compiled.forEach((c, i) => {
      if (c && this.groups[i]!.size) groups[c.rule.id] = [...this.groups[i]!.entries()].map(([k, g]) => [k, structuredClone(g)]);
    });
    return {
      version: 1,
      maxDisorderMs: Number.isFinite(this.maxDisorderMs) ? this.maxDisorderMs : null,
      maxT: this.maxT,
      releasedTo: this.releasedTo,
      seq: this.seq,
      pending: structuredClone(this.pending.items).map((p) => ({ ...p, c: this.compiled[p.c]!.rule.id })),
      deadlines: this.deadlines.items.map((d) => ({ ...d, c: this.compiled[d.c]!.rule.id })),
      groups,
      stats: { ...this.stats },
    };
  }

  static restore(state: CorrelationState, correlations: CorrelationRule[], rules: DetectionRule[], opts?: { maxDisorderMs?: number }): CorrelationEngine {
    if (state?.version !== 1) throw new Error('unknown correlation state version');
    const e = new CorrelationEngine(correlations, rules, { maxDisorderMs: opts?.maxDisorderMs ?? state.maxDisorderMs ?? Infinity });
    const index = new Map<string, number>();
    e.compiled.forEach((c, i) => c && index.set(c.rule.id, i));
    e.maxT = state.maxT;
    e.releasedTo = state.releasedTo;
    e.seq = state.seq;
    Object.assign(e.stats, state.stats);
    for (const p of state.pending) {
      const c = index.get(p.c);
      if (c !== undefined) e.pending.push({ ...structuredClone(p), c });
    }
    for (const d of state.deadlines) {
      const c = index.get(d.c);
      if (c !== undefined) e.deadlines.push({ ...d, c });
    }
    for (const [id, list] of Object.entries(state.groups)) {
      const c = index.get(id);
      if (c !== undefined) for (const [k, g] of list) e.groups[c]!.set(k, structuredClone(g));
    }
    return e;
  }

  /** The window entry of one event for one correlation position, or undefined when it does not count (no value). */
  private entryFor(c: Compiled, pos: number, t: number, s: number, ids: string[], groupVal: (i: number) => Json | typeof MISSING, valueVal: (i: number) => Json | typeof MISSING): Pending | undefined {
    const group: Record<string, string | null> = {};
    const vals: (string | null)[] = [];
    c.rule.groupBy.forEach((g, i) => {
      const v = textOf(groupVal(i));
      group[g] = v;
      vals.push(v);
    });
    let v: string | number | undefined;
    if (c.rule.type === 'value_count') {
      const parts = c.cond.field!.map((_, i) => textOf(valueVal(i)));
      if (parts.some((x) => x === null)) return undefined; // COUNT(DISTINCT) ignores nulls
      v = parts.length === 1 ? parts[0]! : JSON.stringify(parts);
    } else if (c.cond.field && c.rule.type !== 'event_count' && c.rule.type !== 'temporal' && c.rule.type !== 'temporal_ordered') {
      v = numberOf(valueVal(0));
      if (v === undefined) return undefined;
    }
    return { t, s, r: pos, ids, v, c: c.index, key: JSON.stringify(vals), group };
  }

  private release(wm: number): CorrelationAlert[] {
    const out: CorrelationAlert[] = [];
    for (let top = this.pending.peek(); top && top.t <= wm; top = this.pending.peek()) {
      this.pending.pop();
      // Windows that ended before this event are decided first (their end is inclusive).
      while (this.deadlines.size && this.deadlines.peek()!.d < top.t) out.push(...this.closeWindow(this.deadlines.pop()!));
      this.releasedTo = this.releasedTo === null ? top.t : Math.max(this.releasedTo, top.t);
      out.push(...this.apply(this.compiled[top.c]!, top));
    }
    if (Number.isFinite(wm)) {
      while (this.deadlines.size && this.deadlines.peek()!.d < wm) {
        const d = this.deadlines.pop()!;
        // An event at or before a closed window's end can no longer join it: it is late from now on.
        this.releasedTo = Math.max(this.releasedTo ?? -Infinity, d.d + 1);
        out.push(...this.closeWindow(d));
      }
    }
    this.sweep();
    return out;
  }

  /** Drop groups whose every event is older than any window still to come (bounded memory). */
  private sweep(): void {
    if (this.releasedTo === null) return;
    const now = this.releasedTo;
    const longest = Math.max(0, ...this.compiled.map((c) => c?.spanMs ?? 0));
    if (now - this.lastSweep < longest) return;
    this.lastSweep = now;
    this.compiled.forEach((c, i) => {
      if (!c || c.mode !== 'arrival') return;
      for (const [k, g] of this.groups[i]!) {
        const last = g.entries[g.entries.length - 1];
        if (!last || last.t < now - c.spanMs) this.groups[i]!.delete(k);
      }
    });
  }

  /** Add one event to its group's window; returns the alerts it causes (chained correlations included). */
  private apply(c: Compiled, p: Pending): CorrelationAlert[] {
    const groups = this.groups[c.index]!;
    let g = groups.get(p.key);
    let closed: CorrelationAlert[] = [];
    if (g?.end !== undefined && p.t > g.end) {
      // A chained event past the end of its group's window: decide that window first (its deadline then finds nothing).
      closed = this.closeWindow({ d: g.end, c: c.index, key: p.key });
      g = undefined;
    }
    if (closed.length) return [...closed, ...this.apply(c, p)];
    if (!g) groups.set(p.key, (g = { group: p.group, entries: [] }));
    const e: Entry = { t: p.t, s: p.s, r: p.r, ids: p.ids, v: p.v };
    // One delivery per rule and eventID in a window (CloudTrail may deliver an event twice).
    if (e.ids.length === 1 && g.entries.some((x) => x.r === e.r && x.ids.length === 1 && x.ids[0] === e.ids[0])) return [];
    insertSorted(g.entries, e);
    if (c.mode === 'close') {
      if (g.end === undefined) {
        g.end = e.t + c.spanMs;
        this.deadlines.push({ d: g.end, c: c.index, key: p.key });
      }
      return [];
    }
    const now = g.entries[g.entries.length - 1]!.t;
    const from = now - c.spanMs;
    let drop = 0;
    while (drop < g.entries.length && g.entries[drop]!.t < from) drop++;
    if (drop) g.entries.splice(0, drop);
    const res = this.evaluate(c, g.entries);
    if (!res || !holds(c.cond, res.value)) return [];
    groups.delete(p.key);
    return this.fire(c, g.group, res.used, res.value, res.used[0]!.t, now);
  }

  private closeWindow(d: Deadline): CorrelationAlert[] {
    const c = this.compiled[d.c]!;
    const groups = this.groups[d.c]!;
    const g = groups.get(d.key);
    if (!g || g.end !== d.d) return [];
    groups.delete(d.key);
    const inWindow = g.entries.filter((e) => e.t <= d.d);
    const res = this.evaluate(c, inWindow);
    if (!res || !holds(c.cond, res.value)) return [];
    return this.fire(c, g.group, res.used.length ? res.used : inWindow, res.value, d.d - c.spanMs, d.d, inWindow[inWindow.length - 1]?.t ?? d.d);
  }

  /** The correlation's value over a window's events, and the events that make it. */
  private evaluate(c: Compiled, entries: Entry[]): { value: number; used: Entry[] } | undefined {
    if (!entries.length) return undefined;
    switch (c.rule.type) {
      case 'event_count':
        return { value: entries.length, used: entries };
      case 'value_count':
        return { value: new Set(entries.map((e) => e.v)).size, used: entries };
      case 'value_sum':
      case 'value_avg':
      case 'value_percentile':
      case 'value_median': {
        const nums = entries.map((e) => e.v as number);
        const sum = nums.reduce((a, b) => a + b, 0);
        const value = c.rule.type === 'value_sum' ? sum : c.rule.type === 'value_avg' ? sum / nums.length : percentile([...nums].sort((a, b) => a - b), c.cond.percentile!);
        return { value, used: entries };
      }
      case 'temporal':
        return { value: new Set(entries.map((e) => e.r)).size, used: entries };
      case 'temporal_ordered': {
        // Greedy earliest match of rules[0], then rules[1] by a later event, ...: finds the longest ordered prefix.
        const used: Entry[] = [];
        for (const e of entries) {
          if (e.r !== used.length) continue;
          if (used.length && used[used.length - 1]!.s === e.s) continue; // one event is one step
          used.push(e);
          if (used.length === c.sources.length) break;
        }
        return { value: used.length, used: used.length ? used : entries };
      }
    }
  }

  private fire(c: Compiled, group: Record<string, string | null>, used: Entry[], value: number, start: number, end: number, time = end): CorrelationAlert[] {
    const events = [...new Set(used.flatMap((e) => e.ids))];
    const alert: CorrelationAlert = {
      rule: { id: c.rule.id, title: c.rule.title, level: c.rule.level ?? null, tags: c.rule.tags, type: c.rule.type },
      time: iso(time),
      window: { start: iso(start), end: iso(end) },
      group,
      value,
      events,
    };
    const out: CorrelationAlert[] = [];
    if (c.output) {
      this.stats.alerts++;
      out.push(alert);
    }
    // A correlation alert is an event of the correlations that refer to it, at its time, with its group fields.
    const s = Math.max(...used.map((e) => e.s));
    for (const [parent, pos] of this.chains.get(c.index) ?? []) {
      const fields = (name: string): Json | typeof MISSING => (Object.prototype.hasOwnProperty.call(group, name) ? group[name]! : name === 'value' ? value : MISSING);
      const p = this.entryFor(parent, pos, time, s, events, (i) => fields(parent.groupFields[pos]![i]!), (i) => fields(parent.valueFields[pos]![i]!));
      if (p) out.push(...this.apply(parent, p));
    }
    return out;
  }
}

/** ISO-8601 as CloudTrail writes it: milliseconds only when there are some. */
const iso = (ms: number) => new Date(ms).toISOString().replace(/\.000Z$/, 'Z');

function insertSorted(list: Entry[], e: Entry): void {
  let i = list.length;
  while (i > 0 && byTime(list[i - 1]!, e) > 0) i--;
  list.splice(i, 0, e);
}
