#!/usr/bin/env node
// Builds the bundled sample CloudTrail trail: content/samples/cloudtrail/ (an S3 export tree of
// gzip'd {"Records":[...]} files) and content/samples/cloudtrail-attack.json (the attack manifest).
//
// About two days (2026-10-05 and 2026-10-06) of everyday activity in three accounts
// (111122223333 prod, 444455556666 dev, 777788889999 security/logging) and three regions, with one
// attack played out in it: the chain of the advisory "AWS CloudTrail Logging Disabled or Modified",
// run on 2026-10-06 between 02:10 and 03:30 UTC in 111122223333 / us-east-1 with the stolen
// long-term access key of the IAM user ci-deployer. The manifest lists the eventIDs of every step.
//
// Size: about 3,000 events in about 460 files, about 800 KB gzip'd. Most of it is per-file overhead
// (a one-record CloudTrail file is ~0.8 KB gzip'd) and the entropy of the eventID/requestID pair; the
// delivery window below (7-15 minutes) and the activity levels in the Build section are the knobs.
//
// Deterministic: every random choice comes from seeded PRNG streams (one per actor, so changing one
// actor does not reshuffle the others), times are fixed, nothing reads the clock, and files are
// gzip'd with fixed settings (Node writes mtime 0). Same Node/zlib -> same bytes.
//
// Integrity evidence: hourly CloudTrail digest files per account and region (AWSLogs/<acct>/CloudTrail-Digest/...),
// chained and signed as AWS documents it (SHA256withRSA over the data-signing string), listing every log file with
// the SHA-256 of its uncompressed content; the newest digest of each chain also gets a `.sig` file (its signature,
// which S3 keeps as object metadata and a plain download loses). The digests are as if each account's trail had
// delivered every file of the sample and never stopped (the prod files during the attack are what the organization
// trail recorded). They are signed with scripts/sample-trail-digest-key.TEST-ONLY.pem, a sample key published on
// purpose (RSA signing is deterministic, so the bytes are too); its public key is written in the format of
// `aws cloudtrail list-public-keys` to content/samples/cloudtrail-public-keys.json.
//
// usage (from the repository root or anywhere): node scripts/build-sample-trail.mjs
// No dependencies beyond node: builtins.
import { createHash, createPrivateKey, createPublicKey, sign } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { gzipSync, constants as zc } from 'node:zlib';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const OUT = join(ROOT, 'content', 'samples', 'cloudtrail');
const MANIFEST = join(ROOT, 'content', 'samples', 'cloudtrail-attack.json');
const SEED = 'tideline-sample-trail-v1';

// ---------------------------------------------------------------------------------------------
// Seeded randomness
// ---------------------------------------------------------------------------------------------
function fnv1a(str) {
  let h = 0x811c9dc5;
  for (let i = 0; i < str.length; i++) { h ^= str.charCodeAt(i); h = Math.imul(h, 0x01000193) >>> 0; }
  return h >>> 0;
}
function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const UPPER_ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'; // the alphabet AWS uses for key and principal ids
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
class Rng {
  constructor(label) { this.f = mulberry32(fnv1a(`${SEED}:${label}`)); }
  float() { return this.f(); }
  int(lo, hi) { return lo + Math.floor(this.f() * (hi - lo + 1)); }
  chance(p) { return this.f() < p; }
  pick(a) { return a[Math.floor(this.f() * a.length)]; }
  weighted(pairs) { // [[weight, value], ...]
    let x = this.f() * pairs.reduce((s, p) => s + p[0], 0);
    for (const [w, v] of pairs) { if ((x -= w) < 0) return v; }
    return pairs[pairs.length - 1][1];
  }
  chars(n, alphabet) { let s = ''; for (let i = 0; i < n; i++) s += alphabet[Math.floor(this.f() * alphabet.length)]; return s; }
  hex(n) { return this.chars(n, '0123456789abcdef'); }
  uuid() { return `${this.hex(8)}-${this.hex(4)}-4${this.hex(3)}-${this.pick(['8', '9', 'a', 'b'])}${this.hex(3)}-${this.hex(12)}`; }
  shuffle(a) { for (let i = a.length - 1; i > 0; i--) { const j = Math.floor(this.f() * (i + 1)); [a[i], a[j]] = [a[j], a[i]]; } return a; }
}
// Stable identifiers derived from a name, independent of generation order.
const stable = (key, n, alphabet = UPPER_ALNUM) => new Rng(`id:${key}`).chars(n, alphabet);
const stableUuid = (key) => new Rng(`uuid:${key}`).uuid();

// ---------------------------------------------------------------------------------------------
// Time helpers
// ---------------------------------------------------------------------------------------------
const MIN = 60_000, HOUR = 60 * MIN, DAY = 24 * HOUR;
const DAY0 = Date.UTC(2026, 9, 5); // 2026-10-05T00:00:00Z (a Monday)
const DAYS = [DAY0, DAY0 + DAY];
const END = DAY0 + 2 * DAY;
const at = (day, hh, mm, ss = 0) => DAYS[day] + hh * HOUR + mm * MIN + ss * 1000;
const iso = (ms) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
function awsDate(ms) { // the "Oct 6, 2026, 3:16:20 AM" form STS/IAM responses use
  const d = new Date(ms); const h = d.getUTCHours();
  const p2 = (n) => String(n).padStart(2, '0');
  return `${MONTHS[d.getUTCMonth()]} ${d.getUTCDate()}, ${d.getUTCFullYear()}, ${h % 12 || 12}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())} ${h < 12 ? 'AM' : 'PM'}`;
}

// ---------------------------------------------------------------------------------------------
// The estate
// ---------------------------------------------------------------------------------------------
const PROD = '111122223333', DEV = '444455556666', SEC = '777788889999';
const REGIONS = ['us-east-1', 'eu-west-1', 'eu-central-1'];
const AZ = { 'us-east-1': ['us-east-1a', 'us-east-1b', 'us-east-1d'], 'eu-west-1': ['eu-west-1a', 'eu-west-1b'], 'eu-central-1': ['eu-central-1a', 'eu-central-1b'] };
const ORG_ID = 'o-7k2pq9x4mz';

const TRAILS = {
  [PROD]: { name: 'org-trail', home: 'us-east-1', bucket: 'cloudtrail-logs-111122223333' },
  [DEV]: { name: 'dev-account-trail', home: 'eu-west-1', bucket: 'aws-cloudtrail-logs-444455556666-dev' },
  [SEC]: { name: 'org-security-trail', home: 'us-east-1', bucket: 'org-cloudtrail-logs-777788889999' },
};
const trailArn = (acct) => `arn:aws:cloudtrail:${TRAILS[acct].home}:${acct}:trail/${TRAILS[acct].name}`;
const BUCKETS = {
  [PROD]: { artifacts: 'prod-deploy-artifacts-111122223333', inbox: 'prod-orders-inbox-111122223333', processed: 'prod-orders-processed-111122223333', config: 'prod-app-config-111122223333', exports: 'prod-customer-exports-111122223333', reports: 'prod-reports-eu-111122223333' },
  [DEV]: { sandbox: 'dev-sandbox-444455556666', artifacts: 'dev-artifacts-444455556666', config: 'dev-app-config-444455556666' },
  [SEC]: { athena: 'athena-results-777788889999', findings: 'security-findings-archive-777788889999' },
};
const allBuckets = (acct) => [...Object.values(BUCKETS[acct]), TRAILS[acct].bucket];
const kmsKey = (acct, region, alias = 'default') => `arn:aws:kms:${region}:${acct}:key/${stableUuid(`kms:${acct}:${region}:${alias}`)}`;
const roleArn = (acct, role, path = '/') => `arn:aws:iam::${acct}:role${path}${role}`;
const roleId = (acct, role) => `AROA${stable(`role:${acct}:${role}`, 17)}`;
const userId = (acct, user) => `AIDA${stable(`user:${acct}:${user}`, 17)}`;
const FUNCTIONS = {
  [PROD]: [['orders-processor', 'us-east-1', 'nodejs20.x'], ['api-authorizer', 'us-east-1', 'nodejs20.x'], ['report-generator', 'eu-west-1', 'python3.12']],
  [DEV]: [['orders-processor-dev', 'eu-west-1', 'nodejs20.x'], ['image-resizer-dev', 'eu-west-1', 'python3.12'], ['sandbox-cleanup', 'eu-central-1', 'python3.12']],
  [SEC]: [['guardduty-findings-forwarder', 'us-east-1', 'python3.12']],
};
const STACKS = { [PROD]: ['orders-service-prod', 'web-frontend-prod', 'shared-network-prod'], [DEV]: ['orders-service-dev', 'sandbox-network'], [SEC]: ['security-tooling'] };
const TABLES = { [PROD]: ['orders', 'customers', 'sessions'], [DEV]: ['orders-dev', 'terraform-locks'], [SEC]: ['finding-suppressions'] };
const IAM_USERS = { [PROD]: ['ci-deployer', 'svc-reporting', 'break-glass-admin'], [DEV]: ['dana', 'omar', 'svc-sandbox-ci'], [SEC]: ['svc-siem-reader'] };
const ROLES = {
  [PROD]: ['OrganizationAccountAccessRole', 'GitHubActionsDeployRole', 'SecurityAuditRole', 'prod-web-ec2-role', 'orders-processor-role', 'report-generator-role', 'api-authorizer-role', 'AWSServiceRoleForConfig'],
  [DEV]: ['OrganizationAccountAccessRole', 'TerraformDeployRole', 'SecurityAuditRole', 'dev-app-ec2-role', 'orders-processor-dev-role'],
  [SEC]: ['OrganizationAccountAccessRole', 'security-scanner-task-role', 'AWSServiceRoleForConfig'],
};

// Principals and client details
const UA = {
  jenkins: (cmd) => `aws-cli/2.15.30 md/awscrt#0.19.19 ua/2.0 os/linux#5.10.215-203.850.amzn2.x86_64 md/arch#x86_64 lang/python#3.11.8 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe md/distrib#amzn.2 md/prompt#off md/command#${cmd}`,
  cliMac: (cmd) => `aws-cli/2.17.12 md/awscrt#0.20.11 ua/2.0 os/macos#23.5.0 md/arch#arm64 lang/python#3.11.9 md/pyimpl#CPython cfg/retry-mode#standard md/installer#source md/prompt#off md/command#${cmd}`,
  cliLinux: (cmd) => `aws-cli/2.18.1 md/awscrt#0.21.5 ua/2.0 os/linux#6.8.0-45-generic md/arch#x86_64 lang/python#3.12.6 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe md/distrib#ubuntu.24 md/prompt#off md/command#${cmd}`,
  cliWin: (cmd) => `aws-cli/2.17.40 md/awscrt#0.21.2 ua/2.0 os/windows#10 md/arch#amd64 lang/python#3.12.6 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe md/prompt#off md/command#${cmd}`,
  gha: (cmd) => `aws-cli/2.18.0 md/awscrt#0.21.5 ua/2.0 os/linux#6.8.0-1014-azure md/arch#x86_64 lang/python#3.12.6 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe md/distrib#ubuntu.24 md/prompt#off md/command#${cmd}`,
  ghaConfigure: 'aws-sdk-js/3.664.0 ua/2.1 os/linux#6.8.0-1014-azure lang/js md/nodejs#20.17.0 api/sts#3.664.0 configure-aws-credentials-for-github-actions',
  terraform: (api) => `APN/1.0 HashiCorp/1.0 Terraform/1.9.7 (+https://www.terraform.io) terraform-provider-aws/5.70.0 (+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.31.0 ua/2.1 os/linux lang/go#1.23.1 md/GOOS#linux md/GOARCH#amd64 api/${api}`,
  ssmAgent: 'aws-sdk-go/1.44.302 (go1.22.7; linux; amd64) amazon-ssm-agent/3.3.859.0',
  ec2Boto: 'Boto3/1.35.36 md/Botocore#1.35.36 ua/2.0 os/linux#6.1.109-118.189.amzn2023.x86_64 md/arch#x86_64 lang/python#3.9.16 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.35.36',
  lambdaNode: (api) => `aws-sdk-js/3.621.0 ua/2.1 os/linux#5.10.226-234.879.amzn2.x86_64 lang/js md/nodejs#20.17.0 api/${api}#3.621.0 exec-env/AWS_Lambda_nodejs20.x`,
  lambdaPy: 'Boto3/1.34.145 md/Botocore#1.34.145 ua/2.0 os/linux#5.10.226-234.879.amzn2.x86_64 md/arch#x86_64 lang/python#3.12.6 md/pyimpl#CPython exec-env/AWS_Lambda_python3.12 cfg/retry-mode#legacy Botocore/1.34.145',
  lambdaWorker: 'awslambda-worker/1.0 rusoto/0.48.0 rust/1.79.0 linux',
  scanner: 'Boto3/1.35.30 md/Botocore#1.35.30 ua/2.0 os/linux#5.10.225-213.878.amzn2.x86_64 md/arch#x86_64 lang/python#3.12.6 md/pyimpl#CPython exec-env/AWS_ECS_FARGATE cfg/retry-mode#standard Botocore/1.35.30 prowler/4.4.1',
  grafana: 'Grafana/11.2.2 aws-sdk-go/1.55.5 (go1.22.7; linux; amd64)',
  chromeMac: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/129.0.0.0 Safari/537.36',
  firefoxWin: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:131.0) Gecko/20100101 Firefox/131.0',
  edgeWin: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/129.0.0.0 Safari/537.36 Edg/129.0.0.0',
  safariMac: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.6 Safari/605.1.15',
};
const SERVICE_CLI = { monitoring: 'cloudwatch', elasticloadbalancing: 'elbv2', signin: 'signin' };
function cliCommand(source, name) {
  const svc = source.split('.')[0];
  const op = name.replace(/\d{8}(v\d)?$/, '').replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
  if (svc === 's3' && /^(get|put|head|delete)-object/.test(op)) return 's3.cp';
  return `${SERVICE_CLI[svc] ?? (svc === 's3' ? 's3api' : svc)}.${op}`;
}
const NAT = { // public egress of the VPCs
  [PROD]: { 'us-east-1': '44.205.17.91', 'eu-west-1': '54.75.201.33', 'eu-central-1': '18.185.42.7' },
  [DEV]: { 'us-east-1': '3.224.101.58', 'eu-west-1': '34.241.10.5', 'eu-central-1': '3.120.77.214' },
  [SEC]: { 'us-east-1': '3.93.112.40', 'eu-west-1': '52.48.190.12', 'eu-central-1': '35.157.3.88' },
};
const ghaIp = (r) => `${r.pick(['20.57.', '4.227.', '20.171.', '52.238.', '172.183.'])}${r.int(1, 254)}.${r.int(1, 254)}`;
const JENKINS_IP = '198.51.100.23';
const OFFICE_IP = ['198.51.100.14', '198.51.100.15'];

