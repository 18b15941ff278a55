/**
 * Trail posture over time: each trail's configuration replayed from the CloudTrail management calls that change it
 * (CreateTrail, UpdateTrail, PutEventSelectors, PutInsightSelectors, StartLogging, StopLogging, DeleteTrail) and the
 * S3 calls on its bucket (PutBucketPolicy, DeleteBucketPolicy, PutBucketLifecycle, DeleteBucketLifecycle,
 * DeleteBucket, DeleteObject(s)): who changed what and when, and which changes weaken it.
 *
 * A trail is named by account and name (a trail ARN in `name` is reduced to its name). Its buckets are every bucket
 * it was ever set to deliver to (CreateTrail/UpdateTrail), plus buckets CloudTrail itself wrote to for it, learned
 * from the encryption context of its KMS GenerateDataKey calls (`aws:cloudtrail:arn`, `aws:s3:arn`) or given with
 * --bucket; the earliest such bucket is the trail's destination before the first change seen.
 */
import type { Alert } from '../detect/alert.js';
import type { Json, JsonObject } from '../sigma/fields.js';
import { builtinAlert, TRAIL_WEAKENED } from './builtin.js';
import { accountOf, actorOf, obj, str } from './events.js';

export type Mgmt = 'All' | 'ReadOnly' | 'WriteOnly' | 'None';

export interface TrailState {
  exists: boolean | null;
  logging: boolean | null;
  s3BucketName: string | null;
  s3KeyPrefix: string | null;
  logFileValidation: boolean | null;
  multiRegion: boolean | null;
  globalEvents: boolean | null;
  organization: boolean | null;
  kmsKeyId: string | null;
  cloudWatchLogsLogGroupArn: string | null;
  snsTopicName: string | null;
  managementEvents: Mgmt | null;
  excludedEventSources: string[] | null;
  dataEventSelectors: number | null;
  insights: string[] | null;
  bucketPolicy: string | null;
  lifecycleExpirationDays: number | null;
  bucketDeleted: boolean | null;
}

export interface Change {
  field: keyof TrailState | 'logObjects';
  from: Json;
  to: Json;
  weakening: boolean;
  reason?: string;
}

export interface TrailChange {
  time: string;
  account: string;
  trail: string;
  trailArn: string | null;
  region: string | null;
  eventSource: string;
  eventName: string;
  eventID: string | null;
  actor: string;
  sourceIPAddress: string | null;
  errorCode: string | null;
  bucket?: string;
  changes: Change[];
  weakened: boolean;
  state: TrailState;
  file: string;
  index: number;
  event: JsonObject;
}

export interface Trail {
  account: string;
  name: string;
  arn: string | null;
  homeRegion: string | null;
  buckets: string[];
  changes: TrailChange[];
  state: TrailState;
}

const TRAIL_CALLS = new Set(['CreateTrail', 'UpdateTrail', 'PutEventSelectors', 'PutInsightSelectors', 'StartLogging', 'StopLogging', 'DeleteTrail']);
const BUCKET_CALLS = new Set(['PutBucketPolicy', 'DeleteBucketPolicy', 'PutBucketLifecycle', 'DeleteBucketLifecycle', 'DeleteBucket', 'DeleteObject', 'DeleteObjects']);
/** Lifecycle expirations shorter than this many days are flagged. */
export const SHORT_RETENTION_DAYS = 90;

const emptyState = (): TrailState => ({
  exists: null, logging: null, s3BucketName: null, s3KeyPrefix: null, logFileValidation: null, multiRegion: null, globalEvents: null, organization: null, kmsKeyId: null,
  cloudWatchLogsLogGroupArn: null, snsTopicName: null, managementEvents: null, excludedEventSources: null, dataEventSelectors: null, insights: null, bucketPolicy: null,
  lifecycleExpirationDays: null, bucketDeleted: null,
});

/** `arn:aws:cloudtrail:<region>:<acct>:trail/<name>` or a bare name. */
export function parseTrailRef(ref: string): { name: string; account: string | null; region: string | null; arn: string | null } {
  const m = /^arn:aws[a-z-]*:cloudtrail:([^:]*):(\d{12}):trail\/(.+)$/.exec(ref);
  return m ? { name: m[3]!, account: m[2]!, region: m[1]! || null, arn: ref } : { name: ref, account: null, region: null, arn: null };
}

