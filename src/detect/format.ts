/** Alert output formats: table for people, JSONL / JSON / CSV for machines. */
import type { Alert } from './alert.js';
import type { CorrelationAlert } from './correlation.js';
import type { Json, JsonObject } from '../sigma/fields.js';
import { LEVELS } from '../sigma/rule.js';

export const FORMATS = ['table', 'jsonl', 'json', 'csv'] as const;
export type Format = (typeof FORMATS)[number];

/**
 * A format is a pure function from an alert to its text, plus a header and footer, so workers can format in
 * parallel and the main thread only writes. `raw` is the event's JSON text as read, used verbatim when given.
 */
export interface AlertFormat {
  header: string;
  /** Text of one alert. */
  item(a: Alert, raw: string | undefined): string;
  /** Between two items (JSON arrays need commas). */
  separator: string;
  footer: string;
  /** Text of one correlation alert (same format: a JSON object, a CSV row, a table row). */
  correlation(a: CorrelationAlert): string;
  /**
   * JSON formats only: the alert's text up to its event, so that head + record text + tail is the whole alert with
   * the record spliced verbatim (see alert-batch.ts).
   */
  jsonHead?(a: Alert): string;
  jsonTail?: string;
}

const str = (v: Json | undefined): string => (v === undefined || v === null ? '' : typeof v === 'string' ? v : JSON.stringify(v));
const get = (o: JsonObject, path: string): Json | undefined =>
  path.split('.').reduce<Json | undefined>((n, k) => (n && typeof n === 'object' && !Array.isArray(n) ? n[k] : undefined), o);

/** Who did it, as an analyst reads it: the ARN, else user name, else principal id. */
export function principal(e: JsonObject): string {
  return str(get(e, 'userIdentity.arn')) || str(get(e, 'userIdentity.userName')) || str(get(e, 'userIdentity.principalId')) || str(get(e, 'userIdentity.invokedBy'));
}

const CSV_COLUMNS = ['time', 'level', 'rule_id', 'rule_title', 'event_source', 'event_name', 'account', 'region', 'principal', 'source_ip', 'error_code', 'event_id', 'file', 'index', 'matched'];