// ---------------------------------------------------------------------------------------------
// Identities
// ---------------------------------------------------------------------------------------------
const iamUserIdentity = (acct, user, accessKeyId) => {
  const id = { type: 'IAMUser', principalId: userId(acct, user), arn: `arn:aws:iam::${acct}:user/${user}`, accountId: acct };
  if (accessKeyId !== undefined) id.accessKeyId = accessKeyId;
  id.userName = user;
  return id;
};
function sessionIdentity(acct, role, session, { accessKeyId, created, mfa = false, path = '/', invokedBy, ec2RoleDelivery, webId } = {}) {
  const id = {
    type: 'AssumedRole', principalId: `${roleId(acct, role)}:${session}`, arn: `arn:aws:sts::${acct}:assumed-role/${role}/${session}`,
    accountId: acct, accessKeyId,
    sessionContext: {
      sessionIssuer: { type: 'Role', principalId: roleId(acct, role), arn: roleArn(acct, role, path), accountId: acct, userName: role },
      ...(webId ? { webIdFederationData: { federatedProvider: webId, attributes: {} } } : {}),
      attributes: { creationDate: iso(created), mfaAuthenticated: mfa ? 'true' : 'false' },
      ...(ec2RoleDelivery ? { ec2RoleDelivery } : {}),
    },
  };
  if (invokedBy) id.invokedBy = invokedBy;
  return id;
}
const serviceIdentity = (svc) => ({ type: 'AWSService', invokedBy: svc });
const SSO_PATH = '/aws-reserved/sso.amazonaws.com/';

// ---------------------------------------------------------------------------------------------
// Records
// ---------------------------------------------------------------------------------------------
const GLOBAL_SOURCES = new Set(['iam.amazonaws.com', 'signin.amazonaws.com']);
const VERSION = { 'signin.amazonaws.com': '1.09', 'ssm.amazonaws.com': '1.09', 'lambda.amazonaws.com': '1.09', 'monitoring.amazonaws.com': '1.09', 'cloudformation.amazonaws.com': '1.09', 'elasticloadbalancing.amazonaws.com': '1.09', 'ecr.amazonaws.com': '1.09' };
const API_VERSION = { 'elasticloadbalancing.amazonaws.com': '2015-12-01' };
const TLS13 = { tlsVersion: 'TLSv1.3', cipherSuite: 'TLS_AES_128_GCM_SHA256' };
const TLS12 = { tlsVersion: 'TLSv1.2', cipherSuite: 'ECDHE-RSA-AES128-GCM-SHA256' };

function defaultHost(source, region) {
  const svc = source.split('.')[0];
  if (svc === 'iam') return 'iam.amazonaws.com';
  if (svc === 's3') return region === 'us-east-1' ? 's3.amazonaws.com' : `s3.${region}.amazonaws.com`;
  return `${svc}.${region}.amazonaws.com`;
}

// One principal making calls: identity plus network/client details.
// client: { acct, identity, ip(r, region), ua(source, name) | string, tls, console, vpce(region) }
function makeRecord(r, client, t, region, a) {
  if (GLOBAL_SOURCES.has(a.source)) region = 'us-east-1';
  const ip = a.ip ?? (typeof client.ip === 'function' ? client.ip(r, region) : client.ip);
  const ua = a.ua ?? (typeof client.ua === 'function' ? client.ua(a.source, a.name) : client.ua);
  const rec = {
    eventVersion: a.eventVersion ?? VERSION[a.source] ?? '1.10',
    userIdentity: a.identity ?? client.identity,
    eventTime: iso(t),
    eventSource: a.source,
    eventName: a.name,
    awsRegion: region,
    sourceIPAddress: ip,
  };
  if (ua !== undefined) rec.userAgent = ua;
  if (a.errorCode) rec.errorCode = a.errorCode;
  if (a.errorMessage) rec.errorMessage = a.errorMessage; // ConsoleLogin failures carry only the message
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
  const vpce = a.vpce ?? (client.vpce && client.vpce(a.source, region));
  if (vpce) { rec.vpcEndpointId = vpce; rec.vpcEndpointAccountId = client.acct; }
  rec.eventCategory = a.category ?? 'Management';
  if (client.console && a.console !== false) rec.sessionCredentialFromConsole = 'true';
  const tls = a.tls === undefined ? client.tls : a.tls;
  if (tls) rec.tlsDetails = { ...tls, clientProvidedHostHeader: a.host ?? defaultHost(a.source, region) };
  return rec;
}

// ---------------------------------------------------------------------------------------------
// API calls: each returns the service-specific part of a record
// ---------------------------------------------------------------------------------------------
const R = (source, name, params = null, extra = {}) => ({ source: `${source}.amazonaws.com`, name, params, readOnly: true, ...extra });
const W = (source, name, params = null, response = null, extra = {}) => ({ source: `${source}.amazonaws.com`, name, params, response, readOnly: false, ...extra });
const token = (r) => `IQoJb3JpZ2luX2VjE${r.chars(3, ALNUM)}aCXVzLWVhc3QtMSJHMEUCI${r.chars(110, B64)}`;
const amzId2 = (r) => `${r.chars(75, B64)}=`;
const instanceIds = new Map();
const instanceId = (key) => { if (!instanceIds.has(key)) instanceIds.set(key, `i-0${stable(`inst:${key}`, 16, '0123456789abcdef')}`); return instanceIds.get(key); };
const ec2Filter = (name, value) => ({ items: [{ name, valueSet: { items: [{ value }] } }] });

function s3Data(r, op, acct, region, bucket, key, { bytesOut = 0, bytesIn = 0, response, kms = true } = {}) {
  const ro = op === 'GetObject' || op === 'HeadObject' || op === 'ListObjects';
  const params = op === 'ListObjects'
    ? { bucketName: bucket, Host: `${bucket}.s3.${region}.amazonaws.com`, 'list-type': '2', prefix: key, 'max-keys': '1000' }
    : { bucketName: bucket, Host: `${bucket}.s3.${region}.amazonaws.com`, key };
  let resp = response ?? null;
  if (op === 'PutObject' && !response) resp = kms ? { 'x-amz-server-side-encryption-aws-kms-key-id': kmsKey(acct, region, 's3'), 'x-amz-server-side-encryption': 'aws:kms', 'x-amz-version-id': r.chars(32, ALNUM + '._') } : { 'x-amz-server-side-encryption': 'AES256' };
  const resources = op === 'ListObjects'
    ? [{ accountId: acct, type: 'AWS::S3::Bucket', ARN: `arn:aws:s3:::${bucket}` }]
    : [{ type: 'AWS::S3::Object', ARN: `arn:aws:s3:::${bucket}/${key}` }, { accountId: acct, type: 'AWS::S3::Bucket', ARN: `arn:aws:s3:::${bucket}` }];
  return {
    source: 's3.amazonaws.com', name: op, params, response: resp, readOnly: ro, category: 'Data', resources,
    host: `${bucket}.s3.${region}.amazonaws.com`,
    additional: { SignatureVersion: 'SigV4', CipherSuite: 'TLS_AES_128_GCM_SHA256', bytesTransferredIn: bytesIn, ...(op === 'PutObject' && kms ? { SSEApplied: 'SSE_KMS' } : {}), AuthenticationMethod: 'AuthHeader', 'x-amz-id-2': amzId2(r), bytesTransferredOut: bytesOut },
  };
}
const acctOf = (bucket) => (bucket.match(/\d{12}/) ?? [PROD])[0];
function s3Mgmt(r, name, bucket, region, params = {}, response = null, ro = true) {
  return {
    source: 's3.amazonaws.com', name, readOnly: ro, response,
    params: bucket ? { bucketName: bucket, Host: `${bucket}.s3.${region}.amazonaws.com`, ...params } : { Host: region === 'us-east-1' ? 's3.amazonaws.com' : `s3.${region}.amazonaws.com` },
    host: bucket ? `${bucket}.s3.${region}.amazonaws.com` : undefined,
    resources: bucket ? [{ accountId: acctOf(bucket), type: 'AWS::S3::Bucket', ARN: `arn:aws:s3:::${bucket}` }] : undefined,
    additional: { SignatureVersion: 'SigV4', CipherSuite: 'TLS_AES_128_GCM_SHA256', bytesTransferredIn: 0, AuthenticationMethod: 'AuthHeader', 'x-amz-id-2': amzId2(r), bytesTransferredOut: r.int(180, 2400) },
  };
}
function kmsVia(r, name, acct, region, svc, context, alias = 's3') {
  const key = kmsKey(acct, region, alias);
  return {
    source: 'kms.amazonaws.com', name, readOnly: true, tls: null, ip: svc, ua: svc,
    params: name === 'Decrypt' ? { encryptionContext: context, encryptionAlgorithm: 'SYMMETRIC_DEFAULT' } : { keyId: key, encryptionContext: context, keySpec: 'AES_256' },
    resources: [{ accountId: acct, type: 'AWS::KMS::Key', ARN: key }],
  };
}
function stsCredentials(r, acct, role, session, t, duration = 3600) {
  const ak = `ASIA${r.chars(16, UPPER_ALNUM)}`;
  return {
    ak,
    response: {
      credentials: { accessKeyId: ak, sessionToken: token(r), expiration: awsDate(t + duration * 1000) },
      assumedRoleUser: { assumedRoleId: `${roleId(acct, role)}:${session}`, arn: `arn:aws:sts::${acct}:assumed-role/${role}/${session}` },
    },
  };
}
function assumeRole(r, acct, role, session, t, { duration = 3600, path = '/', extraParams = {} } = {}) {
  const c = stsCredentials(r, acct, role, session, t, duration);
  return {
    ak: c.ak,
    call: {
      source: 'sts.amazonaws.com', name: 'AssumeRole', readOnly: true, response: c.response, sharedEventID: r.uuid(),
      params: { roleArn: roleArn(acct, role, path), roleSessionName: session, ...(duration !== 3600 ? { durationSeconds: duration } : {}), ...extraParams },
      resources: [{ accountId: acct, type: 'AWS::IAM::Role', ARN: roleArn(acct, role, path) }],
    },
  };
}
const denied = (arn, action, resource, how = 'no identity-based policy allows') => ({
  errorCode: 'AccessDenied',
  errorMessage: `User: ${arn} is not authorized to perform: ${action} on resource: ${resource} because ${how} the ${action} action`,
});
function ec2Denied(r, arn, action, resource) {
  return {
    errorCode: 'Client.UnauthorizedOperation',
    errorMessage: `You are not authorized to perform this operation. User: ${arn} is not authorized to perform: ${action} on resource: ${resource} because no identity-based policy allows the ${action} action. Encoded authorization failure message: ${r.chars(140, ALNUM + '-_')}`,
  };
}

