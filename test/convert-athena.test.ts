// Proof by execution for the athena/trino target: every rule converted to Athena SQL runs in DuckDB over a table with
// the Athena CloudTrail schema (structs, JSON text columns, resources array of structs) built from the same events as
// convert-sql.test.ts, with the Trino shim (src/convert/sql/trino-shim.sql), and must return exactly the events the
// engine matches. Rules that cannot convert exactly are refused, and the list of them (with the reason) is fixed here
// and in the README.
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadRules, loadRulesFromText } from '../src/sigma/load.js';
import type { JsonObject } from '../src/sigma/fields.js';
import { readRuleTests } from '../src/detect/rule-tests.js';
import { readLogFile } from '../src/logs/reader.js';
import { convertRule, findTarget } from '../src/convert/index.js';
import { createAthenaTable } from './helpers/athena-table.js';

const SHARED = join(__dirname, '../../shared/sigma-aws-rules');
const BUNDLED = join(__dirname, '../content/rules');
const FIXTURES = join(__dirname, 'fixtures/sigmahq');
const SAMPLES = [join(__dirname, '../content/samples/cloudtrail'), join(__dirname, '../content/samples/cloudtrail-attack.json')];

const sigmahq = loadRules([SHARED]);
const bundled = loadRules([BUNDLED]);
const rules = [...sigmahq.rules.map((r) => ({ r, filters: sigmahq.filters })), ...bundled.rules.map((r) => ({ r, filters: bundled.filters }))];

/** Rules the athena target refuses, by file, with the construct named (also listed in the README). */
export const ATHENA_REFUSED: Record<string, RegExp> = {
  'aws_delete_saml_provider.yml': /no mapping for field 'status'/,
  'aws_disable_bucket_versioning.yml': /requestparameters is an object compared as text/,
  'aws_ec2_vm_export_failure.yml': /responseelements is an object compared as text/,
  'aws_iam_s3browser_templated_s3_bucket_policy_creation.yml': /requestparameters is an object compared as text/,
  'aws_ecs_task_definition_cred_endpoint_query.yml': /'requestparameters.containerDefinitions' is an array/,
  'aws_new_lambda_layer_attached.yml': /'requestparameters.layers' is an array/,
  'aws_s3_bucket_deleted_or_expiring.yml': /'requestparameters.LifecycleConfiguration.Rule' is an array/,
};

function listFiles(p: string): string[] {
  try {
    return readdirSync(p, { recursive: true, withFileTypes: true }).filter((d) => d.isFile()).map((d) => join(d.parentPath, d.name)).sort();
  } catch {
    return [p];
  }
}

const events: JsonObject[] = [];
let conn: DuckDBConnection;
let instance: DuckDBInstance;

beforeAll(async () => {
  for (const f of readdirSync(FIXTURES).filter((x) => x.endsWith('.tests.yml'))) events.push(...readRuleTests(join(FIXTURES, f)).cases.map((c) => c.event));
  for (const f of readdirSync(BUNDLED).filter((x) => x.endsWith('.tests.yml'))) events.push(...readRuleTests(join(BUNDLED, f)).cases.map((c) => c.event));
  for (const s of SAMPLES) for (const f of listFiles(s)) await readLogFile(f, { record: (rec) => events.push(rec), error: () => {} });
  instance = await DuckDBInstance.create(':memory:');
  conn = await instance.connect();
  await createAthenaTable(conn, 'cloudtrail_logs', events, mkdtempSync(join(tmpdir(), 'tideline-athena-')));
}, 120_000);

afterAll(() => {
  conn?.closeSync();
  instance?.closeSync();
});

const base = (f: string) => f.split('/').pop()!;
let matched = 0;

describe('athena conversion equals the engine (DuckDB over the Athena table schema + Trino shim)', () => {
  it('has the 68 rules and the events', () => {
    expect(rules.length).toBe(68);
    expect(events.length).toBeGreaterThan(400);
  });

  it.each(rules.map(({ r, filters }) => [r.title, r, filters] as const))('%s', async (_t, rule, filters) => {
    const conv = convertRule(rule, findTarget('athena'), filters);
    const refused = ATHENA_REFUSED[base(rule.file)];
    if (refused) {
      expect(conv.error).toMatch(refused);
      return;
    }
    expect(conv.error, conv.error).toBeUndefined();
    const sql = conv.query!.replace(/^SELECT \*/, 'SELECT idx');
    const got = (await conn.runAndReadAll(sql)).getRows().map((row) => Number(row[0])).sort((a, b) => a - b);
    const want = events.flatMap((e, i) => (rule.test(e) ? [i] : []));
    expect(got).toEqual(want);
    matched += want.length;
  });

  it('trino is the same SQL', () => {
    for (const { r, filters } of rules.slice(0, 5)) expect(convertRule(r, findTarget('trino'), filters).query).toBe(convertRule(r, findTarget('athena'), filters).query);
  });

  it('is not vacuous', () => {
    expect(matched).toBeGreaterThan(rules.length);
  });
});

