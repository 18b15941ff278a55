/**
 * One `field|modifier|...: value(s)` item of a selection, compiled to a predicate over a record.
 * Modifier semantics follow Sigma 2.1 and the decisions in DESIGN.md; every combination that is not
 * meaningful is refused here with a message naming the modifier, never silently reinterpreted.
 */
import { RuleError, type Position } from './diagnostics.js';
import { requiredLiteral } from './regex-literal.js';
import { compilePath, fieldReader, fieldText, MISSING, recordEpoch, VERDICT_ITEMS, type FieldReader, type Json, type JsonObject } from './fields.js';
import {
  anyPattern,
  compilePattern,
  hasWildcards,
  literal,
  parsePattern,
  patternText,
  wrap,
  type Pattern,
  type StringTest,
} from './patterns.js';

export const MODIFIERS = new Set([
  'contains', 'startswith', 'endswith', 'all', 're', 'i', 'm', 's', 'cased', 'exists', 'neq', 'windash',
  'base64', 'base64offset', 'utf16le', 'utf16be', 'utf16', 'wide', 'lt', 'lte', 'gt', 'gte',
  'minute', 'hour', 'day', 'week', 'month', 'year', 'cidr', 'expand', 'fieldref',
]);
export const TIME_PARTS = ['minute', 'hour', 'day', 'week', 'month', 'year'] as const;
export type TimePart = (typeof TIME_PARTS)[number];
export const NUMERIC = ['lt', 'lte', 'gt', 'gte'] as const;

/** A scalar value as written in the rule, with its YAML source text (so `1.10` stays `1.10`). */
export interface RuleValue {
  value: string | number | boolean | null;
  text: string;
  pos: Position;
}

export interface CompileOptions {
  /** Values for `%name%` placeholders used with the `expand` modifier. */
  placeholders?: Record<string, string[]>;
}

/** Predicate over one non-array, non-missing value; `lower` is the lower-cased field text. */
type ValueTest = (v: Json, text: string, lower: string) => boolean;

export interface FieldItem {
  field: string;
  modifiers: string[];
  test: (rec: JsonObject) => boolean;
  /** Set when the item holds only if the field equals one of these lower-cased texts (for the rule index). */
  witness?: Set<string>;
  /** Other fields the test reads (fieldref targets). */
  refs?: string[];
  /** Another rule holds this item too (detection.ts sharedFieldItem): keep its verdict per record. */
  share?: () => void;
}

