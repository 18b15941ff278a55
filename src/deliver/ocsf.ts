/**
 * Alerts in the OCSF Detection Finding shape (class_uid 2004, category Findings, OCSF 1.1): what SIEMs and security
 * lakes (Security Lake, Splunk, Sentinel) ingest without a custom parser. Works for detection alerts (the hunt Alert
 * shape) and correlation alerts (rule, group, window, contributing eventIDs).
 */
import type { Alert } from '../detect/alert.js';
import type { JsonObject } from '../sigma/fields.js';
import type { CorrelationAlert } from '../detect/correlation.js';

export type AnyAlert = Alert | CorrelationAlert;
export const isCorrelationAlert = (a: AnyAlert): a is CorrelationAlert => 'window' in a && 'events' in a && !('event' in a);

const SEVERITY: Record<string, [number, string]> = {
  informational: [1, 'Informational'],
  low: [2, 'Low'],
  medium: [3, 'Medium'],
  high: [4, 'High'],
  critical: [5, 'Critical'],
};

const str = (v: unknown): string | undefined => (typeof v === 'string' && v ? v : undefined);

/** ATT&CK techniques and tactics named by Sigma tags (attack.t1562.008, attack.defense-evasion). */
function attacks(tags: string[]): JsonObject[] {
  const out: JsonObject[] = [];
  for (const t of tags) {
    const m = /^attack\.(t\d{4}(?:\.\d{3})?)$/i.exec(t);
    if (m) out.push({ technique: { uid: m[1]!.toUpperCase() }, version: '18.1' });
  }
  return out;
}

export function ocsfFinding(a: AnyAlert, opts: { version?: string; uid?: string } = {}): JsonObject {
  const [severity_id, severity] = SEVERITY[a.rule.level ?? ''] ?? [0, 'Unknown'];
  const timeStr = a.time ?? undefined;
  const time = timeStr ? Date.parse(timeStr) : Date.now();
  const base: JsonObject = {
    class_uid: 2004,
    class_name: 'Detection Finding',
    category_uid: 2,
    category_name: 'Findings',
    activity_id: 1,
    activity_name: 'Create',
    type_uid: 200401,
    type_name: 'Detection Finding: Create',
    severity_id,
    severity,
    status_id: 1,
    status: 'New',
    time: Number.isNaN(time) ? Date.now() : time,
    message: a.rule.title,
    metadata: { version: '1.1.0', product: { name: 'Tideline', vendor_name: 'Tideline', version: opts.version ?? '0.1.0' }, labels: a.rule.tags },
    cloud: { provider: 'AWS' },
  };
  const analytic: JsonObject = { uid: a.rule.id, name: a.rule.title, type_id: 1, type: 'Rule' };
  if (isCorrelationAlert(a)) {
    const start = Date.parse(a.window.start);
    const end = Date.parse(a.window.end);
    base.finding_info = {
      uid: opts.uid ?? `${a.rule.id}:${a.window.start}:${JSON.stringify(a.group)}`,
      title: a.rule.title,
      analytic: { ...analytic, type_id: 5, type: 'Behavioral', category: `sigma correlation ${a.rule.type}` },
      attacks: attacks(a.rule.tags),
      types: ['Sigma correlation', a.rule.type],
      first_seen_time: start,
      last_seen_time: end,
      related_events: a.events.map((uid) => ({ uid, product_uid: 'cloudtrail' })),
    };
    base.unmapped = { group: a.group, ...(a.value !== undefined ? { value: a.value } : {}), window: a.window };
    return base;
  }
  const e = a.event;
  const ui = (e.userIdentity ?? {}) as JsonObject;
  const account = str(e.recipientAccountId) ?? str(ui.accountId);
  base.cloud = { provider: 'AWS', ...(str(e.awsRegion) ? { region: e.awsRegion } : {}), ...(account ? { account: { uid: account, type: 'AWS Account', type_id: 10 } } : {}) };
  base.finding_info = {
    uid: opts.uid ?? `${a.rule.id}:${str(e.eventID) ?? ''}`,
    title: a.rule.title,
    analytic,
    attacks: attacks(a.rule.tags),
    types: ['Sigma rule'],
    first_seen_time: base.time as number,
    last_seen_time: base.time as number,
    ...(str(e.eventID) ? { related_events: [{ uid: e.eventID as string, product_uid: 'cloudtrail' }] } : {}),
  };
  base.evidences = [
    {
      actor: { user: { uid: str(ui.principalId) ?? null, name: str(ui.userName) ?? null, type: str(ui.type) ?? null, uid_alt: str(ui.arn) ?? null } },
      api: { operation: str(e.eventName) ?? null, service: { name: str(e.eventSource) ?? null }, request: { uid: str(e.requestID) ?? null } },
      src_endpoint: { ip: str(e.sourceIPAddress) ?? null },
      data: a.matched as JsonObject,
    },
  ];
  base.raw_data = JSON.stringify(e);
  return base;
}
