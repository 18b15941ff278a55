// Trail posture over time: replayed from the calls that change a trail and its bucket; weakening changes flagged.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { TrailTimeline, weakenedAlerts, selectorsSummary, policyEffect, describeChange } from '../src/integrity/trails.js';
import { TRAIL_WEAKENED } from '../src/integrity/builtin.js';
import type { JsonObject } from '../src/sigma/fields.js';

const ROOT = join(__dirname, '..');
const CLI = join(ROOT, 'dist/cli/main.js');
const SAMPLE = join(ROOT, 'content/samples/cloudtrail');
const run = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: 'utf8', maxBuffer: 1 << 28 });
const manifest = JSON.parse(readFileSync(join(ROOT, 'content/samples/cloudtrail-attack.json'), 'utf8')) as {
  trail: string;
  steps: { step: number; eventIDs: string[]; eventNames: string[] }[];
  response: { eventIDs: string[]; eventNames: string[] };
};

beforeAll(() => {
  if (!existsSync(CLI)) spawnSync('npx', ['tsc', '-p', ROOT], { stdio: 'inherit' });
});

const POSTURE = new Set(['CreateTrail', 'UpdateTrail', 'PutEventSelectors', 'PutInsightSelectors', 'StartLogging', 'StopLogging', 'DeleteTrail', 'PutBucketPolicy', 'DeleteBucketPolicy', 'PutBucketLifecycle', 'DeleteBucketLifecycle', 'DeleteBucket', 'DeleteObject', 'DeleteObjects']);