const bool = (v: unknown): boolean | null => (typeof v === 'boolean' ? v : v === 'true' ? true : v === 'false' ? false : null);
const asList = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined || v === null ? [] : [v]);

/** Management events recorded, excluded sources and data selectors, from basic or advanced event selectors. */
export function selectorsSummary(params: JsonObject): { mgmt: Mgmt; excluded: string[]; data: number } {
  const basic = asList(params.eventSelectors).map(obj).filter((x): x is JsonObject => !!x);
  const advanced = asList(params.advancedEventSelectors).map(obj).filter((x): x is JsonObject => !!x);
  let read = false, write = false, data = 0;
  const excluded = new Set<string>();
  for (const s of basic) {
    data += asList(s.dataResources).length;
    if (bool(s.includeManagementEvents) === false) continue;
    const rw = str(s.readWriteType) ?? 'All';
    if (rw === 'All' || rw === 'ReadOnly') read = true;
    if (rw === 'All' || rw === 'WriteOnly') write = true;
    for (const x of asList(s.excludeManagementEventSources)) if (typeof x === 'string') excluded.add(x);
  }
  for (const s of advanced) {
    const fields = asList(s.fieldSelectors).map(obj).filter((x): x is JsonObject => !!x);
    const f = (name: string) => fields.find((x) => str(x.field)?.toLowerCase() === name.toLowerCase());
    const cat = f('eventCategory');
    const cats = asList(cat?.equals ?? cat?.Equals).map(String);
    if (!cats.includes('Management')) {
      data++;
      continue;
    }
    const ro = f('readOnly');
    const roEq = asList(ro?.equals ?? ro?.Equals).map(String);
    if (!roEq.length || roEq.includes('true')) read = true;
    if (!roEq.length || roEq.includes('false')) write = true;
    const src = f('eventSource');
    for (const x of asList(src?.notEquals ?? src?.NotEquals)) if (typeof x === 'string') excluded.add(x);
  }
  const mgmt: Mgmt = read && write ? 'All' : read ? 'ReadOnly' : write ? 'WriteOnly' : 'None';
  return { mgmt, excluded: [...excluded].sort(), data };
}

/** A bucket policy's effect on delivery: `lets CloudTrail write`, `denies CloudTrail`, `no CloudTrail grant`. */
export function policyEffect(policy: unknown): string {
  let p = policy;
  if (typeof p === 'string') {
    try {
      p = JSON.parse(p);
    } catch {
      return 'unreadable';
    }
  }
  const stmts = asList(obj(p)?.Statement).map(obj).filter((x): x is JsonObject => !!x);
  const forCt = (s: JsonObject) => {
    const pr = s.Principal;
    if (pr === '*') return true;
    return JSON.stringify(pr ?? '').includes('cloudtrail.amazonaws.com') || JSON.stringify(pr ?? '').includes('"*"');
  };
  const puts = (s: JsonObject) => asList(s.Action).some((a) => typeof a === 'string' && /^(\*|s3:\*|s3:PutObject)$/i.test(a));
  if (stmts.some((s) => s.Effect === 'Deny' && forCt(s) && puts(s) && !s.Condition)) return 'denies CloudTrail';
  if (stmts.some((s) => s.Effect === 'Allow' && JSON.stringify(s.Principal ?? '').includes('cloudtrail.amazonaws.com') && puts(s))) return 'lets CloudTrail write';
  return 'no CloudTrail grant';
}

function lifecycleDays(params: JsonObject): number | null {
  const conf = obj(params.LifecycleConfiguration) ?? obj(params.lifecycleConfiguration);
  let min: number | null = null;
  for (const r of asList(conf?.Rule ?? conf?.Rules).map(obj)) {
    if (!r || (str(r.Status) ?? 'Enabled') !== 'Enabled') continue;
    for (const exp of [obj(r.Expiration), obj(r.NoncurrentVersionExpiration)]) {
      const d = Number(exp?.Days ?? exp?.NoncurrentDays);
      if (Number.isFinite(d) && d > 0) min = min === null ? d : Math.min(min, d);
    }
  }
  return min;
}