export function compileFieldItem(
  field: string,
  modifiers: string[],
  values: RuleValue[],
  keyPos: Position,
  opts: CompileOptions,
): FieldItem {
  const mods = new Set<string>();
  for (const m of modifiers) {
    if (!MODIFIERS.has(m)) throw new RuleError(`unknown modifier '${m}' on field '${field}'`, keyPos);
    if (mods.has(m)) throw new RuleError(`modifier '${m}' repeated on field '${field}'`, keyPos);
    mods.add(m);
  }
  const has = (m: string) => mods.has(m);
  const conflict = (a: string, others: string[]) => {
    for (const o of others) if (has(a) && has(o)) throw new RuleError(`modifier '${a}' cannot be combined with '${o}' (field '${field}')`, keyPos);
  };
  for (const f of ['i', 'm', 's']) if (has(f) && !has('re')) throw new RuleError(`modifier '${f}' is a flag of 're' and needs it (field '${field}')`, keyPos);
  if (values.length === 0) throw new RuleError(`field '${field}' has an empty list of values`, keyPos);
  if (has('all') && values.length < 2) throw new RuleError(`modifier 'all' needs a list of at least two values (field '${field}')`, keyPos);

  const reader = fieldReader(field);
  const get = reader.get;
  const negate = has('neq');
  let tests: ValueTest[];
  let nullTests = 0; // how many values are `null` (they match a missing field or JSON null)
  let witness: Set<string> | undefined;
  let needLower = false; // only case-insensitive string tests read the lower-cased text
  let scalarString: ((rec: JsonObject, x: string) => boolean) | undefined; // see the plain-string branch

  if (has('exists')) {
    conflict('exists', [...MODIFIERS].filter((m) => m !== 'exists'));
    const v = values[0]!;
    if (values.length !== 1 || typeof v.value !== 'boolean') throw new RuleError(`modifier 'exists' takes true or false (field '${field}')`, v.pos);
    const want = v.value;
    return { field, modifiers, test: (rec) => { const x = get(rec); return (x !== MISSING && x !== null) === want; } };
  }

  const timePart = TIME_PARTS.find((p) => has(p));
  const numOp = NUMERIC.find((p) => has(p));
  if (has('re')) {
    conflict('re', ['contains', 'startswith', 'endswith', 'cased', 'windash', 'base64', 'base64offset', 'utf16le', 'utf16be', 'utf16', 'wide', 'cidr', 'fieldref', 'expand', ...NUMERIC, ...TIME_PARTS]);
    const flags = (has('i') ? 'i' : '') + (has('m') ? 'm' : '') + (has('s') ? 's' : '');
    tests = values.map((v) => {
      if (typeof v.value !== 'string') throw new RuleError(`modifier 're' needs a string (field '${field}')`, v.pos);
      let re: RegExp;
      try {
        re = new RegExp(v.value, flags);
      } catch (e) {
        throw new RuleError(`invalid regular expression for field '${field}': ${(e as Error).message}`, v.pos);
      }
      // Unanchored search, as SIEM regex operators do; case-sensitive unless `i`. Fast path: a literal every match
      // contains is looked for first (ASCII only under `i`, where lower-casing and the regex's case folding agree).
      const lit = requiredLiteral(v.value);
      if (lit !== undefined && !has('i')) return (_v: Json, text: string) => text.includes(lit) && re.test(text);
      if (lit !== undefined && /^[\x00-\x7f]*$/.test(lit)) {
        const low = lit.toLowerCase();
        needLower = true;
        return (_v: Json, text: string, lower: string) => lower.includes(low) && re.test(text);
      }
      return (_v: Json, text: string) => re.test(text);
    });
  } else if (has('cidr')) {
    conflict('cidr', ['contains', 'startswith', 'endswith', 'windash', 'base64', 'base64offset', 'fieldref', 'expand', ...NUMERIC, ...TIME_PARTS]);
    tests = values.map((v) => {
      const range = typeof v.value === 'string' ? parseCidr(v.value) : undefined;
      if (!range) throw new RuleError(`modifier 'cidr' needs an IPv4 or IPv6 network such as 10.0.0.0/8, got '${v.text}' (field '${field}')`, v.pos);
      return (_v: Json, text: string) => range(text);
    });
  } else if (numOp || timePart) {
    conflict(numOp ?? timePart!, ['contains', 'startswith', 'endswith', 'windash', 'base64', 'base64offset', 'fieldref', 'expand', 'cased']);
    if (NUMERIC.filter((p) => has(p)).length > 1) throw new RuleError(`only one of lt, lte, gt, gte may be used (field '${field}')`, keyPos);
    if (TIME_PARTS.filter((p) => has(p)).length > 1) throw new RuleError(`only one time-part modifier may be used (field '${field}')`, keyPos);
    tests = values.map((v) => {
      const n = typeof v.value === 'number' ? v.value : typeof v.value === 'string' && v.value.trim() !== '' ? Number(v.value) : NaN;
      if (!Number.isFinite(n)) throw new RuleError(`modifier '${numOp ?? timePart}' needs a number, got '${v.text}' (field '${field}')`, v.pos);
      const cmp = numericCompare(numOp, n);
      if (timePart) return (x: Json) => { const t = timeComponent(x, timePart); return t !== undefined && cmp(t); };
      return (x: Json) => { const f = toNumber(x); return f !== undefined && cmp(f); };
    });
  } else if (has('fieldref')) {
    conflict('fieldref', ['windash', 'base64', 'base64offset', 'utf16le', 'utf16be', 'utf16', 'wide', 'expand']);
    for (const v of values) {
      if (typeof v.value !== 'string' || v.value === '') throw new RuleError(`modifier 'fieldref' needs a field name (field '${field}')`, v.pos);
    }
    const mode = has('contains') ? 'contains' : has('startswith') ? 'startswith' : has('endswith') ? 'endswith' : 'equals';
    return fieldRefItem(field, modifiers, values, get, has('cased'), mode, has('all'), negate);
  } else {
    // Base64 text is case-sensitive: another case decodes to other bytes.
    const cased = has('cased') || has('base64') || has('base64offset');
    const patterns: Pattern[][] = values.map((v) => {
      if (v.value === null) {
        nullTests++;
        return [];
      }
      return stringPatterns(field, v, mods, opts, keyPos);
    });
    const compiled: ValueTest[] = [];
    for (const group of patterns) {
      const ts = group.map((p) => compilePattern(p, cased));
      if (group.length === 0) continue; // null value
      // An expanded value (windash, base64offset, expand) holds if any of its variants holds.
      compiled.push(cased ? (_v, text) => ts.some((t) => t(text)) : (_v, _t, lower) => ts.some((t) => t(lower)));
    }
    tests = compiled;
    needLower = !cased;
    // Fast path for a string value (nearly every CloudTrail field): one matcher over all the patterns.
    if (!has('all') && nullTests === 0) {
      const any = anyPattern(patterns.flat(), cased);
      scalarString = cased ? (_rec, x) => any(x) : (rec, x) => any(reader.lower(rec, x));
    }
    if (!cased && !has('all') && !negate && nullTests === 0 && patterns.every((g) => g.every((p) => !hasWildcards(p)))) {
      witness = new Set(patterns.flatMap((g) => g.map((p) => patternText(p).toLowerCase())));
    }
    if (nullTests > 0 && negate) throw new RuleError(`'neq' with null: use 'exists: true' instead (field '${field}')`, keyPos);
    if (nullTests > 0 && has('all') && tests.length > 0) throw new RuleError(`'all' with null mixes presence and value: split into two selections (field '${field}')`, keyPos);
  }

  const all = has('all');
  const needNull = nullTests > 0;
  // The lower-cased text comes from the field's shared reader: memoised per record for all rules (fields.ts).
  const lowerOf = (rec: JsonObject, text: string) => (needLower ? reader.lower(rec, text) : text);
  const single = (rec: JsonObject, x: Json): boolean[] => {
    if (x === null) return tests.map(() => false);
    const text = fieldText(x);
    const lower = lowerOf(rec, text);
    return tests.map((t) => t(x, text, lower));
  };
  // Fast path for the common case: OR of values over a scalar field.
  const anyScalar = (rec: JsonObject, x: Json): boolean => {
    if (x === null) return needNull;
    const text = fieldText(x);
    const lower = lowerOf(rec, text);
    for (const t of tests) if (t(x, text, lower)) return true;
    return false;
  };
  const holds = (rec: JsonObject, x: Json | typeof MISSING): boolean => {
    if (x === MISSING) return needNull;
    if (!Array.isArray(x)) {
      if (!all) return anyScalar(rec, x);
      return single(rec, x).every(Boolean);
    }
    // Arrays: a value holds if any element holds it.
    if (!all) {
      for (const el of x) if (!Array.isArray(el) && anyScalar(rec, el)) return true;
      return false;
    }
    const hit = tests.map(() => false);
    for (const el of x) single(rec, el).forEach((b, i) => (hit[i] ||= b));
    return hit.every(Boolean);
  };
  // A string value (nearly every CloudTrail field): one matcher over all the patterns when there is one, and the
  // verdict memoised per distinct value on fields many items test (its verdict depends on the string alone).
  const base = scalarString ?? holds;
  const onString = memoVerdicts(reader, negate ? (rec, x) => !base(rec, x) : base);
  reader.items++;
  const fresh = negate
    ? (rec: JsonObject) => {
        const x = get(rec);
        return typeof x === 'string' ? onString(rec, x) : x !== MISSING && x !== null && !holds(rec, x);
      }
    : (rec: JsonObject) => {
        const x = get(rec);
        return typeof x === 'string' ? onString(rec, x) : holds(rec, x);
      };
  // One verdict per record: identical items of different rules are one compiled item (detection.ts
  // sharedFieldItem), and a record's candidate rules often hold the same ones (the same eventSource, filter...).
  // Off until a second rule holds the item (share()): a per-record memo only pays for itself when reused.
  let shared = false;
  let memoEpoch = 0;
  let memoRec: JsonObject | undefined;
  let memo = false;
  const test = (rec: JsonObject): boolean => {
    if (!shared) return fresh(rec);
    const e = recordEpoch();
    if (e === 0) return fresh(rec);
    if (e !== memoEpoch || rec !== memoRec) {
      memo = fresh(rec);
      memoEpoch = e;
      memoRec = rec;
    }
    return memo;
  };
  const share = () => {
    shared = true;
  };
  return witness ? { field, modifiers, test, share, witness } : { field, modifiers, test, share };
}

