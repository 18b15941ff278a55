/**
 * Rule tests as data: a `<rule>.tests.yml` beside the rule (or anywhere, naming the rule by id) lists events that
 * must match and events that must not. The same format serves bundled rules and the SigmaHQ regression corpus.
 *
 *   rule: <rule id>
 *   match:   [{ name: ..., event: {CloudTrail record} }, ...]
 *   nomatch: [{ name: ..., event: {...} }, ...]
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { compilePath, MISSING, type JsonObject } from '../sigma/fields.js';
import type { DetectionRule } from '../sigma/rule.js';

export interface RuleTestCase {
  name: string;
  expect: 'match' | 'nomatch';
  event: JsonObject;
}

export interface RuleTestFile {
  file: string;
  rule: string;
  cases: RuleTestCase[];
}

export function readRuleTests(file: string): RuleTestFile {
  return parseRuleTests(file, readFileSync(file, 'utf8'));
}

/** The same from text (the store keeps test files as text); `file` names it in errors. */
export function parseRuleTests(file: string, text: string): RuleTestFile {
  let doc: { rule?: unknown; match?: unknown; nomatch?: unknown } | null;
  try {
    doc = parseYaml(text) as typeof doc;
  } catch (e) {
    throw new Error(`${file}: YAML: ${(e as Error).message.split('\n')[0]}`);
  }
  if (!doc || typeof doc.rule !== 'string') throw new Error(`${file}: 'rule' must name the tested rule's id`);
  const cases: RuleTestCase[] = [];
  for (const expect of ['match', 'nomatch'] as const) {
    const list = doc[expect] ?? [];
    if (!Array.isArray(list)) throw new Error(`${file}: '${expect}' must be a list`);
    list.forEach((c: { name?: unknown; event?: unknown }, i) => {
      if (!c || typeof c.event !== 'object' || c.event === null || Array.isArray(c.event)) throw new Error(`${file}: ${expect}[${i}] has no 'event' mapping`);
      cases.push({ name: typeof c.name === 'string' ? c.name : `${expect}[${i}]`, expect, event: c.event as JsonObject });
    });
  }
  return { file, rule: doc.rule, cases };
}

export interface RuleTestResult {
  case: RuleTestCase;
  passed: boolean;
  reason?: string;
}

/** Run one test file against its rule; a test passes when the rule's verdict equals the expectation. */
export function runRuleTests(t: RuleTestFile, rule: DetectionRule): RuleTestResult[] {
  return t.cases.map((c) => {
    const got = rule.test(c.event);
    const passed = got === (c.expect === 'match');
    return passed ? { case: c, passed } : { case: c, passed, reason: explain(rule, c.event, c.expect) };
  });
}

/**
 * Why a test failed, in terms a rule author can act on: which selections held, which did not, and the event's values
 * for the fields the failing selections test (or, for an unexpected match, the values that made it match).
 */
export function explain(rule: DetectionRule, event: JsonObject, expect: 'match' | 'nomatch'): string {
  const held: string[] = [];
  const failed: string[] = [];
  for (const [name, sel] of rule.detection.selections) (sel.test(event) ? held : failed).push(name);
  const list = (names: string[]) => (names.length ? names.join(', ') : 'none');
  const values = (names: string[]) => {
    const fields = [...new Set(names.flatMap((n) => rule.detection.selections.get(n)?.fields ?? []))];
    return fields
      .map((f) => {
        const v = compilePath(f)(event);
        const text = v === MISSING ? '(absent)' : JSON.stringify(v);
        return `${f}=${text.length > 80 ? `${text.slice(0, 77)}...` : text}`;
      })
      .join(', ');
  };
  if (expect === 'match') {
    if (rule.detection.test(event)) return `expected a match: the detection held but a filter excluded the event (${rule.filters.join(', ')})`;
    const v = values(failed);
    return `expected a match, the condition was false; selections that held: ${list(held)}; that did not: ${list(failed)}${v ? ` (event has ${v})` : ''}`;
  }
  const v = values(held);
  return `expected no match, the rule matched; selections that held: ${list(held)}${v ? ` (event has ${v})` : ''}`;
}