describe('tideline trails on the bundled sample', () => {
  it("shows the attack's changes to org-trail and its bucket in order, then the response", () => {
    const r = run('trails', '-f', 'jsonl', SAMPLE);
    expect(r.status, r.stderr).toBe(0);
    const rows = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    const org = rows.filter((x) => x.trail === 'org-trail');
    const want: { id: string; name: string }[] = [];
    for (const s of manifest.steps) s.eventNames.forEach((n, i) => POSTURE.has(n) && want.push({ id: s.eventIDs[i]!, name: n }));
    const attackCount = want.length;
    manifest.response.eventNames.forEach((n, i) => POSTURE.has(n) && want.push({ id: manifest.response.eventIDs[i]!, name: n }));
    expect(org.map((x) => [x.eventID, x.eventName])).toEqual(want.map((w) => [w.id, w.name]));
    expect(org[0].trailArn).toBe(manifest.trail);
    // The failed StopLogging changes nothing; every later attacker change weakens; the response does not.
    expect(org[0]).toMatchObject({ eventName: 'StopLogging', errorCode: 'AccessDenied', weakened: false, changes: [] });
    expect(org.slice(1, attackCount).every((x) => x.weakened)).toBe(true);
    expect(org.slice(attackCount).some((x) => x.weakened)).toBe(false);
    const texts = (i: number) => org[i].changes.map((c: { text: string }) => c.text);
    expect(texts(1)).toEqual(['logging: ? → off']);
    expect(texts(2)).toEqual(expect.arrayContaining(['s3BucketName: cloudtrail-logs-111122223333 → ct-archive-7f3e2a91', 'logFileValidation: ? → off']));
    expect(texts(3)).toEqual(['multiRegion: on → off']);
    expect(texts(4)).toEqual(['managementEvents: ? → None']);
    expect(org[5].state.exists).toBe(false);
    expect(org.at(-1).state).toMatchObject({ exists: true, logging: true, s3BucketName: 'cloudtrail-logs-111122223333', logFileValidation: true, multiRegion: true, managementEvents: 'All' });
    // Who: the attacker's role session, then the responder.
    expect(org[1].actor).toBe('arn:aws:sts::111122223333:assumed-role/OrganizationAccountAccessRole/ci-deployer');
    expect(org[1].sourceIPAddress).toBe('203.0.113.66');
  });

  it('table output and alerts of "CloudTrail trail weakened" in the hunt formats', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tideline-trails-'));
    const t = run('trails', '-f', 'table', '--alerts', join(dir, 'a.jsonl'), SAMPLE);
    expect(t.status).toBe(0);
    expect(t.stdout).toMatch(/Trail arn:aws:cloudtrail:us-east-1:111122223333:trail\/org-trail/);
    expect(t.stdout).toMatch(/! logging: \? → off/);
    expect(t.stdout).toMatch(/now: logging on, bucket cloudtrail-logs-111122223333, validation on/);
    const alerts = readFileSync(join(dir, 'a.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(alerts).toHaveLength(9);
    for (const a of alerts) {
      expect(a.rule).toEqual({ id: TRAIL_WEAKENED.id, title: 'CloudTrail trail weakened', level: 'high', tags: TRAIL_WEAKENED.tags });
      expect(a.event.eventID).toBeTruthy(); // the real CloudTrail record
      expect(a.source.file).toMatch(/\.json\.gz$/);
      expect(a.matched.weakened.length).toBeGreaterThan(0);
    }
    expect(alerts.map((a) => a.event.eventName)).toEqual(['StopLogging', 'UpdateTrail', 'UpdateTrail', 'PutEventSelectors', 'DeleteTrail', 'DeleteObjects', 'DeleteObjects', 'DeleteObjects', 'PutBucketLifecycle']);
    expect(run('trails', '-f', 'csv', SAMPLE).status).toBe(1);
  });
});

let n = 0;
const rec = (eventSource: string, eventName: string, requestParameters: JsonObject | null, extra: JsonObject = {}): JsonObject => {
  n++;
  return {
    eventVersion: '1.09', eventTime: `2026-10-06T10:${String(n).padStart(2, '0')}:00Z`, eventSource, eventName, awsRegion: 'eu-west-1', sourceIPAddress: '198.51.100.9',
    userIdentity: { type: 'IAMUser', arn: 'arn:aws:iam::444455556666:user/admin', accountId: '444455556666', userName: 'admin' },
    requestParameters, responseElements: null, eventID: `id-${n}`, recipientAccountId: '444455556666', ...extra,
  };
};

describe('trail replay', () => {
  it('flags each weakening change and keeps the state', () => {
    const arn = 'arn:aws:cloudtrail:eu-west-1:444455556666:trail/t1';
    const evs = [
      rec('cloudtrail.amazonaws.com', 'CreateTrail', { name: 't1', s3BucketName: 'logs-b', isMultiRegionTrail: true, includeGlobalServiceEvents: true, enableLogFileValidation: true }, { responseElements: { name: 't1', trailARN: arn, s3BucketName: 'logs-b', isMultiRegionTrail: true, includeGlobalServiceEvents: true, logFileValidationEnabled: true } }),
      rec('cloudtrail.amazonaws.com', 'StartLogging', { name: arn }),
      rec('cloudtrail.amazonaws.com', 'UpdateTrail', { name: arn, enableLogFileValidation: false }, { errorCode: 'AccessDenied' }),
      rec('cloudtrail.amazonaws.com', 'UpdateTrail', { name: 't1', enableLogFileValidation: false, includeGlobalServiceEvents: false }),
      rec('cloudtrail.amazonaws.com', 'PutEventSelectors', { trailName: 't1', eventSelectors: [{ readWriteType: 'WriteOnly', includeManagementEvents: true }] }),
      rec('cloudtrail.amazonaws.com', 'PutEventSelectors', { trailName: 't1', advancedEventSelectors: [{ name: 'm', fieldSelectors: [{ field: 'eventCategory', equals: ['Management'] }, { field: 'eventSource', notEquals: ['kms.amazonaws.com'] }] }] }),
      rec('cloudtrail.amazonaws.com', 'PutInsightSelectors', { trailName: 't1', insightSelectors: [] }),
      rec('s3.amazonaws.com', 'PutBucketPolicy', { bucketName: 'logs-b', bucketPolicy: { Statement: [{ Effect: 'Deny', Principal: { Service: 'cloudtrail.amazonaws.com' }, Action: 's3:PutObject', Resource: 'arn:aws:s3:::logs-b/*' }] } }),
      rec('s3.amazonaws.com', 'DeleteBucketPolicy', { bucketName: 'logs-b' }),
      rec('s3.amazonaws.com', 'PutBucketLifecycle', { bucketName: 'logs-b', LifecycleConfiguration: { Rule: [{ ID: 'x', Status: 'Enabled', Expiration: { Days: 3 } }] } }),
      rec('s3.amazonaws.com', 'PutBucketPolicy', { bucketName: 'other-bucket', bucketPolicy: { Statement: [] } }),
      rec('cloudtrail.amazonaws.com', 'StopLogging', { name: arn }),
      rec('s3.amazonaws.com', 'DeleteBucket', { bucketName: 'logs-b' }),
    ];
    const tl = new TrailTimeline();
    [...evs].reverse().forEach((e, i) => tl.add(e, 'f.jsonl', i)); // input order does not matter
    tl.add(evs[1]!, 'dup.jsonl', 0); // a duplicate delivery is counted once
    const [t] = tl.build();
    expect(t!.name).toBe('t1');
    expect(t!.changes.map((c) => c.eventName)).toEqual(['CreateTrail', 'StartLogging', 'UpdateTrail', 'UpdateTrail', 'PutEventSelectors', 'PutEventSelectors', 'PutInsightSelectors', 'PutBucketPolicy', 'DeleteBucketPolicy', 'PutBucketLifecycle', 'StopLogging', 'DeleteBucket']);
    expect(t!.changes.map((c) => c.weakened)).toEqual([false, false, false, true, true, true, true, true, true, true, true, true]);
    const reasons = weakenedAlerts([t!]).map((a) => (a.matched.weakened as string[]).join('; '));
    expect(reasons).toEqual([
      'log file validation turned off; global service events (IAM, STS, sign-in) no longer recorded',
      'only WriteOnly management events recorded',
      'management events from kms.amazonaws.com excluded',
      'Insights turned off',
      'bucket logs-b policy denies CloudTrail delivery',
      'bucket logs-b policy deleted: CloudTrail can no longer deliver',
      'logs in logs-b expire after 3 days',
      'logging stopped',
      'log bucket logs-b deleted',
    ]);
    expect(t!.state).toMatchObject({ logging: false, logFileValidation: false, globalEvents: false, multiRegion: true, managementEvents: 'All', excludedEventSources: ['kms.amazonaws.com'], lifecycleExpirationDays: 3, bucketDeleted: true });
    expect(describeChange(t!.changes[1]!.changes[0]!)).toBe('logging: off → on');
  });

  it('selector and policy helpers', () => {
    expect(selectorsSummary({ eventSelectors: [{ readWriteType: 'All', includeManagementEvents: false, dataResources: [{ type: 'AWS::S3::Object', values: ['arn:aws:s3'] }] }] })).toEqual({ mgmt: 'None', excluded: [], data: 1 });
    expect(selectorsSummary({ advancedEventSelectors: [{ fieldSelectors: [{ field: 'eventCategory', equals: ['Management'] }, { field: 'readOnly', equals: ['true'] }] }] }).mgmt).toBe('ReadOnly');
    expect(policyEffect(JSON.stringify({ Statement: [{ Effect: 'Allow', Principal: { Service: 'cloudtrail.amazonaws.com' }, Action: 's3:PutObject' }] }))).toBe('lets CloudTrail write');
    expect(policyEffect({ Statement: [{ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::1:root' }, Action: 's3:GetObject' }] })).toBe('no CloudTrail grant');
  });

  it('a trail bucket known only from CloudTrail\'s own KMS calls, or from --bucket', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tideline-trails-'));
    const kms = rec('kms.amazonaws.com', 'GenerateDataKey', { encryptionContext: { 'aws:cloudtrail:arn': 'arn:aws:cloudtrail:eu-west-1:444455556666:trail/t2', 'aws:s3:arn': 'arn:aws:s3:::t2-logs/AWSLogs/444455556666/CloudTrail/eu-west-1/2026/10/06/' } });
    const life = rec('s3.amazonaws.com', 'PutBucketLifecycle', { bucketName: 't2-logs', LifecycleConfiguration: { Rule: { ID: 'x', Status: 'Enabled', Expiration: { Days: 1 } } } });
    const other = rec('s3.amazonaws.com', 'DeleteBucketPolicy', { bucketName: 'manual-logs' });
    const stop = rec('cloudtrail.amazonaws.com', 'StopLogging', { name: 't3' });
    writeFileSync(join(dir, 'e.jsonl'), [kms, life, other, stop].map((e) => JSON.stringify(e)).join('\n') + '\n');
    const rows = run('trails', '-f', 'jsonl', '--bucket', 'manual-logs', join(dir, 'e.jsonl')).stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(rows.map((r) => [r.trail, r.eventName, r.weakened])).toEqual([
      ['t2', 'PutBucketLifecycle', true],
      ['t2', 'DeleteBucketPolicy', true],
      ['t3', 'DeleteBucketPolicy', true],
      ['t3', 'StopLogging', true],
    ]);
  });
});

describe('built-in detection alerts in the store', () => {
  it('trailAlertsIntoStore stores weakening changes once per detection and eventID', async () => {
    const { openDb } = await import('../src/store/db.js');
    const { trailAlertsIntoStore } = await import('../src/store/alerts.js');
    const db = openDb(':memory:');
    const keys = [join(ROOT, 'content/samples/cloudtrail-public-keys.json')];
    const first = await trailAlertsIntoStore(db, [SAMPLE], { publicKeys: keys });
    expect(first).toMatchObject({ failures: 0, gaps: 0, weakened: 9, alerts: 9, errors: [] });
    expect((await trailAlertsIntoStore(db, [SAMPLE], { publicKeys: keys })).alerts).toBe(0);
    const rows = db.prepare('SELECT rule_title, event_name, account, region FROM alerts ORDER BY time').all() as { rule_title: string; event_name: string }[];
    expect(rows.map((r) => r.event_name)).toEqual(['StopLogging', 'UpdateTrail', 'UpdateTrail', 'PutEventSelectors', 'DeleteTrail', 'DeleteObjects', 'DeleteObjects', 'DeleteObjects', 'PutBucketLifecycle']);
    expect(new Set(rows.map((r) => r.rule_title))).toEqual(new Set(['CloudTrail trail weakened']));
    db.close();
  });
});