function csvCell(s: string): string {
  // Quote when needed; neutralise spreadsheet formulas (CSV injection) from attacker-controlled values.
  let v = s;
  if (/^[=+\-@\t\r]/.test(v)) v = `'${v}`;
  return /[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

export function alertFormat(format: Format, color: boolean): AlertFormat {
  switch (format) {
    case 'jsonl': {
      const head = jsonHead();
      return { header: '', item: (a, raw) => jsonText(head, a, raw) + '\n', separator: '', footer: '', correlation: (a) => JSON.stringify(a) + '\n', jsonHead: head, jsonTail: '}\n' };
    }
    case 'json': {
      const head = jsonHead();
      return { header: '[\n', item: (a, raw) => jsonText(head, a, raw), separator: ',\n', footer: '\n]\n', correlation: (a) => JSON.stringify(a), jsonHead: head, jsonTail: '}' };
    }
    case 'csv':
      return {
        header: CSV_COLUMNS.join(',') + '\n',
        item: (a) => {
          const e = a.event;
          const row = [a.time ?? '', a.rule.level ?? '', a.rule.id, a.rule.title, str(e.eventSource), str(e.eventName), str(e.recipientAccountId) || str(get(e, 'userIdentity.accountId')), str(e.awsRegion), principal(e), str(e.sourceIPAddress), str(e.errorCode), str(e.eventID), a.source.file, String(a.source.index), JSON.stringify(a.matched)];
          return row.map(csvCell).join(',') + '\n';
        },
        separator: '',
        footer: '',
        correlation: (a) => {
          // Same columns: the event name says which correlation type; event_id lists every contributing event.
          const g = a.group;
          const row = [a.time, a.rule.level ?? '', a.rule.id, a.rule.title, '', `correlation:${a.rule.type}`, g.recipientAccountId ?? g['userIdentity.accountId'] ?? '', g.awsRegion ?? '', g['userIdentity.arn'] ?? g['userIdentity.userName'] ?? '', g.sourceIPAddress ?? '', '', a.events.join(' '), '', '', JSON.stringify({ window: a.window, group: a.group, value: a.value })];
          return row.map(csvCell).join(',') + '\n';
        },
      };
    case 'table':
      return tableFormat(color);
  }
}

/** The alert as JSON, with the event's original text spliced in when we have it (no second serialisation). */
function jsonText(head: (a: Alert) => string, a: Alert, raw: string | undefined): string {
  return raw === undefined ? JSON.stringify(a) : `${head(a)}${raw}}`;
}

/**
 * `JSON.stringify(alert)` up to and including `"event":`, with the rule's part serialised once per rule (it is the
 * same for every alert of the rule). Key order is the Alert's: rule, time, source, matched, event.
 */
function jsonHead(): (a: Alert) => string {
  const rulePart = new WeakMap<Alert['rule'], string>(); // buildAlert shares one rule object per rule
  return (a) => {
    let r = rulePart.get(a.rule);
    if (r === undefined) {
      r = `{"rule":${JSON.stringify(a.rule)},"time":`;
      rulePart.set(a.rule, r);
    }
    return `${r}${JSON.stringify(a.time)},"source":${JSON.stringify(a.source)},"matched":${JSON.stringify(a.matched)},"event":`;
  };
}

const LEVEL_COLOR: Record<string, string> = { critical: '\x1b[1;35m', high: '\x1b[1;31m', medium: '\x1b[33m', low: '\x1b[36m', informational: '\x1b[2m' };

function tableFormat(color: boolean): AlertFormat {
  // Fixed widths so rows stream out as they come (no need to hold every alert to size columns).
  const cols: [string, number][] = [['TIME', 20], ['LEVEL', 8], ['RULE', 38], ['EVENT', 30], ['PRINCIPAL', 46], ['SOURCE IP', 15], ['ACCOUNT/REGION', 0]];
  const fit = (s: string, w: number) => (w === 0 ? s : s.length > w ? s.slice(0, w - 1) + '…' : s.padEnd(w));
  return {
    header: cols.map(([h, w]) => fit(h, w)).join(' ') + '\n',
    item: (a) => {
      const e = a.event;
      const level = a.rule.level ?? '';
      const cells = [a.time ?? '', level, a.rule.title, `${str(e.eventName)}${e.errorCode ? ` (${str(e.errorCode)})` : ''}`, principal(e), str(e.sourceIPAddress), `${str(e.recipientAccountId)}/${str(e.awsRegion)}`];
      const row = cells.map((c, i) => {
        const t = fit(c.replace(/[\x00-\x1f\x7f]/g, ' '), cols[i]![1]); // never let log content drive the terminal
        return color && i === 1 && LEVEL_COLOR[level] ? `${LEVEL_COLOR[level]}${t}\x1b[0m` : t;
      });
      return row.join(' ') + '\n';
    },
    separator: '',
    footer: '',
    correlation: (a) => {
      const level = a.rule.level ?? '';
      const group = Object.entries(a.group).map(([k, v]) => `${k}=${v ?? '(none)'}`).join(' ');
      const cells = [a.time, level, a.rule.title, `${a.rule.type} ${a.value ?? ''} (${a.events.length} events)`, group, a.group.sourceIPAddress ?? '', `${a.window.start} .. ${a.window.end}`];
      const row = cells.map((c, i) => {
        const t = fit(c.replace(/[\x00-\x1f\x7f]/g, ' '), cols[i]![1]);
        return color && i === 1 && LEVEL_COLOR[level] ? `${LEVEL_COLOR[level]}${t}\x1b[0m` : t;
      });
      return row.join(' ') + '\n';
    },
  };
}

/** One line of `hunt --count`: a rule run and how many alerts it raised (after deduplication). */
export interface RuleCount {
  alerts: number;
  level: string;
  id: string;
  title: string;
  kind: 'detection' | 'correlation';
}

/**
 * Every rule run with its alert count, zeros included (a rule that never fires is worth knowing about too), most
 * alerts first, then by level and title so the order is stable.
 */
export function ruleCounts(
  detections: readonly { id: string; title: string; level?: string | null }[],
  correlations: readonly { id: string; title: string; level?: string | null }[],
  counted: ReadonlyMap<string, { count: number }>,
): RuleCount[] {
  const rank: readonly string[] = LEVELS;
  const rows = [
    ...detections.map((r) => ({ r, kind: 'detection' as const })),
    ...correlations.map((r) => ({ r, kind: 'correlation' as const })),
  ].map(({ r, kind }): RuleCount => ({ alerts: counted.get(r.id)?.count ?? 0, level: r.level ?? '', id: r.id, title: r.title, kind }));
  return rows.sort((a, b) => b.alerts - a.alerts || rank.indexOf(b.level) - rank.indexOf(a.level) || a.title.localeCompare(b.title));
}

export function formatCounts(rows: RuleCount[], format: Format): string {
  switch (format) {
    case 'jsonl':
      return rows.map((r) => JSON.stringify(r) + '\n').join('');
    case 'json':
      return rows.length ? `[\n${rows.map((r) => JSON.stringify(r)).join(',\n')}\n]\n` : '[]\n';
    case 'csv':
      return ['alerts,level,rule_id,rule_title,kind\n', ...rows.map((r) => [String(r.alerts), r.level, r.id, r.title, r.kind].map(csvCell).join(',') + '\n')].join('');
    case 'table': {
      const w = Math.max(6, ...rows.map((r) => String(r.alerts).length));
      const head = `${'ALERTS'.padStart(w)}  ${'LEVEL'.padEnd(13)} RULE\n`;
      return head + rows.map((r) => `${String(r.alerts).padStart(w)}  ${r.level.padEnd(13)} ${r.title}${r.kind === 'correlation' ? ' (correlation)' : ''}  ${r.id}\n`).join('');
    }
  }
}
