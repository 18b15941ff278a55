/**
 * Field access into a JSON record, shared by the evaluator and the rule index so both see the same value.
 * A field name is a dot path (`userIdentity.sessionContext.sessionIssuer.userName`); a key that literally contains
 * the dots wins when present (DESIGN.md). Arrays met on the way fan out: `resources.ARN` yields every ARN.
 */
export type Json = string | number | boolean | null | Json[] | { [k: string]: Json };
export type JsonObject = { [k: string]: Json };

const MISSING: unique symbol = Symbol('missing');
export type Missing = typeof MISSING;
export { MISSING };

export function compilePath(field: string): (rec: JsonObject) => Json | Missing {
  const parts = field.split('.');
  if (parts.length === 1) {
    // Fast path: JSON never holds `undefined`, so a plain read decides presence unless the name is inherited from
    // Object.prototype ("constructor", "toString"...), which only an own-property check can tell apart.
    if (!(field in Object.prototype)) {
      return (rec) => {
        const v = rec[field];
        return v === undefined ? MISSING : v;
      };
    }
    return (rec) => (Object.prototype.hasOwnProperty.call(rec, field) ? rec[field]! : MISSING);
  }
  // Fast path, precomputed once per field: alts[i] lists the dotted keys parts[i..j) (longest first) that a
  // record could hold literally, so a lookup allocates nothing (this walk runs for every field of every rule).
  const alts: Step[][] = parts.map((_, i) => {
    const out: Step[] = [];
    for (let j = parts.length; j > i + 1; j--) out.push(step(parts.slice(i, j).join('.'), j));
    return out;
  });
  const steps = parts.map((p, i) => step(p, i + 1));
  return (rec) => walk(rec, steps, alts, 0);
}

/** One key to look up, and where the path goes on after it. */
interface Step {
  key: string;
  next: number;
  /** The key names an Object.prototype member: only an own-property check tells presence. */
  inherited: boolean;
}

const step = (key: string, next: number): Step => ({ key, next, inherited: key in Object.prototype });

/** The member, or undefined. JSON never holds `undefined`, so a plain read decides presence for other keys. */
function member(o: { [k: string]: Json }, s: Step): Json | undefined {
  if (s.inherited) return Object.prototype.hasOwnProperty.call(o, s.key) ? o[s.key] : undefined;
  return o[s.key];
}

function walk(node: Json, steps: Step[], alts: Step[][], i: number): Json | Missing {
  if (i === steps.length) return node;
  if (Array.isArray(node)) {
    // Fan out over arrays: collect what each element yields, flattened, so "any element" semantics hold.
    const out: Json[] = [];
    for (const el of node) {
      const v = walk(el, steps, alts, i);
      if (v === MISSING) continue;
      if (Array.isArray(v)) out.push(...v);
      else out.push(v);
    }
    return out.length ? out : MISSING;
  }
  if (node === null || typeof node !== 'object') return MISSING;
  // A literal key containing dots (e.g. "a.b") wins over descending into "a".
  for (const a of alts[i]!) {
    const v = member(node, a);
    if (v !== undefined) return walk(v, steps, alts, a.next);
  }
  const v = member(node, steps[i]!);
  return v === undefined ? MISSING : walk(v, steps, alts, i + 1);
}

/**
 * Per-record memo of field values, shared by every rule reading the field: with thousands of rules an event meets
 * a dozen candidates that mostly read the same fields (eventSource, userIdentity.arn, userAgent...), and each would
 * walk the path and lower-case the text again. The memo is on only while the detector evaluates one record
 * (recordScope), so a caller that changes a record between two evaluations never sees a stale value.
 */
let epoch = 0;
let epochs = 0;

/** Run `fn` with field values memoised for this record (a nested scope shares its caller's: same record). */
export function recordScope<T>(fn: () => T): T {
  const entered = enterRecord();
  try {
    return fn();
  } finally {
    leaveRecord(entered);
  }
}

/**
 * recordScope without a closure, for the per-record paths (a closure per record was a sixth of a hunt's garbage):
 * `const e = enterRecord(); try { ... } finally { leaveRecord(e); }`. Nested, it shares the caller's scope.
 */