const show = (v: Json): string => (v === null ? '?' : typeof v === 'boolean' ? (v ? 'on' : 'off') : Array.isArray(v) ? `[${v.join(', ')}]` : String(v));
const showField = (field: string, v: Json): string =>
  field === 'exists' ? (v === null ? '?' : v ? 'present' : 'deleted') : field === 'lifecycleExpirationDays' && v === null ? 'none' : show(v);
export const describeChange = (c: Change): string => (c.field === 'logObjects' ? String(c.to) : `${c.field}: ${showField(c.field, c.from)} → ${showField(c.field, c.to)}`);

interface Rel {
  rec: JsonObject;
  file: string;
  index: number;
  t: number;
}

/** Collects the relevant records as they are read, then replays them per trail. */
export class TrailTimeline {
  private rels: Rel[] = [];
  private ids = new Set<string>();
  /** bucket → trail keys, with the earliest time CloudTrail was seen writing there for the trail. */
  private kmsBuckets = new Map<string, Map<string, number>>();

  constructor(private readonly extraBuckets: string[] = []) {}

  add(rec: JsonObject, file: string, index: number): void {
    const src = str(rec.eventSource);
    const name = str(rec.eventName);
    if (!src || !name) return;
    const t = Date.parse(str(rec.eventTime) ?? '');
    if (Number.isNaN(t)) return;
    if (src === 'kms.amazonaws.com' && name === 'GenerateDataKey') {
      const ctx = obj(obj(rec.requestParameters)?.encryptionContext);
      const arn = str(ctx?.['aws:cloudtrail:arn']);
      const s3 = str(ctx?.['aws:s3:arn']);
      const bucket = s3 ? /^arn:aws[a-z-]*:s3:::([^/]+)/.exec(s3)?.[1] : undefined;
      if (arn && bucket) {
        const ref = parseTrailRef(arn);
        const key = `${ref.account ?? accountOf(rec) ?? '?'}|${ref.name}`;
        const m = this.kmsBuckets.get(bucket) ?? this.kmsBuckets.set(bucket, new Map()).get(bucket)!;
        if (!m.has(key) || t < m.get(key)!) m.set(key, t);
      }
      return;
    }
    const relevant = (src === 'cloudtrail.amazonaws.com' && TRAIL_CALLS.has(name)) || (src === 's3.amazonaws.com' && BUCKET_CALLS.has(name));
    if (!relevant) return;
    const id = str(rec.eventID);
    if (id) {
      if (this.ids.has(id)) return;
      this.ids.add(id);
    }
    this.rels.push({ rec, file, index, t });
  }

