// Proof by execution: every rule (SigmaHQ's AWS rules and the bundled ones) converted to DuckDB SQL and run in real
// DuckDB over the same events must return exactly the events the engine matches (rule.test). Events: the SigmaHQ
// fixtures, the bundled rules' tests, and the bundled sample trail.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadRules } from '../src/sigma/load.js';
import type { JsonObject } from '../src/sigma/fields.js';
import { readRuleTests } from '../src/detect/rule-tests.js';
import { readLogFile } from '../src/logs/reader.js';
import { convertRule, findTarget } from '../src/convert/index.js';

const SHARED = join(__dirname, '../../shared/sigma-aws-rules');
const BUNDLED = join(__dirname, '../content/rules');
const FIXTURES = join(__dirname, 'fixtures/sigmahq');
const SAMPLES = [join(__dirname, '../content/samples/cloudtrail'), join(__dirname, '../content/samples/cloudtrail-attack.json')];

const sigmahq = loadRules([SHARED]);
const bundled = loadRules([BUNDLED]);
const rules = [...sigmahq.rules.map((r) => ({ r, filters: sigmahq.filters })), ...bundled.rules.map((r) => ({ r, filters: bundled.filters }))];

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
  await conn.run('CREATE TABLE cloudtrail (idx INTEGER, record JSON)');
  const app = await conn.createAppender('cloudtrail');
  events.forEach((e, i) => {
    app.appendInteger(i);
    app.appendVarchar(JSON.stringify(e));
    app.endRow();
  });
  app.closeSync();
}, 120_000);

afterAll(() => {
  conn?.closeSync();
  instance?.closeSync();
});

let matched = 0;
const duck = findTarget('duckdb');

describe('duckdb conversion equals the engine', () => {
  it('has the 57 SigmaHQ and the bundled rules, and events from every source', () => {
    expect(sigmahq.rules.length).toBe(57);
    expect(bundled.rules.length).toBeGreaterThan(0);
    expect(events.length).toBeGreaterThan(400);
  });

  it.each(rules.map(({ r, filters }) => [r.title, r, filters] as const))('%s', async (_t, rule, filters) => {
    const conv = convertRule(rule, duck, filters);
    expect(conv.error, conv.error).toBeUndefined();
    const sql = conv.query!.replace(/^SELECT \*/, 'SELECT idx');
    const got = (await conn.runAndReadAll(sql)).getRows().map((row) => Number(row[0])).sort((a, b) => a - b);
    const want = events.flatMap((e, i) => (rule.test(e) ? [i] : []));
    expect(got).toEqual(want);
    matched += want.length;
    if (process.env.CONVERT_STATS) console.log(`${rule.title}: ${want.length} of ${events.length}`);
  });
});

describe('the equality check is not vacuous', () => {
  it('rules matched events and left most unmatched', () => {
    expect(matched).toBeGreaterThan(rules.length);
    expect(matched).toBeLessThan(events.length * rules.length / 4);
  });
});