export function enterRecord(): boolean {
  if (epoch !== 0) return false; // the memo also checks the record's identity, so sharing is safe
  epoch = ++epochs;
  return true;
}

export function leaveRecord(entered: boolean): void {
  if (entered) epoch = 0;
}

/** The current record scope's number (0 outside recordScope): a value memoised with it holds for this record only. */
export function recordEpoch(): number {
  return epoch;
}

export interface FieldReader {
  field: string;
  /** The field's value (MISSING when absent). */
  get(rec: JsonObject): Json | Missing;
  /** The lower-cased text of a scalar value (callers pass the value they got and its text). */
  lower(rec: JsonObject, text: string): string;
  /**
   * Items on this field whose verdict on a string value depends on that string alone (compileFieldItem counts them).
   * From VERDICT_ITEMS on, they memoise their verdicts per distinct value (values.ts memoVerdicts).
   */
  items: number;
  /**
   * A small number naming this string value of the field: equal strings get the same one until `generation` changes
   * (after VALUE_IDS distinct values the numbering starts over). -1 when the field's values are too varied to be
   * worth numbering (eventID, requestID...: most lookups would be first sightings).
   */
  valueId(rec: JsonObject, text: string): number;
  generation: number;
}

/**
 * Value numbering, why: CloudTrail repeats a few hundred user agents, ARNs, addresses and bucket names, while with
 * thousands of rules a record meets a dozen candidates testing those same fields with contains/startswith/regex
 * lists. One hash lookup per field and record then replaces every rule's string search.
 */
export const VERDICT_ITEMS = 8;
const VALUE_IDS = 4096;
/** Lookups per check of the numbering's use: when more than a quarter are first sightings, the field is not numbered. */
const VALUE_ID_SAMPLE = 1 << 16;

const readers = new Map<string, FieldReader>();

/** The shared reader of a field (one per field name, so its memo serves every rule). */
export function fieldReader(field: string): FieldReader {
  let r = readers.get(field);
  if (!r) readers.set(field, (r = makeReader(field)));
  return r;
}

function makeReader(field: string): FieldReader {
  const path = compilePath(field);
  let ids = new Map<string, number>();
  let lookups = 0;
  let misses = 0;
  let varied = false;
  let iEpoch = 0;
  let iRec: JsonObject | undefined;
  let iText = '';
  let iId = -1;
  let vEpoch = 0;
  let vRec: JsonObject | undefined;
  let v: Json | Missing = MISSING;
  let lEpoch = 0;
  let lRec: JsonObject | undefined;
  let lText = '';
  let l = '';
  return {
    field,
    get(rec) {
      if (epoch === 0) return path(rec);
      if (vEpoch === epoch && vRec === rec) return v;
      v = path(rec);
      vEpoch = epoch;
      vRec = rec;
      return v;
    },
    lower(rec, text) {
      if (epoch === 0) return text.toLowerCase();
      if (lEpoch === epoch && lRec === rec && lText === text) return l;
      l = text.toLowerCase();
      lEpoch = epoch;
      lRec = rec;
      lText = text;
      return l;
    },
    items: 0,
    generation: 0,
    valueId(rec, text) {
      if (varied) return -1;
      if (epoch !== 0 && iEpoch === epoch && iRec === rec && iText === text) return iId;
      let id = ids.get(text);
      if (id === undefined) {
        misses++;
        if (ids.size >= VALUE_IDS) {
          ids = new Map();
          this.generation++;
        }
        id = ids.size;
        ids.set(text, id);
      }
      if (++lookups === VALUE_ID_SAMPLE) {
        varied = misses * 4 > lookups;
        if (varied) ids = new Map();
        lookups = misses = 0;
      }
      if (epoch !== 0) (iEpoch = epoch), (iRec = rec), (iText = text), (iId = id);
      return id;
    },
  };
}

/**
 * The text a string comparison sees: strings as they are, numbers and booleans by their JSON form,
 * objects as compact JSON in record order (as CloudTrail delivers them and SIEMs store them).
 */
export function fieldText(v: Json): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v);
}