// Read-only catalogue used by consoles, CLIs, scanners and config, keyed by short names.
// Each entry: (r, ctx) => call, ctx = { acct, region, t }
const READS = {
  'ec2:DescribeInstances': (r) => R('ec2', 'DescribeInstances', { instancesSet: {}, filterSet: r.chance(0.4) ? ec2Filter('instance-state-name', 'running') : {} }),
  'ec2:DescribeSecurityGroups': () => R('ec2', 'DescribeSecurityGroups', { securityGroupSet: {}, securityGroupIdSet: {}, filterSet: {} }),
  'ec2:DescribeVpcs': () => R('ec2', 'DescribeVpcs', { vpcSet: {}, filterSet: {} }),
  'ec2:DescribeSubnets': () => R('ec2', 'DescribeSubnets', { subnetSet: {}, filterSet: {} }),
  'ec2:DescribeVolumes': () => R('ec2', 'DescribeVolumes', { volumeSet: {}, filterSet: {} }),
  'ec2:DescribeInstanceStatus': () => R('ec2', 'DescribeInstanceStatus', { instancesSet: {}, filterSet: {}, includeAllInstances: false }),
  'ec2:DescribeNetworkInterfaces': () => R('ec2', 'DescribeNetworkInterfaces', { networkInterfaceIdSet: {}, filterSet: {} }),
  'ec2:DescribeRegions': () => R('ec2', 'DescribeRegions', { regionSet: {}, allRegions: false }),
  'ec2:DescribeImages': () => R('ec2', 'DescribeImages', { executableBySet: {}, imagesSet: {}, ownersSet: { items: [{ owner: 'self' }] }, filterSet: {} }),
  'ec2:DescribeFlowLogs': () => R('ec2', 'DescribeFlowLogs', { DescribeFlowLogsRequest: '' }),
  'ec2:DescribeSnapshots': () => R('ec2', 'DescribeSnapshots', { snapshotSet: {}, ownersSet: { items: [{ owner: 'self' }] }, filterSet: {} }),
  'iam:ListUsers': () => R('iam', 'ListUsers'),
  'iam:ListRoles': (r) => R('iam', 'ListRoles', r.chance(0.5) ? { maxItems: 1000 } : null),
  'iam:GetRole': (r, c) => R('iam', 'GetRole', { roleName: r.pick(ROLES[c.acct]) }),
  'iam:GetUser': (r, c) => R('iam', 'GetUser', { userName: r.pick(IAM_USERS[c.acct]) }),
  'iam:ListAttachedRolePolicies': (r, c) => R('iam', 'ListAttachedRolePolicies', { roleName: r.pick(ROLES[c.acct]) }),
  'iam:ListRolePolicies': (r, c) => R('iam', 'ListRolePolicies', { roleName: r.pick(ROLES[c.acct]) }),
  'iam:ListAttachedUserPolicies': (r, c) => R('iam', 'ListAttachedUserPolicies', { userName: r.pick(IAM_USERS[c.acct]) }),
  'iam:ListAccessKeys': (r, c) => R('iam', 'ListAccessKeys', { userName: r.pick(IAM_USERS[c.acct]) }),
  'iam:ListMFADevices': (r, c) => R('iam', 'ListMFADevices', { userName: r.pick(IAM_USERS[c.acct]) }),
  'iam:GetAccountSummary': () => R('iam', 'GetAccountSummary'),
  'iam:GetAccountPasswordPolicy': () => R('iam', 'GetAccountPasswordPolicy'),
  'iam:GetCredentialReport': () => R('iam', 'GetCredentialReport'),
  'iam:ListPolicies': () => R('iam', 'ListPolicies', { scope: 'Local', onlyAttached: false, maxItems: 1000 }),
  'iam:GetPolicyVersion': (r, c) => R('iam', 'GetPolicyVersion', { policyArn: `arn:aws:iam::${c.acct}:policy/${r.pick(['deploy-boundary', 'app-read-config', 'logs-writer'])}`, versionId: `v${r.int(1, 6)}` }),
  'sts:GetCallerIdentity': () => R('sts', 'GetCallerIdentity'),
  'kms:ListAliases': () => R('kms', 'ListAliases'),
  'kms:ListKeys': () => R('kms', 'ListKeys', { limit: 1000 }),
  'kms:DescribeKey': (r, c) => ({ ...R('kms', 'DescribeKey', { keyId: kmsKey(c.acct, c.region, r.pick(['s3', 'default'])) }), resources: [{ accountId: c.acct, type: 'AWS::KMS::Key', ARN: kmsKey(c.acct, c.region, 's3') }] }),
  'kms:GetKeyRotationStatus': (r, c) => ({ ...R('kms', 'GetKeyRotationStatus', { keyId: kmsKey(c.acct, c.region, 's3') }), resources: [{ accountId: c.acct, type: 'AWS::KMS::Key', ARN: kmsKey(c.acct, c.region, 's3') }] }),
  'lambda:ListFunctions': () => R('lambda', 'ListFunctions20150331', { functionVersion: 'ALL' }),
  'lambda:GetFunction': (r, c) => R('lambda', 'GetFunction20150331v2', { functionName: r.pick(FUNCTIONS[c.acct])[0] }),
  'lambda:GetFunctionConfiguration': (r, c) => R('lambda', 'GetFunctionConfiguration20150331v2', { functionName: r.pick(FUNCTIONS[c.acct])[0] }),
  'lambda:ListEventSourceMappings': () => R('lambda', 'ListEventSourceMappings20150331', null),
  'logs:DescribeLogGroups': (r) => R('logs', 'DescribeLogGroups', r.chance(0.5) ? { logGroupNamePrefix: '/aws/lambda/' } : { limit: 50 }),
  'logs:DescribeLogStreams': (r, c) => R('logs', 'DescribeLogStreams', { logGroupName: `/aws/lambda/${r.pick(FUNCTIONS[c.acct])[0]}`, orderBy: 'LastEventTime', descending: true, limit: 50 }),
  'logs:FilterLogEvents': (r, c) => R('logs', 'FilterLogEvents', { logGroupName: `/aws/lambda/${r.pick(FUNCTIONS[c.acct])[0]}`, startTime: c.t - 3 * HOUR, endTime: c.t, filterPattern: r.pick(['ERROR', '"Task timed out"', '?ERROR ?WARN', '{ $.level = "error" }']), interleaved: true }),
  'logs:GetLogEvents': (r, c) => R('logs', 'GetLogEvents', { logGroupName: `/aws/lambda/${r.pick(FUNCTIONS[c.acct])[0]}`, logStreamName: `${iso(c.t).slice(0, 10).replace(/-/g, '/')}/[$LATEST]${r.hex(32)}`, startFromHead: false }),
  'cloudtrail:DescribeTrails': (r) => R('cloudtrail', 'DescribeTrails', r.chance(0.6) ? { trailNameList: [], includeShadowTrails: true } : { includeShadowTrails: false }),
  'cloudtrail:ListTrails': () => R('cloudtrail', 'ListTrails'),
  'cloudtrail:GetTrailStatus': (r, c) => R('cloudtrail', 'GetTrailStatus', { name: r.chance(0.5) ? trailArn(c.acct) : TRAILS[c.acct].name }),
  'cloudtrail:GetTrail': (r, c) => R('cloudtrail', 'GetTrail', { name: TRAILS[c.acct].name }),
  'cloudtrail:GetEventSelectors': (r, c) => R('cloudtrail', 'GetEventSelectors', { trailName: r.chance(0.5) ? trailArn(c.acct) : TRAILS[c.acct].name }),
  'cloudtrail:GetInsightSelectors': (r, c) => R('cloudtrail', 'GetInsightSelectors', { trailName: trailArn(c.acct) }),
  'cloudtrail:LookupEvents': (r, c) => R('cloudtrail', 'LookupEvents', {
    ...(r.chance(0.6) ? { lookupAttributes: [{ attributeKey: r.pick(['EventName', 'Username', 'ResourceName']), attributeValue: r.pick(['ConsoleLogin', 'RunInstances', 'AssumeRole', 'orders-processor', 'GitHubActions']) }] } : {}),
    startTime: awsDate(c.t - r.int(1, 24) * HOUR), endTime: awsDate(c.t), maxResults: 50,
  }),
  'cloudwatch:DescribeAlarms': (r) => R('monitoring', 'DescribeAlarms', r.chance(0.5) ? { stateValue: 'ALARM', maxRecords: 100 } : { maxRecords: 100 }),
  'cloudwatch:ListMetrics': () => R('monitoring', 'ListMetrics', { namespace: 'AWS/Lambda' }),
  'cloudwatch:ListDashboards': () => R('monitoring', 'ListDashboards', null),
  'cfn:DescribeStacks': (r, c) => R('cloudformation', 'DescribeStacks', r.chance(0.5) ? { stackName: r.pick(STACKS[c.acct]) } : null),
  'cfn:ListStacks': () => R('cloudformation', 'ListStacks', { stackStatusFilter: ['CREATE_COMPLETE', 'UPDATE_COMPLETE', 'UPDATE_ROLLBACK_COMPLETE'] }),
  'cfn:DescribeStackEvents': (r, c) => R('cloudformation', 'DescribeStackEvents', { stackName: r.pick(STACKS[c.acct]) }),
  'ddb:ListTables': () => R('dynamodb', 'ListTables', null),
  'ddb:DescribeTable': (r, c) => ({ ...R('dynamodb', 'DescribeTable', { tableName: r.pick(TABLES[c.acct]) }), resources: [{ accountId: c.acct, type: 'AWS::DynamoDB::Table', ARN: `arn:aws:dynamodb:${c.region}:${c.acct}:table/${r.pick(TABLES[c.acct])}` }] }),
  'elb:DescribeLoadBalancers': () => R('elasticloadbalancing', 'DescribeLoadBalancers', null),
  'elb:DescribeTargetGroups': () => R('elasticloadbalancing', 'DescribeTargetGroups', null),
  'elb:DescribeTargetHealth': (r, c) => R('elasticloadbalancing', 'DescribeTargetHealth', { targetGroupArn: `arn:aws:elasticloadbalancing:${c.region}:${c.acct}:targetgroup/web-${r.pick(['blue', 'green'])}/${stable(`tg:${c.acct}:${c.region}`, 16, '0123456789abcdef')}` }),
  'ssm:DescribeInstanceInformation': () => R('ssm', 'DescribeInstanceInformation', { maxResults: 50 }),
  'ssm:GetParametersByPath': (r, c) => R('ssm', 'GetParametersByPath', { path: `/${c.acct === PROD ? 'prod' : 'dev'}/orders/`, recursive: true, withDecryption: false }),
  'secretsmanager:ListSecrets': () => R('secretsmanager', 'ListSecrets', { maxResults: 100 }),
  'ecr:DescribeRepositories': () => R('ecr', 'DescribeRepositories', null),
  'guardduty:ListDetectors': () => R('guardduty', 'ListDetectors', { maxResults: 50 }),
  'config:DescribeConfigurationRecorders': () => R('config', 'DescribeConfigurationRecorders', null),
  'config:DescribeConfigurationRecorderStatus': () => R('config', 'DescribeConfigurationRecorderStatus', null),
  'securityhub:DescribeHub': () => R('securityhub', 'DescribeHub', null),
  'organizations:DescribeOrganization': () => R('organizations', 'DescribeOrganization', null),
  's3:ListBuckets': (r, c) => s3Mgmt(r, 'ListBuckets', null, c.region),
  's3:GetBucketLocation': (r, c) => s3Mgmt(r, 'GetBucketLocation', r.pick(allBuckets(c.acct)), c.region, { location: '' }),
  's3:GetBucketPolicy': (r, c) => s3Mgmt(r, 'GetBucketPolicy', r.pick(allBuckets(c.acct)), c.region, { policy: '' }),
  's3:GetBucketAcl': (r, c) => s3Mgmt(r, 'GetBucketAcl', r.pick(allBuckets(c.acct)), c.region, { acl: '' }),
  's3:GetBucketVersioning': (r, c) => s3Mgmt(r, 'GetBucketVersioning', r.pick(allBuckets(c.acct)), c.region, { versioning: '' }),
  's3:GetBucketEncryption': (r, c) => s3Mgmt(r, 'GetBucketEncryption', r.pick(allBuckets(c.acct)), c.region, { encryption: '' }),
  's3:GetBucketPublicAccessBlock': (r, c) => s3Mgmt(r, 'GetBucketPublicAccessBlock', r.pick(allBuckets(c.acct)), c.region, { publicAccessBlock: '' }),
  's3:GetBucketLogging': (r, c) => s3Mgmt(r, 'GetBucketLogging', r.pick(allBuckets(c.acct)), c.region, { logging: '' }),
};
const GLOBAL_READ = (k) => k.startsWith('iam:') || k === 's3:ListBuckets' || k.startsWith('organizations:');
function readCall(r, key, acct, region, t) {
  return READS[key](r, { acct, region, t });
}

// ---------------------------------------------------------------------------------------------
// Event collection
// ---------------------------------------------------------------------------------------------
const events = []; // records, in any order
const emit = (rec) => { events.push(rec); return rec; };
const TRAIL_OFF = { start: null, end: null }; // prod org-trail not logging (filled in by the attack)
const isOrgTrailUp = (t) => !(t >= TRAIL_OFF.start && t < TRAIL_OFF.end);
const isOrgTrailPresent = (t) => !(t >= TRAIL_OFF.deleted && t < TRAIL_OFF.recreated);

// Diurnal profiles: relative activity per UTC hour.
const PROFILE = {
  eu: [0, 0, 0, 0, 0, 0, 0.05, 0.5, 1, 1, 1, 0.9, 0.6, 1, 1, 1, 0.8, 0.5, 0.15, 0.05, 0.02, 0, 0, 0],
  us: [0.3, 0.05, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0.05, 0.3, 0.8, 1, 1, 1, 0.7, 1, 1, 0.9, 0.8, 0.6, 0.5],
  work: [0.02, 0, 0, 0, 0, 0.02, 0.1, 0.6, 1, 1, 1, 0.8, 0.7, 1, 1, 1, 1, 0.8, 0.6, 0.4, 0.3, 0.2, 0.1, 0.05],
  traffic: [0.35, 0.25, 0.2, 0.2, 0.2, 0.25, 0.4, 0.6, 0.8, 0.9, 1, 1, 1, 1, 1, 1, 1, 1, 0.95, 0.9, 0.8, 0.7, 0.6, 0.45],
};
function sampleTimes(r, day, n, profile) {
  const w = PROFILE[profile];
  const out = [];
  for (let i = 0; i < n; i++) {
    const h = r.weighted(w.map((x, j) => [x, j]));
    out.push(DAYS[day] + h * HOUR + r.int(0, HOUR / 1000 - 1) * 1000);
  }
  return out.sort((a, b) => a - b);
}
// Every ~period with jitter.
function periodic(r, start, end, period, jitter) {
  const out = [];
  for (let t = start + r.int(0, period); t < end; t += period + r.int(-jitter, jitter)) out.push(t);
  return out;
}
const step = (r, lo, hi) => r.int(lo, hi) * 1000; // seconds between calls

// ---------------------------------------------------------------------------------------------
// Actors
// ---------------------------------------------------------------------------------------------

