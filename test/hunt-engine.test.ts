// `tideline hunt --engine duckdb|athena`. duckdb: the same alerts as the native engine (same formats, order and dedup)
// on the bundled sample trail with SigmaHQ's 57 AWS rules and with the bundled rules. athena: cannot run here, so the
// StartQueryExecution request it builds and the parsing of GetQueryResults pages are tested with recorded JSON
// (test/fixtures/athena), end to end through the CLI command with the client replaced.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { athenaApiFactory, huntCommand } from '../src/cli/hunt.js';
import { athenaRecords, athenaStartRequest, ATHENA_RESULT_COLUMNS, duckdbLoadSql, type AthenaApi } from '../src/detect/sql-hunt.js';
import { convertRule, findTarget } from '../src/convert/index.js';
import { loadRules } from '../src/sigma/load.js';

const ROOT = join(__dirname, '..');
const SAMPLE = join(ROOT, 'content/samples/cloudtrail');
const SHARED = join(ROOT, '../shared/sigma-aws-rules');
const BUNDLED = join(ROOT, 'content/rules');
const dir = mkdtempSync(join(tmpdir(), 'tideline-engine-'));

async function hunt(engine: string, rules: string, format: string, extra: Record<string, unknown> = {}, logs = [SAMPLE]): Promise<{ code: number; out: string }> {
  const output = join(dir, `${engine}-${format}-${Math.random().toString(36).slice(2)}`);
  const code = await huntCommand(logs, { rules: [rules], format, output, engine, workers: '1', progress: false, ...extra });
  return { code, out: readFileSync(output, 'utf8') };
}

describe('hunt --engine duckdb equals the native engine', () => {
  for (const [name, rules] of [['SigmaHQ rules', SHARED], ['bundled rules', BUNDLED]] as const) {
    it(`${name}: jsonl alerts are the same, in the same order`, async () => {
      const native = await hunt('native', rules, 'jsonl');
      const duck = await hunt('duckdb', rules, 'jsonl');
      expect(duck.code).toBe(native.code);
      const parse = (s: string) => s.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l));
      expect(parse(native.out).length).toBeGreaterThan(5);
      expect(parse(duck.out)).toEqual(parse(native.out));
    }, 120_000);
  }
  it('csv output and a time window are the same too', async () => {
    const w = { since: '2026-10-05T12:00:00Z', until: '2026-10-06T00:00:00Z' };
    const native = await hunt('native', SHARED, 'csv', w);
    const duck = await hunt('duckdb', SHARED, 'csv', w);
    expect(duck.out).toBe(native.out);
    expect(native.out.split('\n').length).toBeGreaterThan(3);
  }, 120_000);
  it('no-dedup keeps duplicates as the native engine does', async () => {
    const logs = [SAMPLE, SAMPLE];
    const native = await hunt('native', BUNDLED, 'jsonl', { dedup: false }, logs);
    const duck = await hunt('duckdb', BUNDLED, 'jsonl', { dedup: false }, logs);
    expect(duck.out.split('\n').length).toBe(native.out.split('\n').length);
    const dedup = await hunt('duckdb', BUNDLED, 'jsonl', {}, logs);
    expect(dedup.out.split('\n').length).toBeLessThan(duck.out.split('\n').length);
  }, 120_000);
  it('the load statement escapes the file name', () => {
    expect(duckdbLoadSql(0, "/tmp/it's.json")).toContain("'/tmp/it''s.json'");
  });
});

const recorded = JSON.parse(readFileSync(join(__dirname, 'fixtures/athena/stop-logging.json'), 'utf8'));

