/**
 * A CloudTrail record read member by member (projection): only the top-level members someone asks for are parsed,
 * and of an object member only the keys someone reads.
 *
 * Why: JSON.parse of a whole record (~1.1 KB) is most of the cost of a hunt, and most of it is spent on members no
 * rule reads (requestParameters, responseElements, resources, tlsDetails...). The splitter already knows where each
 * member lies (scanner.ts Members) and has checked the grammar between tokens, so asking for `eventName` slices a
 * dozen bytes, and a record no rule can match is never parsed at all. Likewise a rule on `userIdentity.type` gets
 * `{type: ...}` (a Shape says which keys), not the whole userIdentity with its session context: CloudTrail's nested
 * objects are mostly unique per record, so parsing them whole costs every record. Unread values are not validated
 * as JSON strings (escapes, control characters); read ones are, by JSON.parse. Semantics are unchanged: a member is
 * found by its exact key, the last one wins when a key repeats (as JSON.parse does), dotted field names ask for every
 * prefix ("a", "a.b", "a.b.c") so a key that literally contains dots is still seen (sigma/fields.ts), arrays keep
 * every element (paths fan out over them), and an object with an escaped key is parsed whole.
 *
 * Member names are numbered once per hunt (MemberNames), and one ProjectedRecord is reused for every record of a
 * hunt, so reading a member costs no allocation beyond the value itself.
 */
import type { Json, JsonObject } from '../sigma/fields.js';
import type { Members } from './scanner.js';

/**
 * What is read of a value: all of it (WHOLE), or some of its keys, each with what is read of that key's value.
 * Arrays take their elements' shape. Immutable (merge builds new ones), so a shape is compiled once.
 */
export class Shape {
  /** Per UTF-8 key length, the keys read (keys are matched by length first, then bytes); null: the whole value. */
  readonly byLength: { key: string; codes: Buffer; shape: Shape }[][] | null = null;

  constructor(readonly keys: ReadonlyMap<string, Shape> | null) {
    if (keys === null) return;
    this.byLength = [];
    for (const [key, shape] of keys) {
      const codes = Buffer.from(key, 'utf8');
      (this.byLength[codes.length] ??= []).push({ key, codes, shape });
    }
  }
}

export const WHOLE = new Shape(null);

/** Past this many path parts below a member, it is read whole (a path's shape has 2^parts nodes: see pathShape). */
const MAX_SHAPE_DEPTH = 6;

/**
 * What a field path reads below its part `i`: the key parts[i], and also the literal dotted keys "parts[i].parts[i+1]"
 * and so on, each with the shape of the rest of the path (the same alternatives sigma/fields.ts walks).
 */
function pathShape(parts: readonly string[], i: number): Shape {
  if (i === parts.length || parts.length - i > MAX_SHAPE_DEPTH) return WHOLE;
  const keys = new Map<string, Shape>();
  for (let j = i + 1; j <= parts.length; j++) {
    const key = parts.slice(i, j).join('.');
    if (key === '__proto__') return WHOLE; // assigning it would set the prototype: JSON.parse defines it instead
    keys.set(key, pathShape(parts, j));
  }
  return new Shape(keys);
}

/** Reads of both shapes. */
export function mergeShapes(a: Shape | undefined, b: Shape): Shape {
  if (a === undefined || a === b) return b;
  if (a.keys === null || b.keys === null) return WHOLE;
  const keys = new Map(a.keys);
  for (const [k, s] of b.keys) keys.set(k, mergeShapes(keys.get(k), s));
  return new Shape(keys);
}

/** Whether reading `a` reads all that `b` does. */
export function covers(a: Shape, b: Shape): boolean {
  if (a === b || a.keys === null) return true;
  if (b.keys === null) return false;
  for (const [k, s] of b.keys) {
    const t = a.keys.get(k);
    if (t === undefined || !covers(t, s)) return false;
  }
  return true;
}

/** The member names a hunt reads, numbered, with what is read of each. */
export class MemberNames {
  readonly names: string[] = [];
  /** Per name id, what is read of the member's value (the union of every registration). */
  readonly shapes: Shape[] = [];
  private readonly ids = new Map<string, number>();
  /** Per key length, the names of that length (a record's keys are matched by length first, then bytes). */
  readonly byLength: { id: number; codes: number[] }[][] = [];