// Humans signing in to the console (SSO roles or IAM users) and clicking around.
const HUMANS = [
  { acct: PROD, name: 'priya.shah@example.com', role: 'AWSReservedSSO_AdministratorAccess_6b3a1c9e2f4d7a10', profile: 'eu', ips: ['81.2.69.142', OFFICE_IP[0]], browser: UA.chromeMac, cli: UA.cliMac, region: 'eu-west-1', sessions: [3, 2], cliSessions: [1, 1], writes: true },
  { acct: PROD, name: 'marcus.lee@example.com', role: 'AWSReservedSSO_AdministratorAccess_6b3a1c9e2f4d7a10', profile: 'us', ips: ['73.162.10.77'], browser: UA.firefoxWin, cli: UA.cliWin, region: 'us-east-1', sessions: [2, 2], cliSessions: [1, 1], writes: true },
  { acct: PROD, name: 'tom.becker@example.com', role: 'AWSReservedSSO_ReadOnlyAccess_1f2e3d4c5b6a7980', profile: 'eu', ips: ['94.134.58.210'], browser: UA.edgeWin, region: 'eu-central-1', sessions: [1, 2], cliSessions: [0, 0], readOnlyRole: true },
  { acct: DEV, iamUser: 'dana', profile: 'eu', ips: ['94.134.58.211', OFFICE_IP[1]], browser: UA.chromeMac, cli: UA.cliMac, region: 'eu-west-1', sessions: [2, 2], cliSessions: [2, 1], mfa: true, writes: true },
  { acct: DEV, iamUser: 'omar', profile: 'work', ips: ['176.24.91.3'], browser: UA.safariMac, cli: UA.cliLinux, region: 'eu-central-1', sessions: [2, 1], cliSessions: [1, 2], mfa: false, writes: true, failedLogin: 0 },
  { acct: DEV, name: 'marcus.lee@example.com', role: 'AWSReservedSSO_PowerUserAccess_9c8d7e6f5a4b3c21', profile: 'us', ips: ['73.162.10.77'], browser: UA.firefoxWin, region: 'eu-west-1', sessions: [1, 1], cliSessions: [0, 0], writes: true },
  { acct: SEC, name: 'ines.morales@example.com', role: 'AWSReservedSSO_SecurityAnalyst_4e5f6a7b8c9d0e12', profile: 'eu', ips: ['81.2.69.160', OFFICE_IP[0]], browser: UA.chromeMac, cli: UA.cliMac, region: 'us-east-1', sessions: [2, 2], cliSessions: [1, 1], analyst: true },
  { acct: SEC, name: 'sam.okafor@example.com', role: 'AWSReservedSSO_SecurityAnalyst_4e5f6a7b8c9d0e12', profile: 'us', ips: ['108.20.33.190'], browser: UA.chromeMac, cli: UA.cliMac, region: 'us-east-1', sessions: [1, 2], cliSessions: [1, 0], analyst: true },
];
const CONSOLE_READS = {
  admin: ['ec2:DescribeInstances', 'ec2:DescribeInstances', 'ec2:DescribeInstanceStatus', 'ec2:DescribeSecurityGroups', 'ec2:DescribeVpcs', 'ec2:DescribeSubnets', 'ec2:DescribeVolumes', 'ec2:DescribeNetworkInterfaces',
    'cloudwatch:DescribeAlarms', 'cloudwatch:DescribeAlarms', 'cloudwatch:ListDashboards', 'logs:DescribeLogGroups', 'logs:DescribeLogStreams', 'logs:FilterLogEvents', 'logs:GetLogEvents', 'logs:GetLogEvents',
    'lambda:ListFunctions', 'lambda:GetFunction', 'lambda:GetFunctionConfiguration', 'lambda:ListEventSourceMappings', 's3:ListBuckets', 's3:GetBucketLocation', 's3:GetBucketPolicy', 's3:GetBucketVersioning', 's3:GetBucketEncryption',
    'iam:ListRoles', 'iam:GetRole', 'iam:ListAttachedRolePolicies', 'iam:ListRolePolicies', 'iam:ListUsers', 'cfn:DescribeStacks', 'cfn:ListStacks', 'cfn:DescribeStackEvents', 'kms:ListAliases', 'ddb:ListTables', 'ddb:DescribeTable',
    'elb:DescribeLoadBalancers', 'elb:DescribeTargetGroups', 'elb:DescribeTargetHealth', 'cloudtrail:LookupEvents', 'cloudtrail:LookupEvents', 'ssm:DescribeInstanceInformation', 'secretsmanager:ListSecrets', 'ecr:DescribeRepositories'],
  analyst: ['guardduty:ListDetectors', 'cloudtrail:LookupEvents', 'cloudtrail:LookupEvents', 'cloudtrail:DescribeTrails', 'cloudtrail:GetTrailStatus', 'cloudtrail:GetEventSelectors', 'cloudtrail:ListTrails',
    'logs:DescribeLogGroups', 'logs:FilterLogEvents', 's3:ListBuckets', 's3:GetBucketPolicy', 's3:GetBucketLogging', 'iam:ListRoles', 'iam:GetRole', 'securityhub:DescribeHub', 'organizations:DescribeOrganization', 'config:DescribeConfigurationRecorderStatus', 'cloudwatch:DescribeAlarms'],
};
function analystCalls(r, acct, region, t) { // calls only the security account makes
  const detector = stable(`gd:${acct}:${region}`, 32, '0123456789abcdef');
  const qid = r.uuid();
  return r.pick([
    () => [R('guardduty', 'ListFindings', { detectorId: detector, findingCriteria: { criterion: { 'service.archived': { eq: ['false'] } } }, sortCriteria: { attributeName: 'service.eventLastSeen', orderBy: 'DESC' }, maxResults: 50 })],
    () => [R('guardduty', 'GetFindings', { detectorId: detector, findingIds: [r.hex(32), r.hex(32)] })],
    () => [R('guardduty', 'GetFindingsStatistics', { detectorId: detector, findingStatisticTypes: ['COUNT_BY_SEVERITY'], findingCriteria: { criterion: { 'service.archived': { eq: ['false'] } } } })],
    () => [R('securityhub', 'GetFindings', { filters: { RecordState: [{ Value: 'ACTIVE', Comparison: 'EQUALS' }], SeverityLabel: [{ Value: 'HIGH', Comparison: 'EQUALS' }] }, maxResults: 100 })],
    () => [
      W('athena', 'StartQueryExecution', { queryString: `SELECT eventtime, eventname, useridentity.arn, sourceipaddress FROM cloudtrail_logs_pp WHERE timestamp = '${iso(t).slice(0, 10).replace(/-/g, '/')}' AND errorcode = 'AccessDenied' LIMIT 100`, queryExecutionContext: { database: 'security_logs', catalog: 'AwsDataCatalog' }, workGroup: 'primary', clientRequestToken: r.uuid() }, { queryExecutionId: qid }),
      R('athena', 'GetQueryExecution', { queryExecutionId: qid }),
      R('athena', 'GetQueryExecution', { queryExecutionId: qid }),
      R('athena', 'GetQueryResults', { queryExecutionId: qid, maxResults: 100 }),
    ],
  ])();
}

function consoleLogin(r, h, acct, t, ip, identity, { fail = false } = {}) {
  const additional = { LoginTo: `https://console.aws.amazon.com/console/home?hashArgs=%23&isauthcode=true&state=hashArgsFromTB_${h.region}_${r.hex(16)}`, MobileVersion: 'No', MFAUsed: h.iamUser ? (h.mfa ? 'Yes' : 'No') : 'No' };
  if (!h.iamUser) additional.SamlProviderArn = `arn:aws:iam::${acct}:saml-provider/AWSSSO_${stable(`saml:${acct}`, 16, '0123456789abcdef')}_DO_NOT_DELETE`;
  return makeRecord(r, { acct, identity, ip, ua: h.browser, tls: null }, t, 'us-east-1', {
    source: 'signin.amazonaws.com', name: 'ConsoleLogin', params: null, readOnly: false, eventType: 'AwsConsoleSignIn',
    response: { ConsoleLogin: fail ? 'Failure' : 'Success' }, additional,
    ...(fail ? { errorMessage: 'Failed authentication' } : {}),
  });
}

function humanActor(h, idx) {
  const r = new Rng(`human:${idx}:${h.acct}:${h.name ?? h.iamUser}`);
  const acct = h.acct;
  let failedDone = false;
  for (let day = 0; day < 2; day++) {
    // console sessions
    for (const t0 of sampleTimes(r, day, h.sessions[day], h.profile)) {
      const ip = r.pick(h.ips);
      let identity, loginIdentity;
      const created = t0;
      const ak = `ASIA${r.chars(16, UPPER_ALNUM)}`;
      if (h.iamUser) {
        loginIdentity = iamUserIdentity(acct, h.iamUser);
        identity = { ...iamUserIdentity(acct, h.iamUser, ak), sessionContext: { attributes: { creationDate: iso(created), mfaAuthenticated: h.mfa ? 'true' : 'false' } } };
      } else {
        identity = sessionIdentity(acct, h.role, h.name, { accessKeyId: ak, created, path: SSO_PATH });
        loginIdentity = { ...identity, accessKeyId: '' };
      }
      let t = t0;
      if (h.failedLogin === day && !failedDone) { failedDone = true; // mistyped password first thing in the morning
        emit(consoleLogin(r, h, acct, t - step(r, 20, 50), ip, { type: 'IAMUser', principalId: userId(acct, h.iamUser), accountId: acct, accessKeyId: '', userName: h.iamUser }, { fail: true }));
      }
      emit(consoleLogin(r, h, acct, t, ip, loginIdentity));
      const client = { acct, identity, ip, ua: h.browser, tls: TLS13, console: true };
      const pool = h.analyst ? CONSOLE_READS.analyst : CONSOLE_READS.admin;
      const n = r.int(12, 40);
      let region = h.region;
      for (let i = 0; i < n; i++) {
        t += step(r, 3, 140);
        if (r.chance(0.08)) region = r.pick(REGIONS);
        if (h.analyst && r.chance(0.35)) {
          for (const a of analystCalls(r, acct, region, t)) { emit(makeRecord(r, client, t, region, a)); t += step(r, 1, 6); }
          continue;
        }
        const key = r.pick(pool);
        emit(makeRecord(r, client, t, GLOBAL_READ(key) ? 'us-east-1' : region, readCall(r, key, acct, region, t)));
      }
      if (h.writes && r.chance(0.5)) { // small change made from the console
        t += step(r, 20, 90);
        const iid = instanceId(`${acct}:${region}:${r.int(0, 3)}`);
        emit(makeRecord(r, client, t, region, W('ec2', 'CreateTags', { resourcesSet: { items: [{ resourceId: iid }] }, tagSet: { items: [{ key: r.pick(['Owner', 'CostCenter', 'Environment']), value: r.pick(['platform', 'cc-4410', acct === PROD ? 'prod' : 'dev']) }] } }, { requestId: r.uuid(), _return: true })));
      }
      if (h.readOnlyRole && r.chance(0.6)) { // tries a change the read-only role cannot make
        t += step(r, 10, 60);
        const iid = instanceId(`${acct}:${region}:${r.int(0, 3)}`);
        emit(makeRecord(r, client, t, region, { ...W('ec2', 'RebootInstances', { instancesSet: { items: [{ instanceId: iid }] } }), ...ec2Denied(r, identity.arn, 'ec2:RebootInstances', `arn:aws:ec2:${region}:${acct}:instance/${iid}`) }));
      }
    }
    // CLI sessions
    for (const t0 of sampleTimes(r, day, h.cliSessions[day], h.profile)) {
      const ip = r.pick(h.ips);
      let identity;
      if (h.iamUser) identity = iamUserIdentity(acct, h.iamUser, `AKIA${stable(`ak:${acct}:${h.iamUser}`, 16)}`);
      else identity = sessionIdentity(acct, h.role, h.name, { accessKeyId: `ASIA${r.chars(16, UPPER_ALNUM)}`, created: t0 - r.int(5, 120) * MIN, path: SSO_PATH });
      const client = { acct, identity, ip, ua: (s, n) => h.cli(cliCommand(s, n)), tls: TLS13 };
      let t = t0, region = h.region;
      emit(makeRecord(r, client, t, region, R('sts', 'GetCallerIdentity')));
      const n = r.int(6, 26);
      for (let i = 0; i < n; i++) {
        t += step(r, 2, 90);
        if (h.analyst && r.chance(0.5)) { for (const a of analystCalls(r, acct, region, t)) { emit(makeRecord(r, client, t, region, a)); t += step(r, 1, 8); } continue; }
        const key = r.pick([...CONSOLE_READS.admin.filter((k) => !k.startsWith('elb:')), 's3:ListBuckets']);
        if (h.iamUser && key.startsWith('iam:') && r.chance(0.5)) { // developers cannot read IAM in dev
          const a = readCall(r, key, acct, region, t);
          const res = key === 'iam:ListRoles' ? `arn:aws:iam::${acct}:role/` : key === 'iam:ListUsers' ? `arn:aws:iam::${acct}:user/` : `arn:aws:iam::${acct}:${a.params?.roleName ? `role/${a.params.roleName}` : `user/${a.params?.userName ?? ''}`}`;
          emit(makeRecord(r, client, t, 'us-east-1', { ...a, ...denied(identity.arn, key, res) }));
          continue;
        }
        emit(makeRecord(r, client, t, GLOBAL_READ(key) ? 'us-east-1' : region, readCall(r, key, acct, region, t)));
      }
      if (h.iamUser && h.writes) { // developer uploads something to the sandbox bucket, reads it back
        t += step(r, 5, 60);
        const key = `${h.iamUser}/${r.pick(['fixtures', 'exports', 'tmp'])}/${r.hex(8)}.${r.pick(['json', 'csv', 'zip'])}`;
        emit(makeRecord(r, client, t, region, s3Data(r, 'PutObject', acct, region, BUCKETS[DEV].sandbox, key, { bytesIn: r.int(2000, 900000), kms: false })));
        t += step(r, 2, 30);
        emit(makeRecord(r, client, t, region, s3Data(r, 'ListObjects', acct, region, BUCKETS[DEV].sandbox, `${h.iamUser}/`, { bytesOut: r.int(400, 5000) })));
        if (r.chance(0.4)) { // and pokes at a prod-only key
          t += step(r, 5, 30);
          emit(makeRecord(r, client, t, region, { ...R('kms', 'Decrypt', { encryptionAlgorithm: 'SYMMETRIC_DEFAULT' }), ...denied(identity.arn, 'kms:Decrypt', kmsKey(PROD, region, 's3'), 'no resource-based policy allows') }));
        }
      }
    }
  }
}

