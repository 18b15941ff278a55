// The PostgreSQL conversion executed in a real server, same equality check as convert-sql.test.ts (DuckDB).
// The server: TIDELINE_TEST_PG names a psql connection (e.g. "host=/tmp/pg port=5439 user=postgres"), else a throwaway
// cluster is started from Debian's binaries (test/helpers/pg.ts) and stopped after. If neither works the tests FAIL;
// only TIDELINE_SKIP_PG=1 skips them. Uses the psql client, so no npm driver is needed.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadRules, loadRulesFromText } from '../src/sigma/load.js';
import type { JsonObject } from '../src/sigma/fields.js';
import { readRuleTests } from '../src/detect/rule-tests.js';
import { readLogFile } from '../src/logs/reader.js';
import { convertRule, findTarget } from '../src/convert/index.js';
import { EVENTS, RULES } from './helpers/convert-cases.js';
import { startPg, type PgServer } from './helpers/pg.js';

const SKIP = process.env.TIDELINE_SKIP_PG === '1';
let CONN = process.env.TIDELINE_TEST_PG;
let server: PgServer | undefined;

beforeAll(() => {
  if (SKIP || CONN) return;
  server = startPg();
  CONN = server.conn;
}, 120_000);
afterAll(() => server?.stop());
const SHARED = join(__dirname, '../../shared/sigma-aws-rules');
const BUNDLED = join(__dirname, '../content/rules');
const FIXTURES = join(__dirname, 'fixtures/sigmahq');
const SAMPLES = [join(__dirname, '../content/samples/cloudtrail'), join(__dirname, '../content/samples/cloudtrail-attack.json')];

const psql = (sql: string) => execFileSync('psql', [CONN!, '-X', '-q', '-At', '-v', 'ON_ERROR_STOP=1', '-f', '-'], { input: sql, encoding: 'utf8', maxBuffer: 1 << 26 });

const events: JsonObject[] = [];
const sigmahq = loadRules([SHARED]);
const bundled = loadRules([BUNDLED]);
const rules = [...sigmahq.rules.map((r) => ({ r, filters: sigmahq.filters })), ...bundled.rules.map((r) => ({ r, filters: bundled.filters }))];

describe.skipIf(SKIP)('postgres conversion equals the engine', () => {
  beforeAll(async () => {
    for (const f of readdirSync(FIXTURES).filter((x) => x.endsWith('.tests.yml'))) events.push(...readRuleTests(join(FIXTURES, f)).cases.map((c) => c.event));
    for (const f of readdirSync(BUNDLED).filter((x) => x.endsWith('.tests.yml'))) events.push(...readRuleTests(join(BUNDLED, f)).cases.map((c) => c.event));
    for (const s of SAMPLES) {
      let files: string[];
      try {
        files = readdirSync(s, { recursive: true, withFileTypes: true }).filter((d) => d.isFile()).map((d) => join(d.parentPath, d.name));
      } catch {
        files = [s];
      }
      for (const f of files) await readLogFile(f, { record: (rec) => events.push(rec), error: () => {} });
    }
    const dir = mkdtempSync(join(tmpdir(), 'tideline-pg-'));
    const data = join(dir, 'events.tsv');
    // COPY text format: escape backslash, tab, newline, carriage return.
    writeFileSync(data, events.map((e, i) => `${i}\t${JSON.stringify(e).replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r')}`).join('\n') + '\n');
    psql(`DROP TABLE IF EXISTS cloudtrail; CREATE TABLE cloudtrail (idx integer, record json); \\copy cloudtrail FROM '${data}'`);
  }, 120_000);

  it.each(rules.map(({ r, filters }) => [r.title, r, filters] as const))('%s', (_t, rule, filters) => {
    const conv = convertRule(rule, findTarget('postgres'), filters);
    expect(conv.error, conv.error).toBeUndefined();
    const out = psql(conv.query!.replace(/^SELECT \*/, 'SELECT idx') + ';');
    const got = out.split('\n').filter(Boolean).map(Number).sort((a, b) => a - b);
    const want = events.flatMap((e, i) => (rule.test(e) ? [i] : []));
    expect(got).toEqual(want);
  });
});

describe.skipIf(SKIP)('postgres: edge-case rules', () => {
  const set = loadRulesFromText(RULES, 'semantics.yml');
  beforeAll(() => {
    const dir = mkdtempSync(join(tmpdir(), 'tideline-pg-'));
    const data = join(dir, 'cases.tsv');
    writeFileSync(data, EVENTS.map((e, i) => `${i}\t${JSON.stringify(e).replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r')}`).join('\n') + '\n');
    psql(`DROP TABLE IF EXISTS cases; CREATE TABLE cases (idx integer, record json); \\copy cases FROM '${data}'`);
  });
  it.each(set.rules.map((r) => [r.title, r] as const))('%s', (_t, rule) => {
    const conv = convertRule(rule, findTarget('postgres'), set.filters, [], { table: 'cases' });
    expect(conv.error, conv.error).toBeUndefined();
    const got = psql(conv.query!.replace(/^SELECT \*/, 'SELECT idx') + ';').split('\n').filter(Boolean).map(Number).sort((a, b) => a - b);
    expect(got).toEqual(EVENTS.flatMap((e, i) => (rule.test(e) ? [i] : [])));
  });
});