  id(name: string, shape: Shape = WHOLE): number {
    let id = this.ids.get(name);
    if (id === undefined) {
      id = this.names.length;
      this.names.push(name);
      this.ids.set(name, id);
      // Only ASCII names can equal a key of an ASCII record (the fast path reads only those).
      if (/^[\x00-\x7f]*$/.test(name)) (this.byLength[name.length] ??= []).push({ id, codes: [...name].map((c) => c.charCodeAt(0)) });
    }
    this.shapes[id] = mergeShapes(this.shapes[id], shape);
    return id;
  }

  /** Members read whole (alert output, the time window). */
  idsOf(names: readonly string[]): number[] {
    return names.map((n) => this.id(n));
  }

  /**
   * The members holding these fields: for `a.b.c`, member "a" read as {b: {c}} (plus the literal keys "b.c"), member
   * "a.b" as {c}, member "a.b.c" whole.
   */
  fieldIds(fields: readonly string[]): number[] {
    return this.fieldReads(fields).ids;
  }

  /** The members holding these fields and, for each, what these fields read of it (less than `shapes` may hold). */
  fieldReads(fields: readonly string[]): MemberReads {
    return mergeReads(fields.map((f) => this.readsOfField(f)));
  }

  /**
   * Registering a field again changes nothing, so each field is registered once: thousands of rules read the same
   * few dozen fields, and merging a shape builds new ones (0.12 s per worker at 3,000 rules).
   */
  private readonly byField = new Map<string, MemberReads>();
  private readsOfField(f: string): MemberReads {
    let reads = this.byField.get(f);
    if (reads) return reads;
    const parts = f.split('.');
    reads = { ids: [], shapes: [] };
    for (let j = 1; j <= parts.length; j++) {
      const shape = pathShape(parts, j);
      reads.ids.push(this.id(parts.slice(0, j).join('.'), shape));
      reads.shapes.push(shape);
    }
    this.byField.set(f, reads);
    return reads;
  }
}

/** Members by name id, each with what is read of it (parallel arrays). */
export interface MemberReads {
  ids: number[];
  shapes: Shape[];
}

/** Merge member reads: the union of the members, and of what is read of each. */
export function mergeReads(all: readonly MemberReads[]): MemberReads {
  const by = new Map<number, Shape>();
  for (const r of all) r.ids.forEach((id, k) => by.set(id, mergeShapes(by.get(id), r.shapes[k]!)));
  return { ids: [...by.keys()], shapes: [...by.values()] };
}

/** The entry whose key spells the `len` bytes at `at` (entries are grouped by key length), if any. */
function findKey<T extends { codes: ArrayLike<number> }>(byLength: readonly (T[] | undefined)[], buf: Buffer, at: number, len: number): T | undefined {
  const cands = byLength[len];
  if (cands === undefined) return undefined;
  for (const c of cands) {
    const codes = c.codes;
    let j = 0;
    while (j < len && buf[at + j] === codes[j]) j++;
    if (j === len) return c;
  }
  return undefined;
}

/** Slots of the string cache (a power of two): a few thousand distinct recurring values, some 500 KB at most. */
const STRING_SLOTS = 4096;
/** Longer strings are sliced afresh: few recur, and hashing and comparing them cost more than slicing. */
const CACHED_LENGTH = 128;

/** A projection met an escaped key: the value is parsed whole instead. */
const ESCAPED_KEY: unique symbol = Symbol('escaped key');

export class ProjectedRecord {
  /** The members loaded so far (the whole record after loadAll). */
  rec: JsonObject = {};
  private buf!: Buffer;
  private start = 0;
  private end = 0;
  private members!: Members;
  private whole = false;
  // Per name id: the member holding it in the current record (valid when stamped with the current generation), and
  // whether it was loaded. Generations avoid clearing the arrays for every record.
  private where = new Int32Array(0);
  private found = new Int32Array(0);
  private loaded = new Int32Array(0);
  /** Per name id: what was read of the member when it was loaded in this record. */
  private loadedShape: Shape[] = [];
  private gen = 0;
  private mapped = false;
  /** End of the last value project() read. */
  private pos = 0;
  /** Recent strings by hash (see text). */
  private readonly strings: (string | undefined)[] = new Array<string | undefined>(STRING_SLOTS).fill(undefined);

  constructor(private readonly names: MemberNames) {}

