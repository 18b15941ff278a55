// Golden tests for the SQL targets that cannot run here (cloudtrail-lake, spark) and for athena/trino (which
// convert-athena.test.ts also executes): every rule's query, or the reason it does not convert, is kept in
// test/golden/<target>/<rule file>.sql and must not change unnoticed. Review a changed file against the target's
// documented syntax before updating it (`npx vitest run test/convert-golden-sql.test.ts -u`).
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadRules, loadRulesFromText } from '../src/sigma/load.js';
import { convertRule, findTarget } from '../src/convert/index.js';

const SHARED = join(__dirname, '../../shared/sigma-aws-rules');
const BUNDLED = join(__dirname, '../content/rules');
const sets = [loadRules([SHARED]), loadRules([BUNDLED])];
const rules = sets.flatMap((s) => s.rules.map((r) => ({ r, filters: s.filters })));

export const GOLDEN_TARGETS = ['athena', 'cloudtrail-lake', 'spark'];

describe.each(GOLDEN_TARGETS)('golden SQL: %s', (target) => {
  it('covers the 68 rules', () => expect(rules.length).toBe(68));
  it.each(rules.map(({ r, filters }) => [r.file.split('/').pop()!, r, filters] as const))('%s', async (file, rule, filters) => {
    const c = convertRule(rule, findTarget(target), filters);
    const text = c.query !== undefined ? `-- ${rule.title} (${rule.id})\n${c.query};\n` : `-- ${rule.title} (${rule.id})\n-- NOT CONVERTED (${c.construct}): ${c.error}\n`;
    await expect(text).toMatchFileSnapshot(join(__dirname, 'golden', target, file.replace(/\.ya?ml$/, '.sql')));
  });
});

describe('values are escaped for each language', () => {
  it.each([
    ['cloudtrail-lake', "'x'' OR 1=1 --'"],
    ['spark', "'x\\' OR 1=1 --'"],
    ['athena', "'x'' OR 1=1 --'"],
  ])('%s', (target, want) => {
    const set = loadRulesFromText(`title: t\nid: 00000000-0000-4000-8000-0000000000d1\nlogsource: { product: aws }\ndetection: { sel: { eventName|cased: "x' OR 1=1 --", userAgent: 'a\\\\b' }, condition: sel }`);
    const q = convertRule(set.rules[0]!, findTarget(target), set.filters).query!;
    expect(q).toContain(want);
    if (target === 'spark') expect(q).toContain("'a\\\\b'");
  });
});
