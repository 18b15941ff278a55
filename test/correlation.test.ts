// Sigma 2.1 correlation rules: every type and edge, the spec's examples, and `tideline hunt` end to end.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { CorrelationEngine, parseDisorder, percentile, type CorrelationAlert } from '../src/detect/correlation.js';
import { Detector } from '../src/detect/engine.js';
import type { JsonObject } from '../src/sigma/fields.js';
import { loadRulesFromText } from '../src/sigma/load.js';
import { removeDir, ROOT, tempDir } from './helpers/cloudtrail.js';

const CLI = join(ROOT, 'dist/cli/main.js');
const FIXTURES = join(ROOT, 'test/fixtures/correlation');
// The fixtures build on two bundled rules (StopLogging, DeleteTrail): load them together.
const RULES = ['-r', FIXTURES, '-r', join(ROOT, 'content/rules')];

// Two detection rules used throughout: failed console logins and successful ones (by name and id).
const BASE = `
title: Failed console login
id: 11111111-1111-4111-8111-111111111111
name: failed_login
logsource: { product: aws, service: cloudtrail }
detection:
  selection: { eventName: ConsoleLogin, responseElements.ConsoleLogin: Failure }
  condition: selection
---
title: Successful console login
id: 22222222-2222-4222-8222-222222222222
name: successful_login
logsource: { product: aws, service: cloudtrail }
detection:
  selection: { eventName: ConsoleLogin, responseElements.ConsoleLogin: Success }
  condition: selection
---
title: Object read
id: 33333333-3333-4333-8333-333333333333
name: object_read
logsource: { product: aws, service: cloudtrail }
detection:
  selection: { eventName: GetObject }
  condition: selection
`;

const T0 = Date.parse('2026-10-05T10:00:00Z');
const at = (sec: number) => new Date(T0 + sec * 1000).toISOString().replace(/\.000Z$/, 'Z');
let n = 0;
function ev(kind: 'fail' | 'ok' | 'get', sec: number, extra: JsonObject = {}): JsonObject {
  const base: JsonObject = {
    eventTime: at(sec),
    eventID: `e${++n}`,
    sourceIPAddress: '203.0.113.9',
    userIdentity: { type: 'IAMUser', arn: 'arn:aws:iam::111122223333:user/alice', userName: 'alice' },
  };
  if (kind === 'get') return { ...base, eventName: 'GetObject', ...extra };
  return { ...base, eventName: 'ConsoleLogin', responseElements: { ConsoleLogin: kind === 'fail' ? 'Failure' : 'Success' }, ...extra };
}