  /** Point at the next record (the previous record's `rec` object stays valid for whoever kept it). */
  reset(buf: Buffer, start: number, end: number, members: Members): this {
    this.buf = buf;
    this.start = start;
    this.end = end;
    this.members = members;
    this.rec = {};
    this.whole = false;
    this.mapped = false;
    this.gen++;
    return this;
  }

  /**
   * Load these members (absent ones stay absent), each read as `shapes` says (default: all that anyone reads of it).
   * A candidate list passes what its own rules read: with one rule reading `requestParameters` whole among thousands
   * that read `requestParameters.bucketName`, the others' records need not parse it whole. A member loaded for fewer
   * keys than a later call asks is read again with every key anyone reads. Throws SyntaxError when a member's value
   * is not valid JSON.
   */
  load(ids: readonly number[], shapes?: readonly Shape[]): void {
    if (this.whole) return;
    if (!this.mapped || this.where.length < this.names.names.length) this.map();
    const m = this.members;
    const every = this.names.shapes;
    for (let k = 0; k < ids.length; k++) {
      const id = ids[k]!;
      let shape = shapes === undefined ? every[id]! : shapes[k]!;
      if (this.loaded[id] === this.gen) {
        const had = this.loadedShape[id];
        if (had === shape || had === WHOLE || had === every[id]) continue;
        shape = every[id]!;
      }
      this.loaded[id] = this.gen;
      this.loadedShape[id] = shape;
      if (this.found[id] !== this.gen) continue;
      const i = this.where[id]!;
      this.rec[this.names.names[id]!] = this.value(this.start + m.valueStart[i]!, this.start + m.valueEnd[i]!, shape);
    }
  }

  /** Parse the whole record (keyword searches, correlations, table and CSV output read every member). */
  loadAll(): JsonObject {
    if (!this.whole) {
      this.rec = JSON.parse(this.buf.toString('utf8', this.start, this.end)) as JsonObject;
      this.whole = true;
    }
    return this.rec;
  }

  /** The record's JSON text as read (UTF-8 bytes, a view into the input). */
  bytes(): Buffer {
    return this.buf.subarray(this.start, this.end);
  }

  /** One pass over the record's keys: which member holds each known name (the last one, as JSON.parse keeps). */
  private map(): void {
    const n = this.names.names.length;
    if (this.where.length < n) {
      this.where = new Int32Array(n * 2);
      this.found = new Int32Array(n * 2);
      this.loaded = new Int32Array(n * 2);
    }
    const m = this.members;
    const buf = this.buf;
    const byLength = this.names.byLength;
    for (let i = 0; i < m.count; i++) {
      const c = findKey(byLength, buf, this.start + m.keyStart[i]!, m.keyEnd[i]! - m.keyStart[i]!);
      if (c === undefined) continue;
      this.where[c.id] = i;
      this.found[c.id] = this.gen;
    }
    this.mapped = true;
  }

  /** A member's value, as much of it as `shape` reads. */
  private value(s: number, e: number, shape: Shape): Json {
    const buf = this.buf;
    while (s < e && buf[s]! <= 0x20) s++;
    while (e > s && buf[e - 1]! <= 0x20) e--;
    if (shape.byLength !== null && (buf[s] === 0x7b || buf[s] === 0x5b)) {
      const v = this.project(s, shape);
      if (v !== ESCAPED_KEY) return v;
    }
    return this.leaf(s, e);
  }

  /** A value parsed whole; a plain string (the common case: eventName, userAgent...) is sliced, not parsed. */
  private leaf(s: number, e: number): Json {
    const buf = this.buf;
    if (buf[s] === 0x22 && e - s >= 2 && buf[e - 1] === 0x22) {
      let k = s + 1;
      // Two loops, not one with the hashing under a flag: that branch made the SigmaHQ rules' hunt 6% slower.
      if (e - s - 2 <= CACHED_LENGTH) {
        let h = 0x811c9dc5; // FNV-1a of the bytes, for the string cache
        for (; k < e - 1; k++) {
          const b = buf[k]!;
          if (b === 0x5c || b === 0x22 || b < 0x20) break;
          h = Math.imul(h ^ b, 0x01000193);
        }
        if (k === e - 1) return this.text(s + 1, e - 1, h); // ASCII without escapes or control characters
      } else {
        while (k < e - 1 && buf[k] !== 0x5c && buf[k] !== 0x22 && buf[k]! >= 0x20) k++;
        if (k === e - 1) return buf.toString('latin1', s + 1, e - 1);
      }
    }
    return JSON.parse(buf.toString('utf8', s, e)) as Json;
  }