/**
 * `f` with its verdicts kept per value number (fields.ts valueId) once the field has VERDICT_ITEMS items: then a
 * value seen before costs an array read instead of lower-casing and searching it again. Below that, or on a field
 * whose values are too varied, `f` runs as is.
 */
function memoVerdicts(reader: FieldReader, f: (rec: JsonObject, x: string) => boolean): (rec: JsonObject, x: string) => boolean {
  let verdicts = new Uint8Array(0); // 0 unknown, 1 true, 2 false
  let generation = -1;
  return (rec, x) => {
    if (reader.items < VERDICT_ITEMS) return f(rec, x);
    const id = reader.valueId(rec, x);
    if (id < 0) return f(rec, x);
    if (generation !== reader.generation) {
      verdicts.fill(0);
      generation = reader.generation;
    }
    if (id >= verdicts.length) {
      const grown = new Uint8Array(Math.max(64, id * 2));
      grown.set(verdicts);
      verdicts = grown;
    }
    const v = verdicts[id];
    if (v !== 0) return v === 1;
    const r = f(rec, x);
    verdicts[id] = r ? 1 : 2;
    return r;
  };
}

/** Expand one rule value into the patterns it stands for, applying the transforming modifiers in order (shared with the converters). */
export function stringPatterns(field: string, v: RuleValue, mods: Set<string>, opts: CompileOptions, keyPos: Position): Pattern[] {
  const raw = typeof v.value === 'string' ? v.value : v.text;
  if (typeof v.value !== 'string' && typeof v.value !== 'number' && typeof v.value !== 'boolean') throw new RuleError(`field '${field}' needs a string, number or boolean value`, v.pos);
  let texts = [raw];
  if (mods.has('expand')) {
    texts = texts.flatMap((t) => expandPlaceholders(t, field, v.pos, opts));
  }
  let pats: Pattern[] = texts.map(parsePattern);
  if (mods.has('windash')) pats = pats.flatMap(windashVariants);
  const enc = ['utf16le', 'utf16be', 'utf16', 'wide'].filter((m) => mods.has(m));
  if (enc.length > 1) throw new RuleError(`only one of utf16le, utf16be, utf16, wide may be used (field '${field}')`, keyPos);
  if (mods.has('base64') && mods.has('base64offset')) throw new RuleError(`'base64' and 'base64offset' exclude each other (field '${field}')`, keyPos);
  const b64 = mods.has('base64') ? 'base64' : mods.has('base64offset') ? 'base64offset' : undefined;
  if (enc.length && !b64) throw new RuleError(`'${enc[0]}' only makes sense followed by 'base64' or 'base64offset' (field '${field}')`, keyPos);
  if (b64) {
    pats = pats.flatMap((p) => {
      if (hasWildcards(p)) throw new RuleError(`wildcards cannot be base64-encoded; escape them with \\ (field '${field}')`, v.pos);
      const bytes = encodeText(patternText(p), enc[0]);
      return b64 === 'base64' ? [literal(bytes.toString('base64'))] : base64Offsets(bytes).map(literal);
    });
  }
  const contains = mods.has('contains');
  const starts = mods.has('startswith');
  const ends = mods.has('endswith');
  if (Number(contains) + Number(starts) + Number(ends) > 1) throw new RuleError(`use only one of contains, startswith, endswith (field '${field}')`, keyPos);
  if (contains) pats = pats.map((p) => wrap(p, true, true));
  if (starts) pats = pats.map((p) => wrap(p, false, true));
  if (ends) pats = pats.map((p) => wrap(p, true, false));
  return pats;
}

