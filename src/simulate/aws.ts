/**
 * CloudTrail record building blocks for the simulator, ported from scripts/build-sample-trail.mjs: time formats,
 * client user agents, identities (IAM user, assumed-role session, AWS service), the record factory `makeRecord`,
 * and `describeCall`, which fills in what an API call looks like in CloudTrail (parameters, response, resources,
 * readOnly, data or management event) when an advisory's attack chain only names it.
 */
import { ALNUM, B64, type Rng, stable, stableUuid, UPPER_ALNUM } from './rng.js';

export type Rec = Record<string, unknown>;

export const SECOND = 1000;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;

/** CloudTrail's eventTime form: ISO 8601 to the second. */
export const iso = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
/** The "Oct 6, 2026, 3:16:20 AM" form STS/IAM/KMS responses use. */
export function awsDate(ms: number): string {
  const d = new Date(ms);
  const h = d.getUTCHours();
  const p2 = (n: number) => String(n).padStart(2, '0');
  return `${MONTHS[d.getUTCMonth()]} ${d.getUTCDate()}, ${d.getUTCFullYear()}, ${h % 12 || 12}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())} ${h < 12 ? 'AM' : 'PM'}`;
}

export const isPlainObject = (v: unknown): v is Rec => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A deep copy of JSON-like data (advisory values are never shared with records, nor records with each other). */
export function clone<T>(v: T): T {
  return v === undefined ? v : (structuredClone(v) as T);
}

/** `over` deep-merged over `base`: objects merge key by key, anything else in `over` (arrays, null, scalars) replaces. */
export function deepMerge(base: unknown, over: unknown): unknown {
  if (over === undefined) return clone(base);
  if (isPlainObject(base) && isPlainObject(over)) {
    const out: Rec = { ...clone(base) };
    for (const [k, v] of Object.entries(over)) if (v !== undefined) out[k] = deepMerge(base[k], v);
    return out;
  }
  return clone(over);
}

// ---------------------------------------------------------------------------------------------
// Clients
// ---------------------------------------------------------------------------------------------
export interface Tls {
  tlsVersion: string;
  cipherSuite: string;
}
export const TLS13: Tls = { tlsVersion: 'TLSv1.3', cipherSuite: 'TLS_AES_128_GCM_SHA256' };
export const TLS12: Tls = { tlsVersion: 'TLSv1.2', cipherSuite: 'ECDHE-RSA-AES128-GCM-SHA256' };

const SERVICE_CLI: Record<string, string> = { monitoring: 'cloudwatch', elasticloadbalancing: 'elbv2', signin: 'signin' };
/** `md/command#` of aws-cli v2 user agents: `cloudtrail.stop-logging`. */
export function cliCommand(source: string, name: string): string {
  const svc = source.split('.')[0] ?? source;
  const op = name.replace(/\d{8}(v\d)?$/, '').replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
  if (svc === 's3' && /^(get|put|head|delete)-object$/.test(op)) return 's3.cp';
  return `${SERVICE_CLI[svc] ?? (svc === 's3' ? 's3api' : svc)}.${op}`;
}

