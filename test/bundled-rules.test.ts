// The bundled rules carry their own tests beside them (content/rules/<rule>.tests.yml).
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadRules } from '../src/sigma/load.js';
import { readRuleTests, runRuleTests } from '../src/detect/rule-tests.js';

const DIR = join(__dirname, '../content/rules');
const set = loadRules([DIR]);
const tests = readdirSync(DIR).filter((f) => f.endsWith('.tests.yml')).sort();

describe('bundled rules', () => {
  it('load with no error or warning, each an ATT&CK-tagged CloudTrail rule', () => {
    expect(set.diagnostics).toEqual([]);
    expect(set.rules.length).toBeGreaterThanOrEqual(11);
    const titles = set.rules.map((r) => r.title);
    expect(titles).toEqual(expect.arrayContaining(['AWS CloudTrail Logging Stopped', 'AWS CloudTrail Trail Deletion', 'AWS CloudTrail Trail Modification']));
    for (const r of set.rules) {
      expect(r.tags.some((t) => /^attack\.t\d{4}/.test(t)), r.title).toBe(true);
      expect(r.logsource).toEqual({ product: 'aws', service: 'cloudtrail' });
    }
    // The three rules of the advisory's core steps carry both ATT&CK generations' tactic.
    for (const r of set.rules.filter((r) => r.title.startsWith('AWS CloudTrail ') && !r.title.includes('S3'))) {
      expect(r.tags).toEqual(expect.arrayContaining(['attack.defense-evasion', 'attack.defense-impairment', 'attack.t1562.008']));
    }
  });
  it('each has a tests file', () => {
    expect(tests.map((f) => readRuleTests(join(DIR, f)).rule).sort()).toEqual(set.rules.map((r) => r.id).sort());
  });
  it.each(tests)('%s passes', (f) => {
    const t = readRuleTests(join(DIR, f));
    const rule = set.rules.find((r) => r.id === t.rule)!;
    for (const res of runRuleTests(t, rule)) expect(res.passed, `${res.case.expect}: ${res.case.name}: ${res.reason}`).toBe(true);
  });
});