  build(): Trail[] {
    const rels = this.rels.sort((a, b) => a.t - b.t || (str(a.rec.eventID) ?? '').localeCompare(str(b.rec.eventID) ?? ''));
    const trails = new Map<string, Trail>();
    const trailOf = (account: string, name: string): Trail => {
      const key = `${account}|${name}`;
      let tr = trails.get(key);
      if (!tr) {
        tr = { account, name, arn: null, homeRegion: null, buckets: [], changes: [], state: emptyState() };
        trails.set(key, tr);
      }
      return tr;
    };
    // Buckets: from the calls that set them, from CloudTrail's own KMS calls, from --bucket.
    for (const r of rels) {
      if (str(r.rec.eventSource) !== 'cloudtrail.amazonaws.com' || r.rec.errorCode) continue;
      const p = obj(r.rec.requestParameters) ?? {};
      const resp = obj(r.rec.responseElements) ?? {};
      const ref = parseTrailRef(str(p.name) ?? str(p.trailName) ?? '');
      if (!ref.name) continue;
      const tr = trailOf(ref.account ?? accountOf(r.rec) ?? '?', ref.name);
      for (const b of [str(p.s3BucketName), str(resp.s3BucketName)]) if (b && !tr.buckets.includes(b)) tr.buckets.push(b);
    }
    for (const [bucket, m] of this.kmsBuckets) {
      for (const [key, t] of [...m].sort((a, b) => a[1] - b[1])) {
        const [account, name] = key.split('|') as [string, string];
        const tr = trailOf(account, name);
        if (!tr.buckets.includes(bucket)) tr.buckets.push(bucket);
        // The destination before the first configuration change seen, when CloudTrail was writing there first.
        const firstSet = rels.find((r) => str(r.rec.eventSource) === 'cloudtrail.amazonaws.com' && !r.rec.errorCode && parseTrailRef(str(obj(r.rec.requestParameters)?.name) ?? '').name === name && (str(obj(r.rec.requestParameters)?.s3BucketName) || str(obj(r.rec.responseElements)?.s3BucketName)));
        if (tr.state.s3BucketName === null && (!firstSet || t < firstSet.t)) tr.state.s3BucketName = bucket;
      }
    }
    for (const b of this.extraBuckets) for (const tr of trails.values()) if (!tr.buckets.includes(b)) tr.buckets.push(b);

    for (const r of rels) {
      const src = str(r.rec.eventSource)!;
      const p = obj(r.rec.requestParameters) ?? {};
      if (src === 'cloudtrail.amazonaws.com') {
        const ref = parseTrailRef(str(p.name) ?? str(p.trailName) ?? '');
        if (!ref.name) continue;
        const tr = trailOf(ref.account ?? accountOf(r.rec) ?? '?', ref.name);
        const resp = obj(r.rec.responseElements) ?? {};
        const arn = ref.arn ?? str(resp.trailARN);
        if (arn && !tr.arn) tr.arn = arn;
        if (!tr.homeRegion) tr.homeRegion = parseTrailRef(arn ?? '').region ?? (str(r.rec.eventName) === 'CreateTrail' ? str(r.rec.awsRegion) : null);
        this.apply(tr, r, trailChanges(tr.state, str(r.rec.eventName)!, p, resp));
      } else {
        const bucket = str(p.bucketName);
        if (!bucket) continue;
        for (const tr of trails.values()) if (tr.buckets.includes(bucket)) this.apply(tr, r, bucketChanges(tr.state, str(r.rec.eventName)!, p, bucket), bucket);
      }
    }
    return [...trails.values()].filter((t) => t.changes.length).sort((a, b) => a.account.localeCompare(b.account) || a.name.localeCompare(b.name));
  }

  private apply(tr: Trail, r: Rel, changes: Change[], bucket?: string): void {
    const failed = str(r.rec.errorCode);
    if (!failed) for (const c of changes) if (c.field !== 'logObjects') (tr.state as unknown as Record<string, Json>)[c.field] = c.to;
    tr.changes.push({
      time: str(r.rec.eventTime)!,
      account: tr.account,
      trail: tr.name,
      trailArn: tr.arn,
      region: str(r.rec.awsRegion),
      eventSource: str(r.rec.eventSource)!,
      eventName: str(r.rec.eventName)!,
      eventID: str(r.rec.eventID),
      actor: actorOf(r.rec),
      sourceIPAddress: str(r.rec.sourceIPAddress),
      errorCode: failed,
      ...(bucket ? { bucket } : {}),
      changes: failed ? [] : changes,
      weakened: !failed && changes.some((c) => c.weakening),
      state: { ...tr.state },
      file: r.file,
      index: r.index,
      event: r.rec,
    });
  }
}

function set(out: Change[], s: TrailState, field: keyof TrailState, to: Json, weak: (from: Json) => string | false = () => false): void {
  const from = s[field] as Json;
  if (JSON.stringify(from) === JSON.stringify(to)) return;
  const reason = weak(from);
  out.push({ field, from, to, weakening: reason !== false, ...(reason ? { reason } : {}) });
}

const CONFIG: [string, string | null, keyof TrailState][] = [
  ['s3BucketName', 's3BucketName', 's3BucketName'],
  ['s3KeyPrefix', 's3KeyPrefix', 's3KeyPrefix'],
  ['enableLogFileValidation', 'logFileValidationEnabled', 'logFileValidation'],
  ['isMultiRegionTrail', 'isMultiRegionTrail', 'multiRegion'],
  ['includeGlobalServiceEvents', 'includeGlobalServiceEvents', 'globalEvents'],
  ['isOrganizationTrail', 'isOrganizationTrail', 'organization'],
  ['kmsKeyId', 'kmsKeyId', 'kmsKeyId'],
  ['cloudWatchLogsLogGroupArn', 'cloudWatchLogsLogGroupArn', 'cloudWatchLogsLogGroupArn'],
  ['snsTopicName', 'snsTopicName', 'snsTopicName'],
];

