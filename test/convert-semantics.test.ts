// Edge cases of the engine's semantics, converted to DuckDB SQL and executed: each synthetic rule must select exactly
// the events the engine matches, over events built to hit the corners (dotted keys, arrays on the path, nested
// arrays, null vs missing, objects as text, numbers' text, LIKE metacharacters and quotes in values, regex, cidr).
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadRulesFromText } from '../src/sigma/load.js';
import { convertRule, findTarget } from '../src/convert/index.js';

import { EVENTS, RULES } from './helpers/convert-cases.js';

let conn: DuckDBConnection;
let instance: DuckDBInstance;
const set = loadRulesFromText(RULES, 'semantics.yml');

beforeAll(async () => {
  instance = await DuckDBInstance.create(':memory:');
  conn = await instance.connect();
  await conn.run('CREATE TABLE cloudtrail (idx INTEGER, record JSON)');
  const app = await conn.createAppender('cloudtrail');
  EVENTS.forEach((e, i) => {
    app.appendInteger(i);
    app.appendVarchar(JSON.stringify(e));
    app.endRow();
  });
  app.closeSync();
});
afterAll(() => {
  conn?.closeSync();
  instance?.closeSync();
});

describe('edge-case rules: DuckDB returns what the engine matches', () => {
  it('all rules load', () => {
    expect(set.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(set.rules.length).toBe(17);
  });
  it.each(set.rules.map((r) => [r.title, r] as const))('%s', async (_t, rule) => {
    const conv = convertRule(rule, findTarget('duckdb'), set.filters);
    expect(conv.error, conv.error).toBeUndefined();
    const got = (await conn.runAndReadAll(conv.query!.replace(/^SELECT \*/, 'SELECT idx'))).getRows().map((r) => Number(r[0])).sort((a, b) => a - b);
    const want = EVENTS.flatMap((e, i) => (rule.test(e) ? [i] : []));
    expect(got).toEqual(want);
    expect(want.length).toBeGreaterThan(0);
  });
});

describe('constructs SQL cannot express are refused, naming them', () => {
  const refuse = (detection: string) => {
    const s = loadRulesFromText(`title: t\nid: 00000000-0000-4000-8000-0000000000ff\nlogsource: { product: aws }\ndetection:\n${detection}`);
    expect(s.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    return convertRule(s.rules[0]!, findTarget('duckdb'), s.filters);
  };
  it('lookaround in re', () => {
    expect(refuse("  sel: { a|re: 'x(?=y)' }\n  condition: sel").construct).toMatch(/lookaround/);
  });
  it('back-reference in re', () => {
    expect(refuse("  sel: { a|re: '(x)\\1' }\n  condition: sel").construct).toMatch(/back-reference/);
  });
  it('IPv6 cidr', () => {
    expect(refuse("  sel: { a|cidr: '2001:db8::/32' }\n  condition: sel").construct).toMatch(/IPv6/);
  });
  it('time parts', () => {
    expect(refuse("  sel: { eventTime|hour: 3 }\n  condition: sel").construct).toMatch(/hour/);
  });
});
