/** Alert output formats: table for people, JSONL / JSON / CSV for machines. */
import type { Alert } from '../detect/alert.js';
import type { Json, JsonObject } from '../sigma/fields.js';
import type { Out } from './io.js';

export const FORMATS = ['table', 'jsonl', 'json', 'csv'] as const;
export type Format = (typeof FORMATS)[number];

export interface AlertWriter {
  write(a: Alert): void;
  end(): void;
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

export function alertWriter(format: Format, out: Out, color: boolean): AlertWriter {
  switch (format) {
    case 'jsonl':
      return { write: (a) => out.write(JSON.stringify(a) + '\n'), end: () => {} };
    case 'json': {
      let first = true;
      return {
        write: (a) => {
          out.write((first ? '[\n' : ',\n') + JSON.stringify(a));
          first = false;
        },
        end: () => out.write(first ? '[]\n' : '\n]\n'),
      };
    }
    case 'csv':
      out.write(CSV_COLUMNS.join(',') + '\n');
      return {
        write: (a) => {
          const e = a.event;
          const row = [a.time ?? '', a.rule.level ?? '', a.rule.id, a.rule.title, str(e.eventSource), str(e.eventName), str(e.recipientAccountId) || str(get(e, 'userIdentity.accountId')), str(e.awsRegion), principal(e), str(e.sourceIPAddress), str(e.errorCode), str(e.eventID), a.source.file, String(a.source.index), JSON.stringify(a.matched)];
          out.write(row.map(csvCell).join(',') + '\n');
        },
        end: () => {},
      };
    case 'table':
      return tableWriter(out, color);
  }
}

const LEVEL_COLOR: Record<string, string> = { critical: '\x1b[1;35m', high: '\x1b[1;31m', medium: '\x1b[33m', low: '\x1b[36m', informational: '\x1b[2m' };

function tableWriter(out: Out, color: boolean): AlertWriter {
  // Fixed widths so rows stream out as they come (no need to hold every alert to size columns).
  const cols: [string, number][] = [['TIME', 20], ['LEVEL', 8], ['RULE', 38], ['EVENT', 30], ['PRINCIPAL', 46], ['SOURCE IP', 15], ['ACCOUNT/REGION', 0]];
  const fit = (s: string, w: number) => (w === 0 ? s : s.length > w ? s.slice(0, w - 1) + '…' : s.padEnd(w));
  out.write(cols.map(([h, w]) => fit(h, w)).join(' ') + '\n');
  return {
    write: (a) => {
      const e = a.event;
      const level = a.rule.level ?? '';
      const cells = [a.time ?? '', level, a.rule.title, `${str(e.eventName)}${e.errorCode ? ` (${str(e.errorCode)})` : ''}`, principal(e), str(e.sourceIPAddress), `${str(e.recipientAccountId)}/${str(e.awsRegion)}`];
      const row = cells.map((c, i) => {
        const t = fit(c.replace(/[\x00-\x1f\x7f]/g, ' '), cols[i]![1]); // never let log content drive the terminal
        return color && i === 1 && LEVEL_COLOR[level] ? `${LEVEL_COLOR[level]}${t}\x1b[0m` : t;
      });
      out.write(row.join(' ') + '\n');
    },
    end: () => {},
  };
}
