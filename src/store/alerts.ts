/**
 * Alerts in the store: hunts write them (one per rule and eventID, as `tideline hunt` dedups), analysts triage them
 * (open → acknowledged → closed, each change with a comment kept in the history).
 */
import { huntFile } from '../detect/file-hunt.js';
import { Detector } from '../detect/engine.js';
import { isCloudTrailRule } from '../detect/selection.js';
import { expandInputs } from '../logs/walk.js';
import type { JsonObject } from '../sigma/fields.js';
import type { DetectionRule } from '../sigma/rule.js';
import { buildAlert, type Alert } from '../detect/alert.js';
import type { CorrelationAlert } from '../detect/correlation.js';
import { createHash } from 'node:crypto';
import { LEVEL_RANK } from './content.js';
import { audit, now, type Db } from './db.js';

export const ALERT_STATUSES = ['open', 'acknowledged', 'closed'] as const;
export type AlertStatus = (typeof ALERT_STATUSES)[number];

const actorOf = (e: JsonObject): string | null => {
  const u = e.userIdentity as Record<string, unknown> | undefined;
  return (u?.arn as string) ?? (u?.invokedBy as string) ?? (u?.type as string) ?? null;
};

/** One alert row; the UNIQUE (rule_id, event_id) constraint makes a repeated alert a no-op (returns false). */
interface AlertRowInput {
  rule: { id: string; title: string; level: string | null };
  eventId: string | null;
  time: string | null;
  account: string | null;
  region: string | null;
  eventSource: string | null;
  eventName: string | null;
  actor: string | null;
  sourceIp: string | null;
  file: string;
  index: number;
  matched: unknown;
  event: unknown;
}

