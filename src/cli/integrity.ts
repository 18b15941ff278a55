/** `tideline verify`, `tideline gaps`, `tideline trails`: the trail itself as evidence (src/integrity). */
import { alertFormat, FORMATS, type Format } from '../detect/format.js';
import type { Alert } from '../detect/alert.js';
import { loadPublicKeys, loadSignatureManifest, type PublicKey } from '../integrity/digest.js';
import { readEvents, type ReadStats } from '../integrity/events.js';
import { GapFinder, gapAlerts, type GapOptions } from '../integrity/gaps.js';
import { describeChange, describeState, TrailTimeline, weakenedAlerts, type Trail } from '../integrity/trails.js';
import { FINDINGS, integrityAlerts, verifyTrail, type VerifyReport } from '../integrity/verify.js';
import { defaultFormat, Out, parseTime, UsageError } from './io.js';
import { Progress } from './progress.js';

export interface GapFlags {
  gapThreshold?: string;
  gapFactor?: string;
  gapQuantile?: string;
  gapFloor?: string;
}

/** `90m`, `2h`, `1d`, `45s`, or a number of minutes. */
export function parseDuration(flag: string, text: string): number {
  const m = /^(\d+(?:\.\d+)?)([smhd]?)$/.exec(text.trim());
  if (!m) throw new UsageError(`${flag}: '${text}' is not a duration (90m, 2h, 1d)`);
  return Number(m[1]) * { s: 1e3, m: 6e4, h: 36e5, d: 864e5, '': 6e4 }[m[2] as 's' | 'm' | 'h' | 'd' | ''];
}

function gapOptions(flags: GapFlags): GapOptions {
  const o: GapOptions = {};
  if (flags.gapThreshold) o.threshold = parseDuration('--gap-threshold', flags.gapThreshold);
  if (flags.gapFloor) o.floor = parseDuration('--gap-floor', flags.gapFloor);
  if (flags.gapFactor) {
    o.factor = Number(flags.gapFactor);
    if (!(o.factor > 0)) throw new UsageError('--gap-factor must be a positive number');
  }
  if (flags.gapQuantile) {
    o.quantile = Number(flags.gapQuantile);
    if (!(o.quantile > 0 && o.quantile <= 1)) throw new UsageError('--gap-quantile must be in (0, 1]');
  }
  return o;
}

function writeAlerts(path: string, format: string | undefined, alerts: Alert[]): void {
  const f = (format ?? 'jsonl') as Format;
  if (!FORMATS.includes(f)) throw new UsageError(`--alerts-format must be one of ${FORMATS.join(', ')}`);
  const out = Out.open(path);
  const fmt = alertFormat(f, false);
  out.write(fmt.header);
  alerts.forEach((a, i) => {
    if (i) out.write(fmt.separator);
    out.write(fmt.item(a, undefined));
  });
  out.write(fmt.footer);
  out.close();
}

async function readWithProgress(logs: string[], flags: { progress?: boolean }, onRecord: Parameters<typeof readEvents>[1]): Promise<ReadStats> {
  let progress: Progress | null = null;
  const stats = await readEvents(logs, onRecord, (done, total, bytes) => {
    if (!progress && flags.progress !== false && process.stderr.isTTY) progress = new Progress(true, total, 'files');
    progress?.update(done, { files: done, alerts: 0, bytes });
  });
  (progress as Progress | null)?.stop();
  return stats;
}

const fit = (s: string, w: number) => (s.length > w ? s.slice(0, w - 1) + '…' : s.padEnd(w));
const clean = (s: string) => s.replace(/[\x00-\x1f\x7f]/g, ' ');

// ---------------------------------------------------------------------------------------------------------------
export interface VerifyFlags extends GapFlags {
  publicKeys?: string[];
  signatures?: string;
  from?: string;
  to?: string;
  format?: string;
  output?: string;
  alerts?: string;
  alertsFormat?: string;
  gaps?: boolean;
  quiet?: boolean;
  progress?: boolean;
}

