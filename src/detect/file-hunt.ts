/** Hunting one input: read its records, apply the time window, evaluate, emit alerts. Shared by the inline path and workers. */
import { readLogFile, readLogStream, type FileSummary, type RecordSink } from '../logs/reader.js';
import type { Members } from '../logs/scanner.js';
import { ProjectedRecord } from '../logs/projected.js';
import { enterRecord, leaveRecord } from '../sigma/fields.js';
import type { JsonObject } from '../sigma/fields.js';
import type { DetectionRule } from '../sigma/rule.js';
import type { Detector } from './engine.js';

export interface TimeWindow {
  since?: number; // epoch ms, inclusive
  until?: number; // epoch ms, exclusive
}

export interface InputError {
  file: string;
  index?: number;
  line?: number;
  message: string;
}

export interface FileResult extends FileSummary {
  file: string;
  alerts: number;
  outOfWindow: number;
}

/** Correlation hooks: which rules feed correlations (their matches go to onMatches), which write no alert of their own. */
export interface CorrelationHooks {
  correlated: Set<string>;
  silent: Set<string>;
  onMatches(rec: JsonObject, rules: DetectionRule[]): void;
}

/** A rule matched a record of `file` (`raw`: the record's JSON text as read, when the fast path has it). */
export type OnHit = (rule: DetectionRule, rec: JsonObject, index: number, raw: Buffer | undefined) => void;

/** How the alerts will be written: JSON formats splice the record's text, the others read its members. */
export interface HuntOptions {
  /** Alerts need the whole parsed record (table, CSV), not only its text. */
  wholeRecords: boolean;
  /** Parse every record whole (the plain path; the differential test compares both). */
  plain?: boolean;
}

/** What an alert reads of a projected record besides the rule's own fields (alert.ts, alert-batch.ts). */
const ALERT_MEMBERS = ['eventTime', 'eventID'];

export async function huntFile(
  file: string,
  detector: Detector,
  window: TimeWindow,
  onHit: OnHit,
  onError: (e: InputError) => void,
  corr?: CorrelationHooks,
  opts: HuntOptions = { wholeRecords: true },
): Promise<FileResult> {
  let alerts = 0;
  let outOfWindow = 0;
  const timed = window.since !== undefined || window.until !== undefined;
  const emit = (rec: JsonObject, index: number, raw: Buffer | undefined, hits: DetectionRule[]) => {
    let fed: DetectionRule[] | undefined;
    for (const rule of hits) {
      if (corr) {
        if (corr.correlated.has(rule.id)) (fed ??= []).push(rule);
        if (corr.silent.has(rule.id)) continue;
      }
      alerts++;
      onHit(rule, rec, index, raw);
    }
    if (fed) corr!.onMatches(rec, fed);
  };
  const sink: RecordSink = {
    record(rec, index, raw) {
      if (timed && !inWindow(rec, window)) {
        outOfWindow++;
        return;
      }
      const hits = detector.match(rec);
      if (hits.length) emit(rec, index, raw, hits);
    },
    error(message, where) {
      onError({ file, message, ...where });
    },
  };
  if (!opts.plain) {
    const p = new ProjectedRecord(detector.names);
    const alertMembers = detector.names.idsOf(ALERT_MEMBERS);
    const timeMembers = detector.names.idsOf(['eventTime']);
    const hunt = (buf: Buffer, start: number, end: number, members: Members, index: number): void => {
      p.reset(buf, start, end, members);
      if (timed) {
        p.load(timeMembers);
        if (!inWindow(p.rec, window)) {
          outOfWindow++;
          return;
        }
      }
      const hits = detector.matchProjected(p);
      if (hits.length === 0) return;
      // Correlations keep the record and group by any field: they get it whole, as do table and CSV output.
      if (opts.wholeRecords || (corr && hits.some((r) => corr.correlated.has(r.id)))) p.loadAll();
      else p.load(alertMembers);
      emit(p.rec, index, p.bytes(), hits);
    };
    // The whole record's work in one scope, so the alert's matched fields reuse the values the rules read.
    sink.projected = (buf, start, end, members, index) => {
      const entered = enterRecord();
      try {
        hunt(buf, start, end, members, index);
      } finally {
        leaveRecord(entered);
      }
    };
  }
  const summary = file === '-' ? await readLogStream(process.stdin, sink) : await readLogFile(file, sink);
  return { ...summary, file, alerts, outOfWindow };
}

function inWindow(rec: JsonObject, w: TimeWindow): boolean {
  const t = typeof rec.eventTime === 'string' ? Date.parse(rec.eventTime) : NaN;
  if (Number.isNaN(t)) return false;
  if (w.since !== undefined && t < w.since) return false;
  if (w.until !== undefined && t >= w.until) return false;
  return true;
}