function setup(corr: string, maxDisorderMs = 0) {
  const set = loadRulesFromText(BASE + '---\n' + corr);
  expect(set.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  const detector = new Detector(set.rules);
  const engine = new CorrelationEngine(set.correlations, set.rules, { maxDisorderMs });
  expect(engine.problems.map((p) => p.message)).toEqual([]);
  const feed = (...events: JsonObject[]): CorrelationAlert[] => events.flatMap((e) => engine.process(e, detector.match(e)));
  const run = (...events: JsonObject[]) => [...feed(...events), ...engine.flush()];
  return { set, engine, detector, feed, run };
}

const corr = (type: string, body: string, extra = '') => `title: C ${type}
id: 99999999-9999-4999-8999-999999999999
name: c_main
level: high
${extra}correlation:
  type: ${type}
${body}`;

describe('event_count', () => {
  const rule = corr('event_count', '  rules: [failed_login]\n  group-by: [sourceIPAddress]\n  timespan: 5m\n  condition: { gte: 5 }\n');

  it('five failed logins from one address in five minutes fire once, with window, group and events', () => {
    const { run } = setup(rule);
    const evs = [0, 60, 120, 180, 240].map((s) => ev('fail', s));
    const alerts = run(...evs);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toEqual({
      rule: { id: '99999999-9999-4999-8999-999999999999', title: 'C event_count', level: 'high', tags: [], type: 'event_count' },
      time: at(240),
      window: { start: at(0), end: at(240) },
      group: { sourceIPAddress: '203.0.113.9' },
      value: 5,
      events: evs.map((e) => e.eventID),
    });
  });

  it('the window is inclusive: events exactly one timespan apart are in one window; one ms more is not', () => {
    expect(setup(rule).run(...[0, 100, 200, 250, 300].map((s) => ev('fail', s)))).toHaveLength(1);
    expect(setup(rule).run(...[0, 100, 200, 250, 300.001].map((s) => ev('fail', s)))).toHaveLength(0);
  });

  it('groups are separate; a missing group-by field is a null group of its own', () => {
    const { run } = setup(rule);
    const evs = [0, 1, 2, 3].map((s) => ev('fail', s)).concat([4].map((s) => ev('fail', s, { sourceIPAddress: '198.51.100.1' })));
    expect(run(...evs)).toHaveLength(0);
    const noIp = [0, 1, 2, 3, 4].map((s) => {
      const e = ev('fail', s);
      delete e.sourceIPAddress;
      return e;
    });
    const a = setup(rule).run(...noIp);
    expect(a).toHaveLength(1);
    expect(a[0]!.group).toEqual({ sourceIPAddress: null });
  });

  it('restarts after firing: ten events give two alerts; a duplicate delivery counts once', () => {
    expect(setup(rule).run(...Array.from({ length: 10 }, (_, i) => ev('fail', i)))).toHaveLength(2);
    const e = ev('fail', 0);
    const dup = [e, { ...e }, { ...e }, { ...e }, { ...e }];
    expect(setup(rule).run(...dup)).toHaveLength(0);
  });

  it('only the referenced rule counts', () => {
    expect(setup(rule).run(ev('fail', 0), ev('ok', 1), ev('get', 2), ev('fail', 3), ev('fail', 4), ev('fail', 5))).toHaveLength(0);
  });

  it('without group-by everything is one group', () => {
    const r = corr('event_count', '  rules: [failed_login]\n  timespan: 5m\n  condition: { gte: 3 }\n');
    const a = setup(r).run(ev('fail', 0, { sourceIPAddress: '1.1.1.1' }), ev('fail', 1, { sourceIPAddress: '2.2.2.2' }), ev('fail', 2, { sourceIPAddress: '3.3.3.3' }));
    expect(a).toHaveLength(1);
    expect(a[0]!.group).toEqual({});
  });

  it('upper bounds and equality are decided when the window ends (range, eq, lt, neq)', () => {
    const range = corr('event_count', '  rules: [failed_login]\n  group-by: [sourceIPAddress]\n  timespan: 5m\n  condition: { gt: 2, lte: 4 }\n');
    // 3 events in the window: in range; fires when event time passes the window end (here: at flush).
    let a = setup(range).run(ev('fail', 0), ev('fail', 10), ev('fail', 20));
    expect(a.map((x) => [x.value, x.window])).toEqual([[3, { start: at(0), end: at(300) }]]);
    expect(a[0]!.time).toBe(at(20));
    // 5 events: above the range, no alert even though it passed through 3 and 4.
    expect(setup(range).run(...[0, 1, 2, 3, 4].map((s) => ev('fail', s)))).toHaveLength(0);
    // The window closes as soon as a later event is past its end, before that event is counted.
    a = setup(range).feed(ev('fail', 0), ev('fail', 10), ev('fail', 20), ev('fail', 301));
    expect(a).toHaveLength(1);
    const eq = corr('event_count', '  rules: [failed_login]\n  timespan: 1m\n  condition: { eq: 2 }\n');
    expect(setup(eq).run(ev('fail', 0), ev('fail', 60), ev('fail', 61)).map((x) => x.value)).toEqual([2]);
    const lt = corr('event_count', '  rules: [failed_login]\n  timespan: 1m\n  condition: { lt: 2 }\n');
    expect(setup(lt).run(ev('fail', 0), ev('fail', 30), ev('fail', 100)).map((x) => x.events.length)).toEqual([1]);
    const neq = corr('event_count', '  rules: [failed_login]\n  timespan: 1m\n  condition: { neq: 1 }\n');
    expect(setup(neq).run(ev('fail', 0), ev('fail', 100), ev('fail', 101)).map((x) => x.value)).toEqual([2]);
  });
});

describe('value_count', () => {
  const rule = corr('value_count', '  rules: [failed_login]\n  group-by: [sourceIPAddress]\n  timespan: 10m\n  condition: { field: userIdentity.userName, gte: 3 }\n');
  const as = (user: string | null, sec: number) => {
    const e = ev('fail', sec, { userIdentity: user === null ? { type: 'IAMUser' } : { type: 'IAMUser', userName: user } });
    return e;
  };
  it('counts distinct values of the field, not events; events without the field do not count', () => {
    expect(setup(rule).run(as('a', 0), as('a', 1), as('b', 2), as('b', 3), as(null, 4))).toHaveLength(0);
    const a = setup(rule).run(as('a', 0), as('a', 1), as('b', 2), as(null, 3), as('c', 4));
    expect(a.map((x) => [x.value, x.events.length])).toEqual([[3, 4]]);
  });
  it('a list of fields counts distinct combinations', () => {
    const r = corr('value_count', '  rules: [failed_login]\n  timespan: 10m\n  condition: { field: [userIdentity.userName, sourceIPAddress], gte: 2 }\n');
    expect(setup(r).run(as('a', 0), as('a', 1))).toHaveLength(0);
    expect(setup(r).run(as('a', 0), { ...as('a', 1), sourceIPAddress: '1.2.3.4' })).toHaveLength(1);
  });
});

describe('value_sum, value_avg, value_percentile, value_median', () => {
  const get = (sec: number, bytes: number | string | null) => ev('get', sec, { additionalEventData: bytes === null ? {} : { bytesTransferredOut: bytes } });
  const body = (cond: string) => `  rules: [object_read]\n  group-by: [userIdentity.arn]\n  timespan: 1h\n  condition: { field: additionalEventData.bytesTransferredOut, ${cond} }\n`;
  it('value_sum fires when the window total passes the threshold; numeric strings count, others not', () => {
    const a = setup(corr('value_sum', body('gt: 1000'))).run(get(0, 400), get(10, 'x'), get(20, null), get(30, '500'), get(40, 200));
    expect(a.map((x) => [x.value, x.events.length])).toEqual([[1100, 3]]);
  });
  it('value_avg', () => {
    const a = setup(corr('value_avg', body('gte: 300'))).run(get(0, 100), get(1, 200), get(2, 900));
    expect(a.map((x) => x.value)).toEqual([400]);
  });
  it('value_avg with an upper bound is decided over the whole window', () => {
    const a = setup(corr('value_avg', body('lt: 100'))).run(get(0, 10), get(1, 500));
    expect(a).toEqual([]);
  });
  it('value_percentile interpolates linearly; value_median is the 50th', () => {
    expect(percentile([1, 2, 3, 4], 50)).toBe(2.5);
    expect(percentile([10, 20, 30, 40, 50], 90)).toBe(46);
    const p = setup(corr('value_percentile', body('percentile: 90, gte: 46'))).run(...[10, 20, 30, 40, 50].map((b, i) => get(i, b)));
    expect(p.map((x) => x.value)).toEqual([46]);
    const m = setup(corr('value_median', body('gte: 25, lte: 100'))).run(...[10, 20, 30, 40].map((b, i) => get(i, b)));
    expect(m.map((x) => x.value)).toEqual([25]);
  });
});

describe('temporal and temporal_ordered', () => {
  const temporal = corr('temporal', '  rules: [failed_login, successful_login]\n  group-by: [userIdentity.userName]\n  timespan: 10m\n');
  const ordered = corr('temporal_ordered', '  rules: [failed_login, successful_login]\n  group-by: [userIdentity.userName]\n  timespan: 10m\n');
  it('temporal: all rules in the window, any order', () => {
    expect(setup(temporal).run(ev('ok', 0), ev('fail', 60)).map((a) => a.value)).toEqual([2]);
    expect(setup(temporal).run(ev('ok', 0), ev('fail', 601))).toHaveLength(0);
    expect(setup(temporal).run(ev('ok', 0), ev('ok', 60))).toHaveLength(0);
  });
  it('temporal with a count condition: any 2 of 3 rules', () => {
    const r = corr('temporal', '  rules: [failed_login, successful_login, object_read]\n  group-by: [userIdentity.userName]\n  timespan: 10m\n  condition: { gte: 2 }\n');
    expect(setup(r).run(ev('get', 0), ev('ok', 1))).toHaveLength(1);
  });
  it('temporal_ordered: only in the order written, within the timespan', () => {
    expect(setup(ordered).run(ev('ok', 0), ev('fail', 60))).toHaveLength(0);
    const a = setup(ordered).run(ev('ok', 0), ev('fail', 60), ev('ok', 120));
    expect(a).toHaveLength(1);
    expect(a[0]!.events).toEqual(['e' + (n - 1), 'e' + n]); // the chain: the failure, then the later success
    expect(a[0]!.window).toEqual({ start: at(60), end: at(120) });
    expect(setup(ordered).run(ev('fail', 0), ev('ok', 601))).toHaveLength(0);
    expect(setup(ordered).run(ev('fail', 0), ev('ok', 600))).toHaveLength(1);
  });
  it('aliases: the group-by field has a different name in each rule', () => {
    const r = corr('temporal', `  rules: [failed_login, object_read]
  group-by: [who]
  timespan: 10m
  aliases:
    who:
      failed_login: userIdentity.userName
      object_read: requestParameters.owner
`);
    const a = setup(r).run(ev('fail', 0, { userIdentity: { userName: 'bob' } }), ev('get', 1, { requestParameters: { owner: 'alice' } }), ev('get', 2, { requestParameters: { owner: 'bob' } }));
    expect(a.map((x) => x.group)).toEqual([{ who: 'bob' }]);
  });
});

describe('out-of-order events', () => {
  const rule = corr('temporal_ordered', '  rules: [failed_login, successful_login]\n  group-by: [userIdentity.userName]\n  timespan: 10m\n');
  it('within the tolerance they are put back in event-time order', () => {
    const { run, engine } = setup(rule, 15 * 60_000);
    // Delivered success first, failure (earlier event time) 4 minutes later in the stream.
    expect(run(ev('ok', 240), ev('fail', 0))).toHaveLength(1);
    expect(engine.stats.late).toBe(0);
  });
  it('beyond the tolerance they are counted late and not correlated', () => {
    const { run, engine } = setup(rule, 60_000);
    // The success at 240 s is applied once the stream reaches 300 s; the failure at 0 s arrives after that.
    expect(run(ev('ok', 240), ev('get', 300), ev('ok', 301), ev('fail', 0))).toHaveLength(0);
    expect(engine.stats.late).toBe(1);
  });
  it('event_count over shuffled input equals event_count over sorted input when the tolerance covers the shuffle', () => {
    const r = corr('event_count', '  rules: [failed_login]\n  group-by: [sourceIPAddress]\n  timespan: 5m\n  condition: { gte: 3 }\n');
    const evs = Array.from({ length: 40 }, (_, i) => ev('fail', i * 37, { sourceIPAddress: `10.0.0.${i % 3}` }));
    const sorted = setup(r, 3600_000).run(...evs);
    const shuffled = [...evs].sort((a, b) => ((a.eventID as string).length * 7 + Number((a.eventID as string).slice(1)) * 13) % 17 - ((b.eventID as string).length * 7 + Number((b.eventID as string).slice(1)) * 13) % 17);
    const again = setup(r, 3600_000).run(...shuffled);
    expect(again).toEqual(sorted);
    expect(sorted.length).toBeGreaterThan(3);
  });
  it('records without eventTime are not correlated', () => {
    const { run, engine } = setup(corr('event_count', '  rules: [failed_login]\n  timespan: 5m\n  condition: { gte: 1 }\n'));
    const e = ev('fail', 0);
    delete e.eventTime;
    expect(run(e)).toEqual([]);
    expect(engine.stats.untimed).toBe(1);
  });
  it('parses the --max-disorder values', () => {
    expect(parseDisorder('15m')).toBe(900_000);
    expect(parseDisorder('0')).toBe(0);
    expect(parseDisorder('all')).toBe(Infinity);
    expect(parseDisorder('soon')).toBeUndefined();
  });
});

describe('chained correlations and generate', () => {
  // The spec's example, on CloudTrail: many failed logins, then a successful login of that user.
  const chain = `title: Multiple failed logins followed by a successful login
id: b180ead8-d58f-40b2-ae54-c8940995b9b6
level: high
correlation:
  type: temporal_ordered
  rules: [multiple_failed_login, successful_login]
  group-by: [userIdentity.userName]
  timespan: 10m
---
title: Multiple failed logins
id: a8418a5a-5fc4-46b5-b23b-6c73beb19d41
name: multiple_failed_login
correlation:
  type: event_count
  rules: [failed_login]
  group-by: [userIdentity.userName]
  timespan: 10m
  condition: { gte: 3 }
`;
  it('a correlation alert is an event of the correlation that refers to it; intermediates are not written', () => {
    const { set, run, engine } = setup(chain);
    const a = run(ev('fail', 0), ev('fail', 10), ev('ok', 15), ev('fail', 20), ev('ok', 30));
    expect(a.map((x) => [x.rule.id, x.value, x.group, x.events.length])).toEqual([['b180ead8-d58f-40b2-ae54-c8940995b9b6', 2, { 'userIdentity.userName': 'alice' }, 4]]);
    expect(a[0]!.window).toEqual({ start: at(20), end: at(30) });
    // generate defaults to false: the referenced detection rules' own alerts are not written.
    expect([...engine.silent].sort()).toEqual(['11111111-1111-4111-8111-111111111111', '22222222-2222-4222-8222-222222222222']);
    expect(set.correlations).toHaveLength(2);
  });
  it('generate: true on the outer correlation keeps the intermediate alerts and the rules\' own', () => {
    const { run, engine } = setup(chain.replace('level: high\n', 'level: high\ngenerate: true\n').replace('correlation:\n  type: temporal_ordered', 'correlation:\n  generate: true\n  type: temporal_ordered'));
    const a = run(ev('fail', 0), ev('fail', 10), ev('fail', 20), ev('ok', 30));
    expect(a.map((x) => x.rule.type)).toEqual(['event_count', 'temporal_ordered']);
    expect([...engine.silent]).toEqual(['11111111-1111-4111-8111-111111111111']);
  });
  it('reports broken references, cycles and bad conditions instead of running them', () => {
    const set = loadRulesFromText(BASE + `---
title: X
id: 44444444-4444-4444-8444-444444444444
name: x
correlation: { type: event_count, rules: [y], timespan: 5m, condition: { gte: 1 } }
---
title: Y
id: 55555555-5555-4555-8555-555555555555
name: y
correlation: { type: event_count, rules: [x], timespan: 5m, condition: { gte: 1 } }
---
title: Z
id: 66666666-6666-4666-8666-666666666666
correlation: { type: value_count, rules: [nope], timespan: 5m, condition: { gte: 1 } }
---
title: W
id: 77777777-7777-4777-8777-777777777777
correlation: { type: event_count, rules: [failed_login], timespan: 5m, condition: { more: 1 } }
`);
    const e = new CorrelationEngine(set.correlations, set.rules);
    const msgs = e.problems.map((p) => `${p.rule.title}: ${p.message}`);
    expect(msgs).toEqual(expect.arrayContaining([
      expect.stringMatching(/^X: .*itself/),
      expect.stringMatching(/^Z: .*'nope', which is not loaded/),
      expect.stringMatching(/^Z: value_count correlation needs 'field'/),
      expect.stringMatching(/^W: condition: unknown key 'more'/),
    ]));
    expect(e.active).toEqual([]);
    expect(e.silent.size).toBe(0); // a broken correlation silences nothing
  });
});

describe('state', () => {
  it('snapshot / restore through JSON continues exactly where it stopped', () => {
    const rule = corr('event_count', '  rules: [failed_login]\n  group-by: [sourceIPAddress]\n  timespan: 5m\n  condition: { gt: 1, lte: 3 }\n');
    const evs = [0, 20, 40, 400, 410, 420, 430, 900].map((s, i) => ev('fail', s, { sourceIPAddress: `10.0.0.${i % 2}` }));
    const whole = setup(rule, 120_000).run(...evs);
    const a = setup(rule, 120_000);
    const first = a.feed(...evs.slice(0, 5));
    const state = JSON.parse(JSON.stringify(a.engine.snapshot()));
    const b = CorrelationEngine.restore(state, a.set.correlations, a.set.rules);
    const rest = evs.slice(5).flatMap((e) => b.process(e, a.detector.match(e)));
    expect([...first, ...rest, ...b.flush()]).toEqual(whole);
    expect(whole.length).toBeGreaterThan(0);
  });
});

describe('tideline hunt with correlation rules', () => {
  let dir: string;
  const run = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: 'utf8' });
  beforeAll(() => {
    if (!existsSync(CLI)) spawnSync('npx', ['tsc', '-p', ROOT], { stdio: 'inherit' });
  });

  function writeLogs(): string {
    dir = tempDir('corr');
    const principal = { type: 'IAMUser', principalId: 'AIDAMALLORY', arn: 'arn:aws:iam::111122223333:user/mallory', accountId: '111122223333', userName: 'mallory' };
    const rec = (id: string, sec: number, o: JsonObject): JsonObject => ({
      eventVersion: '1.08', userIdentity: principal, eventTime: at(sec), awsRegion: 'us-east-1', sourceIPAddress: '203.0.113.50',
      userAgent: 'aws-cli/2.15.0', eventID: id, eventType: 'AwsApiCall', recipientAccountId: '111122223333', ...o,
    });
    const login = (id: string, sec: number, ok: boolean, ip = '203.0.113.50') => rec(id, sec, {
      eventSource: 'signin.amazonaws.com', eventName: 'ConsoleLogin', sourceIPAddress: ip, eventType: 'AwsConsoleSignIn',
      responseElements: { ConsoleLogin: ok ? 'Success' : 'Failure' }, additionalEventData: { MFAUsed: 'No' }, errorMessage: ok ? null : 'Failed authentication',
    });
    const trail = { name: 'org-trail' };
    // File 1 (delivered first) holds the later events; file 2 the earlier ones: out of order across files, within 15 minutes.
    const f1 = [
      login('login-4', 200, false), login('login-5', 230, false), login('login-6', 260, true),
      rec('stop-1', 400, { eventSource: 'cloudtrail.amazonaws.com', eventName: 'StopLogging', requestParameters: trail }),
      rec('del-1', 700, { eventSource: 'cloudtrail.amazonaws.com', eventName: 'DeleteTrail', requestParameters: trail }),
      login('other-1', 100, false, '198.51.100.1'), login('other-2', 110, false, '198.51.100.1'),
    ];
    const f2 = [login('login-1', 0, false), login('login-2', 60, false), login('login-3', 120, false)];
    mkdirSync(join(dir, 'logs'));
    writeFileSync(join(dir, 'logs', 'a.json'), JSON.stringify({ Records: f1 }));
    writeFileSync(join(dir, 'logs', 'b.json'), JSON.stringify({ Records: f2 }));
    return join(dir, 'logs');
  }

  it('fires the brute force and StopLogging→DeleteTrail correlations, the same with 1 and 2 workers, in every format', () => {
    const logs = writeLogs();
    try {
      const outs: string[] = [];
      for (const workers of ['1', '2']) {
        const r = run('hunt', ...RULES, '--format', 'jsonl', '--workers', workers, '--no-progress', logs);
        expect(r.status, r.stderr).toBe(0);
        outs.push(r.stdout);
        const lines = r.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l));
        const corrs = lines.filter((l) => l.rule.type);
        expect(corrs.map((c) => [c.rule.title, c.group, c.events])).toEqual([
          ['Console brute force from one address', { sourceIPAddress: '203.0.113.50' }, ['login-1', 'login-2', 'login-3', 'login-4', 'login-5']],
          ['CloudTrail logging stopped then trail deleted by the same principal', { 'userIdentity.arn': 'arn:aws:iam::111122223333:user/mallory' }, ['stop-1', 'del-1']],
        ]);
        expect(corrs[0].window).toEqual({ start: at(0), end: at(230) });
        expect(corrs[1].window).toEqual({ start: at(400), end: at(700) });
        // generate: true on the trail correlation keeps the StopLogging and DeleteTrail alerts; the failed-login rule is silent.
        const singles = lines.filter((l) => !l.rule.type).map((l) => l.event.eventID).sort();
        expect(singles).toEqual(['del-1', 'login-6', 'stop-1']);
        expect(r.stderr).toMatch(/2 correlation alerts/);
      }
      expect(outs[1]).toBe(outs[0]);

      // A smaller tolerance than the files' disorder: the earlier file's logins are late, and the summary says so.
      const tight = run('hunt', ...RULES, '--format', 'jsonl', '--workers', '1', '--max-disorder', '1m', '--no-progress', logs);
      expect(tight.status, tight.stderr).toBe(0);
      expect(tight.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l).rule.title)).not.toContain('Console brute force from one address');
      expect(tight.stderr).toMatch(/late .*--max-disorder/);

      for (const format of ['csv', 'table', 'json']) {
        const r = run('hunt', ...RULES, '--format', format, '--workers', '1', '--no-progress', logs);
        expect(r.status, r.stderr).toBe(0);
        expect(r.stdout).toContain('Console brute force from one address');
        if (format === 'csv') expect(r.stdout).toContain('login-1 login-2 login-3 login-4 login-5');
        if (format === 'json') expect(JSON.parse(r.stdout).filter((a: { rule: { type?: string } }) => a.rule.type)).toHaveLength(2);
      }
    } finally {
      removeDir(dir);
    }
  });

  it('rules lint and rules list show correlations as evaluated, with their problems as errors', () => {
    const lint = run('rules', 'lint', FIXTURES, join(ROOT, 'content/rules'));
    expect(lint.status, lint.stdout + lint.stderr).toBe(0);
    expect(lint.stdout + lint.stderr).not.toMatch(/not evaluated/);
    const list = run('rules', 'list', '--format', 'json', FIXTURES, join(ROOT, 'content/rules'));
    const rows = JSON.parse(list.stdout) as { kind: string }[];
    expect(rows.map((r) => r.kind)).toContain('correlation (temporal_ordered)');
    dir = tempDir('corr-bad');
    try {
      writeFileSync(join(dir, 'bad.yml'), readFileSync(join(FIXTURES, 'aws_console_brute_force.yml'), 'utf8').replace(/(rules:\s*- )aws_console_login_failed/, '$1no_such_rule'));
      const bad = run('rules', 'lint', dir);
      expect(bad.status).toBe(2);
      expect(bad.stdout).toMatch(/bad\.yml:\d+:1: error: correlation refers to rule 'no_such_rule'/);
    } finally {
      removeDir(dir);
    }
  });
});