export const UA = {
  /** Attacker tooling: an old aws-cli build and a bare boto3 script. */
  attackerCli: (cmd: string) => `aws-cli/2.13.0 Python/3.11.4 Linux/5.15.0-86-generic exe/x86_64.ubuntu.22 prompt/off command/${cmd}`,
  attackerBoto: 'Boto3/1.28.62 md/Botocore#1.31.62 ua/2.0 os/linux#5.15.0-86-generic md/arch#x86_64 lang/python#3.11.4 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.31.62',
  attackerBrowser: 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0',
  gha: (cmd: string) => `aws-cli/2.18.0 md/awscrt#0.21.5 ua/2.0 os/linux#6.8.0-1014-azure md/arch#x86_64 lang/python#3.12.6 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe md/distrib#ubuntu.24 md/prompt#off md/command#${cmd}`,
  ghaConfigure: 'aws-sdk-js/3.664.0 ua/2.1 os/linux#6.8.0-1014-azure lang/js md/nodejs#20.17.0 api/sts#3.664.0 configure-aws-credentials-for-github-actions',
  ssmAgent: 'aws-sdk-go/1.44.302 (go1.22.7; linux; amd64) amazon-ssm-agent/3.3.859.0',
  ec2Boto: 'Boto3/1.35.36 md/Botocore#1.35.36 ua/2.0 os/linux#6.1.109-118.189.amzn2023.x86_64 md/arch#x86_64 lang/python#3.9.16 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.35.36',
  lambdaNode: (api: string) => `aws-sdk-js/3.621.0 ua/2.1 os/linux#5.10.226-234.879.amzn2.x86_64 lang/js md/nodejs#20.17.0 api/${api}#3.621.0 exec-env/AWS_Lambda_nodejs20.x`,
  lambdaWorker: 'awslambda-worker/1.0 rusoto/0.48.0 rust/1.79.0 linux',
  chromeMac: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/129.0.0.0 Safari/537.36',
  s3Console: '[S3Console/0.4, aws-internal/3 aws-sdk-java/1.12.750 Linux/5.10.220-188.869.amzn2int.x86_64 OpenJDK_64-Bit_Server_VM/25.412-b09 java/1.8.0_412 vendor/Oracle_Corporation cfg/retry-mode/standard]',
};

/** Console calls to these services are made by the console backend: CloudTrail shows `AWS Internal` as IP and agent. */
export const AWS_INTERNAL_SOURCES = new Set(['health.amazonaws.com', 'ce.amazonaws.com', 'notifications.amazonaws.com', 'resource-explorer-2.amazonaws.com', 'cost-optimization-hub.amazonaws.com', 'freetier.amazonaws.com']);

/** One principal making calls: identity plus network and client details. */
export interface Client {
  acct: string;
  identity: Rec;
  ip: string;
  ua: string | ((source: string, name: string) => string);
  tls: Tls | null;
  /** Console session: records carry sessionCredentialFromConsole. */
  console?: boolean;
  vpce?: string;
}

// ---------------------------------------------------------------------------------------------
// Identities
// ---------------------------------------------------------------------------------------------
export const roleArn = (acct: string, role: string, path = '/') => `arn:aws:iam::${acct}:role${path}${role}`;
export const roleId = (acct: string, role: string) => `AROA${stable(`role:${acct}:${role}`, 17)}`;
export const userId = (acct: string, user: string) => `AIDA${stable(`user:${acct}:${user}`, 17)}`;

export function iamUserIdentity(acct: string, user: string, accessKeyId?: string): Rec {
  const id: Rec = { type: 'IAMUser', principalId: userId(acct, user), arn: `arn:aws:iam::${acct}:user/${user}`, accountId: acct };
  if (accessKeyId !== undefined) id.accessKeyId = accessKeyId;
  id.userName = user;
  return id;
}

/** An IAM user's console session (temporary ASIA key from the sign-in). */
export function iamUserConsoleIdentity(acct: string, user: string, accessKeyId: string, created: number, mfa: boolean): Rec {
  return {
    ...iamUserIdentity(acct, user, accessKeyId),
    sessionContext: { sessionIssuer: {}, webIdFederationData: {}, attributes: { creationDate: iso(created), mfaAuthenticated: mfa ? 'true' : 'false' } },
  };
}