function configValue(field: keyof TrailState, raw: unknown): Json {
  const isBool = ['logFileValidation', 'multiRegion', 'globalEvents', 'organization'].includes(field);
  return isBool ? bool(raw) : raw === '' || raw === null ? null : String(raw);
}

function trailChanges(s: TrailState, name: string, p: JsonObject, resp: JsonObject): Change[] {
  const out: Change[] = [];
  switch (name) {
    case 'StopLogging':
      set(out, s, 'logging', false, () => 'logging stopped');
      break;
    case 'StartLogging':
      set(out, s, 'logging', true);
      break;
    case 'DeleteTrail':
      set(out, s, 'exists', false, () => 'trail deleted');
      set(out, s, 'logging', false, (from) => (from === false ? false : 'logging ends with the trail'));
      break;
    case 'CreateTrail':
    case 'UpdateTrail': {
      if (name === 'CreateTrail') {
        // A new trail: nothing carries over from a deleted one of the same name. It records all management events
        // by default and logs only after StartLogging.
        const fresh = { ...emptyState(), exists: true, logging: false, managementEvents: 'All' as Mgmt, excludedEventSources: [], dataEventSelectors: 0 };
        for (const k of Object.keys(fresh) as (keyof TrailState)[]) if (k !== 'bucketPolicy' && k !== 'lifecycleExpirationDays' && k !== 'bucketDeleted') set(out, s, k, fresh[k] as Json);
        const base = { ...s, ...fresh };
        for (const [req, res, field] of CONFIG) {
          const raw = res && resp[res] !== undefined ? resp[res] : p[req];
          if (raw === undefined) continue;
          const v = configValue(field, raw);
          const i = out.findIndex((c) => c.field === field);
          if (i >= 0) out.splice(i, 1);
          if (JSON.stringify(s[field]) !== JSON.stringify(v)) out.push({ field, from: s[field] as Json, to: v, weakening: false });
          (base as Record<string, Json>)[field] = v;
        }
        return out.filter((c) => JSON.stringify(c.from) !== JSON.stringify(c.to) && !(c.from === null && (c.to === null || (Array.isArray(c.to) && !c.to.length) || c.to === 0)));
      }
      for (const [req, res, field] of CONFIG) {
        const raw = res && resp[res] !== undefined ? resp[res] : p[req];
        if (raw === undefined) continue;
        const v = configValue(field, raw);
        // Only what the request asked to change can weaken; the rest of the response fills in what was unknown.
        if (p[req] === undefined) {
          set(out, s, field, v);
          continue;
        }
        set(out, s, field, v, (from) => {
          switch (field) {
            case 's3BucketName':
              return from === null ? `logs now delivered to ${String(v)} (previous bucket unknown)` : `logs now delivered to ${String(v)} instead of ${String(from)}`;
            case 's3KeyPrefix':
              return `log prefix changed to ${show(v)}`;
            case 'logFileValidation':
              return v === false ? 'log file validation turned off' : false;
            case 'multiRegion':
              return v === false ? 'no longer multi-region' : false;
            case 'globalEvents':
              return v === false ? 'global service events (IAM, STS, sign-in) no longer recorded' : false;
            case 'organization':
              return v === false ? 'no longer an organization trail' : false;
            case 'cloudWatchLogsLogGroupArn':
              return v === null ? 'CloudWatch Logs delivery removed' : false;
            default:
              return false;
          }
        });
      }
      break;
    }
    case 'PutEventSelectors': {
      const { mgmt, excluded, data } = selectorsSummary(p);
      const rank: Record<Mgmt, number> = { All: 3, ReadOnly: 1, WriteOnly: 2, None: 0 };
      set(out, s, 'managementEvents', mgmt, (from) => (mgmt === 'None' ? 'management events no longer recorded' : (from === null || rank[from as Mgmt] > rank[mgmt]) && mgmt !== 'All' ? `only ${mgmt} management events recorded` : false));
      if (s.excludedEventSources !== null || excluded.length) set(out, s, 'excludedEventSources', excluded, (from) => {
        const before = new Set(Array.isArray(from) ? (from as string[]) : []);
        const added = excluded.filter((x) => !before.has(x));
        return added.length ? `management events from ${added.join(', ')} excluded` : false;
      });
      if (s.dataEventSelectors !== null || data) set(out, s, 'dataEventSelectors', data, (from) => (typeof from === 'number' && data < from ? `data event selectors reduced from ${from} to ${data}` : false));
      break;
    }
    case 'PutInsightSelectors': {
      const types = asList(p.insightSelectors).map((x) => str(obj(x)?.insightType)).filter((x): x is string => !!x).sort();
      set(out, s, 'insights', types, (from) => (types.length === 0 && !(Array.isArray(from) && from.length === 0) ? 'Insights turned off' : false));
      break;
    }
  }
  return out;
}

