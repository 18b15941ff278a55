/**
 * Benign background activity mixed into a simulation, so that a rule's alert on it is a real false positive.
 *
 * Six actors do everyday things in the account: a CI deploy role (GitHub Actions over OIDC) reading the estate,
 * an EC2 instance role (SSM agent, config object, secret), a Lambda function role (S3 in and out), a human console
 * user signed in with MFA, the AWS Config recorder, and CloudTrail itself delivering logs. Each actor's call
 * templates are listed below in plain form. A template is dropped when a step of the simulated attack makes the
 * same call (same eventSource and eventName): the noise never contains the attack's own event names.
 */
import {
  accessKey, awsDate, AWS_INTERNAL_SOURCES, type CallSpec, cliCommand, type Client, defaultHost, detectorId, HOUR, iamUserConsoleIdentity, iso,
  kmsKeyArn, makeRecord, MINUTE, type Rec, readOnlyOf, roleArn, SECOND, serviceIdentity, sessionIdentity, sessionToken, TLS13, UA, userId,
} from './aws.js';
import { Rng, stable } from './rng.js';

export interface NoiseContext {
  acct: string;
  region: string;
  t: number;
}

/** One kind of call an actor makes. `make` returns the call's details; source and name are fixed by the template. */
export interface NoiseTemplate {
  source: string;
  name: string;
  make?: (r: Rng, c: NoiseContext) => Partial<CallSpec>;
  /** An AWS service makes this call for the actor (credential delivery: ec2.amazonaws.com, lambda.amazonaws.com). */
  byService?: string;
}

export interface NoiseActor {
  name: string;
  /** Relative share of the noise events. */
  weight: number;
  /** How long a session lasts; the actor then starts a new one (new key, opener again). */
  sessionHours: number;
  /** First call of the actor's session (sign-in or credential delivery), if it has one. */
  opener?: NoiseTemplate;
  calls: NoiseTemplate[];
  /** The client the actor's calls come from; `created` is when its session began. */
  client: (r: Rng, c: NoiseContext, created: number) => Client;
}

const src = (svc: string) => `${svc}.amazonaws.com`;
/** A call template: `call('ec2', 'DescribeVpcs', () => ({ vpcSet: {}, filterSet: {} }))`. */
const call = (svc: string, name: string, params?: (r: Rng, c: NoiseContext) => unknown, more?: (r: Rng, c: NoiseContext) => Partial<CallSpec>): NoiseTemplate => ({
  source: src(svc),
  name,
  make: (r, c) => ({ params: params ? params(r, c) : null, ...(more ? more(r, c) : {}) }),
});

// Names in the estate the noise talks about.
const BUCKETS = {
  config: (a: string) => `prod-app-config-${a}`,
  inbox: (a: string) => `prod-orders-inbox-${a}`,
  processed: (a: string) => `prod-orders-processed-${a}`,
  artifacts: (a: string) => `prod-deploy-artifacts-${a}`,
  // The trail bucket name the bundled advisory uses (and the sample trail), so the built-in trail timeline links them.
  trail: (a: string) => `cloudtrail-logs-${a}`,
};
const ROLES = ['GitHubActionsDeployRole', 'app-ec2-role', 'orders-processor-role', 'AWSServiceRoleForConfig'];
const STACKS = ['orders-service-prod', 'web-frontend-prod', 'shared-network-prod'];
const FUNCTIONS = ['orders-processor', 'api-authorizer', 'report-generator'];
const instanceIdOf = (acct: string) => `i-0${stable(`inst:${acct}`, 16, '0123456789abcdef')}`;
const LOG_GROUPS = ['/aws/lambda/orders-processor', '/aws/lambda/api-authorizer', '/ecs/web-frontend'];
const GHA_PROVIDER = (acct: string) => `arn:aws:iam::${acct}:oidc-provider/token.actions.githubusercontent.com`;
const GHA_SUBJECT = 'repo:tideline-example/orders-service:ref:refs/heads/main';