export interface SessionOptions {
  accessKeyId: string;
  created: number;
  mfa?: boolean;
  path?: string;
  invokedBy?: string;
  ec2RoleDelivery?: string;
  webId?: string;
}
export function sessionIdentity(acct: string, role: string, session: string, o: SessionOptions): Rec {
  const path = o.path ?? '/';
  const id: Rec = {
    type: 'AssumedRole',
    principalId: `${roleId(acct, role)}:${session}`,
    arn: `arn:aws:sts::${acct}:assumed-role/${role}/${session}`,
    accountId: acct,
    accessKeyId: o.accessKeyId,
    sessionContext: {
      sessionIssuer: { type: 'Role', principalId: roleId(acct, role), arn: roleArn(acct, role, path), accountId: acct, userName: role },
      ...(o.webId ? { webIdFederationData: { federatedProvider: o.webId, attributes: {} } } : { webIdFederationData: {} }),
      attributes: { creationDate: iso(o.created), mfaAuthenticated: o.mfa ? 'true' : 'false' },
      ...(o.ec2RoleDelivery ? { ec2RoleDelivery: o.ec2RoleDelivery } : {}),
    },
  };
  if (o.invokedBy) id.invokedBy = o.invokedBy;
  return id;
}
export const serviceIdentity = (svc: string): Rec => ({ type: 'AWSService', invokedBy: svc });

/** `arn:aws:iam::111122223333:role/path/Name` -> { acct, role, path }. */
export function parseRoleArn(arn: string): { acct: string; role: string; path: string } | undefined {
  const m = /^arn:aws[\w-]*:iam::(\d{12}):role(\/(?:[^/]+\/)*)([^/]+)$/.exec(arn);
  return m ? { acct: m[1]!, path: m[2]!, role: m[3]! } : undefined;
}

export const sessionToken = (r: Rng) => `IQoJb3JpZ2luX2VjE${r.chars(3, ALNUM)}aCXVzLWVhc3QtMSJHMEUCI${r.chars(110, B64)}`;
const amzId2 = (r: Rng) => `${r.chars(75, B64)}=`;
export const accessKey = (r: Rng, prefix: 'AKIA' | 'ASIA') => `${prefix}${r.chars(16, UPPER_ALNUM)}`;

// ---------------------------------------------------------------------------------------------
// Records
// ---------------------------------------------------------------------------------------------
const GLOBAL_SOURCES = new Set(['iam.amazonaws.com', 'signin.amazonaws.com', 'organizations.amazonaws.com']);
const VERSION: Record<string, string> = {
  'signin.amazonaws.com': '1.09', 'ssm.amazonaws.com': '1.09', 'lambda.amazonaws.com': '1.09', 'monitoring.amazonaws.com': '1.09',
  'cloudformation.amazonaws.com': '1.09', 'elasticloadbalancing.amazonaws.com': '1.09', 'ecr.amazonaws.com': '1.09', 'sts.amazonaws.com': '1.08',
};
const API_VERSION: Record<string, string> = { 'elasticloadbalancing.amazonaws.com': '2015-12-01' };

/** Region a call is recorded in: global services are logged in us-east-1. */
export const recordRegion = (source: string, region: string) => (GLOBAL_SOURCES.has(source) ? 'us-east-1' : region);

export function defaultHost(source: string, region: string): string {
  const svc = source.split('.')[0];
  if (svc === 'iam') return 'iam.amazonaws.com';
  if (svc === 's3') return region === 'us-east-1' ? 's3.amazonaws.com' : `s3.${region}.amazonaws.com`;
  return `${svc}.${region}.amazonaws.com`;
}

/** The service-specific part of a record (the `a` of the sample trail's generator). */
export interface CallSpec {
  source: string;
  name: string;
  params: unknown;
  response?: unknown;
  readOnly: boolean;
  eventType?: string;
  /** 'Data' for data events (S3 object calls). */
  category?: 'Data' | 'Management';
  resources?: Rec[];
  additional?: Rec;
  errorCode?: string;
  errorMessage?: string;
  requestID?: string;
  sharedEventID?: string;
  host?: string;
  /** null: no tlsDetails (AWS services calling on their own). */
  tls?: Tls | null;
  ip?: string;
  ua?: string;
  identity?: Rec;
  eventVersion?: string;
  recipient?: string;
  /** false: not marked as a console call even in a console session (the sign-in itself). */
  console?: boolean;
}

