// src/simulate: an advisory's attack chain played as CloudTrail records with benign noise, and its S3 export.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Advisory } from '../src/content/model.js';
import { readLogFile } from '../src/logs/reader.js';
import type { JsonObject } from '../src/sigma/fields.js';
import { simulateAdvisory, type Simulation } from '../src/simulate/simulate.js';
import { writeS3Export } from '../src/simulate/s3-export.js';
import { removeDir, tempDir } from './helpers/cloudtrail.js';

const TRAIL = 'arn:aws:cloudtrail:us-east-1:111122223333:trail/management-events';
const ROLE = 'arn:aws:iam::111122223333:role/OrganizationAccountAccessRole';

const advisory: Advisory = {
  name: 'Test: CloudTrail logging stopped after a role hop',
  metadata: {
    uuid: '0b7d6c1e-3f2a-4c5d-9e8f-1a2b3c4d5e6f', schema: 'advisory::1.0', version: 1, created: '2026-11-24', modified: '2026-11-24', tlp: 'clear',
    organisation: { uuid: '7c0f8a52-5d1e-4b9a-9f3e-2a6d4c8b1e07', name: 'Tideline' },
  },
  advisory: {
    slug: 'test-logging-stopped',
    severity: 'medium',
    status: 'draft',
    summary: 'An attacker with a stolen key assumes a role and stops the trail.',
    description: 'Test advisory.',
    attack_chain: [
      { name: 'Steal an access key', description: 'Outside AWS.', note: 'Happens on a build server, not in AWS.' },
      {
        name: 'Assume an admin role',
        description: 'The stolen key assumes a role.',
        calls: [{ eventSource: 'sts.amazonaws.com', eventName: 'AssumeRole', requestParameters: { roleArn: ROLE, roleSessionName: 'maintenance' } }],
      },
      {
        name: 'Stop logging',
        description: 'A first try is denied, then logging is stopped.',
        calls: [
          { eventSource: 'cloudtrail.amazonaws.com', eventName: 'StopLogging', requestParameters: { name: TRAIL }, errorCode: 'AccessDenied', count: 2 },
          { eventSource: 'cloudtrail.amazonaws.com', eventName: 'StopLogging', requestParameters: { name: TRAIL }, additionalEventData: { note: 'kept' }, vpcEndpointId: 'vpce-0example' },
        ],
      },
    ],
    impact: 'No logs.',
    recommendations: ['Alert on StopLogging.'],
  },
};

const START = new Date('2026-10-06T02:10:00Z');
const simulate = (seed?: string, noise = 300) => simulateAdvisory(advisory, { start: START, noise, ...(seed ? { seed } : {}) });
const byId = (sim: Simulation) => new Map(sim.records.map((r) => [r.eventID as string, r]));
type Identity = { type: string; arn?: string; accessKeyId?: string; userName?: string; sessionContext?: { sessionIssuer?: { arn?: string } } };