const s3Bucket = (bucket: (a: string) => string, extra: Rec = {}) => (_r: Rng, c: NoiseContext) => ({
  bucketName: bucket(c.acct), Host: `${bucket(c.acct)}.s3.${c.region}.amazonaws.com`, ...extra,
});
const s3Object = (bucket: (a: string) => string, key: (r: Rng, c: NoiseContext) => string) => (r: Rng, c: NoiseContext) => ({
  bucketName: bucket(c.acct), Host: `${bucket(c.acct)}.s3.${c.region}.amazonaws.com`, key: key(r, c),
});
/** A service credential delivery: the service assumes the actor's role (logged as sts AssumeRole by an AWS service). */
const serviceAssumeRole = (service: string, role: string, session: (c: NoiseContext) => string, duration: number): NoiseTemplate => ({
  source: src('sts'),
  name: 'AssumeRole',
  byService: service,
  make: (_r, c) => ({ params: { roleArn: roleArn(c.acct, role), roleSessionName: session(c), durationSeconds: duration } }),
});
const viaService = (service: string): Partial<CallSpec> => ({ ip: service, ua: service, tls: null });

// ---------------------------------------------------------------------------------------------
// The actors and their calls
// ---------------------------------------------------------------------------------------------
export const NOISE_ACTORS: NoiseActor[] = [
  {
    name: 'CI deploy role (GitHub Actions over OIDC) describing the estate',
    weight: 3,
    sessionHours: 1,
    opener: {
      source: src('sts'),
      name: 'AssumeRoleWithWebIdentity',
      make: (_r, c) => ({
        identity: { type: 'WebIdentityUser', principalId: `${GHA_PROVIDER(c.acct)}:sts.amazonaws.com:${GHA_SUBJECT}`, userName: GHA_SUBJECT, identityProvider: GHA_PROVIDER(c.acct) },
        ua: UA.ghaConfigure,
        params: { roleArn: roleArn(c.acct, 'GitHubActionsDeployRole'), roleSessionName: 'GitHubActions', durationSeconds: 3600 },
        additional: { identityProviderConnectionVerificationMethod: 'IAMTrustStore' },
      }),
    },
    calls: [
      call('sts', 'GetCallerIdentity'),
      call('ec2', 'DescribeInstances', (r) => ({ instancesSet: {}, filterSet: r.chance(0.5) ? { items: [{ name: 'instance-state-name', valueSet: { items: [{ value: 'running' }] } }] } : {} })),
      call('ec2', 'DescribeSecurityGroups', () => ({ securityGroupSet: {}, securityGroupIdSet: {}, filterSet: {} })),
      call('ec2', 'DescribeVpcs', () => ({ vpcSet: {}, filterSet: {} })),
      call('ec2', 'DescribeSubnets', () => ({ subnetSet: {}, filterSet: {} })),
      call('iam', 'GetRole', (r) => ({ roleName: r.pick(ROLES) })),
      call('iam', 'ListAttachedRolePolicies', (r) => ({ roleName: r.pick(ROLES) })),
      call('s3', 'ListBuckets', (_r, c) => ({ Host: defaultHost('s3.amazonaws.com', c.region) })),
      call('s3', 'GetBucketPolicy', s3Bucket(BUCKETS.artifacts, { policy: '' })),
      call('s3', 'GetBucketVersioning', s3Bucket(BUCKETS.artifacts, { versioning: '' })),
      call('cloudformation', 'DescribeStacks', (r) => ({ stackName: r.pick(STACKS) })),
      call('cloudformation', 'DescribeStackEvents', (r) => ({ stackName: r.pick(STACKS) })),
      call('lambda', 'GetFunction20150331v2', (r) => ({ functionName: r.pick(FUNCTIONS) })),
      call('lambda', 'ListFunctions20150331', () => ({ functionVersion: 'ALL' })),
      call('ecr', 'GetAuthorizationToken'),
      call('ecr', 'DescribeRepositories'),
      call('logs', 'DescribeLogGroups', () => ({ logGroupNamePrefix: '/aws/lambda/' })),
      call('ssm', 'GetParametersByPath', () => ({ path: '/prod/orders/', recursive: true, withDecryption: false })),
    ],
    client: (r, c, created) => ({
      acct: c.acct,
      identity: sessionIdentity(c.acct, 'GitHubActionsDeployRole', 'GitHubActions', { accessKeyId: accessKey(r, 'ASIA'), created, webId: GHA_PROVIDER(c.acct) }),
      ip: `192.0.2.${r.int(10, 250)}`,
      ua: (s, n) => UA.gha(cliCommand(s, n)),
      tls: TLS13,
    }),
  },
  {
    name: 'EC2 instance role: SSM agent heartbeats, app config and secrets',
    weight: 3,
    sessionHours: 6,
    opener: serviceAssumeRole('ec2.amazonaws.com', 'app-ec2-role', (c) => instanceIdOf(c.acct), 21600),
    calls: [
      call('ssm', 'UpdateInstanceInformation', (_r, c) => ({ instanceId: instanceIdOf(c.acct), agentVersion: '3.3.859.0', agentStatus: 'Active', platformType: 'Linux', platformName: 'Amazon Linux', platformVersion: '2023', agentName: 'amazon-ssm-agent' }), () => ({ ua: UA.ssmAgent })),
      call('ssm', 'ListInstanceAssociations', (_r, c) => ({ instanceId: instanceIdOf(c.acct), maxResults: 20 }), () => ({ ua: UA.ssmAgent })),
      call('s3', 'GetObject', s3Object(BUCKETS.config, (_r, c) => `${c.region}/app-config.json`), () => ({ ua: UA.ec2Boto })),
      call('secretsmanager', 'GetSecretValue', (_r, c) => ({ secretId: `arn:aws:secretsmanager:${c.region}:${c.acct}:secret:prod/orders/db-${stable(`secret:${c.acct}`, 6, 'abcdefghijklmnopqrstuvwxyz')}` }), () => ({ ua: UA.ec2Boto })),
      call('ec2', 'DescribeTags', (_r, c) => ({ filterSet: { items: [{ name: 'resource-id', valueSet: { items: [{ value: instanceIdOf(c.acct) }] } }] } }), () => ({ ua: UA.ec2Boto })),
      call('kms', 'Decrypt', (_r, c) => ({ encryptionContext: { 'aws:s3:arn': `arn:aws:s3:::${BUCKETS.config(c.acct)}/${c.region}/app-config.json` }, encryptionAlgorithm: 'SYMMETRIC_DEFAULT' }), () => viaService('s3.amazonaws.com')),
    ],
    client: (r, c, created) => ({
      acct: c.acct,
      identity: sessionIdentity(c.acct, 'app-ec2-role', instanceIdOf(c.acct), { accessKeyId: accessKey(r, 'ASIA'), created, ec2RoleDelivery: '2.0' }),
      ip: '198.51.100.201', // the VPC's NAT gateway
      ua: UA.ec2Boto,
      tls: TLS13,
    }),
  },
  {
    name: 'Lambda function role: orders in from S3, results out to S3',
    weight: 3,
    sessionHours: 4,
    opener: serviceAssumeRole('lambda.amazonaws.com', 'orders-processor-role', () => 'orders-processor', 43200),
    calls: [
      call('logs', 'CreateLogStream', (r, c) => ({ logGroupName: '/aws/lambda/orders-processor', logStreamName: `${iso(c.t).slice(0, 10).replace(/-/g, '/')}/[$LATEST]${r.hex(32)}` }), () => ({ ua: UA.lambdaWorker })),
      call('s3', 'GetObject', s3Object(BUCKETS.inbox, (r, c) => `incoming/${iso(c.t).slice(0, 10)}/order-${r.int(4_810_000, 4_899_999)}.json`)),
      call('s3', 'PutObject', s3Object(BUCKETS.processed, (r, c) => `processed/${iso(c.t).slice(0, 10)}/order-${r.int(4_810_000, 4_899_999)}.parquet`)),
      call('kms', 'GenerateDataKey', (_r, c) => ({ keyId: kmsKeyArn(c.acct, c.region, 's3'), encryptionContext: { 'aws:s3:arn': `arn:aws:s3:::${BUCKETS.processed(c.acct)}` }, keySpec: 'AES_256' }), () => viaService('s3.amazonaws.com')),
      call('dynamodb', 'DescribeTable', () => ({ tableName: 'orders' })),
    ],
    client: (r, c, created) => ({
      acct: c.acct,
      identity: sessionIdentity(c.acct, 'orders-processor-role', 'orders-processor', { accessKeyId: accessKey(r, 'ASIA'), created }),
      ip: '198.51.100.201',
      ua: UA.lambdaNode('s3'),
      tls: TLS13,
    }),
  },
  {
    name: 'Human console user (IAM user dana, signed in with MFA) looking around',
    weight: 2,
    sessionHours: 8,
    opener: {
      source: src('signin'),
      name: 'ConsoleLogin',
      make: (r, c) => ({
        identity: { type: 'IAMUser', principalId: userId(c.acct, 'dana'), arn: `arn:aws:iam::${c.acct}:user/dana`, accountId: c.acct, userName: 'dana' },
        ua: UA.chromeMac,
        params: null,
        readOnly: false,
        eventType: 'AwsConsoleSignIn',
        response: { ConsoleLogin: 'Success' },
        additional: { LoginTo: `https://console.aws.amazon.com/console/home?hashArgs=%23&isauthcode=true&state=hashArgsFromTB_${c.region}_${r.hex(16)}`, MobileVersion: 'No', MFAUsed: 'Yes' },
        tls: null,
        console: false,
      }),
    },
    calls: [
      call('ec2', 'DescribeInstances', () => ({ instancesSet: {}, filterSet: {} })),
      call('ec2', 'DescribeInstanceStatus', () => ({ instancesSet: {}, filterSet: {}, includeAllInstances: false })),
      call('monitoring', 'DescribeAlarms', () => ({ stateValue: 'ALARM', maxRecords: 100 })),
      call('logs', 'DescribeLogGroups', () => ({ limit: 50 })),
      call('logs', 'FilterLogEvents', (r, c) => ({ logGroupName: r.pick(LOG_GROUPS), startTime: c.t - 3 * HOUR, endTime: c.t, filterPattern: r.pick(['ERROR', '"Task timed out"']), interleaved: true })),
      call('lambda', 'ListFunctions20150331', () => ({ functionVersion: 'ALL' })),
      call('s3', 'ListBuckets', (_r, c) => ({ Host: defaultHost('s3.amazonaws.com', c.region) }), () => ({ ua: UA.s3Console })),
      call('cloudtrail', 'LookupEvents', (r, c) => ({ lookupAttributes: [{ attributeKey: 'EventName', attributeValue: r.pick(['ConsoleLogin', 'RunInstances', 'UpdateFunctionCode20150331v2']) }], startTime: awsDate(c.t - 24 * HOUR), endTime: awsDate(c.t), maxResults: 50 })),
      call('cloudformation', 'ListStacks', () => ({ stackStatusFilter: ['CREATE_COMPLETE', 'UPDATE_COMPLETE'] })),
      call('health', 'DescribeEventAggregates', () => ({ aggregateField: 'eventTypeCategory', filter: { eventStatusCodes: ['open', 'upcoming'] } })),
      call('ce', 'GetCostAndUsage', (_r, c) => ({ timePeriod: { start: iso(c.t).slice(0, 8) + '01', end: iso(c.t).slice(0, 10) }, granularity: 'MONTHLY', metrics: ['UnblendedCost'] })),
      call('ec2', 'CreateTags', (r, c) => ({ resourcesSet: { items: [{ resourceId: instanceIdOf(c.acct) }] }, tagSet: { items: [{ key: r.pick(['Owner', 'CostCenter']), value: r.pick(['platform', 'cc-4410']) }] } })),
    ],
    client: (r, c, created) => ({
      acct: c.acct,
      identity: iamUserConsoleIdentity(c.acct, 'dana', accessKey(r, 'ASIA'), created, true),
      ip: '198.51.100.14',
      ua: UA.chromeMac,
      tls: TLS13,
      console: true,
    }),
  },
  {
    name: 'AWS Config recorder (service-linked role) describing resources',
    weight: 1,
    sessionHours: 1,
    calls: [
      call('ec2', 'DescribeInstances', () => ({ instancesSet: {}, filterSet: {} })),
      call('ec2', 'DescribeSecurityGroups', () => ({ securityGroupSet: {}, securityGroupIdSet: {}, filterSet: {} })),
      call('ec2', 'DescribeVolumes', () => ({ volumeSet: {}, filterSet: {} })),
      call('cloudtrail', 'DescribeTrails', () => ({ trailNameList: [], includeShadowTrails: true })),
      call('iam', 'ListRoles', () => ({ maxItems: 1000 })),
      call('lambda', 'ListFunctions20150331', () => ({ functionVersion: 'ALL' })),
      call('kms', 'ListKeys', () => ({ limit: 1000 })),
      call('logs', 'DescribeLogGroups', () => ({ limit: 50 })),
      call('guardduty', 'GetDetector', (_r, c) => ({ detectorId: detectorId(c.acct, c.region) })),
    ],
    client: (r, c, created) => ({
      acct: c.acct,
      identity: sessionIdentity(c.acct, 'AWSServiceRoleForConfig', 'AWSConfig-Describe', { accessKeyId: accessKey(r, 'ASIA'), created: created - 20 * MINUTE, path: '/aws-service-role/config.amazonaws.com/', invokedBy: 'config.amazonaws.com' }),
      ip: 'config.amazonaws.com',
      ua: 'config.amazonaws.com',
      tls: null,
    }),
  },
  {
    name: 'CloudTrail delivering log files (data keys, bucket ACL check)',
    weight: 1,
    sessionHours: 24,
    calls: [
      call('kms', 'GenerateDataKey', (_r, c) => ({ keyId: kmsKeyArn(c.acct, c.region, 'cloudtrail'), encryptionContext: { 'aws:cloudtrail:arn': `arn:aws:cloudtrail:${c.region}:${c.acct}:trail/management-events`, 'aws:s3:arn': `arn:aws:s3:::${BUCKETS.trail(c.acct)}/AWSLogs/${c.acct}/CloudTrail/${c.region}/${iso(c.t).slice(0, 10).replace(/-/g, '/')}/` }, keySpec: 'AES_256' }), (r) => ({ sharedEventID: r.uuid() })),
      call('s3', 'GetBucketAcl', s3Bucket(BUCKETS.trail, { acl: '' })),
    ],
    client: (_r, c) => ({ acct: c.acct, identity: serviceIdentity('cloudtrail.amazonaws.com'), ip: 'cloudtrail.amazonaws.com', ua: 'cloudtrail.amazonaws.com', tls: null }),
  },
];