export async function verifyCommand(logs: string[], flags: VerifyFlags): Promise<number> {
  const format = defaultFormat(flags);
  if (format !== 'table' && format !== 'jsonl') throw new UsageError('--format must be table or jsonl');
  if (!logs.length) throw new UsageError('give at least one directory or file (the S3 export tree with its CloudTrail-Digest folders)');
  const from = flags.from ? parseTime('--from', flags.from) : undefined;
  const to = flags.to ? parseTime('--to', flags.to) : undefined;
  const gapOpts = gapOptions(flags);
  const keys: PublicKey[] = [];
  for (const f of flags.publicKeys ?? []) {
    try {
      keys.push(...loadPublicKeys(f));
    } catch (e) {
      process.stderr.write(`${f}: error: ${(e as Error).message}\n`);
      return 2;
    }
  }
  let signatures: Map<string, string> | undefined;
  if (flags.signatures) {
    try {
      signatures = loadSignatureManifest(flags.signatures);
    } catch (e) {
      process.stderr.write(`${flags.signatures}: error: ${(e as Error).message}\n`);
      return 2;
    }
  }

  const report = verifyTrail(logs, { keys, signatures, from, to });
  let gapAlertList: Alert[] = [];
  let gapMethod = '';
  let readStats: ReadStats | null = null;
  if (flags.gaps !== false) {
    const finder = new GapFinder();
    readStats = await readWithProgress(logs, flags, (rec, file, index) => {
      const t = Date.parse(typeof rec.eventTime === 'string' ? rec.eventTime : '');
      if ((from !== undefined && !(t >= from)) || (to !== undefined && !(t < to))) return;
      finder.add(rec, file, index);
    });
    const res = finder.find(gapOpts);
    gapMethod = res.method;
    gapAlertList = gapAlerts(res.gaps, res.method);
  }
  const alerts = [...integrityAlerts(report), ...gapAlertList];

  const out = Out.open(flags.output);
  if (format === 'jsonl') {
    for (const f of report.files) if (!flags.quiet || f.status !== 'valid') out.write(JSON.stringify({ type: 'file', ...f }) + '\n');
    for (const f of report.findings) if (f.severity !== 'failure') out.write(JSON.stringify({ type: 'finding', ...f }) + '\n');
    for (const a of alerts) out.write(JSON.stringify(a) + '\n');
    out.write(JSON.stringify({ type: 'summary', ...summaryObject(report), gaps: gapAlertList.length, gapMethod: gapMethod || null }) + '\n');
  } else {
    if (report.files.some((f) => !flags.quiet || f.status !== 'valid')) out.write(`${fit('STATUS', 10)} ${fit('KIND', 6)} ${fit('ACCOUNT/REGION', 24)} FILE\n`);
    for (const f of report.files) {
      if (flags.quiet && f.status === 'valid') continue;
      out.write(`${fit(f.status.toUpperCase(), 10)} ${fit(f.kind, 6)} ${fit(`${f.account ?? '?'}/${f.region ?? '?'}`, 24)} ${clean(f.file)}${f.findings.length ? `  [${f.findings.join(', ')}]` : ''}\n`);
    }
    if (report.findings.length) {
      out.write('\nFindings:\n');
      for (const f of report.findings) out.write(`  ${f.severity.toUpperCase().padEnd(8)} ${FINDINGS[f.code].name}: ${clean(f.message)}\n`);
    }
    if (flags.gaps !== false) {
      out.write(`\nLogging gaps (${gapMethod}):\n`);
      if (!gapAlertList.length) out.write('  none\n');
      for (const a of gapAlertList) out.write(`  ${gapLine(a)}\n`);
    }
    out.write('\n' + summaryText(report).join('\n') + '\n');
  }
  out.close();

  const lines = [`tideline verify: ${report.digests.total} digests, ${report.logs.listed} listed log files; ${report.failures} integrity failures, ${report.warnings} warnings${flags.gaps !== false ? `, ${gapAlertList.length} logging gaps` : ''}`];
  if (readStats?.errors.length) for (const e of readStats.errors.slice(0, 20)) lines.push(`  ${e}`);
  if (format === 'jsonl' || flags.output) lines.push(...summaryText(report).map((l) => `  ${l}`));
  if (report.digests.total === 0) lines.push(`  no CloudTrail digest files found under ${logs.join(', ')}: nothing was verified (is log file validation on? were the CloudTrail-Digest folders downloaded?)`);
  if (report.failures || report.digests.total === 0) lines.push('  exit status 2');
  if (alerts.length && flags.alerts) writeAlerts(flags.alerts, flags.alertsFormat, alerts);
  process.stderr.write(lines.join('\n') + '\n');
  return report.failures || report.digests.total === 0 ? 2 : 0;
}

