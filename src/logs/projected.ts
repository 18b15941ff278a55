/**
 * A CloudTrail record read member by member (projection): only the top-level members someone asks for are parsed.
 *
 * Why: JSON.parse of a whole record (~1.1 KB) is most of the cost of a hunt, and most of it is spent on members no
 * rule reads (requestParameters, responseElements, resources, tlsDetails...). The splitter already knows where each
 * member lies (scanner.ts Members) and has checked the grammar between tokens, so asking for `eventName` slices a
 * dozen bytes, and a record no rule can match is never parsed at all. Unread members are not validated as JSON
 * strings (escapes, control characters); read ones are, by JSON.parse. Semantics are unchanged: a member is found by
 * its exact key, the last one wins when a key repeats (as JSON.parse does), and dotted field names ask for every
 * prefix ("a", "a.b", "a.b.c") so a key that literally contains dots is still seen (sigma/fields.ts).
 *
 * Member names are numbered once per hunt (MemberNames), and one ProjectedRecord is reused for every record of a
 * hunt, so reading a member costs no allocation beyond the value itself.
 */
import type { Json, JsonObject } from '../sigma/fields.js';
import type { Members } from './scanner.js';

/** The member names a hunt reads, numbered. */
export class MemberNames {
  readonly names: string[] = [];
  private readonly ids = new Map<string, number>();
  /** Per key length, the names of that length (a record's keys are matched by length first, then bytes). */
  readonly byLength: { id: number; codes: number[] }[][] = [];

  id(name: string): number {
    let id = this.ids.get(name);
    if (id === undefined) {
      id = this.names.length;
      this.names.push(name);
      this.ids.set(name, id);
      // Only ASCII names can equal a key of an ASCII record (the fast path reads only those).
      if (/^[\x00-\x7f]*$/.test(name)) (this.byLength[name.length] ??= []).push({ id, codes: [...name].map((c) => c.charCodeAt(0)) });
    }
    return id;
  }

  idsOf(names: readonly string[]): number[] {
    return names.map((n) => this.id(n));
  }
}

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
  private gen = 0;
  private mapped = false;

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

  /** Load these members (absent ones stay absent). Throws SyntaxError when a member's value is not valid JSON. */
  load(ids: readonly number[]): void {
    if (this.whole) return;
    if (!this.mapped || this.where.length < this.names.names.length) this.map();
    const m = this.members;
    for (const id of ids) {
      if (this.loaded[id] === this.gen) continue;
      this.loaded[id] = this.gen;
      if (this.found[id] !== this.gen) continue;
      const i = this.where[id]!;
      this.rec[this.names.names[id]!] = this.value(this.start + m.valueStart[i]!, this.start + m.valueEnd[i]!);
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
      const ks = this.start + m.keyStart[i]!;
      const candidates = byLength[m.keyEnd[i]! - m.keyStart[i]!];
      if (candidates === undefined) continue;
      for (const c of candidates) {
        const codes = c.codes;
        let j = 0;
        while (j < codes.length && buf[ks + j] === codes[j]) j++;
        if (j === codes.length) {
          this.where[c.id] = i;
          this.found[c.id] = this.gen;
          break;
        }
      }
    }
    this.mapped = true;
  }

  /** A member's value; a plain string (the common case: eventName, userAgent...) is sliced, not parsed. */
  private value(s: number, e: number): Json {
    const buf = this.buf;
    while (s < e && buf[s]! <= 0x20) s++;
    while (e > s && buf[e - 1]! <= 0x20) e--;
    if (buf[s] === 0x22 && e - s >= 2 && buf[e - 1] === 0x22) {
      let k = s + 1;
      while (k < e - 1 && buf[k] !== 0x5c && buf[k] !== 0x22 && buf[k]! >= 0x20) k++;
      if (k === e - 1) return buf.toString('latin1', s + 1, e - 1); // ASCII without escapes or control characters
    }
    return JSON.parse(buf.toString('utf8', s, e)) as Json;
  }
}