// ci-deployer: legacy Jenkins deploy job with a long-term access key (the one that gets stolen).
const CI_DEPLOYER_AK = 'AKIAYHX3UBG6ZQ7NMTLP';
const RESPONSE_T = at(1, 7, 48, 12); // incident response starts (2026-10-06 07:48 UTC)
function jenkinsActor() {
  const r = new Rng('jenkins');
  const acct = PROD;
  const client = { acct, identity: iamUserIdentity(acct, 'ci-deployer', CI_DEPLOYER_AK), ip: JENKINS_IP, ua: (s, n) => UA.jenkins(cliCommand(s, n)), tls: TLS13 };
  const runs = [...sampleTimes(r, 0, 4, 'work'), ...sampleTimes(r, 1, 4, 'work')].filter((t) => t < RESPONSE_T); // key is disabled during the response
  for (const t0 of runs) {
    let t = t0;
    const region = r.chance(0.8) ? 'us-east-1' : 'eu-west-1';
    const stack = r.pick(STACKS[acct]);
    const build = r.int(1800, 2100);
    const key = `${stack}/build-${build}/template.packaged.yaml`;
    const call = (a) => { emit(makeRecord(r, client, t, region, a)); t += step(r, 1, 25); };
    call(R('sts', 'GetCallerIdentity'));
    call(R('ecr', 'GetAuthorizationToken', null));
    call(s3Data(r, 'PutObject', acct, region, BUCKETS[acct].artifacts, key, { bytesIn: r.int(8000, 60000) }));
    emit(makeRecord(r, client, t, region, { ...kmsVia(r, 'GenerateDataKey', acct, region, 's3.amazonaws.com', { 'aws:s3:arn': `arn:aws:s3:::${BUCKETS[acct].artifacts}/${key}` }), identity: { ...client.identity, invokedBy: 's3.amazonaws.com' } }));
    call(R('cloudformation', 'DescribeStacks', { stackName: stack }));
    const cs = `build-${build}`;
    const csArn = `arn:aws:cloudformation:${region}:${acct}:changeSet/${cs}/${r.uuid()}`;
    const stackId = `arn:aws:cloudformation:${region}:${acct}:stack/${stack}/${stableUuid(`stack:${stack}:${region}`)}`;
    call(W('cloudformation', 'CreateChangeSet', { stackName: stack, templateURL: `https://${BUCKETS[acct].artifacts}.s3.${region}.amazonaws.com/${key}`, parameters: [{ parameterKey: 'ImageTag', parameterValue: `build-${build}` }], capabilities: ['CAPABILITY_IAM'], changeSetName: cs, changeSetType: 'UPDATE' }, { id: csArn, stackId }));
    for (let i = 0; i < r.int(1, 3); i++) call(R('cloudformation', 'DescribeChangeSet', { changeSetName: cs, stackName: stack }));
    call(W('cloudformation', 'ExecuteChangeSet', { changeSetName: cs, stackName: stack }, null));
    for (let i = 0; i < r.int(2, 5); i++) { t += step(r, 10, 40); call(R('cloudformation', 'DescribeStacks', { stackName: stack })); }
    call(R('cloudformation', 'DescribeStackEvents', { stackName: stack }));
  }
}

// GitHub Actions deploys through OIDC into GitHubActionsDeployRole (prod) / TerraformDeployRole (dev).
function githubActor(acct, role, repo, perDay) {
  const r = new Rng(`gha:${acct}:${role}`);
  const provider = `arn:aws:iam::${acct}:oidc-provider/token.actions.githubusercontent.com`;
  const subject = `repo:tideline-example/${repo}:ref:refs/heads/main`;
  for (let day = 0; day < 2; day++) {
    for (const t0 of sampleTimes(r, day, perDay[day], 'work')) {
      const region = acct === PROD ? (r.chance(0.75) ? 'us-east-1' : 'eu-west-1') : 'eu-west-1';
      const ip = ghaIp(r);
      let t = t0;
      const session = 'GitHubActions';
      const cred = stsCredentials(r, acct, role, session, t);
      emit(makeRecord(r, { acct, ip, ua: UA.ghaConfigure, tls: TLS13 }, t, region, {
        source: 'sts.amazonaws.com', name: 'AssumeRoleWithWebIdentity', readOnly: true,
        identity: { type: 'WebIdentityUser', principalId: `${provider}:sts.amazonaws.com:${subject}`, userName: subject, identityProvider: provider },
        params: { roleArn: roleArn(acct, role), roleSessionName: session, durationSeconds: 3600 },
        response: { ...cred.response, subjectFromWebIdentityToken: subject, provider, audience: 'sts.amazonaws.com' },
        additional: { identityProviderConnectionVerificationMethod: 'IAMTrustStore' },
        resources: [{ accountId: acct, type: 'AWS::IAM::Role', ARN: roleArn(acct, role) }], sharedEventID: r.uuid(),
      }));
      const identity = sessionIdentity(acct, role, session, { accessKeyId: cred.ak, created: t, webId: provider });
      t += step(r, 2, 10);
      if (acct === PROD) {
        const client = { acct, identity, ip, ua: (s, n) => UA.gha(cliCommand(s, n)), tls: TLS13 };
        const call = (a, reg = region) => { emit(makeRecord(r, client, t, reg, a)); t += step(r, 1, 20); };
        const fn = r.pick(FUNCTIONS[acct].filter((f) => f[1] === region))?.[0] ?? 'orders-processor';
        const sha = r.hex(40);
        call(R('sts', 'GetCallerIdentity'));
        call(R('ecr', 'GetAuthorizationToken', null));
        const repoName = `tideline-example/${repo}`;
        for (let i = 0; i < r.int(2, 4); i++) call(R('ecr', 'BatchCheckLayerAvailability', { repositoryName: repoName, registryId: acct, layerDigests: [`sha256:${r.hex(64)}`] }));
        call(W('ecr', 'PutImage', { repositoryName: repoName, imageTag: sha.slice(0, 12), registryId: acct, imageManifestMediaType: 'application/vnd.docker.distribution.manifest.v2+json' }, { image: { registryId: acct, repositoryName: repoName, imageId: { imageDigest: `sha256:${r.hex(64)}`, imageTag: sha.slice(0, 12) }, imageManifestMediaType: 'application/vnd.docker.distribution.manifest.v2+json' } }));
        call(R('lambda', 'GetFunction20150331v2', { functionName: fn }));
        call(W('lambda', 'UpdateFunctionCode20150331v2', { functionName: fn, imageUri: `${acct}.dkr.ecr.${region}.amazonaws.com/${repoName}:${sha.slice(0, 12)}`, publish: true, dryRun: false },
          { functionName: fn, functionArn: `arn:aws:lambda:${region}:${acct}:function:${fn}`, role: roleArn(acct, `${fn}-role`), codeSize: 0, description: '', timeout: 30, memorySize: 512, lastModified: `${iso(t).replace('Z', '.000+0000')}`, codeSha256: r.chars(43, B64) + '=', version: String(r.int(40, 90)), tracingConfig: { mode: 'PassThrough' }, revisionId: r.uuid(), state: 'Active', lastUpdateStatus: 'InProgress', lastUpdateStatusReason: 'The function is being created.', lastUpdateStatusReasonCode: 'Creating', packageType: 'Image', architectures: ['x86_64'], ephemeralStorage: { size: 512 } }));
        for (let i = 0; i < r.int(2, 4); i++) { t += step(r, 3, 10); call(R('lambda', 'GetFunctionConfiguration20150331v2', { functionName: fn })); }
        if (r.chance(0.5)) call(s3Data(r, 'PutObject', acct, region, BUCKETS[acct].artifacts, `${repo}/${sha}/sbom.spdx.json`, { bytesIn: r.int(30000, 200000) }));
      } else {
        // terraform plan/apply in dev
        const client = { acct, identity, ip, ua: (s, n) => UA.terraform(s.split('.')[0] + '#1.177.0'), tls: TLS13 };
        const call = (a, reg = region) => { emit(makeRecord(r, client, t, reg, a)); t += step(r, 0, 4); };
        call(R('sts', 'GetCallerIdentity'));
        call(s3Data(r, 'GetObject', acct, region, BUCKETS[acct].artifacts, 'terraform/dev/terraform.tfstate', { bytesOut: r.int(180000, 260000) }));
        call({ ...R('dynamodb', 'DescribeTable', { tableName: 'terraform-locks' }), resources: [{ accountId: acct, type: 'AWS::DynamoDB::Table', ARN: `arn:aws:dynamodb:${region}:${acct}:table/terraform-locks` }] });
        const keys = ['ec2:DescribeVpcs', 'ec2:DescribeSubnets', 'ec2:DescribeSecurityGroups', 'ec2:DescribeInstances', 'ec2:DescribeImages', 'ec2:DescribeNetworkInterfaces', 'iam:GetRole', 'iam:ListAttachedRolePolicies', 'iam:ListRolePolicies', 'iam:GetPolicyVersion', 'lambda:GetFunction', 'logs:DescribeLogGroups', 's3:GetBucketPolicy', 's3:GetBucketVersioning', 's3:GetBucketEncryption', 's3:GetBucketPublicAccessBlock', 's3:GetBucketAcl', 's3:GetBucketLogging', 'kms:DescribeKey', 'kms:GetKeyRotationStatus', 'ddb:DescribeTable', 'cfn:DescribeStacks'];
        const n = r.int(30, 55);
        for (let i = 0; i < n; i++) { const k = r.pick(keys); call(readCall(r, k, acct, region, t), GLOBAL_READ(k) ? 'us-east-1' : region); }
        if (r.chance(0.7)) { // apply
          t += step(r, 20, 120);
          const iid = instanceId(`${acct}:${region}:${r.int(0, 3)}`);
          call(W('ec2', 'CreateTags', { resourcesSet: { items: [{ resourceId: iid }] }, tagSet: { items: [{ key: 'ManagedBy', value: 'terraform' }, { key: 'Commit', value: r.hex(7) }] } }, { requestId: r.uuid(), _return: true }));
          call(W('iam', 'TagRole', { roleName: 'orders-processor-dev-role', tags: [{ key: 'Commit', value: r.hex(7) }] }), 'us-east-1');
          call(W('lambda', 'UpdateFunctionConfiguration20150331v2', { functionName: 'orders-processor-dev', environment: { variables: { LOG_LEVEL: r.pick(['debug', 'info']) } } }, { functionName: 'orders-processor-dev', functionArn: `arn:aws:lambda:${region}:${acct}:function:orders-processor-dev`, runtime: 'nodejs20.x', state: 'Active', lastUpdateStatus: 'InProgress', revisionId: r.uuid() }));
          call(s3Data(r, 'PutObject', acct, region, BUCKETS[acct].artifacts, 'terraform/dev/terraform.tfstate', { bytesIn: r.int(180000, 260000) }));
        }
      }
    }
  }
}