function summaryObject(r: VerifyReport) {
  return { requested: r.requested, found: r.found, digests: r.digests, logs: r.logs, signatures: r.signatures, failures: r.failures, warnings: r.warnings };
}

function summaryText(r: VerifyReport): string[] {
  const l: string[] = [];
  l.push(r.requested.from || r.requested.to ? `Results requested for ${r.requested.from ?? 'the first digest'} to ${r.requested.to ?? 'the last digest'}` : 'Results requested for every digest found');
  l.push(r.found.from ? `Results found for ${r.found.from} to ${r.found.to}:` : 'No digest files found.');
  l.push('');
  l.push(`${r.digests.valid}/${r.digests.total} digest files valid${r.digests.total - r.digests.valid ? `, ${r.digests.total - r.digests.valid} INVALID` : ''}`);
  const bad = r.logs.listed - r.logs.valid;
  l.push(`${r.logs.valid}/${r.logs.listed} log files valid${bad ? `, ${bad} INVALID or MISSING` : ''}`);
  if (r.logs.unlisted) l.push(`${r.logs.unlisted} log files present but listed by no digest (INVALID)`);
  if (r.logs.unverified) l.push(`${r.logs.unverified} log files outside every digest window (not verified)`);
  l.push(r.signatures === 'checked' ? 'Signatures checked (SHA256withRSA).' : 'Signatures NOT checked: no --public-keys given (the chain, the hashes and the listings were checked; a forged chain would pass).');
  l.push(r.failures ? `${r.failures} integrity failures.` : 'No integrity failure.');
  return l;
}

function gapLine(a: Alert): string {
  const e = a.event as Record<string, unknown>;
  const b = e.lastEventBefore as Record<string, unknown> | null;
  const f = e.firstEventAfter as Record<string, unknown> | null;
  return `${e.recipientAccountId}/${e.awsRegion}: ${e.gapMinutes} min without events (threshold ${e.thresholdMinutes} min): last before ${b ? `${b.eventTime} ${b.eventName}` : '-'}, first after ${f ? `${f.eventTime} ${f.eventName}` : 'none (quiet until the end of the input)'}`;
}

// ---------------------------------------------------------------------------------------------------------------
export interface GapsFlags extends GapFlags {
  format?: string;
  output?: string;
  since?: string;
  until?: string;
  progress?: boolean;
}

export async function gapsCommand(logs: string[], flags: GapsFlags): Promise<number> {
  const format = defaultFormat(flags) as Format;
  if (!FORMATS.includes(format)) throw new UsageError(`--format must be one of ${FORMATS.join(', ')}`);
  if (!logs.length) throw new UsageError('give at least one log file, directory, or - for stdin');
  const opts = gapOptions(flags);
  const since = flags.since ? parseTime('--since', flags.since) : undefined;
  const until = flags.until ? parseTime('--until', flags.until) : undefined;
  const finder = new GapFinder();
  const stats = await readWithProgress(logs, flags, (rec, file, index) => {
    const t = Date.parse(typeof rec.eventTime === 'string' ? rec.eventTime : '');
    if ((since !== undefined && !(t >= since)) || (until !== undefined && !(t < until))) return;
    finder.add(rec, file, index);
  });
  for (const e of stats.errors) process.stderr.write(e + '\n');
  const res = finder.find(opts);
  const alerts = gapAlerts(res.gaps, res.method);
  const out = Out.open(flags.output);
  const fmt = alertFormat(format, format === 'table' && !flags.output && !!process.stdout.isTTY && !process.env.NO_COLOR);
  out.write(fmt.header);
  alerts.forEach((a, i) => {
    if (i) out.write(fmt.separator);
    out.write(fmt.item(a, undefined));
  });
  out.write(fmt.footer);
  out.close();
  const lines = [`tideline gaps: ${stats.files} files, ${stats.records} records, ${res.streams.length} account/region streams, ${alerts.length} logging gaps, ${stats.errors.length} errors`, `  method: ${res.method}`];
  for (const s of res.streams) lines.push(`  ${`${s.account}/${s.region}`.padEnd(28)} ${String(s.events).padStart(7)} events  ${s.first} … ${s.last}  ${s.thresholdMinutes !== null ? `threshold ${s.thresholdMinutes} min` : s.note ?? ''}`);
  for (const a of alerts) lines.push(`  gap: ${gapLine(a)}`);
  if (stats.errors.length) lines.push(`  ${stats.errors.length} errors (listed above): exit status 2`);
  process.stderr.write(lines.join('\n') + '\n');
  return stats.errors.length ? 2 : 0;
}

