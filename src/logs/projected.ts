/**
 * A CloudTrail record read member by member (projection): only the top-level members someone asks for are parsed.
 *
 * Why: JSON.parse of a whole record (~1.1 KB) is most of the cost of a hunt, and most of it is spent on members no
 * rule reads (requestParameters, responseElements, resources, tlsDetails...). The splitter already knows where each
 * member lies (scanner.ts Members), so asking for `eventName` parses a dozen bytes, and a record no rule can match is
 * never parsed at all. The record still passed the splitter's structural check (balanced brackets, closed strings);
 * its unread members are not validated as JSON, which is the trade this fast path makes (gzip's CRC still guards the
 * bytes of compressed files). Semantics are unchanged: a member is found by its exact key, the last one wins when a
 * key repeats (as JSON.parse does), and dotted field names ask for every prefix ("a", "a.b", "a.b.c") so a key that
 * literally contains dots is still seen (sigma/fields.ts).
 */
import type { Json, JsonObject } from '../sigma/fields.js';
import type { Members } from './scanner.js';

export class ProjectedRecord {
  /** The members loaded so far (the whole record after loadAll). */
  rec: JsonObject = {};
  private loaded = new Set<string>();
  private whole = false;

  constructor(
    private readonly buf: Buffer,
    private readonly start: number,
    private readonly end: number,
    private readonly members: Members,
  ) {}

  /** Load these members (absent ones stay absent). Throws SyntaxError when a member's value is not valid JSON. */
  load(keys: readonly string[]): void {
    if (this.whole) return;
    for (const key of keys) {
      if (this.loaded.has(key)) continue;
      this.loaded.add(key);
      const i = this.find(key);
      if (i >= 0) this.rec[key] = this.value(this.start + this.members.valueStart[i]!, this.start + this.members.valueEnd[i]!);
    }
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

  /** Index of the last member named `key`, or -1. Compares bytes, so no key string is ever built. */
  private find(key: string): number {
    const m = this.members;
    const buf = this.buf;
    const base = this.start;
    for (let i = m.count - 1; i >= 0; i--) {
      const ks = base + m.keyStart[i]!;
      if (m.keyEnd[i]! - m.keyStart[i]! !== key.length) continue;
      let j = 0;
      while (j < key.length && buf[ks + j] === key.charCodeAt(j)) j++;
      if (j === key.length) return i;
    }
    return -1;
  }
}