function expandPlaceholders(text: string, field: string, pos: Position, opts: CompileOptions): string[] {
  const names = [...text.matchAll(/%([A-Za-z0-9_.-]+)%/g)].map((m) => m[1]!);
  if (names.length === 0) throw new RuleError(`modifier 'expand' but value '${text}' has no %placeholder% (field '${field}')`, pos);
  let out = [text];
  for (const name of new Set(names)) {
    const vals = opts.placeholders?.[name];
    if (!vals || vals.length === 0) {
      throw new RuleError(`placeholder %${name}% has no values: give them with --placeholders FILE (YAML: ${name}: [value, ...]) (field '${field}')`, pos);
    }
    out = out.flatMap((t) => vals.map((val) => t.split(`%${name}%`).join(val)));
  }
  return out;
}

// windash: a dash or slash that starts a word may be written with any of these characters on Windows.
const DASHES = ['-', '/', '\u2013', '\u2014', '\u2015'];
function windashVariants(p: Pattern): Pattern[] {
  let out: Pattern[] = [[]];
  for (const t of p) {
    if (typeof t !== 'string') {
      out = out.map((o) => [...o, t]);
      continue;
    }
    // Split the literal at word-initial dashes/slashes and multiply the variants.
    const parts = t.split(/(?<![\w])([-/])(?=\w)/);
    let texts = [''];
    parts.forEach((part, i) => {
      texts = i % 2 === 1 ? texts.flatMap((x) => DASHES.map((d) => x + d)) : texts.map((x) => x + part);
    });
    out = out.flatMap((o) => texts.map((x) => [...o, x]));
  }
  return out.map(mergeLiterals);
}

