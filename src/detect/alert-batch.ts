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

export interface AlertBatch {
  /** The formatted alerts back to back (no separators: the writer adds them); empty when only counting. */
  bytes: Uint8Array;
  /** End offset of each alert in `bytes`. */
  ends: Int32Array;
  /** Index of each alert's rule in the hunt's rule list (PreparedRules.run). */
  rules: Int32Array;
  /** eventID of each alert's record, for deduplication. */
  eventIds: (string | null)[];
}

const INITIAL = 320 * 1024; // a batch is handed on from 256 KB (hunt.ts BATCH_BYTES)

export class AlertBatchWriter {
  private bytes = Buffer.allocUnsafeSlow(INITIAL);
  private used = 0;
  private ends: number[] = [];
  private rules: number[] = [];
  private eventIds: (string | null)[] = [];

  constructor(
    private readonly format: AlertFormat,
    /** Rule id -> index in the hunt's rule list. */
    private readonly ruleIndex: Map<string, number>,
    /** `hunt --count`: note each alert's rule and eventID (what counting and deduplication need), format nothing. */
    private readonly counting = false,
  ) {}

  get count(): number {
    return this.ends.length;
  }

  get byteLength(): number {
    return this.used;
  }

  /** A rule matched a record (`raw`: the record's JSON text as read, if at hand). */
  hit(rule: DetectionRule, rec: JsonObject, file: string, index: number, raw: Uint8Array | undefined): void {
    if (!this.counting) return this.add(buildAlert(rule, rec, file, index), raw);
    this.ends.push(0);
    this.rules.push(this.ruleIndex.get(rule.id) ?? -1);
    this.eventIds.push(typeof rec.eventID === 'string' ? rec.eventID : null);
  }

  /** `raw`: the record's JSON text as read (spliced verbatim by the JSON formats). */
  add(a: Alert, raw: Uint8Array | undefined): void {
    const f = this.format;
    if (f.jsonHead && raw) {
      this.writeString(f.jsonHead(a));
      this.reserve(raw.length);
      this.bytes.set(raw, this.used);
      this.used += raw.length;
      this.writeString(f.jsonTail!);
    } else this.writeString(f.item(a, raw && Buffer.from(raw.buffer, raw.byteOffset, raw.length).toString('utf8')));
    this.ends.push(this.used);
    this.rules.push(this.ruleIndex.get(a.rule.id) ?? -1);
    this.eventIds.push(typeof a.event.eventID === 'string' ? a.event.eventID : null);
  }

  /** The batch so far; the writer starts a new one (the returned bytes may be transferred to another thread). */
  take(): AlertBatch {
    const batch: AlertBatch = { bytes: this.bytes.subarray(0, this.used), ends: Int32Array.from(this.ends), rules: Int32Array.from(this.rules), eventIds: this.eventIds };
    this.bytes = Buffer.allocUnsafeSlow(INITIAL);
    this.used = 0;
    this.ends = [];
    this.rules = [];
    this.eventIds = [];
    return batch;
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