describe('simulateAdvisory', () => {
  const sim = simulate();

  it('is deterministic: same seed and start give the same records, another seed other eventIDs', () => {
    expect(simulate()).toEqual(sim);
    expect(JSON.stringify(simulate())).toBe(JSON.stringify(sim));
    expect(sim.seed).toBe(advisory.metadata.uuid); // default seed
    const other = simulate('another-seed');
    const ids = new Set(sim.records.map((r) => r.eventID));
    expect(other.records.some((r) => ids.has(r.eventID))).toBe(false);
    expect(other.records).toHaveLength(sim.records.length);
  });

  it('plays every step: eventIDs in the records, with the calls\' eventSource and eventName', () => {
    expect(sim.steps.map((s) => [s.index, s.name, s.eventIDs.length])).toEqual([
      [1, 'Steal an access key', 0],
      [2, 'Assume an admin role', 1],
      [3, 'Stop logging', 3],
    ]);
    const recs = byId(sim);
    const expected: Record<number, string[]> = { 2: ['sts.amazonaws.com AssumeRole'], 3: ['cloudtrail.amazonaws.com StopLogging', 'cloudtrail.amazonaws.com StopLogging', 'cloudtrail.amazonaws.com StopLogging'] };
    for (const s of sim.steps.filter((x) => x.eventIDs.length)) {
      expect(s.eventIDs.map((id) => `${recs.get(id)?.eventSource} ${recs.get(id)?.eventName}`)).toEqual(expected[s.index]);
    }
    expect(sim.records).toHaveLength(4 + 300);
    expect(sim.noiseEventIDs).toHaveLength(300);
    expect(new Set(sim.records.map((r) => r.eventID)).size).toBe(sim.records.length);
  });

  it('keeps the fields the calls give and fills realistic defaults', () => {
    const recs = byId(sim);
    const [assume] = sim.steps[1]!.eventIDs.map((id) => recs.get(id)!);
    const [denied1, denied2, stop] = sim.steps[2]!.eventIDs.map((id) => recs.get(id)!);
    expect(assume!.requestParameters).toEqual({ roleArn: ROLE, roleSessionName: 'maintenance' });
    expect(assume).toMatchObject({ readOnly: true, eventType: 'AwsApiCall', managementEvent: true, eventCategory: 'Management', recipientAccountId: '111122223333', awsRegion: 'us-east-1' });
    expect((assume!.responseElements as { credentials: { accessKeyId: string } }).credentials.accessKeyId).toMatch(/^ASIA[A-Z2-7]{16}$/);
    for (const d of [denied1!, denied2!]) {
      expect(d).toMatchObject({ errorCode: 'AccessDenied', responseElements: null, requestParameters: { name: TRAIL }, readOnly: false });
      expect(d.errorMessage).toMatch(/is not authorized to perform: cloudtrail:StopLogging on resource: arn:aws:cloudtrail/);
    }
    expect(stop).toMatchObject({ requestParameters: { name: TRAIL }, responseElements: null, additionalEventData: { note: 'kept' }, vpcEndpointId: 'vpce-0example', readOnly: false });
    expect(stop).not.toHaveProperty('errorCode');
    for (const r of [assume!, denied1!, stop!]) {
      for (const f of ['eventVersion', 'userIdentity', 'eventTime', 'eventSource', 'eventName', 'awsRegion', 'sourceIPAddress', 'userAgent', 'requestParameters', 'responseElements', 'requestID', 'eventID', 'readOnly', 'eventType', 'managementEvent', 'recipientAccountId', 'eventCategory', 'tlsDetails']) {
        expect(r, f).toHaveProperty(f);
      }
      expect(r.sourceIPAddress).toMatch(/^203\.0\.113\.\d+$/);
      expect(r.eventTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    }
  });

  it('switches identity after a successful AssumeRole: IAM user key before, role session after', () => {
    const recs = byId(sim);
    const assume = recs.get(sim.steps[1]!.eventIDs[0]!)!;
    const before = assume.userIdentity as Identity;
    expect(before.type).toBe('IAMUser');
    expect(before.accessKeyId).toMatch(/^AKIA/);
    const key = (assume.responseElements as { credentials: { accessKeyId: string } }).credentials.accessKeyId;
    for (const id of sim.steps[2]!.eventIDs) {
      const after = recs.get(id)!.userIdentity as Identity;
      expect(after.type).toBe('AssumedRole');
      expect(after.arn).toBe('arn:aws:sts::111122223333:assumed-role/OrganizationAccountAccessRole/maintenance');
      expect(after.accessKeyId).toBe(key);
      expect(after.sessionContext?.sessionIssuer?.arn).toBe(ROLE);
      expect(String(recs.get(id)!.userAgent).split(' ')[0]).toBe(String(assume.userAgent).split(' ')[0]); // same tooling
      expect(recs.get(id)!.sourceIPAddress).toBe(assume.sourceIPAddress);
    }
  });

  it('does not switch identity after a failed AssumeRole, and a ConsoleLogin starts a console session', () => {
    const adv: Advisory = structuredClone(advisory);
    adv.advisory.attack_chain = [
      { name: 'denied hop', description: '', calls: [{ eventSource: 'sts.amazonaws.com', eventName: 'AssumeRole', requestParameters: { roleArn: ROLE }, errorCode: 'AccessDenied' }] },
      { name: 'sign in', description: '', calls: [{ eventSource: 'signin.amazonaws.com', eventName: 'ConsoleLogin', additionalEventData: { MFAUsed: 'No' } }] },
      { name: 'look', description: '', calls: [{ eventSource: 'ec2.amazonaws.com', eventName: 'DescribeInstances' }, { eventSource: 'health.amazonaws.com', eventName: 'DescribeEventAggregates' }] },
    ];
    const s = simulateAdvisory(adv, { start: START, noise: 50 });
    const recs = byId(s);
    const [hop] = s.steps[0]!.eventIDs.map((id) => recs.get(id)!);
    const [login] = s.steps[1]!.eventIDs.map((id) => recs.get(id)!);
    const [look, internal] = s.steps[2]!.eventIDs.map((id) => recs.get(id)!);
    expect(hop!.responseElements).toBeNull();
    expect(login).toMatchObject({ eventSource: 'signin.amazonaws.com', eventType: 'AwsConsoleSignIn', responseElements: { ConsoleLogin: 'Success' }, additionalEventData: { MFAUsed: 'No' }, readOnly: false });
    expect((login!.userIdentity as Identity).type).toBe('IAMUser');
    expect(login!.userAgent).toMatch(/^Mozilla\//);
    expect(look).toMatchObject({ sessionCredentialFromConsole: 'true', readOnly: true });
    expect((look!.userIdentity as Identity).accessKeyId).toMatch(/^ASIA/);
    expect(look!.userAgent).toBe(login!.userAgent);
    expect(internal).toMatchObject({ sourceIPAddress: 'AWS Internal', userAgent: 'AWS Internal' });
  });

  it('records are sorted by eventTime; steps minutes apart, calls seconds apart; noise spans start-1h..end+1h', () => {
    const times = sim.records.map((r) => Date.parse(r.eventTime as string));
    for (let i = 1; i < times.length; i++) expect(times[i]).toBeGreaterThanOrEqual(times[i - 1]!);
    const recs = byId(sim);
    const t = (id: string) => Date.parse(recs.get(id)!.eventTime as string);
    const [a] = sim.steps[1]!.eventIDs;
    const [s1, s2, s3] = sim.steps[2]!.eventIDs;
    expect(t(a!)).toBeGreaterThanOrEqual(START.getTime() + 2 * 60_000);
    expect(t(s1!) - t(a!)).toBeGreaterThanOrEqual(2 * 60_000);
    expect(t(s1!) - t(a!)).toBeLessThan(7 * 60_000);
    expect(t(s2!) - t(s1!)).toBeLessThanOrEqual(20_000);
    expect(t(s3!) - t(s2!)).toBeGreaterThanOrEqual(2_000);
    const noise = new Set(sim.noiseEventIDs);
    const nt = sim.records.filter((r) => noise.has(r.eventID as string)).map((r) => Date.parse(r.eventTime as string));
    expect(Math.min(...nt)).toBeGreaterThanOrEqual(START.getTime() - 3600_000);
    expect(Math.max(...nt)).toBeLessThanOrEqual(t(s3!) + 3600_000);
    expect(Math.min(...nt)).toBeLessThan(START.getTime()); // spread, not bunched after the attack
    expect(Math.max(...nt)).toBeGreaterThan(t(s3!));
  });

  it('noise never makes the steps\' calls, and comes from several actors', () => {
    const noise = new Set(sim.noiseEventIDs);
    const noiseRecs = sim.records.filter((r) => noise.has(r.eventID as string));
    const steps = new Set(['sts.amazonaws.com AssumeRole', 'cloudtrail.amazonaws.com StopLogging']);
    for (const r of noiseRecs) expect(steps.has(`${r.eventSource} ${r.eventName}`), `${r.eventSource} ${r.eventName}`).toBe(false);
    const actors = new Set(noiseRecs.map((r) => (r.userIdentity as Identity).arn ?? (r.userIdentity as { invokedBy?: string }).invokedBy ?? (r.userIdentity as Identity).type));
    expect(actors.size).toBeGreaterThanOrEqual(5);
    // with nothing forbidden, the service credential deliveries (sts AssumeRole) do show up in the noise
    const plain = simulateAdvisory({ ...advisory, advisory: { ...advisory.advisory, attack_chain: [] } }, { start: START, noise: 300 });
    expect(plain.records.some((r) => r.eventName === 'AssumeRole')).toBe(true);
    expect(plain.steps).toEqual([]);
  });

  it('rejects a bad count', () => {
    const adv: Advisory = structuredClone(advisory);
    adv.advisory.attack_chain = [{ name: 'x', description: '', calls: [{ eventSource: 'iam.amazonaws.com', eventName: 'ListUsers', count: 0 }] }];
    expect(() => simulateAdvisory(adv, { start: START })).toThrow(/count/);
  });
});

describe('writeS3Export', () => {
  let dir: string;
  beforeAll(() => {
    dir = tempDir('simulate');
  });
  afterAll(() => removeDir(dir));
  const sim = simulate(undefined, 400);
  const opts = { account: '111122223333', region: 'us-east-1' };

  it('writes gzip\'d {"Records":[...]} files in the CloudTrail S3 layout, holding exactly the simulation\'s records', async () => {
    const out = join(dir, 'export');
    const { files } = writeS3Export(sim, out, opts);
    const logs = files.filter((f) => f.endsWith('.json.gz'));
    expect(logs.length).toBeGreaterThan(5);
    expect(files.at(-1)).toBe(join(out, 'simulation.json'));
    const all: Record<string, unknown>[] = [];
    const viaReader: JsonObject[] = [];
    for (const f of logs) {
      const rel = relative(out, f).split(sep).join('/');
      const m = /^AWSLogs\/(\d{12})\/CloudTrail\/([a-z0-9-]+)\/(\d{4})\/(\d\d)\/(\d\d)\/\1_CloudTrail_\2_(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)Z_[A-Za-z0-9]{16}\.json\.gz$/.exec(rel);
      expect(m, rel).not.toBeNull();
      expect([m![6], m![7], m![8]]).toEqual([m![3], m![4], m![5]]);
      expect(Number(m![10]) % 5).toBe(0);
      const doc = JSON.parse(gunzipSync(readFileSync(f)).toString('utf8')) as { Records: Record<string, unknown>[] };
      expect(Object.keys(doc)).toEqual(['Records']);
      for (const r of doc.Records) {
        expect(r.recipientAccountId).toBe(m![1]);
        expect(r.awsRegion).toBe(m![2]);
        const t = Date.parse(r.eventTime as string);
        const delivered = Date.UTC(+m![6]!, +m![7]! - 1, +m![8]!, +m![9]!, +m![10]!);
        expect(t).toBeLessThan(delivered);
        expect(t).toBeGreaterThanOrEqual(delivered - 5 * 60_000);
      }
      all.push(...doc.Records);
      // Tideline's own reader takes the files as they are
      const errors: string[] = [];
      const summary = await readLogFile(f, { record: (rec) => viaReader.push(rec), error: (msg) => errors.push(msg) });
      expect(errors).toEqual([]);
      expect(summary.records).toBe(doc.Records.length);
    }
    const sortById = (a: Record<string, unknown>, b: Record<string, unknown>) => String(a.eventID).localeCompare(String(b.eventID));
    expect([...all].sort(sortById)).toEqual([...sim.records].sort(sortById));
    expect([...viaReader].sort(sortById)).toEqual([...sim.records].sort(sortById));
  });

  it('writes simulation.json: advisory, seed, start, account, region, steps, noise count', () => {
    const out = join(dir, 'export');
    const manifest = JSON.parse(readFileSync(join(out, 'simulation.json'), 'utf8'));
    expect(manifest).toEqual({
      advisory: { uuid: advisory.metadata.uuid, name: advisory.name },
      seed: advisory.metadata.uuid,
      start: '2026-10-06T02:10:00.000Z',
      account: '111122223333',
      region: 'us-east-1',
      steps: sim.steps,
      noiseEvents: 400,
    });
  });

  it('is byte-identical for the same simulation', () => {
    const a = join(dir, 'a');
    const b = join(dir, 'b');
    const fa = writeS3Export(simulate(undefined, 400), a, opts).files;
    const fb = writeS3Export(simulate(undefined, 400), b, opts).files;
    expect(fa.map((f) => relative(a, f))).toEqual(fb.map((f) => relative(b, f)));
    for (const f of fa) expect(readFileSync(f).equals(readFileSync(join(b, relative(a, f))))).toBe(true);
  });

  it('creates an absent directory, accepts an empty one, refuses a non-empty one or a file', () => {
    const empty = join(dir, 'empty');
    mkdirSync(empty);
    expect(writeS3Export(sim, empty, opts).files.length).toBeGreaterThan(1);
    expect(() => writeS3Export(sim, empty, opts)).toThrow(/not empty/);
    const busy = join(dir, 'busy');
    mkdirSync(busy);
    writeFileSync(join(busy, 'keep.txt'), 'x');
    expect(() => writeS3Export(sim, busy, opts)).toThrow(/not empty/);
    expect(readdirSync(busy)).toEqual(['keep.txt']);
    const file = join(dir, 'a-file');
    writeFileSync(file, 'x');
    expect(() => writeS3Export(sim, file, opts)).toThrow(/not a directory/);
    expect(existsSync(join(dir, 'deep', 'er'))).toBe(false);
    expect(writeS3Export(sim, join(dir, 'deep', 'er'), opts).files.length).toBeGreaterThan(1);
  });
});