describe('athena: edge cases', () => {
  const EDGE: JsonObject[] = [
    { eventID: 'e0', eventName: "O'Brien", requestParameters: { n: 5, s: ' 7 ', f: 1.5, b: false, o: { x: 1 } }, resources: [{ ARN: 'arn:1' }, { ARN: 'arn:2' }] },
    { eventID: 'e1', eventName: 'Stop_Logging', requestParameters: { n: 10, s: 'ten', b: 'false', o: null }, resources: [{ type: 'x' }] },
    { eventID: 'e2', eventName: 'stop%logging', sourceIPAddress: ' 10.1.2.3 ', userAgent: 'a\\b*c?d', requestParameters: null },
    { eventID: 'e3', eventName: 'x', sourceIPAddress: '10.0.0.256', userIdentity: { userName: 'Bob' }, requestParameters: { userName: 'bob', l: [1, 2] } },
    { eventID: 'e4', eventName: 'x', requestParameters: { a: [{ b: 1 }] } },
  ];
  const RULES = `
title: quotes and like metacharacters
id: 00000000-0000-4000-8000-0000000000a1
logsource: { product: aws, service: cloudtrail }
detection: { sel: { eventName: ["o'brien", 'stop_logging'] }, sel2: { userAgent: 'a\\\\b\\*c\\?d' }, condition: 1 of sel* }
---
title: numbers and booleans in JSON
id: 00000000-0000-4000-8000-0000000000a2
logsource: { product: aws, service: cloudtrail }
detection: { n: { requestParameters.n|lt: 6 }, s: { requestParameters.s|gt: 6 }, f: { requestParameters.f: '1.5' }, b: { requestParameters.b: 'false' }, condition: 1 of them }
---
title: null exists neq in JSON
id: 00000000-0000-4000-8000-0000000000a3
logsource: { product: aws, service: cloudtrail }
detection: { a: { requestParameters.o: null, eventName: x }, e: { requestParameters.o|exists: true }, q: { requestParameters.s|neq: ten }, condition: 1 of them }
---
title: resources any and all
id: 00000000-0000-4000-8000-0000000000a4
logsource: { product: aws, service: cloudtrail }
detection: { all: { resources.ARN|all: ['arn:1', 'arn:2'] }, any: { resources.type: X }, condition: 1 of them }
---
title: cidr and fieldref
id: 00000000-0000-4000-8000-0000000000a5
logsource: { product: aws, service: cloudtrail }
detection: { c: { sourceIPAddress|cidr: 10.0.0.0/8 }, f: { userIdentity.userName|fieldref: requestParameters.userName }, condition: 1 of them }
`;
  const set = loadRulesFromText(RULES, 'athena-edge.yml');
  beforeAll(async () => {
    await createAthenaTable(conn, 'edge', EDGE, mkdtempSync(join(tmpdir(), 'tideline-athena-')));
  });
  it.each(set.rules.map((r) => [r.title, r] as const))('%s', async (_t, rule) => {
    const conv = convertRule(rule, findTarget('athena'), set.filters, [], { table: 'edge' });
    expect(conv.error, conv.error).toBeUndefined();
    const got = (await conn.runAndReadAll(conv.query!.replace(/^SELECT \*/, 'SELECT idx'))).getRows().map((r) => Number(r[0])).sort((a, b) => a - b);
    const want = EDGE.flatMap((e, i) => (rule.test(e) ? [i] : []));
    expect(got).toEqual(want);
    expect(want.length).toBeGreaterThan(0);
  });
  it('stops with an error on an array inside a JSON column, an object compared as text, and refuses what it cannot say', async () => {
    const s = loadRulesFromText(
      `title: t\nid: 00000000-0000-4000-8000-0000000000b1\nlogsource: { product: aws }\ndetection: { sel: { requestParameters.l: 1 }, condition: sel }\n---\ntitle: u\nid: 00000000-0000-4000-8000-0000000000b2\nlogsource: { product: aws }\ndetection: { sel: { requestParameters.a.b: 1 }, condition: sel }\n---\ntitle: o\nid: 00000000-0000-4000-8000-0000000000b3\nlogsource: { product: aws }\ndetection: { sel: { requestParameters.o|contains: x }, condition: sel }`,
    );
    for (const r of s.rules) {
      const conv = convertRule(r, findTarget('athena'), [], [], { table: 'edge' });
      await expect(conn.runAndReadAll(conv.query!)).rejects.toThrow(/tideline: /);
    }
    const refuse = (det: string) => {
      const x = loadRulesFromText(`title: t\nid: 00000000-0000-4000-8000-0000000000c1\nlogsource: { product: aws }\ndetection:\n${det}`);
      return convertRule(x.rules[0]!, findTarget('athena'), []);
    };
    expect(refuse("  sel: ['kw']\n  condition: sel").construct).toBe('keywords');
    expect(refuse('  sel: { resources.ARN|exists: true }\n  condition: sel').construct).toMatch(/exists/);
    expect(refuse('  sel: { resources.ARN: null }\n  condition: sel').construct).toMatch(/null/);
    expect(refuse("  sel: { requestParameters.containerDefinitions.command|contains: x }\n  condition: sel").construct).toMatch(/^array /);
    expect(refuse("  sel: { requestParameters|contains: x }\n  condition: sel").construct).toMatch(/object as text/);
    expect(refuse("  sel: { eventName: \"x' OR 1=1 --\" }\n  condition: sel").query).toContain("'x'' or 1=1 --'");
  });
});
