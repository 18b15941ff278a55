/**
 * Logging gaps: per account and region, quiet periods longer than that stream's own history makes normal.
 *
 * Method. Events are grouped by account (recipientAccountId) and region (awsRegion), deduplicated by eventID and
 * sorted by eventTime. The inter-arrival times between consecutive events shorter than `batch` (5 minutes: what
 * CloudTrail delivers together) are dropped; the rest are the stream's quiet periods. The normal quiet period is
 * their `quantile` (0.99); a gap is a quiet period longer than max(`floor` (1 h), `factor` (2) × that quantile),
 * or longer than `threshold` when one is given (which replaces the computed one). Streams with fewer than
 * `minHistory` (10) quiet periods are not judged, except with a fixed threshold. A stream that goes quiet before the
 * end of the input (the last event of any stream) for longer than its threshold ends in an open gap: no event after.
 */
import type { Alert } from '../detect/alert.js';
import type { Json, JsonObject } from '../sigma/fields.js';
import { builtinAlert, LOGGING_GAP, syntheticEventId } from './builtin.js';
import { accountOf, str } from './events.js';

export interface GapOptions {
  quantile?: number;
  factor?: number;
  floor?: number;
  /** Fixed threshold (ms): replaces the computed one for every stream. */
  threshold?: number;
  minHistory?: number;
  batch?: number;
}

export const GAP_DEFAULTS = { quantile: 0.99, factor: 2, floor: 3_600_000, minHistory: 10, batch: 300_000 };

interface Ev {
  t: number;
  time: string;
  id: string | null;
  name: string | null;
  source: string | null;
  file: string;
  index: number;
}

export interface Gap {
  account: string;
  region: string;
  start: string;
  end: string | null;
  minutes: number;
  thresholdMinutes: number;
  before: Ev;
  after: Ev | null;
}

export interface StreamSummary {
  account: string;
  region: string;
  events: number;
  first: string;
  last: string;
  thresholdMinutes: number | null;
  /** Why a stream was not judged. */
  note?: string;
}

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** Collects events as they are read, then finds the gaps. */
export class GapFinder {
  private streams = new Map<string, Ev[]>();
  private seen = new Map<string, Set<string>>();

  add(rec: JsonObject, file: string, index: number): void {
    const time = str(rec.eventTime);
    const t = time ? Date.parse(time) : NaN;
    if (Number.isNaN(t)) return;
    const key = `${accountOf(rec) ?? '?'}|${str(rec.awsRegion) ?? '?'}`;
    const id = str(rec.eventID);
    if (id) {
      const seen = this.seen.get(key) ?? this.seen.set(key, new Set()).get(key)!;
      if (seen.has(id)) return;
      seen.add(id);
    }
    const list = this.streams.get(key) ?? this.streams.set(key, []).get(key)!;
    list.push({ t, time: time!, id, name: str(rec.eventName), source: str(rec.eventSource), file, index });
  }

  find(opts: GapOptions = {}): { gaps: Gap[]; streams: StreamSummary[]; method: string } {
    const o = { ...GAP_DEFAULTS, ...opts };
    const gaps: Gap[] = [];
    const streams: StreamSummary[] = [];
    let globalEnd = -Infinity;
    for (const list of this.streams.values()) for (const e of list) if (e.t > globalEnd) globalEnd = e.t;
    for (const key of [...this.streams.keys()].sort()) {
      const [account, region] = key.split('|') as [string, string];
      const list = this.streams.get(key)!.sort((a, b) => a.t - b.t || a.file.localeCompare(b.file) || a.index - b.index);
      const quiet: number[] = [];
      for (let i = 1; i < list.length; i++) {
        const d = list[i]!.t - list[i - 1]!.t;
        if (d >= o.batch) quiet.push(d);
      }
      const summary: StreamSummary = { account, region, events: list.length, first: list[0]!.time, last: list.at(-1)!.time, thresholdMinutes: null };
      streams.push(summary);
      let threshold: number;
      if (o.threshold !== undefined) threshold = o.threshold;
      else if (quiet.length < o.minHistory) {
        summary.note = `not judged: ${quiet.length} quiet periods of ${o.batch / 60_000} min or more (needs ${o.minHistory})`;
        continue;
      } else threshold = Math.max(o.floor, o.factor * quantile(quiet, o.quantile));
      summary.thresholdMinutes = Math.round(threshold / 60_000);
      for (let i = 1; i < list.length; i++) {
        const a = list[i - 1]!;
        const b = list[i]!;
        if (b.t - a.t > threshold) gaps.push({ account, region, start: a.time, end: b.time, minutes: Math.round((b.t - a.t) / 60_000), thresholdMinutes: summary.thresholdMinutes, before: a, after: b });
      }
      const last = list.at(-1)!;
      if (globalEnd - last.t > threshold) {
        gaps.push({ account, region, start: last.time, end: null, minutes: Math.round((globalEnd - last.t) / 60_000), thresholdMinutes: summary.thresholdMinutes, before: last, after: null });
      }
    }
    const method =
      o.threshold !== undefined
        ? `fixed threshold ${Math.round(o.threshold / 60_000)} min`
        : `threshold = max(${o.floor / 60_000} min, ${o.factor} × q${o.quantile} of the gaps of ${o.batch / 60_000} min or more between consecutive events), per account and region`;
    gaps.sort((x, y) => x.start.localeCompare(y.start) || x.account.localeCompare(y.account) || x.region.localeCompare(y.region));
    return { gaps, streams, method: `${method}; open gap when a stream is quiet until the end of the input (${iso(globalEnd === -Infinity ? 0 : globalEnd)})` };
  }
}

/** Linear-interpolated quantile of a non-empty list. */
export function quantile(values: number[], q: number): number {
  const s = [...values].sort((a, b) => a - b);
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return s[lo]! + (s[hi]! - s[lo]!) * (pos - lo);
}

const evJson = (e: Ev | null): Json => (e ? { eventTime: e.time, eventName: e.name, eventSource: e.source, eventID: e.id, file: e.file, index: e.index } : null);

export function gapAlerts(gaps: Gap[], method: string): Alert[] {
  return gaps.map((g) => {
    const event: JsonObject = {
      eventSource: 'tideline.gaps',
      eventName: 'LoggingGap',
      eventTime: g.start,
      eventID: syntheticEventId('gap', g.account, g.region, g.start, g.end ?? ''),
      recipientAccountId: g.account,
      awsRegion: g.region,
      gapStart: g.start,
      gapEnd: g.end,
      gapMinutes: g.minutes,
      thresholdMinutes: g.thresholdMinutes,
      method,
      lastEventBefore: evJson(g.before),
      firstEventAfter: evJson(g.after),
    };
    const src = g.after ?? g.before;
    return builtinAlert(LOGGING_GAP, event, g.start, src.file, src.index, { gapStart: g.start, gapEnd: g.end, gapMinutes: g.minutes, thresholdMinutes: g.thresholdMinutes });
  });
}