describe('README examples', () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('### Correlation rules'), readme.indexOf('`tideline rules lint ../shared/sigma-aws-rules` loads'));
  const blocks = [...section.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]!);
  it('the Sigma 2 equivalents of the SigmaHQ Sigma 1 aggregations load and fire', () => {
    expect(blocks).toHaveLength(2);
    const set = loadRulesFromText(blocks[1]!);
    expect(set.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const engine = new CorrelationEngine(set.correlations, set.rules, { maxDisorderMs: 0 });
    expect(engine.problems).toEqual([]);
    const detector = new Detector(set.rules);
    const mk = (i: number, o: JsonObject): JsonObject => ({ eventTime: at(i), eventID: `r${i}`, recipientAccountId: '111122223333', userIdentity: { arn: 'arn:aws:iam::111122223333:user/eve' }, ...o });
    const evs = [
      ...Array.from({ length: 51 }, (_, i) => mk(i, { eventSource: 's3.amazonaws.com', eventName: 'ListBuckets' })),
      mk(100, { eventSource: 'ses.amazonaws.com', eventName: 'VerifyEmailIdentity' }),
      mk(200, { eventSource: 'ses.amazonaws.com', eventName: 'UpdateAccountSendingEnabled' }),
    ];
    const alerts = [...evs.flatMap((e) => engine.process(e, detector.match(e))), ...engine.flush()];
    expect(alerts.map((a) => [a.rule.title, a.value])).toEqual([['Account Enumeration on AWS', 51], ['Potential AWS Cloud Email Service Abuse', 2]]);
    expect(engine.silent.size).toBe(3);
  });
  it('the trail example is the fixture', () => {
    const shape = (c: { id: string; type: string; rules: string[]; groupBy: string[]; timespan?: string; raw: JsonObject }) => [c.id, c.type, c.rules, c.groupBy, c.timespan, c.raw.generate];
    const readmeRule = loadRulesFromText(blocks[0]!).correlations[0]!;
    const fixture = loadRulesFromText(readFileSync(join(FIXTURES, 'aws_cloudtrail_stop_then_delete.yml'), 'utf8')).correlations[0]!;
    expect(shape(readmeRule)).toEqual(shape(fixture));
  });
});
