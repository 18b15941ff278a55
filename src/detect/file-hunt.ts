/** Hunting one input: read its records, apply the time window, evaluate, emit alerts. Shared by the inline path and workers. */
import { readLogFile, readLogStream, type FileSummary } from '../logs/reader.js';
import type { JsonObject } from '../sigma/fields.js';
import type { DetectionRule } from '../sigma/rule.js';
import { buildAlert, type Alert } from './alert.js';
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

export async function huntFile(
  file: string,
  detector: Detector,
  window: TimeWindow,
  onAlert: (a: Alert, raw: string | undefined) => void,
  onError: (e: InputError) => void,
  corr?: CorrelationHooks,
): Promise<FileResult> {
  let alerts = 0;
  let outOfWindow = 0;
  const timed = window.since !== undefined || window.until !== undefined;
  const sink = {
    record(rec: JsonObject, index: number, raw?: string) {
      if (timed && !inWindow(rec, window)) {
        outOfWindow++;
        return;
      }
      const hits = detector.match(rec);
      let fed: DetectionRule[] | undefined;
      for (const rule of hits) {
        if (corr) {
          if (corr.correlated.has(rule.id)) (fed ??= []).push(rule);
          if (corr.silent.has(rule.id)) continue;
        }
        alerts++;
        onAlert(buildAlert(rule, rec, file, index), raw);
      }
      if (fed) corr!.onMatches(rec, fed);
    },
    error(message: string, where?: { index?: number; line?: number }) {
      onError({ file, message, ...where });
    },
  };
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
