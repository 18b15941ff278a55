/**
 * Alerts formatted to bytes where they are found (a worker thread, or the inline hunt), in batches.
 *
 * Why bytes: a noisy rule can raise an alert for most records (SigmaHQ "AssumeRole Misuse": 60% of a real trail).
 * As strings, each alert was decoded from the input, cloned to the main thread, joined and encoded again; as bytes,
 * the record's text is copied once from the inflated input (JSON formats splice it verbatim), a batch crosses to the
 * main thread as one transferred buffer, and the main thread only deduplicates and writes ranges.
 */
import { buildAlert, type Alert } from './alert.js';
import type { JsonObject } from '../sigma/fields.js';
import type { DetectionRule } from '../sigma/rule.js';
import type { AlertFormat } from './format.js';
import { dedupHash } from './dedup.js';

export interface AlertBatch {
  /** The formatted alerts back to back (no separators: the writer adds them); empty when only counting. */
  bytes: Uint8Array;
  /** End offset of each alert in `bytes`. */
  ends: Int32Array;
  /** Index of each alert's rule in the hunt's rule list (PreparedRules.run). */
  rules: Int32Array;
  /** The eventIDs of the alerts' records back to back, as UTF-8 (for deduplication; an empty one: no eventID). */
  ids: Uint8Array;
  /** End offset of each alert's eventID in `ids`. */
  idEnds: Int32Array;
  /** dedupHash of each alert's rule and eventID (dedup.ts), computed here so the main thread only probes. */
  hashes: Uint32Array;
}

/** The buffers a batch can hand over to another thread (transfer lists; a counting batch has no bytes). */
export function transferables(b: AlertBatch): ArrayBuffer[] {
  return b.bytes.byteLength ? [b.bytes.buffer as ArrayBuffer, b.ids.buffer as ArrayBuffer] : [b.ids.buffer as ArrayBuffer];
}

/**
 * A batch is handed on at this many alerts or bytes: large enough that a batch costs one message and one write (a
 * message wakes the main thread, which on 2 cores takes one from a worker), small enough that batches waiting to be
 * written stay a few MB. Formatted alerts reach BATCH_BYTES first (some 200 CloudTrail alerts); counted ones
 * (hunt --count: no bytes) are bounded by BATCH_ALERTS.
 */
const BATCH_ALERTS = 8192;
const BATCH_BYTES = 256 * 1024;

const INITIAL = 320 * 1024; // a batch is handed on from 256 KB (BATCH_BYTES)
/** Counting formats nothing: its batches carry no bytes (an empty buffer, never transferred or recycled). */
const NOTHING = Buffer.alloc(0);
const SPARE = 4; // batches in flight at once are few: the worker waits on its output budget beyond 16 MB
const IDS_INITIAL = 16 * 1024; // some 400 eventIDs of 36 bytes; grown for the larger batches of hunt --count

export class AlertBatchWriter {
  private bytes: Buffer;
  private used = 0;
  private ends: number[] = [];
  private rules: number[] = [];
  private ids = Buffer.allocUnsafeSlow(IDS_INITIAL);
  private idsUsed = 0;
  private idEnds: number[] = [];
  private hashes: number[] = [];
  /** Buffers of written batches, back for reuse (see recycle). */
  private readonly spare: { bytes: ArrayBuffer; ids: ArrayBuffer }[] = [];

  constructor(
    private readonly format: AlertFormat,
    /** Rule id -> index in the hunt's rule list. */
    private readonly ruleIndex: Map<string, number>,
    /** `hunt --count`: note each alert's rule and eventID (what counting and deduplication need), format nothing. */
    private readonly counting = false,
  ) {
    this.bytes = this.counting ? NOTHING : Buffer.allocUnsafeSlow(INITIAL);
  }

  get count(): number {
    return this.ends.length;
  }

  /** The batch is due to be handed on (take()). */
  get full(): boolean {
    return this.ends.length >= BATCH_ALERTS || this.used >= BATCH_BYTES;
  }

  /** A rule matched a record (`raw`: the record's JSON text as read, if at hand). */
  hit(rule: DetectionRule, rec: JsonObject, file: string, index: number, raw: Uint8Array | undefined): void {
    if (!this.counting) return this.add(buildAlert(rule, rec, file, index), raw);
    this.ends.push(0);
    this.addId(rec.eventID, this.ruleIndex.get(rule.id) ?? -1);
  }

  /** `raw`: the record's JSON text as read (spliced verbatim by the JSON formats). */
  private add(a: Alert, raw: Uint8Array | undefined): void {
    const f = this.format;
    if (f.jsonHead && raw) {
      this.writeString(f.jsonHead(a));
      this.reserve(raw.length);
      this.bytes.set(raw, this.used);
      this.used += raw.length;
      this.writeString(f.jsonTail!);
    } else this.writeString(f.item(a, raw && Buffer.from(raw.buffer, raw.byteOffset, raw.length).toString('utf8')));
    this.ends.push(this.used);
    this.addId(a.event.eventID, this.ruleIndex.get(a.rule.id) ?? -1);
  }

  /** The batch so far; the writer starts a new one (the returned bytes may be transferred to another thread). */
  take(): AlertBatch {
    const batch: AlertBatch = {
      bytes: this.bytes.subarray(0, this.used),
      ends: Int32Array.from(this.ends),
      rules: Int32Array.from(this.rules),
      ids: this.ids.subarray(0, this.idsUsed),
      idEnds: Int32Array.from(this.idEnds),
      hashes: Uint32Array.from(this.hashes),
    };
    const spare = this.spare.pop();
    this.bytes = this.counting ? NOTHING : spare ? Buffer.from(spare.bytes) : Buffer.allocUnsafeSlow(INITIAL);
    this.used = 0;
    this.ends = [];
    this.rules = [];
    this.ids = spare ? Buffer.from(spare.ids) : Buffer.allocUnsafeSlow(IDS_INITIAL);
    this.idsUsed = 0;
    this.idEnds = [];
    this.hashes = [];
    return batch;
  }

  /** The buffers of a batch taken earlier and since written: the next batches fill them again. */
  recycle(bytes: ArrayBuffer, ids: ArrayBuffer): void {
    if (this.spare.length < SPARE && bytes.byteLength > 0) this.spare.push({ bytes, ids });
  }

  /** The alert's rule and its record's eventID (bytes and dedup hash). */
  private addId(id: unknown, rule: number): void {
    this.rules.push(rule);
    const start = this.idsUsed;
    if (typeof id === 'string') {
      if (this.idsUsed + id.length * 3 > this.ids.length) {
        const grown = Buffer.allocUnsafeSlow(Math.max(this.ids.length * 2, this.idsUsed + id.length * 3));
        this.ids.copy(grown, 0, 0, this.idsUsed);
        this.ids = grown;
      }
      this.idsUsed += this.ids.write(id, this.idsUsed, 'utf8');
    }
    this.idEnds.push(this.idsUsed);
    this.hashes.push(dedupHash(this.ids, start, this.idsUsed, rule));
  }

  private writeString(s: string): void {
    this.reserve(s.length * 3);
    this.used += this.bytes.write(s, this.used, 'utf8');
  }

  private reserve(n: number): void {
    if (this.used + n <= this.bytes.length) return;
    const next = Buffer.allocUnsafeSlow(Math.max(this.bytes.length * 2, this.used + n));
    this.bytes.copy(next, 0, 0, this.used);
    this.bytes = next;
  }
}