function insertRow(db: Db, r: AlertRowInput): boolean {
  return (
    db
      .prepare(
        `INSERT OR IGNORE INTO alerts (rule_id, rule_title, level, level_rank, event_id, time, account, region, event_source, event_name, actor, source_ip, source_file, source_index, matched, event, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(r.rule.id, r.rule.title, r.rule.level, LEVEL_RANK[r.rule.level ?? ''] ?? 0, r.eventId, r.time, r.account, r.region, r.eventSource, r.eventName, r.actor, r.sourceIp, r.file, r.index, JSON.stringify(r.matched), JSON.stringify(r.event), now()).changes > 0
  );
}

const text = (v: unknown): string | null => (typeof v === 'string' ? v : null);

export function insertAlert(db: Db, a: Alert): boolean {
  const e = a.event;
  return insertRow(db, {
    rule: a.rule,
    eventId: text(e.eventID),
    time: a.time,
    account: text(e.recipientAccountId) ?? text((e.userIdentity as Record<string, unknown> | undefined)?.accountId),
    region: text(e.awsRegion),
    eventSource: text(e.eventSource),
    eventName: text(e.eventName),
    actor: actorOf(e),
    sourceIp: text(e.sourceIPAddress),
    file: a.source.file,
    index: a.source.index,
    matched: a.matched,
    event: e,
  });
}

/**
 * The stable event_id of a correlation alert: the same rule, group and window give the same id, so a correlation
 * alert found twice (redelivery, a second worker, an ingest retry) is stored once under UNIQUE (rule_id, event_id).
 */
export function correlationEventId(a: CorrelationAlert): string {
  return 'correlation:' + createHash('sha256').update(JSON.stringify([a.rule.id, a.group, a.window.start, a.window.end])).digest('hex').slice(0, 32);
}

/**
 * A correlation alert as an alert row: rule id/title/level, time = window end, event_id = correlationEventId,
 * event_name `correlation:<type>`, account/region/actor/source IP from the group when it has them, matched = the
 * group fields and `value`, event = {window, group, value, events (the contributing eventIDs)}.
 */
export function insertCorrelationAlert(db: Db, a: CorrelationAlert, source: string): boolean {
  const g = a.group;
  const pick = (...names: string[]): string | null => names.map((n) => text(g[n])).find((v) => v !== null) ?? null;
  return insertRow(db, {
    rule: a.rule,
    eventId: correlationEventId(a),
    time: a.window.end,
    account: pick('recipientAccountId', 'userIdentity.accountId'),
    region: pick('awsRegion'),
    eventSource: null,
    eventName: `correlation:${a.rule.type}`,
    actor: pick('userIdentity.arn', 'userIdentity.userName'),
    sourceIp: pick('sourceIPAddress'),
    file: source,
    index: 0,
    matched: { ...g, value: a.value ?? null },
    event: { window: a.window, group: g, value: a.value ?? null, events: a.events },
  });
}

/** Hunts log files with the given rules and stores the alerts; returns counts and input errors (never throws on bad input). */
export async function huntIntoStore(db: Db, rules: DetectionRule[], inputs: string[]): Promise<{ files: number; records: number; alerts: number; errors: string[] }> {
  const detector = new Detector(rules.filter(isCloudTrailRule));
  const { files, errors: walkErrors } = expandInputs(inputs);
  const errors = walkErrors.map((e) => `${e.path}: ${e.message}`);
  let records = 0;
  let alerts = 0;
  const pending: Alert[] = [];
  for (const f of files) {
    const res = await huntFile(f.path, detector, {}, (rule, rec, index) => void pending.push(buildAlert(rule, rec, f.path, index)), (e) => void errors.push(`${e.file}${e.index !== undefined ? ` record ${e.index}` : ''}: ${e.message}`));
    records += res.records;
  }
  db.transaction(() => {
    for (const a of pending) if (insertAlert(db, a)) alerts++;
  })();
  return { files: files.length, records, alerts, errors };
}

export function triageAlert(db: Db, id: number, status: AlertStatus, comment: string, user: string): boolean {
  if (!ALERT_STATUSES.includes(status)) throw new Error(`status must be one of ${ALERT_STATUSES.join(', ')}`);
  return db.transaction(() => {
    const r = db.prepare('UPDATE alerts SET status = ?, updated_at = ? WHERE id = ?').run(status, now(), id);
    if (!r.changes) return false;
    db.prepare('INSERT INTO alert_history (alert_id, status, comment, user, at) VALUES (?, ?, ?, ?, ?)').run(id, status, comment.slice(0, 4000) || null, user, now());
    audit(db, user, 'alert.triage', String(id), { status });
    return true;
  })();
}

/**
 * Alerts of the built-in detections (src/integrity): integrity failures and logging gaps (`tideline verify`) and
 * weakening trail changes (`tideline trails`), stored like rule alerts (one per detection and eventID). The server
 * seed can call it after huntIntoStore, e.g. with the bundled sample and its public keys.
 */
export async function trailAlertsIntoStore(db: Db, inputs: string[], opts: { publicKeys?: string[] } = {}): Promise<{ alerts: number; failures: number; gaps: number; weakened: number; errors: string[] }> {
  const { verifyTrail, integrityAlerts } = await import('../integrity/verify.js');
  const { loadPublicKeys } = await import('../integrity/digest.js');
  const { readEvents } = await import('../integrity/events.js');
  const { GapFinder, gapAlerts } = await import('../integrity/gaps.js');
  const { TrailTimeline, weakenedAlerts } = await import('../integrity/trails.js');
  const report = verifyTrail(inputs, { keys: (opts.publicKeys ?? []).flatMap((f) => loadPublicKeys(f)) });
  const gaps = new GapFinder();
  const trails = new TrailTimeline();
  const stats = await readEvents(inputs, (rec, file, index) => {
    gaps.add(rec, file, index);
    trails.add(rec, file, index);
  });
  const found = gaps.find();
  const failures = integrityAlerts(report);
  const gapList = gapAlerts(found.gaps, found.method);
  const weakened = weakenedAlerts(trails.build());
  let alerts = 0;
  db.transaction(() => {
    for (const a of [...failures, ...gapList, ...weakened]) if (insertAlert(db, a)) alerts++;
  })();
  return { alerts, failures: failures.length, gaps: gapList.length, weakened: weakened.length, errors: [...report.inputErrors, ...stats.errors] };
}
