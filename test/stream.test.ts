/**
 * The streaming service end to end: a real nats-server with JetStream on a free loopback port, `tideline publish`
 * and `tideline worker` as child processes. Two workers' alerts together equal `tideline hunt` on the same records
 * and rules (same (rule, eventID) set, no duplicates), also when one is killed with SIGKILL mid-run and restarted;
 * malformed messages land in the dead-letter stream. Every correlation type in workers (one per account partition)
 * equals hunt; correlation state survives a SIGKILL between the halves of a sequence; --data stores correlation
 * alerts. Plus POST /api/v1/ingest (with stored correlation rules) on the real server and webhook delivery.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { createServer as createHttpServer } from 'node:http';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { connect, type NatsConnection } from 'nats';
import { removeDir, ROOT, tempDir } from './helpers/cloudtrail.js';
import { startServer, type TestServer } from './helpers/server.js';
import { deliverWebhook, slackBody, webhookBody } from '../src/deliver/webhook.js';
import { ocsfFinding } from '../src/deliver/ocsf.js';
import type { Alert } from '../src/detect/alert.js';
import { dlqStream, durableFor, kvKey, stateBucket } from '../src/stream/subjects.js';
import { correlationEventId } from '../src/store/alerts.js';
import { openDb } from '../src/store/db.js';
import { importContentSet } from '../src/store/content.js';
import { loadContent } from '../src/content/load.js';
import type { CorrelationAlert } from '../src/detect/correlation.js';

const CLI = join(ROOT, 'dist/cli/main.js');
const SAMPLE = join(ROOT, 'content/samples/cloudtrail');
const SIGMA = join(ROOT, '..', 'shared', 'sigma-aws-rules');
const RULES = ['-r', SIGMA, '-r', join(ROOT, 'content/rules')];
// Correlation fixtures: all eight types (with the two bundled rules the trail correlation builds on) and their events,
// three accounts, each group inside one account.
const CORR = join(ROOT, 'test/fixtures/correlation');
const CORR_RULES = ['-r', CORR, '-r', join(ROOT, 'content/rules')];
const CORR_EVENTS = join(CORR, 'events');
const ACCOUNTS = ['111122223333', '444455556666', '777788889999'];
const CORRELATION_TYPES = ['event_count', 'value_count', 'temporal', 'temporal_ordered', 'value_sum', 'value_avg', 'value_percentile', 'value_median'];
type AnyLine = Alert | CorrelationAlert;
const isCorr = (a: AnyLine): a is CorrelationAlert => 'window' in a;
function alertLines(...files: string[]): AnyLine[] {
  return files.filter((f) => existsSync(f)).flatMap((f) => readFileSync(f, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as AnyLine));
}
/** What must be equal between hunt and the workers: rule, group, window, events (and the value). */
const corrKey = (a: CorrelationAlert) => JSON.stringify([a.rule.id, a.group, a.window, a.events, a.value]);
const NATS_BIN = ['/usr/sbin/nats-server', '/usr/bin/nats-server'].find((p) => existsSync(p));

function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s: Server = createServer();
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => res(p));
    });
    s.on('error', rej);
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** (rule id, eventID) of each alert line of these JSONL files, sorted, duplicates kept. */
function keys(...files: string[]): string[] {
  const out: string[] = [];
  for (const f of files) {
    if (!existsSync(f)) continue;
    for (const line of readFileSync(f, 'utf8').split('\n')) {
      if (!line.trim()) continue;
      const a = JSON.parse(line) as Alert;
      out.push(`${a.rule.id} ${String(a.event.eventID)}`);
    }
  }
  return out.sort();
}