  /**
   * The string of these ASCII bytes (at most CACHED_LENGTH), the same string object as last time when they recur.
   * CloudTrail repeats its event names, sources, regions, identity types, buckets, principals' ARNs and user agents
   * record after record: comparing the bytes with the cached string costs less than making a new one, and a recurring
   * string keeps its hash for the value numbering and the detector's maps (fields.ts valueId, engine.ts narrowed). A
   * slot holds the last string whose hash fell in it. In-process (split, project, evaluate): up to 32 bytes, 2.06 to
   * 1.90 us per record with 60 variants, 4.13 to 3.98 with the SigmaHQ rules; then up to 128 (ARNs and user agents,
   * which the plans narrowed by ARN look up), 3.65 to 3.47 with 3,000 variants, 4.09 to 4.03 with the SigmaHQ rules.
   */
  private text(s: number, e: number, h: number): string {
    const slot = h & (STRING_SLOTS - 1);
    const cached = this.strings[slot];
    const len = e - s;
    if (cached !== undefined && cached.length === len) {
      const buf = this.buf;
      let i = 0;
      while (i < len && cached.charCodeAt(i) === buf[s + i]) i++;
      if (i === len) return cached;
    }
    const str = this.buf.toString('latin1', s, e);
    this.strings[slot] = str;
    return str;
  }

  /**
   * The value at `i` (no whitespace before it) with only the keys `shape` reads, at every depth; sets `pos` past it.
   * The splitter checked the grammar, so tokens are where they must be; the bounds checks only stop runaway loops.
   */
  private project(i: number, shape: Shape): Json | typeof ESCAPED_KEY {
    const buf = this.buf;
    const c = buf[i];
    if (c === 0x7b) {
      const out: JsonObject = {};
      i = this.ws(i + 1);
      if (buf[i] === 0x7d) {
        this.pos = i + 1;
        return out;
      }
      const byLength = shape.byLength!;
      for (;;) {
        const ks = i + 1;
        let k = ks;
        for (let b = buf[k]; b !== 0x22; b = buf[++k]) if (b === 0x5c || k >= this.end) return ESCAPED_KEY;
        const want = findKey(byLength, buf, ks, k - ks);
        i = this.ws(this.ws(k + 1) + 1); // past the colon
        if (want === undefined) i = this.skip(i);
        else if (want.shape.byLength === null) {
          const e = this.skip(i);
          out[want.key] = this.leaf(i, e);
          i = e;
        } else {
          const v = this.project(i, want.shape);
          if (v === ESCAPED_KEY) return v;
          out[want.key] = v; // a repeated key: the last one wins, as in JSON.parse
          i = this.pos;
        }
        i = this.ws(i);
        if (buf[i] !== 0x2c) break;
        i = this.ws(i + 1);
      }
      this.pos = i + 1;
      return out;
    }
    if (c === 0x5b) {
      const out: Json[] = [];
      i = this.ws(i + 1);
      if (buf[i] !== 0x5d) {
        for (;;) {
          const v = this.project(i, shape);
          if (v === ESCAPED_KEY) return v;
          out.push(v);
          i = this.ws(this.pos);
          if (buf[i] !== 0x2c) break;
          i = this.ws(i + 1);
        }
      }
      this.pos = i + 1;
      return out;
    }
    const e = this.skip(i);
    this.pos = e;
    return this.leaf(i, e);
  }

  private ws(i: number): number {
    const buf = this.buf;
    while (i < this.end && buf[i]! <= 0x20) i++;
    return i;
  }

  /** The end of the value at `i`. */
  private skip(i: number): number {
    const buf = this.buf;
    const end = this.end;
    let depth = 0;
    for (; i < end; i++) {
      const b = buf[i]!;
      if (b === 0x22) {
        for (i++; i < end && buf[i] !== 0x22; i++) if (buf[i] === 0x5c) i++;
        if (depth === 0) return i + 1;
      } else if (b === 0x7b || b === 0x5b) depth++;
      else if (b === 0x7d || b === 0x5d) {
        if (--depth <= 0) return depth === 0 ? i + 1 : i; // closing the container that holds a scalar
      } else if (depth === 0 && (b === 0x2c || b <= 0x20)) return i;
    }
    return end;
  }
}