// ---------------------------------------------------------------------------------------------------------------
export interface TrailsFlags {
  format?: string;
  output?: string;
  bucket?: string[];
  alerts?: string;
  alertsFormat?: string;
  progress?: boolean;
}

export async function trailsCommand(logs: string[], flags: TrailsFlags): Promise<number> {
  const format = defaultFormat(flags);
  if (format !== 'table' && format !== 'jsonl') throw new UsageError('--format must be table or jsonl');
  if (!logs.length) throw new UsageError('give at least one log file, directory, or - for stdin');
  const tl = new TrailTimeline(flags.bucket ?? []);
  const stats = await readWithProgress(logs, flags, (rec, file, index) => tl.add(rec, file, index));
  for (const e of stats.errors) process.stderr.write(e + '\n');
  const trails = tl.build();
  const alerts = weakenedAlerts(trails);
  const out = Out.open(flags.output);
  if (format === 'jsonl') {
    for (const tr of trails) {
      for (const c of tr.changes) {
        const { event: _e, ...rest } = c;
        out.write(JSON.stringify({ ...rest, changes: c.changes.map((x) => ({ ...x, text: describeChange(x) })) }) + '\n');
      }
    }
  } else out.write(trailsTable(trails));
  out.close();
  if (flags.alerts) writeAlerts(flags.alerts, flags.alertsFormat, alerts);
  const changes = trails.reduce((n, t) => n + t.changes.length, 0);
  const lines = [`tideline trails: ${stats.files} files, ${stats.records} records, ${trails.length} trails, ${changes} changes, ${alerts.length} weakening changes (alerts of "CloudTrail trail weakened"), ${stats.errors.length} errors`];
  if (stats.errors.length) lines.push(`  ${stats.errors.length} errors (listed above): exit status 2`);
  process.stderr.write(lines.join('\n') + '\n');
  return stats.errors.length ? 2 : 0;
}

function trailsTable(trails: Trail[]): string {
  const s: string[] = [];
  for (const tr of trails) {
    s.push(`Trail ${tr.arn ?? tr.name} (account ${tr.account}${tr.homeRegion ? `, home ${tr.homeRegion}` : ''}; buckets: ${tr.buckets.join(', ') || '?'})`);
    s.push(`  ${fit('TIME', 20)} ${fit('EVENT', 26)} ${fit('BY', 62)} CHANGES`);
    for (const c of tr.changes) {
      const ev = `${c.eventName}${c.errorCode ? ` (${c.errorCode})` : ''}`;
      const what = c.errorCode ? 'failed attempt: no change' : c.changes.length ? c.changes.map((x) => `${x.weakening ? '! ' : ''}${describeChange(x)}`).join('; ') : 'no change';
      s.push(`  ${fit(c.time, 20)} ${fit(ev, 26)} ${fit(clean(c.actor), 62)} ${clean(what)}`);
    }
    s.push(`  now: ${describeState(tr.state)}`);
    s.push('');
  }
  if (!trails.length) s.push('No trail configuration change in the input.');
  else s.push('"!" marks a weakening change (an alert of the built-in detection "CloudTrail trail weakened").');
  return s.join('\n') + '\n';
}