describe.skipIf(!NATS_BIN)('streaming on NATS JetStream', () => {
  let dir: string;
  let nats: ChildProcess;
  let url: string;
  let nc: NatsConnection;
  let expected: string[];
  const workers = new Set<ChildProcess>();

  const worker = (stream: string, out: string, extra: string[] = [], rules = RULES) => {
    const p = spawn(process.execPath, [CLI, 'worker', '--nats', url, '--stream', stream, ...rules, '-o', out, '--ack-wait', '2s', '--batch', '64', ...extra], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    p.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    (p as ChildProcess & { log: () => string }).log = () => err;
    workers.add(p);
    p.on('exit', () => workers.delete(p));
    return p;
  };
  const exited = (p: ChildProcess) => new Promise<void>((r) => (p.exitCode !== null || p.signalCode !== null ? r() : p.once('exit', () => r())));
  const publish = (stream: string, ...inputs: string[]) => {
    const r = spawnSync(process.execPath, [CLI, 'publish', '--nats', url, '--stream', stream, ...inputs], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    return r.stderr;
  };
  /** Until every message of the stream is acknowledged by the shared consumer. */
  const drained = async (stream: string, timeoutMs = 90_000, filter = 'cloudtrail.>') => {
    const jsm = await nc.jetstreamManager();
    const last = (await jsm.streams.info(stream)).state.last_seq;
    const t0 = Date.now();
    for (;;) {
      const ci = await jsm.consumers.info(stream, durableFor(filter)).catch(() => undefined); // workers create it
      if (ci && ci.ack_floor.stream_seq >= last && ci.num_ack_pending === 0 && ci.num_pending === 0) return;
      if (Date.now() - t0 > timeoutMs) throw new Error(`not drained: ${JSON.stringify(ci && { ackFloor: ci.ack_floor, last, pending: ci.num_pending, ackPending: ci.num_ack_pending })}`);
      await sleep(100);
    }
  };

  beforeAll(async () => {
    if (!existsSync(CLI)) spawnSync('npx', ['tsc', '-p', ROOT], { stdio: 'inherit' });
    dir = tempDir('stream');
    const gen = spawnSync(process.execPath, [join(ROOT, '..', 'shared', 'tools', 'gen-cloudtrail.mjs'), join(dir, 'gen'), '8000', '1000', '11'], { encoding: 'utf8' });
    expect(gen.status, gen.stderr).toBe(0);
    const hunt = spawnSync(process.execPath, [CLI, 'hunt', '-f', 'jsonl', '-o', join(dir, 'hunt.jsonl'), '--no-progress', ...RULES, SAMPLE, join(dir, 'gen')], { encoding: 'utf8' });
    expect(hunt.status, hunt.stderr).toBe(0);
    expected = keys(join(dir, 'hunt.jsonl'));
    expect(expected.length).toBeGreaterThan(1000);
  });

  /** A fresh nats-server -js (one stream capturing cloudtrail.> per server) for each scenario. */
  let serverNo = 0;
  beforeEach(async () => {
    const port = await freePort();
    url = `nats://127.0.0.1:${port}`;
    nats = spawn(NATS_BIN!, ['-js', '-a', '127.0.0.1', '-p', String(port), '-sd', join(dir, `js${++serverNo}`)], { stdio: 'ignore' });
    for (let i = 0; ; i++) {
      try {
        nc = await connect({ servers: url, reconnect: false });
        break;
      } catch (e) {
        if (i > 100) throw e;
        await sleep(100);
      }
    }
  });

  afterEach(async () => {
    for (const w of workers) w.kill('SIGKILL');
    await nc?.close();
    nats?.kill('SIGTERM');
    if (nats) await exited(nats);
  });

  afterAll(() => removeDir(dir));

  it('two workers share the stream: their alerts together are exactly the hunt alerts; malformed messages are dead-lettered', async () => {
    publish('S1', SAMPLE, join(dir, 'gen'));
    // Published again: JetStream drops them (Nats-Msg-Id = eventID).
    expect(publish('S1', SAMPLE)).toMatch(/0 published, 3024 duplicates/);
    const js = nc.jetstream();
    await js.publish('cloudtrail.111122223333.us-east-1', 'this is not json');
    await js.publish('cloudtrail._._', JSON.stringify({ hello: 'world' }));
    const a = worker('S1', join(dir, 's1-a.jsonl'));
    const b = worker('S1', join(dir, 's1-b.jsonl'));
    await drained('S1');
    a.kill('SIGTERM');
    b.kill('SIGTERM');
    await Promise.all([exited(a), exited(b)]);
    const got = keys(join(dir, 's1-a.jsonl'), join(dir, 's1-b.jsonl'));
    expect(new Set(got).size).toBe(got.length); // no duplicates
    expect(got).toEqual(expected);
    // Both did work.
    expect(keys(join(dir, 's1-a.jsonl')).length).toBeGreaterThan(0);
    expect(keys(join(dir, 's1-b.jsonl')).length).toBeGreaterThan(0);

    const jsm = await nc.jetstreamManager();
    const dlq = await jsm.streams.info(dlqStream('S1'));
    expect(dlq.state.messages).toBe(2);
    const reasons: string[] = [];
    for (let seq = 1; seq <= 2; seq++) {
      const m = await jsm.streams.getMessage(dlqStream('S1'), { seq });
      reasons.push(`${m.header.get('Tideline-Subject')}: ${m.header.get('Tideline-Reason')}`);
    }
    expect(reasons.sort()).toEqual([expect.stringMatching(/^cloudtrail\.111122223333\.us-east-1: not valid JSON/), expect.stringMatching(/^cloudtrail\._\._: not CloudTrail/)]);
  });

  it('a worker killed with SIGKILL mid-run and restarted: no alert lost, none duplicated', async () => {
    publish('S2', SAMPLE, join(dir, 'gen'));
    const fa = join(dir, 's2-a.jsonl');
    const fb = join(dir, 's2-b.jsonl');
    const a = worker('S2', fa, ['--batch', '16']);
    const b = worker('S2', fb, ['--batch', '16']);
    const jsm = await nc.jetstreamManager();
    const last = (await jsm.streams.info('S2')).state.last_seq;
    // Kill A once the consumer is well under way but far from done.
    for (;;) {
      const ci = await jsm.consumers.info('S2', durableFor('cloudtrail.>')).catch(() => undefined);
      if (ci && ci.ack_floor.stream_seq > last * 0.15) break;
      await sleep(20);
    }
    a.kill('SIGKILL');
    await exited(a);
    const before = (await jsm.consumers.info('S2', durableFor('cloudtrail.>'))).ack_floor.stream_seq;
    expect(before).toBeLessThan(last);
    await sleep(500);
    const a2 = worker('S2', fa, ['--batch', '16']);
    await drained('S2');
    a2.kill('SIGTERM');
    b.kill('SIGTERM');
    await Promise.all([exited(a2), exited(b)]);
    const got = keys(fa, fb);
    expect(new Set(got).size).toBe(got.length);
    expect(got).toEqual(expected);
  });

  it('every correlation type in workers, one per account partition, equals tideline hunt --max-disorder all; --data stores them', async () => {
    const hunt = spawnSync(process.execPath, [CLI, 'hunt', '-f', 'jsonl', '--no-progress', '--max-disorder', 'all', ...CORR_RULES, CORR_EVENTS], { encoding: 'utf8' });
    expect(hunt.status, hunt.stderr).toBe(0);
    const want = hunt.stdout.split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as AnyLine);
    const wantCorr = want.filter(isCorr);
    // The fixtures fire all eight types (and the chained correlation).
    expect([...new Set(wantCorr.map((a) => a.rule.type))].sort()).toEqual([...CORRELATION_TYPES].sort());
    expect(wantCorr.map((a) => a.rule.title)).toContain('Secrets harvested, then an IAM user created by the same principal');

    publish('S3', CORR_EVENTS);
    const files = ACCOUNTS.map((a) => join(dir, `s3-${a}.jsonl`));
    const store = join(dir, 's3-store');
    const ws = ACCOUNTS.map((a, i) => worker('S3', files[i]!, ['--partition', `cloudtrail.${a}.>`, '--idle-exit', '3s', ...(i === 0 ? ['--data', store] : [])], CORR_RULES));
    await Promise.all(ws.map(exited));
    for (const w of ws) {
      const log = (w as ChildProcess & { log: () => string }).log();
      expect(w.exitCode, log).toBe(0);
      expect(log).not.toMatch(/not evaluated/);
    }
    const got = alertLines(...files);
    const gotCorr = got.filter(isCorr);
    expect(gotCorr.map(corrKey).sort()).toEqual(wantCorr.map(corrKey).sort());
    expect(new Set(gotCorr.map(corrKey)).size).toBe(gotCorr.length);
    // Detection alerts (generate: true keeps some, generate: false silences the building blocks) are the same too.
    const single = (l: AnyLine[]) => l.filter((a): a is Alert => !isCorr(a)).map((a) => `${a.rule.id} ${String(a.event.eventID)}`).sort();
    expect(single(got)).toEqual(single(want));
    // Each worker saw its own account only, and each partition produced correlation alerts.
    ACCOUNTS.forEach((acct, i) => {
      const mine = alertLines(files[i]!);
      expect(mine.filter(isCorr).length).toBeGreaterThan(0);
      for (const a of mine) for (const id of isCorr(a) ? a.events : [String(a.event.eventID)]) expect(id.startsWith(acct.slice(0, 4)), id).toBe(true);
    });

    // --data: the first partition's correlation alerts are alert rows (time = window end, stable event_id).
    const db = openDb(join(store, 'tideline.db'));
    try {
      const rows = db.prepare("SELECT rule_id, event_id, time, event_name, account, actor, source_file, matched, event FROM alerts WHERE event_name LIKE 'correlation:%'").all() as Record<string, string>[];
      const mine = alertLines(files[0]!).filter(isCorr);
      expect(rows).toHaveLength(mine.length);
      for (const a of mine) {
        const row = rows.find((r) => r.event_id === correlationEventId(a));
        expect(row, a.rule.title).toBeDefined();
        expect(row).toMatchObject({ rule_id: a.rule.id, time: a.window.end, event_name: `correlation:${a.rule.type}`, source_file: 'stream:cloudtrail.111122223333.>' });
        expect(JSON.parse(row!.event)).toEqual({ window: a.window, group: a.group, value: a.value, events: a.events });
        expect(JSON.parse(row!.matched)).toEqual({ ...a.group, value: a.value });
        if (a.group.recipientAccountId) expect(row!.account).toBe('111122223333');
      }
      const detections = (db.prepare("SELECT count(*) AS n FROM alerts WHERE event_name NOT LIKE 'correlation:%'").get() as { n: number }).n;
      expect(detections).toBe(alertLines(files[0]!).filter((a) => !isCorr(a)).length);
    } finally {
      db.close();
    }
  });

  it('correlation state survives SIGKILL between the two halves of a sequence; redelivery duplicates nothing', async () => {
    const part = 'cloudtrail.111122223333.>';
    const rec = (id: string, min: number, eventName: string) => ({
      eventVersion: '1.08',
      userIdentity: { type: 'IAMUser', arn: 'arn:aws:iam::111122223333:user/mallory', accountId: '111122223333', userName: 'mallory' },
      eventTime: new Date(Date.parse('2026-11-20T10:00:00Z') + min * 60_000).toISOString(),
      eventSource: 'cloudtrail.amazonaws.com',
      eventName,
      awsRegion: 'us-east-1',
      sourceIPAddress: '203.0.113.9',
      requestParameters: { name: 'org-trail' },
      eventID: id,
      eventType: 'AwsApiCall',
      recipientAccountId: '111122223333',
    });
    const js = nc.jetstream();
    const jsm = await nc.jetstreamManager();
    const fa = join(dir, 's4-a.jsonl');
    const a = worker('S4', fa, ['--partition', part], CORR_RULES);
    for (let i = 0; !(await jsm.consumers.info('S4', durableFor(part)).catch(() => undefined)); i++) {
      if (i > 300) throw new Error('the worker created no consumer: ' + (a as ChildProcess & { log: () => string }).log());
      await sleep(50);
    }
    await js.publish('cloudtrail.111122223333.us-east-1', JSON.stringify(rec('stop-k1', 0, 'StopLogging')), { msgID: 'stop-k1' });
    await drained('S4', 30_000, part);
    // The StopLogging match is held in the worker's state (15 minutes of disorder tolerated), saved before the ack.
    const kv = await js.views.kv(stateBucket('S4'));
    const saved = JSON.parse((await kv.get(kvKey(part)))!.string()) as { watermark: number; state: { pending: { ids: string[] }[] } };
    expect(saved.watermark).toBe(1);
    expect(saved.state.pending.flatMap((p) => p.ids)).toEqual(['stop-k1']);
    a.kill('SIGKILL');
    await exited(a);
    expect(alertLines(fa).filter(isCorr)).toEqual([]);

    await js.publish('cloudtrail.111122223333.us-east-1', JSON.stringify(rec('del-k1', 5, 'DeleteTrail')), { msgID: 'del-k1' });
    const a2 = worker('S4', fa, ['--partition', part, '--idle-exit', '2s'], CORR_RULES);
    await exited(a2);
    expect((a2 as ChildProcess & { log: () => string }).log()).toMatch(/correlation state restored at stream sequence 1/);
    const corr = () => alertLines(fa, join(dir, 's4-b.jsonl')).filter(isCorr);
    expect(corr().map((c) => [c.rule.title, c.events])).toEqual([['CloudTrail logging stopped then trail deleted by the same principal', ['stop-k1', 'del-k1']]]);

    // Redelivery of both halves (the consumer is recreated from the start of the stream) to another worker identity:
    // the restored state holds them already (stream-sequence watermark) and the claims hold their alerts.
    await jsm.consumers.delete('S4', durableFor(part));
    const b = worker('S4', join(dir, 's4-b.jsonl'), ['--partition', part, '--idle-exit', '2s'], CORR_RULES);
    await exited(b);
    const blog = (b as ChildProcess & { log: () => string }).log();
    expect(blog).toMatch(/correlation state restored at stream sequence 2/);
    expect(blog).toMatch(/2 messages, 2 records, 0 alerts, 0 correlation alerts/);
    expect(corr()).toHaveLength(1);
    const singles = alertLines(fa, join(dir, 's4-b.jsonl')).filter((x): x is Alert => !isCorr(x)).map((x) => String(x.event.eventID)).sort();
    expect(singles).toEqual(['del-k1', 'stop-k1']);
  });
});

describe('POST /api/v1/ingest', () => {
  let srv: TestServer;
  beforeAll(async () => {
    srv = await startServer();
  });
  afterAll(async () => srv?.close());

  const stop = (id: string) => ({
    eventVersion: '1.08',
    userIdentity: { type: 'IAMUser', arn: 'arn:aws:iam::111122223333:user/mallory', accountId: '111122223333', userName: 'mallory' },
    eventTime: '2026-11-20T10:00:00Z',
    eventSource: 'cloudtrail.amazonaws.com',
    eventName: 'StopLogging',
    awsRegion: 'us-east-1',
    sourceIPAddress: '203.0.113.9',
    requestParameters: { name: 'arn:aws:cloudtrail:us-east-1:111122223333:trail/org' },
    responseElements: null,
    eventID: id,
    eventType: 'AwsApiCall',
    recipientAccountId: '111122223333',
  });

  it('takes NDJSON, CloudTrail files and EventBridge events with a token; stores one alert per rule and eventID', async () => {
    const analyst = await srv.as('analyst');
    const tok = await analyst.fetch('/api/v1/tokens', { method: 'POST', headers: { 'content-type': 'application/json', 'x-csrf-token': analyst.csrf }, body: JSON.stringify({ name: 'collector', role: 'analyst' }) });
    expect(tok.status, await tok.clone().text()).toBe(201);
    const secret = ((await tok.json()) as { token: string }).token;
    expect(secret).toMatch(/^tl_/);
    const post = (body: string | Buffer, type = 'application/x-ndjson', auth = `Bearer ${secret}`) => fetch(srv.url + '/api/v1/ingest', { method: 'POST', headers: { authorization: auth, 'content-type': type }, body });

    const nd = [stop('11111111-0000-4000-8000-000000000001'), stop('11111111-0000-4000-8000-000000000002')].map((r) => JSON.stringify(r)).join('\n') + '\n{not json\n';
    let r = await post(nd);
    let j = (await r.json()) as { records: number; alerts: number; duplicates: number; errors: { line?: number }[] };
    expect(r.status).toBe(200);
    expect(j.records).toBe(2);
    expect(j.alerts).toBeGreaterThanOrEqual(2);
    expect(j.errors).toHaveLength(1);
    expect(j.errors[0]!.line).toBe(3);
    const perRecord = j.alerts / 2;

    // The same records again, as a gzip CloudTrail delivery file: nothing new.
    r = await post(gzipSync(JSON.stringify({ Records: [stop('11111111-0000-4000-8000-000000000001')] })), 'application/json');
    j = (await r.json()) as typeof j;
    expect(j).toMatchObject({ records: 1, alerts: 0, duplicates: perRecord });

    // EventBridge events in an array.
    r = await post(JSON.stringify([{ 'detail-type': 'AWS API Call via CloudTrail', source: 'aws.cloudtrail', detail: stop('11111111-0000-4000-8000-000000000003') }]), 'application/json');
    j = (await r.json()) as typeof j;
    expect(j).toMatchObject({ records: 1, alerts: perRecord });
    const stored = srv.db.prepare("SELECT count(*) AS n FROM alerts WHERE event_id LIKE '11111111-0000-4000-8000-%' AND source_file LIKE 'ingest:%'").get() as { n: number };
    expect(stored.n).toBe(perRecord * 3);

    // Refusals: no token, bad token, viewer, empty or non-CloudTrail body.
    // Anonymous: refused (the CSRF check of cookie-less unsafe requests answers first, 403).
    expect([401, 403]).toContain((await fetch(srv.url + '/api/v1/ingest', { method: 'POST', body: nd })).status);
    expect((await post(nd, 'application/x-ndjson', 'Bearer tl_nope')).status).toBe(401);
    expect((await post('{"hello":"world"}', 'application/json')).status).toBe(400);
    expect((await post('', 'application/json')).status).toBe(400);
    const viewer = await srv.as('viewer');
    const vt = await viewer.fetch('/api/v1/tokens', { method: 'POST', headers: { 'content-type': 'application/json', 'x-csrf-token': viewer.csrf }, body: JSON.stringify({ name: 'v', role: 'viewer' }) });
    const vsecret = ((await vt.json()) as { token: string }).token;
    expect((await post(nd, 'application/x-ndjson', `Bearer ${vsecret}`)).status).toBe(403);

    const doc = (await (await fetch(srv.url + '/api/v1/openapi.json')).json()) as { paths: Record<string, Record<string, unknown>> };
    expect(doc.paths['/api/v1/ingest']?.post).toBeDefined();
  });
});

describe('POST /api/v1/ingest with stored correlation rules', () => {
  let srv: TestServer;
  let content: string;
  beforeAll(async () => {
    srv = await startServer();
    // A content directory holding the brute force correlation (and its building block), imported into the store.
    content = tempDir('ingest-corr');
    mkdirSync(join(content, 'rules'));
    copyFileSync(join(CORR, 'aws_console_brute_force.yml'), join(content, 'rules', 'aws_console_brute_force.yml'));
    importContentSet(srv.db, loadContent(content), content, 'test');
  });
  afterAll(async () => {
    await srv?.close();
    removeDir(content);
  });

  it('evaluates them across requests (state in the server process) and stores each correlation alert once', async () => {
    const analyst = await srv.as('analyst');
    const tok = await analyst.fetch('/api/v1/tokens', { method: 'POST', headers: { 'content-type': 'application/json', 'x-csrf-token': analyst.csrf }, body: JSON.stringify({ name: 'collector', role: 'analyst' }) });
    const secret = ((await tok.json()) as { token: string }).token;
    type Res = { records: number; alerts: number; correlationAlerts: number; duplicates: number };
    const post = async (mins: number[], ip = '198.51.100.66') => {
      const body = mins.map((m) => JSON.stringify({
        eventVersion: '1.08', userIdentity: { type: 'IAMUser', accountId: '111122223333', userName: 'nobody' }, eventTime: new Date(Date.parse('2026-11-20T10:00:00Z') + m * 60_000).toISOString().replace(/\.000Z$/, 'Z'),
        eventSource: 'signin.amazonaws.com', eventName: 'ConsoleLogin', awsRegion: 'us-east-1', sourceIPAddress: ip, responseElements: { ConsoleLogin: 'Failure' },
        eventID: `bf-${ip}-${m}`, eventType: 'AwsConsoleSignIn', recipientAccountId: '111122223333',
      })).join('\n');
      const r = await fetch(srv.url + '/api/v1/ingest', { method: 'POST', headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/x-ndjson' }, body });
      expect(r.status).toBe(200);
      return (await r.json()) as Res;
    };
    // Five failures from one address in two requests: held for the 15-minute disorder tolerance, so nothing yet.
    expect(await post([0, 1, 2])).toMatchObject({ records: 3, alerts: 0, correlationAlerts: 0 });
    expect(await post([3, 4])).toMatchObject({ records: 2, alerts: 0, correlationAlerts: 0 });
    // A correlated record 20 minutes later moves event time past the tolerance: the window is decided.
    expect(await post([20], '192.0.2.1')).toMatchObject({ records: 1, correlationAlerts: 1 });
    const rows = srv.db.prepare("SELECT rule_id, event_id, time, event_name, source_ip, account, source_file, event FROM alerts WHERE rule_id = '5d1f0c2e-8a0b-4d6e-9f31-2c7a9b4e6d10'").all() as Record<string, string>[];
    expect(rows).toHaveLength(1);
    const ev = JSON.parse(rows[0]!.event) as { window: { start: string; end: string }; group: Record<string, string>; value: number; events: string[] };
    expect(ev).toEqual({ window: { start: '2026-11-20T10:00:00Z', end: '2026-11-20T10:04:00Z' }, group: { sourceIPAddress: '198.51.100.66' }, value: 5, events: [0, 1, 2, 3, 4].map((m) => `bf-198.51.100.66-${m}`) });
    expect(rows[0]).toMatchObject({ time: '2026-11-20T10:04:00Z', event_name: 'correlation:event_count', source_ip: '198.51.100.66', source_file: expect.stringMatching(/^ingest:/) });
    expect(rows[0]!.event_id).toBe(correlationEventId({ rule: { id: rows[0]!.rule_id, title: '', level: null, tags: [], type: 'event_count' }, time: '', window: ev.window, group: ev.group, events: ev.events }));
    // generate: false: the failed sign-in rule raises no alert of its own.
    expect((srv.db.prepare("SELECT count(*) AS n FROM alerts WHERE rule_id = '0b3c6a44-1f2e-4a8d-b7c9-5e6f7a8b9c01'").get() as { n: number }).n).toBe(0);
    // The same five again (a retried request): too old to correlate again, nothing new is stored.
    await post([0, 1, 2, 3, 4]);
    await post([40], '192.0.2.1');
    expect((srv.db.prepare("SELECT count(*) AS n FROM alerts WHERE rule_id = '5d1f0c2e-8a0b-4d6e-9f31-2c7a9b4e6d10'").get() as { n: number }).n).toBe(1);
  });
});

describe('webhook delivery', () => {
  const alert: Alert = {
    rule: { id: 'b1315214-edda-4aba-be40-f8032165a3d5', title: 'CloudTrail <logging> stopped', level: 'high', tags: ['attack.defense-evasion', 'attack.t1562.008'] },
    time: '2026-11-20T10:00:00Z',
    source: { file: 'cloudtrail.111122223333.us-east-1', index: 7 },
    matched: { eventName: 'StopLogging' },
    event: { eventSource: 'cloudtrail.amazonaws.com', eventName: 'StopLogging', eventID: 'e-1', awsRegion: 'us-east-1', recipientAccountId: '111122223333', sourceIPAddress: '203.0.113.9', userIdentity: { type: 'IAMUser', arn: 'arn:aws:iam::111122223333:user/mallory', userName: 'mallory' } },
  };

  it('retries with backoff until the receiver accepts (fails twice, then 200)', async () => {
    const seen: { at: number; body: string }[] = [];
    const http = createHttpServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        seen.push({ at: Date.now(), body });
        res.statusCode = seen.length <= 2 ? 503 : 200;
        res.end();
      });
    });
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', () => r()));
    const url = `http://127.0.0.1:${(http.address() as { port: number }).port}/hook`;
    try {
      const r = await deliverWebhook(alert, { url, baseDelayMs: 100, attempts: 5 });
      expect(r).toMatchObject({ ok: true, attempts: 3, status: 200 });
      expect(seen).toHaveLength(3);
      const gap1 = seen[1]!.at - seen[0]!.at;
      const gap2 = seen[2]!.at - seen[1]!.at;
      expect(gap1).toBeGreaterThanOrEqual(75);
      expect(gap2).toBeGreaterThanOrEqual(150); // doubled (±20% jitter)
      expect(JSON.parse(seen[2]!.body)).toEqual(alert);
      // A 4xx other than 408/425/429 is final.
      seen.length = 0;
      const http2 = createHttpServer((_req, res) => ((res.statusCode = 400), res.end()));
      await new Promise<void>((r) => http2.listen(0, '127.0.0.1', () => r()));
      const r2 = await deliverWebhook(alert, { url: `http://127.0.0.1:${(http2.address() as { port: number }).port}/`, baseDelayMs: 10, attempts: 5 });
      expect(r2).toMatchObject({ ok: false, attempts: 1, status: 400 });
      http2.close();
    } finally {
      http.close();
    }
  });

  it('Slack-compatible body: text and Block Kit sections, mrkdwn escaped', () => {
    const s = slackBody(alert) as { text: string; blocks: { type: string; text?: { type: string; text: string }; fields?: { type: string; text: string }[] }[] };
    expect(s.text).toBe('CloudTrail <logging> stopped (high)');
    expect(s.blocks[0]).toMatchObject({ type: 'section', text: { type: 'mrkdwn' } });
    expect(s.blocks[0]!.text!.text).toContain('*CloudTrail &lt;logging&gt; stopped*');
    expect(s.blocks[1]!.fields!.map((f) => f.text)).toContain('*Event*: cloudtrail.amazonaws.com StopLogging');
    expect(s.blocks[2]!.type).toBe('context');
    expect(webhookBody(alert, { format: 'slack' })).toEqual(s);
  });

  it('OCSF Detection Finding shape (class 2004)', () => {
    const f = ocsfFinding(alert) as Record<string, any>;
    expect(f).toMatchObject({ class_uid: 2004, category_uid: 2, activity_id: 1, type_uid: 200401, severity_id: 4, severity: 'High', status_id: 1 });
    expect(f.time).toBe(Date.parse('2026-11-20T10:00:00Z'));
    expect(f.metadata.product.name).toBe('Tideline');
    expect(f.metadata.version).toMatch(/^1\./);
    expect(f.finding_info).toMatchObject({ title: alert.rule.title, analytic: { uid: alert.rule.id, type_id: 1 }, related_events: [{ uid: 'e-1' }] });
    expect(f.finding_info.attacks).toEqual([{ technique: { uid: 'T1562.008' }, version: '18.1' }]);
    expect(f.cloud).toMatchObject({ provider: 'AWS', region: 'us-east-1', account: { uid: '111122223333' } });
    expect(f.evidences[0].api.operation).toBe('StopLogging');
    expect(webhookBody(alert, { format: 'json', ocsf: true })).toEqual(f);
    const c = ocsfFinding({ rule: { ...alert.rule, type: 'event_count' }, time: '2026-11-20T10:05:00Z', window: { start: '2026-11-20T10:00:00Z', end: '2026-11-20T10:05:00Z' }, group: { sourceIPAddress: '203.0.113.9' }, value: 5, events: ['a', 'b'] }) as Record<string, any>;
    expect(c.finding_info.related_events).toHaveLength(2);
    expect(c.finding_info.analytic.type_id).toBe(5);
  });
});