describe('hunt --engine athena (recorded API answers)', () => {
  const rules = loadRules([join(BUNDLED, 'aws_cloudtrail_logging_stopped.yml')]);
  const rule = rules.rules[0]!;
  const sql = convertRule(rule, findTarget('athena'), rules.filters, [], { table: 'security.cloudtrail_logs' }).query!;

  it('builds the StartQueryExecution request', () => {
    const req = athenaStartRequest(sql, { database: 'security', table: 'cloudtrail_logs', workgroup: 'primary', outputLocation: 's3://results-bucket/tideline/' });
    expect(Object.keys(req).sort()).toEqual(['QueryExecutionContext', 'QueryString', 'ResultConfiguration', 'WorkGroup']);
    expect(req.QueryExecutionContext).toEqual({ Database: 'security' });
    expect(req.WorkGroup).toBe('primary');
    expect(req.ResultConfiguration).toEqual({ OutputLocation: 's3://results-bucket/tideline/' });
    const q = String(req.QueryString);
    expect(q.startsWith(`SELECT "eventversion" AS c0, "eventtime" AS c1,`)).toBe(true);
    expect(q).toContain(`"$path" AS c${ATHENA_RESULT_COLUMNS.length - 1}\nFROM "security"."cloudtrail_logs"\nWHERE `);
    expect(q).toContain(`(lower("eventname") = 'stoplogging')`);
  });

  it('turns GetQueryResults pages back into CloudTrail records', () => {
    const recs = athenaRecords(recorded.GetQueryResults);
    expect(recs).toHaveLength(2);
    expect(recs[0]!.file).toMatch(/^s3:\/\/trail-bucket\/AWSLogs\//);
    expect(recs[0]!.record).toEqual({
      eventVersion: '1.10', eventTime: '2024-07-31T13:06:24Z', eventSource: 'cloudtrail.amazonaws.com', eventName: 'StopLogging',
      awsRegion: 'us-east-1', sourceIPAddress: '86.245.153.234', userAgent: 'aws-cli/2.15.30',
      userIdentity: { type: 'IAMUser', principalId: 'AIDAOC1SYDVN0AF0FMMR', arn: 'arn:aws:iam::143434273843:user/christophe', accountId: '143434273843', accessKeyId: 'AKIAGGWFBBHBE7D3M9WI', userName: 'christophe' },
      requestParameters: { name: 'ct-trail' }, requestID: '14c891b6-11b5-4787-ae97-64a974977078', eventID: '10163ed2-2253-469d-a5ee-cbc6651f8934',
      readOnly: false, eventType: 'AwsApiCall', recipientAccountId: '143434273843', eventCategory: 'Management',
    });
  });

  it('runs through the CLI: polls, pages, and prints alerts in the hunt formats', async () => {
    const calls: string[] = [];
    let polls = 0;
    const api: AthenaApi = {
      start: async (input) => (calls.push(`start ${JSON.stringify(input.QueryExecutionContext)}`), recorded.StartQueryExecution),
      status: async (id) => (calls.push(`status ${id}`), recorded.GetQueryExecution[Math.min(polls++, 1)]),
      results: async (id, token) => (calls.push(`results ${token ?? ''}`), recorded.GetQueryResults[token ? 1 : 0]),
    };
    const saved = athenaApiFactory.make;
    athenaApiFactory.make = async () => api;
    try {
      const rulesPath = join(BUNDLED, 'aws_cloudtrail_logging_stopped.yml');
      const output = join(dir, 'athena.jsonl');
      const code = await huntCommand([], { rules: [rulesPath], format: 'jsonl', output, engine: 'athena', database: 'security', table: 'cloudtrail_logs', workgroup: 'primary', progress: false, pollMs: 1 } as never);
      expect(code).toBe(0);
      const alerts = readFileSync(output, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
      expect(alerts).toHaveLength(2);
      expect(alerts[0].rule.id).toBe(rule.id);
      expect(alerts[0].event.eventName).toBe('StopLogging');
      expect(alerts[0].source.file).toMatch(/^s3:\/\//);
      expect(calls).toEqual(['start {"Database":"security"}', 'status c2f6e3f4-1a2b-4c5d-8e9f-0a1b2c3d4e5f', 'status c2f6e3f4-1a2b-4c5d-8e9f-0a1b2c3d4e5f', 'results ', 'results tok-2']);
    } finally {
      athenaApiFactory.make = saved;
    }
  });

  it('refuses incomplete flags', async () => {
    await expect(huntCommand([], { engine: 'athena', database: 'd' })).rejects.toThrow(/--table/);
    await expect(huntCommand([], { engine: 'athena', database: 'd', table: 't' })).rejects.toThrow(/--workgroup or --output-location/);
    await expect(huntCommand([SAMPLE], { engine: 'athena', database: 'd', table: 't', workgroup: 'w' })).rejects.toThrow(/no LOGS/);
  });
});