function mergeLiterals(p: Pattern): Pattern {
  const out: Pattern = [];
  for (const t of p) {
    const last = out[out.length - 1];
    if (typeof t === 'string' && typeof last === 'string') out[out.length - 1] = last + t;
    else if (t !== '') out.push(t);
  }
  return out;
}

function encodeText(text: string, enc: string | undefined): Buffer {
  if (!enc) return Buffer.from(text, 'utf8');
  const le = Buffer.from(text, 'utf16le');
  if (enc === 'utf16le' || enc === 'wide') return le;
  if (enc === 'utf16') return Buffer.concat([Buffer.from([0xff, 0xfe]), le]);
  const be = Buffer.from(le);
  be.swap16();
  return be;
}

/** The three base64 forms of `bytes` at offsets 0, 1, 2 of an enclosing string, trimmed to their stable part (pySigma's rule). */
export function base64Offsets(bytes: Buffer): string[] {
  const start = [0, 2, 3];
  const end = [undefined, -3, -2];
  return [0, 1, 2].map((i) => {
    const enc = Buffer.concat([Buffer.alloc(i, 0x20), bytes]).toString('base64');
    return enc.slice(start[i], end[(bytes.length + i) % 3]);
  });
}

function numericCompare(op: (typeof NUMERIC)[number] | undefined, n: number): (x: number) => boolean {
  switch (op) {
    case 'lt': return (x) => x < n;
    case 'lte': return (x) => x <= n;
    case 'gt': return (x) => x > n;
    case 'gte': return (x) => x >= n;
    default: return (x) => x === n;
  }
}

export function toNumber(x: Json): number | undefined {
  if (typeof x === 'number') return x;
  if (typeof x === 'string' && x.trim() !== '') {
    const n = Number(x);
    return Number.isFinite(n) ? n : undefined;
  }
  return undefined;
}

const ISO_TIME = /^\d{4}-\d{2}-\d{2}(?:[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)(Z|[+-]\d{2}:?\d{2})?)?$/;

/** UTC time component of an ISO-8601 string or epoch (seconds or milliseconds) value. */
export function timeComponent(x: Json, part: TimePart): number | undefined {
  let d: Date;
  if (typeof x === 'number') d = new Date(x < 1e11 ? x * 1000 : x);
  else if (typeof x === 'string') {
    // ISO-8601 only (not whatever Date accepts); no offset means UTC, as CloudTrail times are.
    const m = ISO_TIME.exec(x.trim());
    if (!m) return undefined;
    d = new Date(m[2] ? x.trim() : m[1] ? `${x.trim()}Z` : `${x.trim()}T00:00:00Z`);
  } else return undefined;
  const t = d.getTime();
  if (Number.isNaN(t)) return undefined;
  switch (part) {
    case 'minute': return d.getUTCMinutes();
    case 'hour': return d.getUTCHours();
    case 'day': return d.getUTCDate();
    case 'month': return d.getUTCMonth() + 1;
    case 'year': return d.getUTCFullYear();
    case 'week': {
      // ISO-8601 week number.
      const day = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
      const dow = day.getUTCDay() || 7;
      day.setUTCDate(day.getUTCDate() + 4 - dow);
      const yearStart = Date.UTC(day.getUTCFullYear(), 0, 1);
      return Math.ceil(((day.getTime() - yearStart) / 86400000 + 1) / 7);
    }
  }
}

