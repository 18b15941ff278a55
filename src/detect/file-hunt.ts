/** Hunting one input: read its records, apply the time window, evaluate, emit alerts. Shared by the inline path and workers. */
import { readLogFile, readLogStream, type FileSummary } from '../logs/reader.js';
import type { JsonObject } from '../sigma/fields.js';
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

export async function huntFile(
  file: string,
  detector: Detector,
  window: TimeWindow,
  onAlert: (a: Alert, raw: string | undefined) => void,
  onError: (e: InputError) => void,
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
      for (const rule of hits) {
        alerts++;
        onAlert(buildAlert(rule, rec, file, index), raw);
      }
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