export function makeRecord(r: Rng, client: Client, t: number, region: string, a: CallSpec): Rec {
  region = recordRegion(a.source, region);
  const ua = a.ua ?? (typeof client.ua === 'function' ? client.ua(a.source, a.name) : client.ua);
  const rec: Rec = {
    eventVersion: a.eventVersion ?? VERSION[a.source] ?? '1.10',
    userIdentity: a.identity ?? client.identity,
    eventTime: iso(t),
    eventSource: a.source,
    eventName: a.name,
    awsRegion: region,
    sourceIPAddress: a.ip ?? client.ip,
    userAgent: ua,
  };
  if (a.errorCode) rec.errorCode = a.errorCode;
  if (a.errorMessage) rec.errorMessage = a.errorMessage;
  rec.requestParameters = a.params ?? null;
  rec.responseElements = a.errorCode ? null : (a.response ?? null);
  if (a.additional) rec.additionalEventData = a.additional;
  rec.requestID = a.requestID ?? (a.source === 's3.amazonaws.com' ? r.chars(16, '0123456789ABCDEF') : r.uuid());
  rec.eventID = r.uuid();
  rec.readOnly = a.readOnly;
  if (a.resources) rec.resources = a.resources;
  rec.eventType = a.eventType ?? 'AwsApiCall';
  if (API_VERSION[a.source]) rec.apiVersion = API_VERSION[a.source];
  rec.managementEvent = a.category !== 'Data';
  rec.recipientAccountId = a.recipient ?? client.acct;
  if (a.sharedEventID) rec.sharedEventID = a.sharedEventID;
  if (client.vpce) {
    rec.vpcEndpointId = client.vpce;
    rec.vpcEndpointAccountId = client.acct;
  }
  rec.eventCategory = a.category ?? 'Management';
  if (client.console && a.console !== false) rec.sessionCredentialFromConsole = 'true';
  const tls = a.tls === undefined ? client.tls : a.tls;
  if (tls) rec.tlsDetails = { ...tls, clientProvidedHostHeader: a.host ?? defaultHost(a.source, region) };
  return rec;
}

// ---------------------------------------------------------------------------------------------
// What a call looks like in CloudTrail
// ---------------------------------------------------------------------------------------------
/** Verbs of read-only APIs. */
const READ_VERB = /^(Get|List|Describe|Lookup|Head|Search|BatchGet|Query|Scan|Select|Preview|Simulate|Validate)/;
/** Read-only although the verb says otherwise. */
const READ_ONLY_EXTRA = new Set(['sts:AssumeRole', 'sts:AssumeRoleWithWebIdentity', 'sts:AssumeRoleWithSAML', 'sts:GetSessionToken', 'sts:GetFederationToken', 'kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:GenerateDataKeyWithoutPlaintext', 'kms:ReEncrypt', 's3:ListObjects', 's3:ListObjectVersions']);
/** S3 calls on objects: data events. */
export const S3_DATA_EVENTS = new Set([
  'GetObject', 'PutObject', 'DeleteObject', 'DeleteObjects', 'HeadObject', 'CopyObject', 'ListObjects', 'ListObjectVersions', 'GetObjectAcl', 'PutObjectAcl',
  'GetObjectTagging', 'PutObjectTagging', 'DeleteObjectTagging', 'GetObjectAttributes', 'RestoreObject', 'SelectObjectContent', 'CreateMultipartUpload',
  'UploadPart', 'UploadPartCopy', 'CompleteMultipartUpload', 'AbortMultipartUpload', 'ListParts', 'PutObjectRetention', 'PutObjectLegalHold', 'GetObjectRetention', 'GetObjectLegalHold',
]);
const S3_BUCKET_LEVEL_DATA = new Set(['ListObjects', 'ListObjectVersions', 'DeleteObjects']);

export const shortService = (source: string) => source.replace(/\.amazonaws\.com$/, '');
export function readOnlyOf(source: string, name: string): boolean {
  if (READ_ONLY_EXTRA.has(`${shortService(source)}:${name}`)) return true;
  return READ_VERB.test(name);
}