const FLEET_TICKS = periodic(new Rng('fleet'), DAY0, END, 50 * MIN, 8 * MIN);
// EC2 instances: SSM agent heartbeats, config fetches through the S3 gateway endpoint, secrets, credential refresh.
function instanceActor(acct, region, idx, role, hours = [0, 24]) {
  const r = new Rng(`inst:${acct}:${region}:${idx}`);
  const iid = instanceId(`${acct}:${region}:${idx}`);
  const ip10 = `10.${acct === PROD ? 20 : 40}.${r.int(1, 40)}.${r.int(5, 250)}`;
  const az = r.pick(AZ[region]);
  const vpce = `vpce-0${stable(`vpce:${acct}:${region}`, 16, '0123456789abcdef')}`;
  let cred = null, credUntil = 0;
  const client = () => ({ acct, identity: cred, ip: NAT[acct][region], tls: TLS13 });
  for (const t0 of FLEET_TICKS) { // the agents of one fleet check in together
    const t = t0 + r.int(0, 40) * 1000;
    const hh = new Date(t).getUTCHours();
    if (hh < hours[0] || hh >= hours[1]) continue; // stopped overnight by the sandbox scheduler
    if (t >= credUntil) { // instance profile credentials rotate about every 6 hours
      const ar = assumeRole(r, acct, role, iid, t - 5 * 60_000, { duration: 21600 });
      emit(makeRecord(r, { acct, identity: serviceIdentity('ec2.amazonaws.com'), ip: 'ec2.amazonaws.com', ua: 'ec2.amazonaws.com', tls: null }, t - 5 * MIN, region, ar.call));
      cred = sessionIdentity(acct, role, iid, { accessKeyId: ar.ak, created: t - 5 * MIN, ec2RoleDelivery: '2.0' });
      credUntil = t + r.int(5, 6) * HOUR;
    }
    const c = client();
    emit(makeRecord(r, { ...c, ua: UA.ssmAgent }, t, region, W('ssm', 'UpdateInstanceInformation', { instanceId: iid, agentVersion: '3.3.859.0', agentStatus: 'Active', platformType: 'Linux', platformName: 'Amazon Linux', platformVersion: '2023', iPAddress: ip10, computerName: `ip-${ip10.replace(/\./g, '-')}.${region === 'us-east-1' ? 'ec2.internal' : `${region}.compute.internal`}`, agentName: 'amazon-ssm-agent', availabilityZone: az, availabilityZoneId: `${region.slice(0, 2)}${region.includes('east') ? 'e1' : region.includes('west') ? 'w1' : 'c1'}-az${r.int(1, 3)}` })));
    if (r.chance(0.25)) emit(makeRecord(r, { ...c, ua: UA.ssmAgent }, t + 2000, region, R('ssm', 'ListInstanceAssociations', { instanceId: iid, maxResults: 20 })));
    if (r.chance(0.25)) { // app pulls its config object (through the VPC gateway endpoint) and decrypts it
      const bucket = BUCKETS[acct].config; const key = `${region}/app-config.json`;
      emit(makeRecord(r, { ...c, ip: ip10, ua: UA.ec2Boto, vpce: () => vpce }, t + 4000, region, s3Data(r, 'GetObject', acct, region, bucket, key, { bytesOut: r.int(3000, 9000) })));
      emit(makeRecord(r, c, t + 4000, region, { ...kmsVia(r, 'Decrypt', acct, region, 's3.amazonaws.com', { 'aws:s3:arn': `arn:aws:s3:::${bucket}/${key}` }), identity: { ...cred, invokedBy: 's3.amazonaws.com' } }));
    }
    if (r.chance(0.12)) emit(makeRecord(r, { ...c, ua: UA.ec2Boto }, t + 7000, region, R('secretsmanager', 'GetSecretValue', { secretId: `arn:aws:secretsmanager:${region}:${acct}:secret:${acct === PROD ? 'prod' : 'dev'}/orders/db-${r.chars(6, ALNUM)}` })));
    if (r.chance(0.05)) emit(makeRecord(r, { ...c, ua: UA.ec2Boto }, t + 9000, region, R('ec2', 'DescribeTags', { filterSet: ec2Filter('resource-id', iid) })));
  }
}

// Lambda functions: S3-triggered processing, credential refresh by the Lambda service, new log streams on cold start.
function lambdaActor(acct, fn, region, runtime, perHour, flow, profile = 'traffic', schedule = null) {
  const r = new Rng(`lambda:${acct}:${fn}`);
  const role = `${fn}-role`;
  let cred = null, credUntil = 0, streamUntil = 0;
  const ua = runtime.startsWith('nodejs') ? UA.lambdaNode('s3') : UA.lambdaPy;
  for (let day = 0; day < 2; day++) {
    const times = schedule // a scheduled job: one burst of invocations each morning
      ? [schedule[day], ...Array.from({ length: r.int(6, 10) }, (_, i) => schedule[day] + (i + 1) * r.int(20, 70) * 1000)]
      : sampleTimes(r, day, Math.round(perHour * 24), profile);
    for (const t of times) {
      if (t >= credUntil) {
        const ar = assumeRole(r, acct, role, fn, t - 800, { duration: 43200 });
        emit(makeRecord(r, { acct, identity: serviceIdentity('lambda.amazonaws.com'), ip: 'lambda.amazonaws.com', ua: 'lambda.amazonaws.com', tls: null }, t - 800, region, ar.call));
        cred = sessionIdentity(acct, role, fn, { accessKeyId: ar.ak, created: t - 800 });
        credUntil = t + r.int(2, 5) * HOUR;
      }
      const client = { acct, identity: cred, ip: NAT[acct][region], ua, tls: TLS13 }; // functions run in the VPC, egress through the NAT gateway
      if (t >= streamUntil) {
        emit(makeRecord(r, { ...client, ua: UA.lambdaWorker }, t - 300, region, W('logs', 'CreateLogStream', { logGroupName: `/aws/lambda/${fn}`, logStreamName: `${iso(t).slice(0, 10).replace(/-/g, '/')}/[$LATEST]${r.hex(32)}` })));
        streamUntil = t + r.int(30, 120) * MIN;
      }
      flow(r, client, t, cred);
    }
  }
}
const ordersFlow = (acct, region, inbox, outbox) => (r, c, t, cred) => {
  const day = iso(t).slice(0, 10);
  const order = r.int(4_810_000, 4_899_999);
  const key = `incoming/${day}/order-${order}.json`;
  emit(makeRecord(r, c, t, region, s3Data(r, 'GetObject', acct, region, inbox, key, { bytesOut: r.int(900, 14000) })));
  emit(makeRecord(r, c, t + 200, region, { ...kmsVia(r, 'Decrypt', acct, region, 's3.amazonaws.com', { 'aws:s3:arn': `arn:aws:s3:::${inbox}/${key}` }), identity: { ...cred, invokedBy: 's3.amazonaws.com' } }));
  if (r.chance(0.7)) {
    const out = `processed/${day}/order-${order}.parquet`;
    emit(makeRecord(r, c, t + r.int(500, 4000), region, s3Data(r, 'PutObject', acct, region, outbox, out, { bytesIn: r.int(1500, 20000) })));
  }
};
const authorizerFlow = (acct, region) => (r, c, t) => {
  emit(makeRecord(r, { ...c, ua: UA.lambdaNode('secrets-manager') }, t, region, R('secretsmanager', 'GetSecretValue', { secretId: `prod/api/jwt-signing-key` })));
};
const reportFlow = (acct, region) => (r, c, t, cred) => {
  const bucket = BUCKETS[acct].reports;
  emit(makeRecord(r, c, t, region, { ...R('dynamodb', 'DescribeTable', { tableName: 'orders' }), resources: [{ accountId: acct, type: 'AWS::DynamoDB::Table', ARN: `arn:aws:dynamodb:${region}:${acct}:table/orders` }] }));
  const key = `daily/${iso(t).slice(0, 10)}/report-${r.int(1, 9)}.pdf`;
  emit(makeRecord(r, c, t + 9000, region, s3Data(r, 'PutObject', acct, region, bucket, key, { bytesIn: r.int(60000, 400000) })));
};
const devFlow = (acct, region) => (r, c, t, cred) => {
  const key = `uploads/${r.hex(10)}.${r.pick(['png', 'jpg'])}`;
  emit(makeRecord(r, c, t, region, s3Data(r, 'GetObject', acct, region, BUCKETS[acct].sandbox, key, { bytesOut: r.int(40000, 800000) })));
  if (r.chance(0.8)) emit(makeRecord(r, c, t + r.int(800, 3000), region, s3Data(r, 'PutObject', acct, region, BUCKETS[acct].sandbox, key.replace('uploads/', 'thumbs/'), { bytesIn: r.int(4000, 40000), kms: false })));
};

// CloudTrail itself, writing prod's org-trail (SSE-KMS): data keys as it delivers, and now and then
// a check of the bucket ACL. (The dev and security trails use SSE-S3, so they leave no such calls.)
function trailServiceActor(acct) {
  const r = new Rng(`trailsvc:${acct}`);
  const { home, bucket } = TRAILS[acct];
  const client = { acct, identity: serviceIdentity('cloudtrail.amazonaws.com'), ip: 'cloudtrail.amazonaws.com', ua: 'cloudtrail.amazonaws.com', tls: null };
  // Key requests follow the account's own activity: one shortly after the first event of each hour.
  const firstOfHour = new Map();
  for (const e of events) {
    if (e.recipientAccountId !== acct || e.awsRegion !== home) continue;
    const t = Date.parse(e.eventTime), h = Math.floor(t / HOUR);
    if (!firstOfHour.has(h) || t < firstOfHour.get(h)) firstOfHour.set(h, t);
  }
  for (const t of [...firstOfHour.values()].sort((a, b) => a - b).map((x) => x + r.int(20, 150) * 1000)) {
    if (acct === PROD && (!isOrgTrailUp(t) || !isOrgTrailPresent(t))) continue; // nothing to deliver while the trail is stopped or gone
    if (r.chance(0.2)) {
      const s = s3Mgmt(r, 'GetBucketAcl', bucket, home, { acl: '' });
      s.tls = null;
      emit(makeRecord(r, client, t, home, s));
    }
    const g = kmsVia(r, 'GenerateDataKey', acct, home, 'cloudtrail.amazonaws.com', { 'aws:cloudtrail:arn': trailArn(acct), 'aws:s3:arn': `arn:aws:s3:::${bucket}/AWSLogs/${acct === SEC ? `${ORG_ID}/` : ''}${acct}/CloudTrail/${home}/${iso(t).slice(0, 10).replace(/-/g, '/')}/` }, 'cloudtrail');
    g.sharedEventID = r.uuid();
    emit(makeRecord(r, client, t + r.int(1, 30) * 1000, home, g));
  }
}

// AWS Config recorder (service-linked role) describing resources a few times a day.
function configActor(acct, regions) {
  const r = new Rng(`config:${acct}`);
  for (const region of regions) {
    for (const t0 of periodic(r, DAY0, END, 8 * HOUR, 40 * MIN)) {
      let t = t0;
      const identity = sessionIdentity(acct, 'AWSServiceRoleForConfig', 'AWSConfig-Describe', { accessKeyId: `ASIA${r.chars(16, UPPER_ALNUM)}`, created: t - 20 * MIN, path: '/aws-service-role/config.amazonaws.com/', invokedBy: 'config.amazonaws.com' });
      const client = { acct, identity, ip: 'config.amazonaws.com', ua: 'config.amazonaws.com', tls: null };
      const keys = ['ec2:DescribeInstances', 'ec2:DescribeSecurityGroups', 'ec2:DescribeVpcs', 'ec2:DescribeSubnets', 'ec2:DescribeVolumes', 'ec2:DescribeNetworkInterfaces', 'cloudtrail:DescribeTrails', 'lambda:ListFunctions', 'kms:ListKeys', 'logs:DescribeLogGroups'];
      if (region === 'us-east-1') keys.push('iam:ListRoles', 'iam:ListUsers', 'iam:ListPolicies', 's3:ListBuckets');
      for (const k of r.shuffle(keys).slice(0, r.int(4, 7))) {
        emit(makeRecord(r, client, t, GLOBAL_READ(k) ? 'us-east-1' : region, readCall(r, k, acct, region, t)));
        t += step(r, 0, 3);
      }
    }
  }
}

// Security scanner (ECS task in the security account) auditing prod and dev through SecurityAuditRole.
function scannerActor() {
  const r = new Rng('scanner');
  const taskRole = 'security-scanner-task-role';
  for (const t0 of periodic(r, DAY0 + 7 * MIN, END, 6 * HOUR, 4 * MIN)) {
    const task = r.hex(32);
    const taskIdentity = sessionIdentity(SEC, taskRole, task, { accessKeyId: `ASIA${r.chars(16, UPPER_ALNUM)}`, created: t0 - 40 * 1000 });
    for (const target of [PROD, DEV]) {
      let t = t0 + (target === DEV ? 4 * MIN : 0);
      const session = `prowler-${r.hex(8)}`;
      const ar = assumeRole(r, target, 'SecurityAuditRole', session, t, { extraParams: { externalId: 'tideline-scanner' } });
      // the same call lands in both accounts: the role's account and the caller's
      const ip = NAT[SEC]['us-east-1'];
      const requestID = r.uuid();
      emit(makeRecord(r, { acct: target, identity: { type: 'AWSAccount', principalId: `${roleId(SEC, taskRole)}:${task}`, accountId: SEC }, ip, ua: UA.scanner, tls: TLS13 }, t, 'us-east-1', { ...ar.call, requestID }));
      emit(makeRecord(r, { acct: SEC, identity: taskIdentity, ip, ua: UA.scanner, tls: TLS13 }, t, 'us-east-1', { ...ar.call, requestID, recipient: SEC }));
      const identity = sessionIdentity(target, 'SecurityAuditRole', session, { accessKeyId: ar.ak, created: t });
      const client = { acct: target, identity, ip, ua: UA.scanner, tls: TLS13 };
      const call = (region, a) => { emit(makeRecord(r, client, t, region, a)); t += step(r, 0, 4); };
      for (const k of ['iam:GetAccountSummary', 'iam:GetAccountPasswordPolicy', 'iam:ListUsers', 'iam:ListRoles', 's3:ListBuckets', 'organizations:DescribeOrganization']) if (r.chance(0.75)) call('us-east-1', readCall(r, k, target, 'us-east-1', t));
      if (r.chance(0.3)) call('us-east-1', readCall(r, 'iam:GetCredentialReport', target, 'us-east-1', t));
      if (target === PROD && r.chance(0.5)) { // bucket policy of the customer exports bucket denies everyone but the app
        const b = BUCKETS[PROD].exports;
        call('us-east-1', { ...s3Mgmt(r, 'GetBucketPolicy', b, 'us-east-1', { policy: '' }), errorCode: 'AccessDenied', errorMessage: 'Access Denied' });
      }
      for (const region of REGIONS) {
        call(region, readCall(r, 'cloudtrail:DescribeTrails', target, region, t));
        const trail = TRAILS[target];
        const arn = trailArn(target);
        const gone = target === PROD && !isOrgTrailPresent(t);
        const notFound = { errorCode: 'TrailNotFoundException', errorMessage: `Unknown trail: ${arn} for the user: ${target}` };
        if (region === 'us-east-1' || r.chance(0.5)) {
          call(region, { ...R('cloudtrail', 'GetTrailStatus', { name: arn }), ...(gone ? notFound : {}) });
          call(region, { ...R('cloudtrail', 'GetEventSelectors', { trailName: arn }), ...(gone ? notFound : {}) });
          call(region, { ...R('cloudtrail', 'GetInsightSelectors', { trailName: arn }), ...(gone ? notFound : { errorCode: 'InsightNotEnabledException', errorMessage: `Trail ${trail.name} does not have Insights enabled. Enable Insights on the trail, and try again.` }) });
        }
        for (const k of ['ec2:DescribeSecurityGroups', 'ec2:DescribeFlowLogs', 'ec2:DescribeSnapshots', 'guardduty:ListDetectors', 'config:DescribeConfigurationRecorders', 'kms:ListKeys', 'securityhub:DescribeHub']) if (r.chance(0.6)) call(region, readCall(r, k, target, region, t));
      }
    }
  }
}