const pairOf = (source: string, name: string) => `${source}|${name}`;

export interface NoiseOptions {
  seed: string;
  account: string;
  region: string;
  from: number;
  to: number;
  count: number;
  /** `eventSource|eventName` pairs the noise must not contain (the attack's calls). */
  forbidden: ReadonlySet<string>;
  /** Completes a call into a record's service part (shared with the attack, so noise looks the same). */
  describe: (r: Rng, c: NoiseContext, source: string, name: string, params: unknown) => CallSpec;
}

/** `count` benign records spread uniformly over [from, to], in time order. */
export function generateNoise(o: NoiseOptions): Rec[] {
  if (o.count <= 0) return [];
  const r = new Rng(o.seed, 'noise');
  const allowed = (t: NoiseTemplate) => !o.forbidden.has(pairOf(t.source, t.name));
  const actors = NOISE_ACTORS.map((a) => ({ a, calls: a.calls.filter(allowed), opener: a.opener && allowed(a.opener) ? a.opener : undefined })).filter((x) => x.calls.length > 0);
  if (actors.length === 0) throw new Error('simulate: every noise call template is also an attack call; cannot make noise');
  const span = Math.max(0, Math.floor((o.to - o.from) / SECOND));
  const times = Array.from({ length: o.count }, () => o.from + r.int(0, span) * SECOND).sort((x, y) => x - y);
  const sessions = new Map<NoiseActor, { client: Client; until: number }>();
  const out: Rec[] = [];
  for (const t of times) {
    const { a, calls, opener } = r.weighted(actors.map((x) => [x.a.weight, x] as const));
    const c: NoiseContext = { acct: o.account, region: o.region, t };
    let template: NoiseTemplate;
    let session = sessions.get(a);
    if (!session || t >= session.until) {
      session = { client: a.client(r, c, t), until: t + a.sessionHours * HOUR };
      sessions.set(a, session);
      template = opener ?? r.pick(calls);
    } else template = r.pick(calls);
    const client = session.client;
    const extra = template.make ? template.make(r, c) : {};
    const spec = { ...o.describe(r, c, template.source, template.name, extra.params ?? null), ...extra };
    if (template.byService) {
      // credential delivery by the service itself: the response's key is the session's key
      spec.identity = serviceIdentity(template.byService);
      Object.assign(spec, viaService(template.byService));
      stsResponse(spec, client);
    } else if (template === opener && template.name === 'AssumeRoleWithWebIdentity') {
      stsResponse(spec, client);
      spec.response = { ...(spec.response as Rec), subjectFromWebIdentityToken: GHA_SUBJECT, provider: GHA_PROVIDER(o.account), audience: 'sts.amazonaws.com' };
      spec.ip = client.ip;
    } else if (spec.ip?.endsWith('.amazonaws.com') && !extra.identity) spec.identity = { ...client.identity, invokedBy: spec.ip }; // a service calling with the actor's credentials (S3 -> KMS)
    if (spec.readOnly === undefined) spec.readOnly = readOnlyOf(template.source, template.name);
    if (client.console && AWS_INTERNAL_SOURCES.has(template.source)) Object.assign(spec, { ip: 'AWS Internal', ua: 'AWS Internal', tls: null });
    out.push(makeRecord(r, client, t, o.region, spec));
  }
  for (const rec of out) {
    if (o.forbidden.has(pairOf(String(rec.eventSource), String(rec.eventName)))) throw new Error(`simulate: noise contains an attack call ${rec.eventSource} ${rec.eventName}`);
  }
  return out;

  function stsResponse(spec: CallSpec, client: Client) {
    const id = client.identity as { accessKeyId?: string; arn?: string; principalId?: string; sessionContext?: { attributes?: { creationDate?: string } } };
    const created = Date.parse(id.sessionContext?.attributes?.creationDate ?? iso(o.from));
    const p = (spec.params ?? {}) as Rec;
    const duration = typeof p.durationSeconds === 'number' ? p.durationSeconds : 3600;
    spec.response = {
      credentials: { accessKeyId: id.accessKeyId, sessionToken: sessionToken(r), expiration: awsDate(created + duration * SECOND) },
      assumedRoleUser: { assumedRoleId: id.principalId, arn: id.arn },
    };
    spec.resources = [{ accountId: o.account, type: 'AWS::IAM::Role', ARN: String(p.roleArn) }];
    spec.sharedEventID = r.uuid();
    spec.tls = spec.tls === null ? null : TLS13;
  }
}

/** The noise call templates as `eventSource eventName` lines, grouped by actor (for docs and reports). */
export function describeNoise(): string[] {
  return NOISE_ACTORS.flatMap((a) => [`# ${a.name}`, ...[a.opener, ...a.calls].filter((t): t is NoiseTemplate => !!t).map((t) => `${t.source} ${t.name}`)]);
}