/** The world the attacker acts in: names used to fill parameters a call does not give. */
export interface CallContext {
  acct: string;
  region: string;
  t: number;
  /** Name of the attacker's IAM user (CreateAccessKey and similar default to it). */
  userName: string;
  /** ARN of the current principal (error messages). */
  principalArn: string;
}

export const defaultTrailName = 'management-events';
export const trailArnOf = (c: { acct: string; region: string }, name = defaultTrailName) => `arn:aws:cloudtrail:${c.region}:${c.acct}:trail/${name}`;
export const defaultBucket = (acct: string) => `prod-data-${acct}`;
export const detectorId = (acct: string, region: string) => stable(`gd:${acct}:${region}`, 32, '0123456789abcdef');
export const kmsKeyArn = (acct: string, region: string, alias = 'default') => `arn:aws:kms:${region}:${acct}:key/${stableUuid(`kms:${acct}:${region}:${alias}`)}`;

/** requestParameters of a call when the advisory gives none (merged under what it gives). */
export function defaultParams(c: CallContext, source: string, name: string, given: unknown): Rec | null {
  const g = isPlainObject(given) ? given : {};
  const svc = shortService(source);
  if (svc === 's3') {
    if (name === 'ListBuckets') return { Host: defaultHost(source, c.region) };
    const bucket = typeof g.bucketName === 'string' ? g.bucketName : defaultBucket(c.acct);
    const p: Rec = { bucketName: bucket, Host: `${bucket}.s3.${c.region}.amazonaws.com` };
    if (S3_DATA_EVENTS.has(name) && !S3_BUCKET_LEVEL_DATA.has(name)) p.key = 'data/export.csv';
    if (name === 'ListObjects') Object.assign(p, { 'list-type': '2', prefix: '', 'max-keys': '1000' });
    if (name === 'DeleteObjects') p.delete = '';
    return p;
  }
  switch (`${svc}:${name}`) {
    case 'cloudtrail:DescribeTrails':
      return { trailNameList: [], includeShadowTrails: true };
    case 'sts:AssumeRole':
      return { roleArn: roleArn(c.acct, 'OrganizationAccountAccessRole'), roleSessionName: c.userName };
    case 'cloudtrail:StopLogging':
    case 'cloudtrail:StartLogging':
    case 'cloudtrail:GetTrailStatus':
    case 'cloudtrail:GetTrail':
      return { name: trailArnOf(c) };
    case 'cloudtrail:DeleteTrail':
    case 'cloudtrail:UpdateTrail':
      return { name: defaultTrailName };
    case 'cloudtrail:PutEventSelectors':
    case 'cloudtrail:GetEventSelectors':
    case 'cloudtrail:PutInsightSelectors':
      return { trailName: defaultTrailName };
    case 'guardduty:DeleteDetector':
    case 'guardduty:UpdateDetector':
    case 'guardduty:GetDetector':
      return { detectorId: detectorId(c.acct, c.region) };
    case 'logs:DeleteLogGroup':
      return { logGroupName: `aws-cloudtrail-logs-${c.acct}` };
    case 'config:StopConfigurationRecorder':
    case 'config:DeleteConfigurationRecorder':
      return { configurationRecorderName: 'default' };
    case 'iam:CreateAccessKey':
    case 'iam:ListAccessKeys':
    case 'iam:ListAttachedUserPolicies':
      return { userName: c.userName };
    case 'kms:ScheduleKeyDeletion':
      return { keyId: kmsKeyArn(c.acct, c.region), pendingWindowInDays: 7 };
    case 'kms:DisableKey':
      return { keyId: kmsKeyArn(c.acct, c.region) };
    default:
      return null;
  }
}