type RefMode = 'equals' | 'contains' | 'startswith' | 'endswith';
/** fieldref compares a field with another field of the same record. */
function fieldRefItem(
  field: string,
  modifiers: string[],
  values: RuleValue[],
  get: (r: JsonObject) => Json | typeof MISSING,
  cased: boolean,
  mode: RefMode,
  all: boolean,
  negate: boolean,
): FieldItem {
  const others = values.map((v) => compilePath(String(v.value)));
  const texts = (x: Json | typeof MISSING): string[] => {
    if (x === MISSING || x === null) return [];
    const arr = Array.isArray(x) ? x : [x];
    return arr.filter((e) => e !== null).map((e) => (cased ? fieldText(e) : fieldText(e).toLowerCase()));
  };
  const cmp = (a: string, b: string) =>
    mode === 'equals' ? a === b : mode === 'contains' ? a.includes(b) : mode === 'startswith' ? a.startsWith(b) : a.endsWith(b);
  const positive = (rec: JsonObject) => {
    const mine = texts(get(rec));
    if (mine.length === 0) return false;
    const one = (o: (r: JsonObject) => Json | typeof MISSING) => {
      const theirs = texts(o(rec));
      return mine.some((a) => theirs.some((b) => cmp(a, b)));
    };
    return all ? others.every(one) : others.some(one);
  };
  const test = negate ? (rec: JsonObject) => texts(get(rec)).length > 0 && !positive(rec) : positive;
  return { field, modifiers, test, refs: values.map((v) => String(v.value)) };
}

/** IPv4/IPv6 CIDR membership test on the text of a field; undefined when the network does not parse. */
export function parseCidr(cidr: string): ((ip: string) => boolean) | undefined {
  const m = /^([^/]+)(?:\/(\d{1,3}))?$/.exec(cidr.trim());
  if (!m) return undefined;
  const base = parseIp(m[1]!);
  if (!base) return undefined;
  const bits = m[2] === undefined ? base.bits : Number(m[2]);
  if (bits > base.bits) return undefined;
  const mask = bits === 0 ? 0n : ((1n << BigInt(bits)) - 1n) << BigInt(base.bits - bits);
  const net = base.value & mask;
  return (text) => {
    const ip = parseIp(text.trim());
    return ip !== undefined && ip.bits === base.bits && (ip.value & mask) === net;
  };
}

function parseIp(s: string): { value: bigint; bits: number } | undefined {
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(s)) {
    const parts = s.split('.').map(Number);
    if (parts.some((p) => p > 255)) return undefined;
    return { value: parts.reduce((a, p) => (a << 8n) | BigInt(p), 0n), bits: 32 };
  }
  if (!s.includes(':') || !/^[0-9a-fA-F:.]+$/.test(s)) return undefined;
  let head = s;
  let tail4: number[] = [];
  const v4 = /(\d{1,3}(?:\.\d{1,3}){3})$/.exec(s);
  if (v4) {
    tail4 = v4[1]!.split('.').map(Number);
    head = s.slice(0, -v4[1]!.length) + '0:0';
  }
  const halves = head.split('::');
  if (halves.length > 2) return undefined;
  const left = halves[0] ? halves[0].split(':') : [];
  const right = halves.length === 2 && halves[1] ? halves[1].split(':') : [];
  const missing = 8 - left.length - right.length;
  if ((halves.length === 1 && missing !== 0) || missing < 0) return undefined;
  const groups = [...left, ...Array(halves.length === 2 ? missing : 0).fill('0'), ...right];
  if (groups.length !== 8 || groups.some((g) => !/^[0-9a-fA-F]{1,4}$/.test(g))) return undefined;
  let value = groups.reduce((a, g) => (a << 16n) | BigInt(parseInt(g, 16)), 0n);
  if (v4) value = (value & ~0xffffffffn) | tail4.reduce((a, p) => (a << 8n) | BigInt(p), 0n);
  return { value, bits: 128 };
}

/** Keyword search: a value without a field matches when any scalar leaf of the record contains it. */
export function compileKeyword(v: RuleValue): (rec: JsonObject) => boolean {
  if (v.value === null || typeof v.value === 'object') throw new RuleError('a keyword must be a string or number', v.pos);
  const test: StringTest = compilePattern(wrap(parsePattern(typeof v.value === 'string' ? v.value : v.text), true, true), false);
  const visit = (node: Json): boolean => {
    if (node === null) return false;
    if (typeof node === 'object') {
      if (Array.isArray(node)) return node.some(visit);
      for (const k in node) if (visit(node[k]!)) return true;
      return false;
    }
    return test(fieldText(node).toLowerCase());
  };
  return (rec) => visit(rec);
}
