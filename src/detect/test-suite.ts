/**
 * Runs every rule test of a content set: the report `tideline test` prints and writes as JUnit XML, and docs show as
 * each rule's test status.
 */
import type { DetectionRule } from '../sigma/rule.js';
import { runRuleTests, type RuleTestFile, type RuleTestResult } from './rule-tests.js';

export interface RuleTestReport {
  rule?: DetectionRule;
  /** Rule id as the tests name it (the rule may be missing). */
  ruleId: string;
  title: string;
  files: string[];
  results: RuleTestResult[];
  status: 'pass' | 'fail' | 'untested' | 'missing-rule';
}

export interface SuiteReport {
  rules: RuleTestReport[];
  cases: number;
  passed: number;
  failed: number;
  untested: number;
  missingRules: number;
}

export function runSuite(rules: DetectionRule[], tests: RuleTestFile[]): SuiteReport {
  const byId = new Map(rules.map((r) => [r.id, r]));
  const reports = new Map<string, RuleTestReport>();
  for (const r of rules) reports.set(r.id, { rule: r, ruleId: r.id, title: r.title, files: [], results: [], status: 'untested' });
  for (const t of tests) {
    const rule = byId.get(t.rule);
    const rep = reports.get(t.rule) ?? { ruleId: t.rule, title: '(rule not found)', files: [], results: [], status: 'missing-rule' as const };
    reports.set(t.rule, rep);
    rep.files.push(t.file);
    if (rule) rep.results.push(...runRuleTests(t, rule));
  }
  for (const rep of reports.values()) {
    if (rep.status === 'missing-rule') continue;
    rep.status = rep.results.length === 0 ? 'untested' : rep.results.every((r) => r.passed) ? 'pass' : 'fail';
  }
  const list = [...reports.values()].sort((a, b) => a.title.localeCompare(b.title) || a.ruleId.localeCompare(b.ruleId));
  const all = list.flatMap((r) => r.results);
  return {
    rules: list,
    cases: all.length,
    passed: all.filter((r) => r.passed).length,
    failed: all.filter((r) => !r.passed).length,
    untested: list.filter((r) => r.status === 'untested').length,
    missingRules: list.filter((r) => r.status === 'missing-rule').length,
  };
}

const xml = (s: string): string =>
  s.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '').replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);

/** JUnit XML as CI servers read it (Jenkins, GitLab, GitHub test reporters): one testsuite per rule, one testcase per event. */
export function toJUnit(report: SuiteReport, name = 'tideline rule tests'): string {
  const lines = [`<?xml version="1.0" encoding="UTF-8"?>`];
  const errors = report.missingRules;
  lines.push(`<testsuites name="${xml(name)}" tests="${report.cases + errors}" failures="${report.failed}" errors="${errors}">`);
  for (const r of report.rules) {
    const failures = r.results.filter((x) => !x.passed).length;
    const file = r.rule?.file ?? r.files[0] ?? '';
    lines.push(`  <testsuite name="${xml(r.title)}" id="${xml(r.ruleId)}" tests="${r.results.length + (r.status === 'missing-rule' ? 1 : 0)}" failures="${failures}" errors="${r.status === 'missing-rule' ? 1 : 0}" skipped="${r.status === 'untested' ? 1 : 0}" file="${xml(file)}">`);
    const cls = xml(r.ruleId);
    if (r.status === 'missing-rule') lines.push(`    <testcase classname="${cls}" name="rule exists" file="${xml(r.files[0] ?? '')}"><error message="tests name rule ${cls}, which is not loaded"/></testcase>`);
    if (r.status === 'untested') lines.push(`    <testcase classname="${cls}" name="has tests"><skipped message="no tests for this rule"/></testcase>`);
    for (const res of r.results) {
      const n = xml(`${res.case.expect}: ${res.case.name}`);
      if (res.passed) lines.push(`    <testcase classname="${cls}" name="${n}"/>`);
      else lines.push(`    <testcase classname="${cls}" name="${n}"><failure message="${xml(res.reason ?? 'failed')}"/></testcase>`);
    }
    lines.push('  </testsuite>');
  }
  lines.push('</testsuites>', '');
  return lines.join('\n');
}