const str = (v: unknown, fallback: string) => (typeof v === 'string' ? v : fallback);
const trailNameOf = (v: string) => v.replace(/^arn:aws[\w-]*:cloudtrail:[^:]*:\d{12}:trail\//, '');

/**
 * Everything else about a call, from its final requestParameters: response of a successful call, resources,
 * readOnly, data/management, additionalEventData, and the client details that differ from the caller's.
 */
export function describeCall(r: Rng, c: CallContext, source: string, name: string, params: unknown): CallSpec {
  const p = isPlainObject(params) ? params : {};
  const svc = shortService(source);
  const spec: CallSpec = { source, name, params, readOnly: readOnlyOf(source, name), response: null };
  if (svc === 's3') {
    const bucket = typeof p.bucketName === 'string' ? p.bucketName : undefined;
    const data = S3_DATA_EVENTS.has(name);
    const bucketRes = bucket ? [{ accountId: c.acct, type: 'AWS::S3::Bucket', ARN: `arn:aws:s3:::${bucket}` }] : undefined;
    spec.host = bucket ? `${bucket}.s3.${c.region}.amazonaws.com` : undefined;
    spec.resources = data && bucket && typeof p.key === 'string' ? [{ type: 'AWS::S3::Object', ARN: `arn:aws:s3:::${bucket}/${p.key}` }, ...(bucketRes ?? [])] : bucketRes;
    const bytesOut = name === 'GetObject' ? r.int(20_000, 40_000_000) : r.int(180, 4800);
    const bytesIn = name === 'PutObject' || name === 'UploadPart' ? r.int(2_000, 900_000) : 0;
    spec.additional = { SignatureVersion: 'SigV4', CipherSuite: 'TLS_AES_128_GCM_SHA256', bytesTransferredIn: bytesIn, AuthenticationMethod: 'AuthHeader', 'x-amz-id-2': amzId2(r), bytesTransferredOut: bytesOut };
    if (data) spec.category = 'Data';
    if (name === 'PutObject') spec.response = { 'x-amz-server-side-encryption': 'AES256', 'x-amz-version-id': r.chars(32, ALNUM + '._') };
    return spec;
  }
  switch (`${svc}:${name}`) {
    case 'sts:AssumeRole': {
      const ra = str(p.roleArn, roleArn(c.acct, 'OrganizationAccountAccessRole'));
      const parsed = parseRoleArn(ra) ?? { acct: c.acct, role: 'OrganizationAccountAccessRole', path: '/' };
      const session = str(p.roleSessionName, c.userName);
      const duration = typeof p.durationSeconds === 'number' ? p.durationSeconds : 3600;
      const ak = accessKey(r, 'ASIA');
      spec.response = {
        credentials: { accessKeyId: ak, sessionToken: sessionToken(r), expiration: awsDate(c.t + duration * 1000) },
        assumedRoleUser: { assumedRoleId: `${roleId(parsed.acct, parsed.role)}:${session}`, arn: `arn:aws:sts::${parsed.acct}:assumed-role/${parsed.role}/${session}` },
      };
      spec.resources = [{ accountId: parsed.acct, type: 'AWS::IAM::Role', ARN: ra }];
      if (parsed.acct !== c.acct) spec.sharedEventID = r.uuid(); // a cross-account call is logged in both accounts
      return spec;
    }
    case 'signin:ConsoleLogin':
      spec.readOnly = false;
      spec.eventType = 'AwsConsoleSignIn';
      spec.params = params ?? null;
      spec.response = { ConsoleLogin: 'Success' };
      spec.additional = {
        LoginTo: `https://console.aws.amazon.com/console/home?hashArgs=%23&isauthcode=true&state=hashArgsFromTB_${c.region}_${r.hex(16)}`,
        MobileVersion: 'No',
        MFAUsed: 'No',
      };
      spec.tls = null;
      spec.console = false;
      return spec;
    case 'iam:CreateAccessKey': {
      const user = str(p.userName, c.userName);
      spec.response = { accessKey: { userName: user, accessKeyId: accessKey(r, 'AKIA'), status: 'Active', createDate: awsDate(c.t) } };
      return spec;
    }
    case 'iam:CreateUser': {
      const user = str(p.userName, 'backup-admin');
      spec.response = { user: { path: str(p.path, '/'), userName: user, userId: userId(c.acct, user), arn: `arn:aws:iam::${c.acct}:user/${user}`, createDate: awsDate(c.t) } };
      return spec;
    }
    case 'iam:CreateLoginProfile':
      spec.response = { loginProfile: { userName: str(p.userName, c.userName), createDate: awsDate(c.t), passwordResetRequired: p.passwordResetRequired === true } };
      return spec;
    case 'cloudtrail:CreateTrail':
    case 'cloudtrail:UpdateTrail': {
      const trail = trailNameOf(str(p.name, defaultTrailName));
      spec.response = {
        name: trail,
        s3BucketName: str(p.s3BucketName, `aws-cloudtrail-logs-${c.acct}`),
        includeGlobalServiceEvents: p.includeGlobalServiceEvents ?? true,
        isMultiRegionTrail: p.isMultiRegionTrail ?? true,
        trailARN: trailArnOf(c, trail),
        logFileValidationEnabled: p.enableLogFileValidation ?? true,
        isOrganizationTrail: p.isOrganizationTrail ?? false,
      };
      return spec;
    }
    case 'cloudtrail:PutEventSelectors': {
      const trail = trailNameOf(str(p.trailName, defaultTrailName));
      spec.response = { trailARN: trailArnOf(c, trail), ...(p.eventSelectors ? { eventSelectors: clone(p.eventSelectors) } : {}), ...(p.advancedEventSelectors ? { advancedEventSelectors: clone(p.advancedEventSelectors) } : {}) };
      return spec;
    }
    case 'kms:ScheduleKeyDeletion': {
      const days = typeof p.pendingWindowInDays === 'number' ? p.pendingWindowInDays : 30;
      const key = str(p.keyId, kmsKeyArn(c.acct, c.region));
      const arn = key.startsWith('arn:') ? key : `arn:aws:kms:${c.region}:${c.acct}:key/${key}`;
      spec.response = { keyId: arn, deletionDate: awsDate(c.t + days * 24 * HOUR), keyState: 'PendingDeletion', pendingWindowInDays: days };
      spec.resources = [{ accountId: c.acct, type: 'AWS::KMS::Key', ARN: arn }];
      return spec;
    }
  }
  if (svc === 'kms' && typeof p.keyId === 'string') {
    const arn = p.keyId.startsWith('arn:') ? p.keyId : `arn:aws:kms:${c.region}:${c.acct}:key/${p.keyId}`;
    spec.resources = [{ accountId: c.acct, type: 'AWS::KMS::Key', ARN: arn }];
  }
  if (svc === 'ec2' && !spec.readOnly) {
    // EC2 echoes the request id in its response; most mutating calls return `_return: true`.
    spec.requestID = r.uuid();
    spec.response = { requestId: spec.requestID, _return: true };
  }
  return spec;
}

/** The errorMessage AWS writes for an authorisation failure, when the advisory gives only the code. */
export function defaultErrorMessage(c: CallContext, source: string, name: string, errorCode: string, params: unknown, r: Rng): string | undefined {
  const action = `${shortService(source)}:${name.replace(/\d{8}(v\d)?$/, '')}`;
  const p = isPlainObject(params) ? params : {};
  const arnParam = Object.values(p).find((v): v is string => typeof v === 'string' && v.startsWith('arn:'));
  const resource = arnParam ?? (source === 's3.amazonaws.com' ? 'Access Denied' : `arn:aws:${shortService(source)}:${c.region}:${c.acct}:*`);
  switch (errorCode) {
    case 'AccessDenied':
    case 'AccessDeniedException':
      if (source === 's3.amazonaws.com') return 'Access Denied';
      return `User: ${c.principalArn} is not authorized to perform: ${action} on resource: ${resource} because no identity-based policy allows the ${action} action`;
    case 'Client.UnauthorizedOperation':
    case 'UnauthorizedOperation':
      return `You are not authorized to perform this operation. User: ${c.principalArn} is not authorized to perform: ${action} on resource: ${resource} because no identity-based policy allows the ${action} action. Encoded authorization failure message: ${r.chars(140, ALNUM + '-_')}`;
    default:
      return undefined;
  }
}