function bucketChanges(s: TrailState, name: string, p: JsonObject, bucket: string): Change[] {
  const out: Change[] = [];
  switch (name) {
    case 'PutBucketPolicy': {
      const eff = policyEffect(p.bucketPolicy ?? p.policy);
      set(out, s, 'bucketPolicy', eff, () => (eff === 'lets CloudTrail write' ? false : `bucket ${bucket} policy ${eff === 'denies CloudTrail' ? 'denies' : 'no longer grants'} CloudTrail delivery`));
      break;
    }
    case 'DeleteBucketPolicy':
      set(out, s, 'bucketPolicy', 'deleted', () => `bucket ${bucket} policy deleted: CloudTrail can no longer deliver`);
      break;
    case 'PutBucketLifecycle': {
      const days = lifecycleDays(p);
      set(out, s, 'lifecycleExpirationDays', days, () => (days !== null && days < SHORT_RETENTION_DAYS ? `logs in ${bucket} expire after ${days} day${days === 1 ? '' : 's'}` : false));
      break;
    }
    case 'DeleteBucketLifecycle':
      set(out, s, 'lifecycleExpirationDays', null);
      break;
    case 'DeleteBucket':
      set(out, s, 'bucketDeleted', true, () => `log bucket ${bucket} deleted`);
      break;
    case 'DeleteObject':
    case 'DeleteObjects': {
      const key = str(p.key);
      out.push({ field: 'logObjects', from: null, to: key ? `deleted ${key} from ${bucket}` : `deleted objects from ${bucket}`, weakening: true, reason: `log files deleted from ${bucket}` });
      break;
    }
  }
  return out;
}

/** Each weakening change as an alert of the built-in detection "CloudTrail trail weakened" (the event is the call). */
export function weakenedAlerts(trails: Trail[]): Alert[] {
  const out: Alert[] = [];
  for (const tr of trails) {
    for (const c of tr.changes) {
      if (!c.weakened) continue;
      const reasons = c.changes.filter((x) => x.weakening).map((x) => x.reason ?? describeChange(x));
      out.push(builtinAlert(TRAIL_WEAKENED, c.event, c.time, c.file, c.index, { trail: tr.arn ?? `${tr.account}/${tr.name}`, eventName: c.eventName, weakened: reasons, changes: c.changes.map(describeChange) }));
    }
  }
  return out.sort((a, b) => (a.time ?? '').localeCompare(b.time ?? ''));
}

/** The state as one line: logging, destination, validation, scope, selectors. */
export function describeState(s: TrailState): string {
  const parts: string[] = [];
  if (s.exists === false) parts.push('DELETED');
  parts.push(`logging ${show(s.logging)}`);
  parts.push(`bucket ${s.s3BucketName ?? '?'}${s.s3KeyPrefix ? `/${s.s3KeyPrefix}` : ''}`);
  parts.push(`validation ${show(s.logFileValidation)}`);
  parts.push(`multi-region ${show(s.multiRegion)}`);
  parts.push(`global ${show(s.globalEvents)}`);
  parts.push(`mgmt ${s.managementEvents ?? '?'}${s.excludedEventSources?.length ? ` -${s.excludedEventSources.join(',')}` : ''}`);
  if (s.insights) parts.push(`insights ${s.insights.length ? s.insights.join(',') : 'off'}`);
  if (s.lifecycleExpirationDays !== null) parts.push(`expiry ${s.lifecycleExpirationDays}d`);
  if (s.bucketPolicy) parts.push(`policy ${s.bucketPolicy}`);
  if (s.bucketDeleted) parts.push('bucket DELETED');
  return parts.join(', ');
}