// Grafana reading CloudWatch alarms and metrics in prod.
function grafanaActor() {
  const r = new Rng('grafana');
  const acct = PROD;
  const user = 'svc-reporting';
  const client = { acct, identity: iamUserIdentity(acct, user, `AKIA${stable(`ak:${acct}:${user}`, 16)}`), ip: NAT[PROD]['eu-west-1'], ua: UA.grafana, tls: TLS12 };
  for (const t of [...sampleTimes(r, 0, 14, 'work'), ...sampleTimes(r, 1, 14, 'work')]) { // dashboards refresh while someone looks at them
    const region = r.chance(0.85) ? 'us-east-1' : 'eu-west-1';
    emit(makeRecord(r, client, t, region, readCall(r, 'cloudwatch:DescribeAlarms', acct, region, t)));
    if (r.chance(0.4)) emit(makeRecord(r, client, t + 1000, region, readCall(r, 'cloudwatch:ListMetrics', acct, region, t)));
  }
}

// ---------------------------------------------------------------------------------------------
// The attack (2026-10-06, 111122223333, us-east-1)
// ---------------------------------------------------------------------------------------------
const ATTACKER_IP = '203.0.113.66';
const ATTACKER_UA = (cmd) => `aws-cli/2.13.0 Python/3.11.4 Linux/5.15.0-86-generic exe/x86_64.ubuntu.22 prompt/off command/${cmd}`;
const EVIL_BUCKET = 'ct-archive-7f3e2a91';
const ATTACK_ROLE = 'OrganizationAccountAccessRole';
const ATTACK_SESSION = 'ci-deployer';
const steps = [];
function attack() {
  const r = new Rng('attack');
  const acct = PROD, region = 'us-east-1';
  const trail = TRAILS[acct].name, arn = trailArn(acct);
  const user = iamUserIdentity(acct, 'ci-deployer', CI_DEPLOYER_AK);
  const asUser = { acct, identity: user, ip: ATTACKER_IP, ua: (s, n) => ATTACKER_UA(cliCommand(s, n)), tls: TLS12 };
  let cur = null;
  const add = (n, client, t, a, reg = region) => { const rec = emit(makeRecord(r, client, t, reg, a)); cur.records.push(rec); return rec; };
  const begin = (n, name, rules = []) => { cur = { step: n, name, rules, records: [] }; steps.push(cur); };

  begin(1, 'Discovery with the stolen ci-deployer access key');
  add(1, asUser, at(1, 2, 11, 7), R('sts', 'GetCallerIdentity'));
  add(1, asUser, at(1, 2, 11, 41), R('iam', 'ListAttachedUserPolicies', { userName: 'ci-deployer' }));
  add(1, asUser, at(1, 2, 12, 3), R('iam', 'ListRoles', null));
  add(1, asUser, at(1, 2, 13, 2), R('cloudtrail', 'DescribeTrails', { trailNameList: [], includeShadowTrails: true }));
  add(1, asUser, at(1, 2, 13, 30), R('cloudtrail', 'GetTrailStatus', { name: trail }));

  begin(2, 'Failed StopLogging as ci-deployer (AccessDenied)', ['logging_stopped']);
  add(2, asUser, at(1, 2, 14, 55), { ...W('cloudtrail', 'StopLogging', { name: arn }), ...denied(user.arn, 'cloudtrail:StopLogging', arn) });

  begin(3, `AssumeRole into ${ATTACK_ROLE}`);
  const tAssume = at(1, 2, 16, 20);
  const ar = assumeRole(r, acct, ATTACK_ROLE, ATTACK_SESSION, tAssume);
  add(3, asUser, tAssume, ar.call);
  const role = sessionIdentity(acct, ATTACK_ROLE, ATTACK_SESSION, { accessKeyId: ar.ak, created: tAssume });
  const asRole = { ...asUser, identity: role };

  begin(4, 'StopLogging on org-trail', ['logging_stopped']);
  const tStop = at(1, 2, 18, 41);
  add(4, asRole, tStop, W('cloudtrail', 'StopLogging', { name: arn }, null));
  TRAIL_OFF.start = tStop;

  begin(5, 'UpdateTrail: deliver to an attacker bucket, no log file validation, single region', ['trail_modification']);
  const base = { name: trail, includeGlobalServiceEvents: true, trailARN: arn, isOrganizationTrail: false, kmsKeyId: kmsKey(acct, region, 'cloudtrail') };
  add(5, asRole, at(1, 2, 21, 3), W('cloudtrail', 'UpdateTrail', { name: trail, s3BucketName: EVIL_BUCKET, enableLogFileValidation: false },
    { ...base, s3BucketName: EVIL_BUCKET, isMultiRegionTrail: true, logFileValidationEnabled: false }));
  add(5, asRole, at(1, 2, 22, 30), W('cloudtrail', 'UpdateTrail', { name: arn, isMultiRegionTrail: false },
    { ...base, s3BucketName: EVIL_BUCKET, isMultiRegionTrail: false, logFileValidationEnabled: false }));

  begin(6, 'PutEventSelectors: management events excluded', ['trail_modification']);
  const sel = [{ readWriteType: 'All', includeManagementEvents: false, dataResources: [], excludeManagementEventSources: [] }];
  add(6, asRole, at(1, 2, 24, 10), W('cloudtrail', 'PutEventSelectors', { trailName: trail, eventSelectors: sel }, { trailARN: arn, eventSelectors: sel }));

  begin(7, 'DeleteTrail org-trail', ['trail_deletion']);
  const tDel = at(1, 2, 26, 45);
  add(7, asRole, tDel, W('cloudtrail', 'DeleteTrail', { name: trail }, null));
  TRAIL_OFF.deleted = tDel;

  begin(8, 'Activity while the trail is down (seen by the organization trail): persistence, compute, data access');
  const newKey = `AKIA${r.chars(16, UPPER_ALNUM)}`;
  add(8, asRole, at(1, 2, 31, 12), W('iam', 'CreateAccessKey', { userName: 'svc-reporting' }, { accessKey: { userName: 'svc-reporting', accessKeyId: newKey, status: 'Active', createDate: awsDate(at(1, 2, 31, 12)) } }));
  const iid = `i-0${r.hex(16)}`;
  const ami = 'ami-0e86e20dae9224db8';
  add(8, asRole, at(1, 2, 38, 4), W('ec2', 'RunInstances',
    { instancesSet: { items: [{ imageId: ami, minCount: 4, maxCount: 4 }] }, instanceType: 'c5.4xlarge', blockDeviceMapping: {}, monitoring: { enabled: false }, disableApiTermination: false, disableApiStop: false, clientToken: r.uuid(), userData: '<sensitiveDataRemoved>' },
    { requestId: r.uuid(), reservationId: `r-0${r.hex(16)}`, ownerId: acct, groupSet: {}, instancesSet: { items: [{ instanceId: iid, imageId: ami, currentInstanceBootMode: 'legacy-bios', instanceState: { code: 0, name: 'pending' }, privateDnsName: `ip-172-31-${r.int(1, 60)}-${r.int(2, 250)}.ec2.internal`, amiLaunchIndex: 0, productCodes: {}, instanceType: 'c5.4xlarge', launchTime: at(1, 2, 38, 4), placement: { availabilityZone: 'us-east-1b', tenancy: 'default' }, monitoring: { state: 'disabled' }, subnetId: `subnet-0${r.hex(16)}`, vpcId: `vpc-0${r.hex(16)}`, privateIpAddress: `172.31.${r.int(1, 60)}.${r.int(2, 250)}`, stateReason: { code: 'pending', message: 'pending' }, architecture: 'x86_64', rootDeviceType: 'ebs', rootDeviceName: '/dev/xvda', blockDeviceMapping: {}, virtualizationType: 'hvm', hypervisor: 'xen', groupSet: { items: [{ groupId: `sg-0${r.hex(16)}`, groupName: 'default' }] }, sourceDestCheck: true, networkInterfaceSet: {}, ebsOptimized: false, enaSupport: true, cpuOptions: { coreCount: 8, threadsPerCore: 2 }, capacityReservationSpecification: { capacityReservationPreference: 'open' }, enclaveOptions: { enabled: false }, metadataOptions: { state: 'pending', httpTokens: 'optional', httpPutResponseHopLimit: 1, httpEndpoint: 'enabled', httpProtocolIpv4: 'enabled', httpProtocolIpv6: 'disabled', instanceMetadataTags: 'disabled' }, maintenanceOptions: { autoRecovery: 'default' }, privateDnsNameOptions: { hostnameType: 'ip-name', enableResourceNameDnsARecord: false, enableResourceNameDnsAAAARecord: false } }] } }));
  const exp = BUCKETS[acct].exports;
  add(8, asRole, at(1, 2, 44, 50), s3Data(r, 'ListObjects', acct, region, exp, 'exports/2026-10/', { bytesOut: 4811 }));
  for (const [k, t, size] of [['exports/2026-10/customers-full.csv.gz', at(1, 2, 45, 31), 48211934], ['exports/2026-10/payment-methods.csv.gz', at(1, 2, 47, 2), 9174402]]) {
    add(8, asRole, t, s3Data(r, 'GetObject', acct, region, exp, k, { bytesOut: size }));
  }

  begin(9, 'Tampering with the remaining log data in the trail bucket');
  const logs = TRAILS[acct].bucket;
  for (const [t, n] of [[at(1, 3, 5, 18), 1000], [at(1, 3, 5, 44), 1000], [at(1, 3, 6, 9), 412]]) {
    const a = s3Data(r, 'DeleteObjects', acct, region, logs, undefined, {});
    a.params = { bucketName: logs, Host: `${logs}.s3.${region}.amazonaws.com`, delete: '' };
    a.readOnly = false;
    a.resources = [{ accountId: acct, type: 'AWS::S3::Bucket', ARN: `arn:aws:s3:::${logs}` }];
    a.additional.bytesTransferredIn = n * 118;
    a.additional.bytesTransferredOut = n * 131;
    add(9, asRole, t, a);
  }
  const lc = s3Mgmt(r, 'PutBucketLifecycle', logs, region, { lifecycle: '', LifecycleConfiguration: { xmlns: 'http://s3.amazonaws.com/doc/2006-03-01/', Rule: { ID: 'cleanup', Status: 'Enabled', Filter: { Prefix: '' }, Expiration: { Days: 1 } } } }, null, false);
  add(9, asRole, at(1, 3, 12, 37), lc);
  add(9, asRole, at(1, 3, 24, 5), R('ec2', 'DescribeInstances', { instancesSet: { items: [{ instanceId: iid }] }, filterSet: {} }));
  return { iid, newKey };
}

// The morning after: the team notices, restores the trail and cleans up (benign; near misses for the rules).
const response = { records: [] };
function incidentResponse({ iid, newKey }) {
  const r = new Rng('response');
  const acct = PROD, region = 'us-east-1';
  const h = HUMANS[0];
  let t = RESPONSE_T;
  const identity = sessionIdentity(acct, h.role, h.name, { accessKeyId: `ASIA${r.chars(16, UPPER_ALNUM)}`, created: t - 3 * MIN, path: SSO_PATH });
  const client = { acct, identity, ip: h.ips[0], ua: (s, n) => UA.cliMac(cliCommand(s, n)), tls: TLS13 };
  const trail = TRAILS[acct].name, arn = trailArn(acct), logs = TRAILS[acct].bucket;
  const add = (a, reg = region) => { const rec = emit(makeRecord(r, client, t, reg, a)); response.records.push(rec); t += step(r, 15, 120); return rec; };
  add(R('sts', 'GetCallerIdentity'));
  add(R('cloudtrail', 'DescribeTrails', { includeShadowTrails: false }));
  add(R('cloudtrail', 'LookupEvents', { lookupAttributes: [{ attributeKey: 'Username', attributeValue: 'ci-deployer' }], startTime: awsDate(at(1, 0, 0)), endTime: awsDate(t), maxResults: 50 }));
  add(R('iam', 'ListAccessKeys', { userName: 'ci-deployer' }));
  add(W('iam', 'UpdateAccessKey', { userName: 'ci-deployer', accessKeyId: CI_DEPLOYER_AK, status: 'Inactive' }));
  add(R('iam', 'ListAccessKeys', { userName: 'svc-reporting' }));
  add(W('iam', 'DeleteAccessKey', { userName: 'svc-reporting', accessKeyId: newKey }));
  add(W('ec2', 'TerminateInstances', { instancesSet: { items: [{ instanceId: iid }] } }, { requestId: r.uuid(), instancesSet: { items: [{ instanceId: iid, currentState: { code: 32, name: 'shutting-down' }, previousState: { code: 16, name: 'running' } }] } }));
  add(s3Mgmt(r, 'DeleteBucketLifecycle', logs, region, { lifecycle: '' }, null, false));
  const created = add(W('cloudtrail', 'CreateTrail', { name: trail, s3BucketName: logs, includeGlobalServiceEvents: true, isMultiRegionTrail: true, enableLogFileValidation: true, kmsKeyId: kmsKey(acct, region, 'cloudtrail'), isOrganizationTrail: false },
    { name: trail, s3BucketName: logs, includeGlobalServiceEvents: true, isMultiRegionTrail: true, trailARN: arn, logFileValidationEnabled: true, kmsKeyId: kmsKey(acct, region, 'cloudtrail'), isOrganizationTrail: false }));
  TRAIL_OFF.recreated = Date.parse(created.eventTime);
  const started = add(W('cloudtrail', 'StartLogging', { name: arn }, null));
  TRAIL_OFF.end = Date.parse(started.eventTime);
  add(R('cloudtrail', 'GetTrailStatus', { name: arn }));
  add(R('cloudtrail', 'GetEventSelectors', { trailName: trail }));
}

// ---------------------------------------------------------------------------------------------
// Build
// ---------------------------------------------------------------------------------------------
const attackOut = attack();
incidentResponse(attackOut); // before the noise: the noise reacts to the trail being stopped and restored

HUMANS.forEach(humanActor);
jenkinsActor();
githubActor(PROD, 'GitHubActionsDeployRole', 'orders-service', [5, 4]);
githubActor(DEV, 'TerraformDeployRole', 'infrastructure', [2, 3]);
instanceActor(PROD, 'us-east-1', 0, 'prod-web-ec2-role');
instanceActor(PROD, 'us-east-1', 1, 'prod-web-ec2-role');
instanceActor(DEV, 'eu-west-1', 0, 'dev-app-ec2-role', [7, 19]);
lambdaActor(PROD, 'orders-processor', 'us-east-1', 'nodejs20.x', 2.6, ordersFlow(PROD, 'us-east-1', BUCKETS[PROD].inbox, BUCKETS[PROD].processed));
lambdaActor(PROD, 'api-authorizer', 'us-east-1', 'nodejs20.x', 0.6, authorizerFlow(PROD, 'us-east-1'));
lambdaActor(PROD, 'report-generator', 'eu-west-1', 'python3.12', 0, reportFlow(PROD, 'eu-west-1'), 'traffic', [at(0, 5, 0, 12), at(1, 5, 0, 9)]);
lambdaActor(DEV, 'image-resizer-dev', 'eu-west-1', 'python3.12', 0.6, devFlow(DEV, 'eu-west-1'), 'work');
configActor(PROD, ['us-east-1', 'eu-west-1']);
configActor(SEC, ['us-east-1']);
scannerActor();
grafanaActor();
trailServiceActor(PROD); // last: it follows the others' activity

// Keep the two days only (credential refreshes and failed sign-ins can fall just before midnight).
{ const kept = events.filter((e) => e.eventTime >= iso(DAY0) && e.eventTime < iso(END)); events.length = 0; events.push(...kept); }
// Sanity: unique eventIDs, no trail tampering in the noise.
const attackIds = new Set(steps.flatMap((s) => s.records.map((x) => x.eventID)));
const seen = new Set();
const FORBIDDEN = new Set(['StopLogging', 'UpdateTrail', 'PutEventSelectors', 'PutInsightSelectors', 'DeleteTrail']);
for (const e of events) {
  if (seen.has(e.eventID)) throw new Error(`duplicate eventID ${e.eventID}`);
  seen.add(e.eventID);
  if (e.eventSource === 'cloudtrail.amazonaws.com' && FORBIDDEN.has(e.eventName) && !attackIds.has(e.eventID)) throw new Error(`noise contains ${e.eventName}`);
  if (e.eventTime < iso(DAY0) || e.eventTime >= iso(END)) throw new Error(`event outside the window: ${e.eventTime}`);
}

// Delivery: per account/region, one file per 5-15 minute window that saw events, named after the
// delivery minute (a few minutes after the window closes), records shuffled within the file.
const lr = new Rng('layout');
const streams = new Map();
for (const e of events) {
  const k = `${e.recipientAccountId}|${e.awsRegion}`;
  if (!streams.has(k)) streams.set(k, []);
  streams.get(k).push(e);
}
rmSync(OUT, { recursive: true, force: true });
let files = 0, bytes = 0;
const sha256 = (b) => createHash('sha256').update(b).digest('hex');
const deliveredFiles = []; // every log file: account, region, delivery time, S3 key, SHA-256 of the uncompressed content
const pad = (n) => String(n).padStart(2, '0');
for (const k of [...streams.keys()].sort()) {
  const [acct, region] = k.split('|');
  const list = streams.get(k).sort((a, b) => (a.eventTime < b.eventTime ? -1 : a.eventTime > b.eventTime ? 1 : 0));
  let i = 0;
  for (let ws = DAY0; i < list.length; ) {
    const we = ws + lr.int(7, 15) * MIN; // delivery window
    const batch = [];
    while (i < list.length && Date.parse(list[i].eventTime) < we) batch.push(list[i++]);
    if (batch.length) {
      const delivered = new Date(we + lr.int(1, 4) * MIN + lr.int(0, 59) * 1000);
      const y = delivered.getUTCFullYear(), m = pad(delivered.getUTCMonth() + 1), d = pad(delivered.getUTCDate());
      const stamp = `${y}${m}${d}T${pad(delivered.getUTCHours())}${pad(delivered.getUTCMinutes())}Z`;
      const dir = join(OUT, 'AWSLogs', acct, 'CloudTrail', region, String(y), m, d);
      mkdirSync(dir, { recursive: true });
      const body = JSON.stringify({ Records: lr.shuffle(batch) });
      const gz = gzipSync(body, { level: 9, memLevel: 9, strategy: zc.Z_DEFAULT_STRATEGY });
      const name = `${acct}_CloudTrail_${region}_${stamp}_${lr.chars(16, ALNUM)}.json.gz`;
      writeFileSync(join(dir, name), gz);
      const times = batch.map((e) => e.eventTime).sort();
      deliveredFiles.push({ acct, region, at: delivered.getTime(), key: `AWSLogs/${acct}/CloudTrail/${region}/${y}/${m}/${d}/${name}`, hash: sha256(body), oldest: times[0], newest: times.at(-1) });
      files++; bytes += gz.length;
    }
    ws = we;
  }
}

// Digests: one per account and region per hour (even with no log file), windows of delivery time chained
// back to a starting digest at the beginning of the sample.
const KEY_FILE = join(ROOT, 'scripts', 'sample-trail-digest-key.TEST-ONLY.pem');
const PUBLIC_KEYS = join(ROOT, 'content', 'samples', 'cloudtrail-public-keys.json');
const privateKey = createPrivateKey(readFileSync(KEY_FILE, 'utf8'));
const publicDer = createPublicKey(privateKey).export({ type: 'pkcs1', format: 'der' });
const FINGERPRINT = createHash('md5').update(publicDer).digest('hex'); // how AWS fingerprints its keys
const lastDelivery = Math.max(...deliveredFiles.map((f) => f.at));
let digests = 0;
const digestStamp = (ms) => iso(ms).replace(/[-:]/g, '');
for (const acct of Object.keys(TRAILS).sort()) {
  const { name: trailName, home, bucket } = TRAILS[acct];
  for (const region of [...REGIONS].sort()) {
    const dr = new Rng(`digest:${acct}:${region}`);
    const mine = deliveredFiles.filter((f) => f.acct === acct && f.region === region).sort((a, b) => a.at - b.at);
    let prev = null;
    let lastPath = null;
    for (let end = DAY0 + dr.int(60, 3540) * 1000; end - HOUR <= lastDelivery; end += HOUR) {
      const start = end - HOUR;
      const listed = mine.filter((f) => f.at >= start && f.at < end);
      const e = new Date(end);
      const y = e.getUTCFullYear(), m = pad(e.getUTCMonth() + 1), d = pad(e.getUTCDate());
      const key = `AWSLogs/${acct}/CloudTrail-Digest/${region}/${y}/${m}/${d}/${acct}_CloudTrail-Digest_${region}_${trailName}_${home}_${digestStamp(end)}.json.gz`;
      const times = listed.flatMap((f) => [f.oldest, f.newest]).sort();
      const digest = {
        awsAccountId: acct,
        digestStartTime: iso(start),
        digestEndTime: iso(end),
        digestS3Bucket: bucket,
        digestS3Object: key,
        digestPublicKeyFingerprint: FINGERPRINT,
        digestSignatureAlgorithm: 'SHA256withRSA',
        newestEventTime: times.length ? times.at(-1) : null,
        oldestEventTime: times.length ? times[0] : null,
        previousDigestS3Bucket: prev ? bucket : null,
        previousDigestS3Object: prev ? prev.key : null,
        previousDigestHashValue: prev ? prev.hash : null,
        previousDigestHashAlgorithm: prev ? 'SHA-256' : null,
        previousDigestSignature: prev ? prev.signature : null,
        logFiles: listed.map((f) => ({ s3Bucket: bucket, s3Object: f.key, hashValue: f.hash, hashAlgorithm: 'SHA-256', newestEventTime: f.newest, oldestEventTime: f.oldest })),
      };
      const body = JSON.stringify(digest);
      const hash = sha256(body);
      // The data-signing string: end time, bucket/key, SHA-256 of the uncompressed digest, previous signature.
      const signing = `${digest.digestEndTime}\n${bucket}/${key}\n${hash}\n${prev ? prev.signature : 'null'}`;
      const signature = sign('sha256', Buffer.from(signing, 'utf8'), privateKey).toString('hex');
      const path = join(OUT, key);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, gzipSync(body, { level: 9, memLevel: 9, strategy: zc.Z_DEFAULT_STRATEGY }));
      digests++;
      prev = { key, hash, signature };
      lastPath = path;
    }
    // S3 keeps a digest's signature as metadata (x-amz-meta-signature): saved for the newest digest of the chain.
    writeFileSync(`${lastPath}.sig`, `${prev.signature}\n`);
  }
}
const listedCount = deliveredFiles.length;
writeFileSync(PUBLIC_KEYS, JSON.stringify({ PublicKeyList: [{ Value: publicDer.toString('base64'), ValidityStartTime: '2026-09-01T00:00:00+00:00', ValidityEndTime: '2027-09-01T00:00:00+00:00', Fingerprint: FINGERPRINT }] }, null, 4) + '\n');

// Manifest
const RULE_IDS = { logging_stopped: 'b1315214-edda-4aba-be40-f8032165a3d5', trail_deletion: '3f89bed1-d9e3-4935-beaa-82b29cddbdd8', trail_modification: '2eb86d58-89aa-4018-8890-5efeaca5c79f' };
const expected = {};
for (const s of steps) for (const rule of s.rules) {
  const id = RULE_IDS[rule];
  expected[id] ??= [];
  for (const x of s.records) if (x.eventSource === 'cloudtrail.amazonaws.com') expected[id].push(x.eventID);
}
const manifest = {
  description: 'Attack chain of the advisory "AWS CloudTrail Logging Disabled or Modified" played out in the bundled sample trail (content/samples/cloudtrail, built by scripts/build-sample-trail.mjs): '
    + 'on 2026-10-06 between 02:11 and 03:25 UTC, in account 111122223333 / us-east-1, an attacker with the stolen long-term access key of the IAM user ci-deployer, from 203.0.113.66, '
    + 'discovers, fails to stop logging, assumes OrganizationAccountAccessRole, then stops, reconfigures, blinds and deletes the trail org-trail, and acts while it believes it is unlogged '
    + '(events still recorded by the organization trail). eventIDs and eventNames are parallel arrays. expectedDetections lists, per bundled rule id, every eventID in the sample it must match '
    + '(the everyday noise contains no StopLogging, UpdateTrail, PutEventSelectors, PutInsightSelectors or DeleteTrail). response lists the benign incident-response events of the same morning.',
  account: PROD,
  region: 'us-east-1',
  trail: trailArn(PROD),
  attacker: { sourceIPAddress: ATTACKER_IP, userAgentPrefix: 'aws-cli/2.13.0 Python/3.11.4 Linux/5.15.0-86-generic', userName: 'ci-deployer', accessKeyId: CI_DEPLOYER_AK, assumedRole: roleArn(PROD, ATTACK_ROLE), sessionName: ATTACK_SESSION },
  window: { start: steps[0].records[0].eventTime, end: steps.at(-1).records.at(-1).eventTime },
  steps: steps.map((s) => ({ step: s.step, name: s.name, eventIDs: s.records.map((x) => x.eventID), eventNames: s.records.map((x) => x.eventName), ...(s.rules.length ? { ruleIds: s.rules.map((x) => RULE_IDS[x]) } : {}) })),
  expectedDetections: expected,
  response: { name: 'Incident response: key disabled, trail recreated, logging restarted (benign)', eventIDs: response.records.map((x) => x.eventID), eventNames: response.records.map((x) => x.eventName) },
  totals: { events: events.length, files },
};
writeFileSync(MANIFEST, JSON.stringify(manifest, null, 2) + '\n');
console.error(`wrote ${events.length} events (${attackIds.size} attack) in ${files} files, ${(bytes / 1024).toFixed(0)} KiB gzip, under ${relative(ROOT, OUT)}; manifest ${relative(ROOT, MANIFEST)}`);
console.error(`wrote ${digests} signed digests listing ${listedCount} log files; public key ${FINGERPRINT} in ${relative(ROOT, PUBLIC_KEYS)}`);
