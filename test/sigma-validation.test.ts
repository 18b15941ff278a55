// Rule validation: every problem is a Diagnostic at the right file:line:col with a message that names the thing,
// warnings never stop a rule, and one bad rule never stops the others.
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadRules, loadRulesFromText, type RuleSet } from '../src/sigma/load.js';
import { formatDiagnostic, type Diagnostic } from '../src/sigma/diagnostics.js';

const ID = '2c7d9e1f-5a3b-4c6d-8e9f-0a1b2c3d4e5f';
const FILE = 'rules/test.yml';

/** A complete rule whose detection block is given as lines (indented by the caller relative to `detection:`). */
function ruleText(detection: string[], opts: { header?: string[]; omit?: string[] } = {}): string {
  const header = [
    'title: Validation test',
    `id: ${ID}`,
    'status: test',
    'logsource:',
    '    product: aws',
    '    service: cloudtrail',
    'level: medium',
    ...(opts.header ?? []),
  ].filter((l) => !(opts.omit ?? []).some((k) => l.startsWith(`${k}:`) || (k === 'logsource' && l.startsWith('    '))));
  return [...header, 'detection:', ...detection.map((l) => '    ' + l), ''].join('\n');
}

/** 1-based line and column where `needle` first occurs (after `from`, if given) in the text. */
function at(text: string, needle: string, from?: string): { line: number; col: number } {
  const start = from ? text.indexOf(from) : 0;
  expect(start, `'${from}' in text`).toBeGreaterThanOrEqual(0);
  const off = text.indexOf(needle, start);
  expect(off, `'${needle}' in text`).toBeGreaterThanOrEqual(0);
  const before = text.slice(0, off).split('\n');
  return { line: before.length, col: before[before.length - 1]!.length + 1 };
}

function load(text: string, opts = {}): RuleSet {
  return loadRulesFromText(text, FILE, opts);
}

const errorsOf = (set: RuleSet) => set.diagnostics.filter((d) => d.severity === 'error');
const warningsOf = (set: RuleSet) => set.diagnostics.filter((d) => d.severity === 'warning');

/** Exactly one error, at `pos`, whose message matches every pattern; the rule is not loaded. Returns it. */
function oneError(text: string, pos: { line: number; col?: number }, ...patterns: (RegExp | string)[]): Diagnostic {
  const set = load(text);
  const errs = errorsOf(set);
  expect(errs.map(formatDiagnostic), text).toHaveLength(1);
  const e = errs[0]!;
  expect(e.file).toBe(FILE);
  expect(e.line, formatDiagnostic(e)).toBe(pos.line);
  if (pos.col !== undefined) expect(e.col, formatDiagnostic(e)).toBe(pos.col);
  for (const p of patterns) {
    if (typeof p === 'string') expect(e.message).toContain(p);
    else expect(e.message).toMatch(p);
  }
  expect(formatDiagnostic(e)).toBe(`${FILE}:${e.line}:${e.col}: error: ${e.message}`);
  expect(set.rules, 'a rule with an error in its detection is not loaded').toHaveLength(0);
  return e;
}

describe('the fixture rule itself', () => {
  it('loads without any diagnostic', () => {
    const set = load(ruleText(['sel:', '    eventName: CreateUser', 'condition: sel']));
    expect(set.diagnostics.map(formatDiagnostic)).toEqual([]);
    expect(set.rules).toHaveLength(1);
  });
});

describe('modifier errors', () => {
  it('unknown modifier: at the key, naming the modifier and the field', () => {
    const t = ruleText(['sel:', '    eventName|containz: CreateUser', 'condition: sel']);
    oneError(t, at(t, 'eventName|containz'), "'containz'", 'eventName', /unknown modifier/i);
  });

  it('unknown modifier after valid ones', () => {
    const t = ruleText(['sel:', '    eventName: x', '    userAgent|contains|bas64: x', 'condition: sel']);
    oneError(t, at(t, 'userAgent|'), "'bas64'");
  });

  it('the i flag without re', () => {
    const t = ruleText(['sel:', '    eventName|contains|i: create', 'condition: sel']);
    oneError(t, at(t, 'eventName|'), "'i'", "'re'");
  });

  it.each(['m', 's'])('the %s flag without re', (flag) => {
    const t = ruleText(['sel:', `    eventName|${flag}: create`, 'condition: sel']);
    oneError(t, at(t, 'eventName|'), `'${flag}'`, "'re'");
  });

  it('re with contains conflict', () => {
    const t = ruleText(['sel:', "    eventName|re|contains: '^Create'", 'condition: sel']);
    oneError(t, at(t, 'eventName|'), "'re'", "'contains'");
  });

  it('startswith with endswith conflict (value on the key line)', () => {
    const t = ruleText(['sel:', '    eventName|startswith|endswith: Create', 'condition: sel']);
    oneError(t, { line: at(t, 'eventName|').line }, 'startswith', 'endswith');
  });

  // The conflict is in the key; with a list value the engine reports the line of the first value instead.
  it('startswith with endswith conflict is reported at the key, also when the values are a list', () => {
    const t = ruleText(['sel:', '    eventName|startswith|endswith:', '        - Create', '        - Delete', 'condition: sel']);
    oneError(t, at(t, 'eventName|'), 'startswith', 'endswith');
  });

  it('a repeated modifier', () => {
    const t = ruleText(['sel:', '    eventName|contains|contains: x', 'condition: sel']);
    oneError(t, at(t, 'eventName|'), "'contains'", /repeated/);
  });

  it('all with a single value', () => {
    const t = ruleText(['sel:', '    eventName|contains|all: Create', 'condition: sel']);
    oneError(t, at(t, 'eventName|'), "'all'");
    const l = ruleText(['sel:', '    eventName|contains|all:', '        - Create', 'condition: sel']);
    oneError(l, at(l, 'eventName|'), "'all'");
  });

  it('exists with a value that is not a boolean', () => {
    const t = ruleText(['sel:', '    errorCode|exists: yes', 'condition: sel']);
    oneError(t, at(t, 'yes', 'errorCode|'), "'exists'", 'errorCode');
    const s = ruleText(['sel:', "    errorCode|exists: 'true'", 'condition: sel']);
    oneError(s, at(s, "'true'", 'errorCode|'), "'exists'");
  });

  it.each(['lt', 'lte', 'gt', 'gte'])('%s with a value that is not a number', (op) => {
    const t = ruleText(['sel:', `    requestParameters.maxResults|${op}: many`, 'condition: sel']);
    oneError(t, at(t, 'many'), `'${op}'`, "'many'");
  });

  it('a time-part modifier with a value that is not a number', () => {
    const t = ruleText(['sel:', '    eventTime|hour: noon', 'condition: sel']);
    oneError(t, at(t, 'noon'), "'hour'", "'noon'");
  });

  it('an invalid regular expression: at the value, with the reason', () => {
    const t = ruleText(['sel:', '    eventName: x', "    userAgent|re: 'curl/(7'", 'condition: sel']);
    oneError(t, at(t, "'curl/(7'"), /regular expression/, 'userAgent');
  });

  it('an invalid regular expression inside a list: at that list item', () => {
    const t = ruleText(['sel:', '    userAgent|re:', "        - '^ok$'", "        - '[unclosed'", 'condition: sel']);
    oneError(t, at(t, "'[unclosed'"), /regular expression/);
  });

  it.each(['10.0.0.0/33', '300.1.2.0/24', 'not-a-network', '2001:db8::/129', '10.0.0.0/'])('an invalid cidr %s', (net) => {
    const t = ruleText(['sel:', `    sourceIPAddress|cidr: '${net}'`, 'condition: sel']);
    oneError(t, at(t, `'${net}'`), "'cidr'", net);
  });

  it('expand with a placeholder that has no values names the placeholder', () => {
    const t = ruleText(['sel:', "    userIdentity.userName|expand: '%Admins%'", 'condition: sel']);
    oneError(t, at(t, "'%Admins%'"), '%Admins%');
  });

  it('utf16 without base64', () => {
    const t = ruleText(['sel:', '    cmd|wide|contains: whoami', 'condition: sel']);
    oneError(t, { line: at(t, 'cmd|wide').line }, "'wide'", 'base64');
  });

  it('wildcards with base64', () => {
    const t = ruleText(['sel:', "    cmd|base64|contains: 'who*mi'", 'condition: sel']);
    oneError(t, { line: at(t, 'cmd|base64').line }, /wildcard/i);
  });
});

describe('condition errors', () => {
  const sels = ['selection:', '    eventName: CreateUser', 'filter_a:', '    userName: root'];

  /** The error sits on the condition line, between the start of the condition text and the offending token. */
  const condError = (condition: string, token: string, ...patterns: (RegExp | string)[]) => {
    const t = ruleText([...sels, `condition: ${condition}`]);
    const start = at(t, condition, 'condition:');
    const set = load(t);
    const errs = errorsOf(set);
    expect(errs.map(formatDiagnostic)).toHaveLength(1);
    const e = errs[0]!;
    expect(e.line).toBe(start.line);
    expect(e.col).toBeGreaterThanOrEqual(start.col);
    expect(e.col).toBeLessThanOrEqual(start.col + Math.max(0, condition.indexOf(token)));
    for (const p of patterns) typeof p === 'string' ? expect(e.message).toContain(p) : expect(e.message).toMatch(p);
    expect(set.rules).toHaveLength(0);
  };

  it('a reference to an undefined selection names it', () => condError('selection and not filterx', 'filterx', "'filterx'"));
  it('1 of x* matching nothing names the pattern', () => condError('selection and not 1 of nomatch_*', '1 of', 'nomatch_*'));
  it('all of x* matching nothing', () => condError('all of zz*', 'all', 'zz*'));
  it('unbalanced parenthesis: missing )', () => condError('(selection and not filter_a', '(', /\)/));
  it('unbalanced parenthesis: extra )', () => condError('selection and not filter_a)', ')', /\)/));
  it('unbalanced nested parentheses', () => condError('((selection) and not filter_a', '(', /\)/));
  it('empty parentheses', () => condError('selection and ()', ')', /\)/));
  it('dangling and at the end', () => condError('selection and', 'and', 'selection and'));
  it('dangling and at the start', () => condError('and selection', 'and', /'and'/));
  it('and followed by or', () => condError('selection and or filter_a', 'or', /'or'/));
  it('two names without an operator', () => condError('selection filter_a', 'filter_a', /'filter_a'/));
  it('not at the end', () => condError('selection and not', 'not', /condition/));
  it('Sigma 1 aggregation is refused and points to correlations', () =>
    condError('selection | count() > 5', '|', 'count()', /correlation/));
  it('Sigma 1 aggregation with by', () => condError('selection | count(userName) by sourceIPAddress > 5', '|', /correlation/));
  it('Sigma 1 near', () => condError('selection | near filter_a', '|', /correlation/));

  it('an error in the second condition of a list points at that item', () => {
    const t = ruleText([...sels, 'condition:', '    - selection', '    - selection and nothere']);
    const e = oneError(t, { line: at(t, '- selection and nothere').line }, "'nothere'");
    expect(e.col).toBeGreaterThanOrEqual(at(t, 'selection and nothere').col);
  });

  it('a condition that can never match (two eventNames AND-ed) is refused at the condition', () => {
    const t = ruleText(['a:', '    eventName: CreateUser', 'b:', '    eventName: DeleteUser', 'condition: a and b']);
    oneError(t, { line: at(t, 'condition: a and b').line }, 'eventName', /never match/);
  });

  // A list of conditions is an OR (the engine's own `or` only refuses when every branch is dead); here the first
  // item can match, so the rule can fire. (The engine also reports the dead item at the first item's line.)
  it('a dead item in a list of conditions does not refuse the rule', () => {
    const t = ruleText(['a:', '    eventName: CreateUser', 'b:', '    eventName: DeleteUser', 'condition:', '    - a', '    - a and b']);
    const set = load(t);
    expect(errorsOf(set).map(formatDiagnostic)).toEqual([]);
    expect(set.rules).toHaveLength(1);
  });

  it('a condition that is not a string', () => {
    const t = ruleText([...sels, 'condition:', '    a: b']);
    oneError(t, { line: at(t, 'a: b').line }, /condition/);
  });
});

describe('rule structure errors', () => {
  it('missing detection', () => {
    const t = ['title: No detection', `id: ${ID}`, 'logsource:', '    product: aws', 'level: low', ''].join('\n');
    oneError(t, { line: 1, col: 1 }, "'detection'");
  });

  it('detection that is not a mapping', () => {
    const t = ['title: Bad detection', `id: ${ID}`, 'logsource:', '    product: aws', 'detection: selection', ''].join('\n');
    oneError(t, { line: 5 }, "'detection'");
  });

  it('missing condition: located at the detection block', () => {
    const t = ruleText(['selection:', '    eventName: CreateUser']);
    const set = load(t);
    const errs = errorsOf(set);
    expect(errs).toHaveLength(1);
    expect(errs[0]!.message).toContain("'condition'");
    // On the `detection:` key or the first line of its block.
    expect([at(t, 'detection:').line, at(t, 'selection:').line]).toContain(errs[0]!.line);
    expect(set.rules).toHaveLength(0);
  });

  it('missing title: an error naming title', () => {
    const t = ruleText(['sel:', '    eventName: x', 'condition: sel'], { omit: ['title'] });
    const set = load(t);
    const errs = errorsOf(set);
    expect(errs).toHaveLength(1);
    expect(errs[0]!.message).toContain("'title'");
    expect(errs[0]!.line).toBe(1);
  });

  it('missing logsource: an error naming logsource, the rule is not loaded', () => {
    const t = ruleText(['sel:', '    eventName: x', 'condition: sel'], { omit: ['logsource'] });
    expect(t).not.toContain('logsource');
    oneError(t, { line: 1, col: 1 }, "'logsource'");
  });

  it('unknown level: at the level line, naming the value and the allowed ones', () => {
    const t = ruleText(['sel:', '    eventName: x', 'condition: sel']).replace('level: medium', 'level: severe');
    const set = load(t);
    const errs = errorsOf(set);
    expect(errs).toHaveLength(1);
    expect(errs[0]!.line).toBe(at(t, 'level: severe').line);
    expect(errs[0]!.message).toContain("'severe'");
    expect(errs[0]!.message).toContain('critical');
  });

  it('unknown status: at the status line, naming the value', () => {
    const t = ruleText(['sel:', '    eventName: x', 'condition: sel']).replace('status: test', 'status: production');
    const errs = errorsOf(load(t));
    expect(errs).toHaveLength(1);
    expect(errs[0]!.line).toBe(at(t, 'status: production').line);
    expect(errs[0]!.message).toContain("'production'");
    expect(errs[0]!.message).toContain('experimental');
  });

  it('a document that is not a mapping', () => {
    oneError('- just\n- a list\n', { line: 1, col: 1 }, /mapping/);
  });

  it('Sigma 1 action: global collections are refused', () => {
    const t = 'action: global\ntitle: x\n';
    oneError(t, { line: 1, col: 1 }, /action/);
  });
});

describe('YAML errors', () => {
  it('bad indentation: the YAML error with its line', () => {
    const t = ruleText(['sel:', '    eventName: CreateUser', '   userAgent: x', 'condition: sel']);
    oneError(t, { line: at(t, '   userAgent').line }, /^YAML: /);
  });

  it('an unterminated quoted string', () => {
    const t = ruleText(['sel:', "    eventName: 'CreateUser", 'condition: sel']);
    const set = load(t);
    const errs = errorsOf(set);
    expect(errs.length).toBeGreaterThanOrEqual(1);
    expect(errs.every((e) => e.message.startsWith('YAML: '))).toBe(true);
    const line = at(t, "'CreateUser").line;
    expect(errs.some((e) => e.line >= line)).toBe(true);
    expect(set.rules).toHaveLength(0);
  });

  it('a tab used for indentation', () => {
    const t = ruleText(['sel:', '\teventName: CreateUser', 'condition: sel']);
    const errs = errorsOf(load(t));
    expect(errs.length).toBeGreaterThanOrEqual(1);
    expect(errs[0]!.message).toMatch(/^YAML: /);
    expect(errs[0]!.line).toBe(at(t, '\teventName').line);
  });

  it('duplicate keys in a selection: at the second key', () => {
    const t = ruleText(['sel:', '    eventName: CreateUser', '    eventSource: iam.amazonaws.com', '    eventName: DeleteUser', 'condition: sel']);
    oneError(t, at(t, 'eventName: DeleteUser'), /unique|duplicate/i);
  });

  it('duplicate selection names in detection: at the second one', () => {
    const t = ruleText(['sel:', '    eventName: CreateUser', 'sel:', '    eventName: DeleteUser', 'condition: sel']);
    oneError(t, at(t, 'sel:', 'CreateUser'), /unique|duplicate/i);
  });

  it('duplicate top-level keys', () => {
    const t = ruleText(['sel:', '    eventName: x', 'condition: sel']).replace('level: medium', 'level: medium\ntitle: Again');
    oneError(t, at(t, 'title: Again'), /unique|duplicate/i);
  });
});

describe('value errors', () => {
  it('a map as a value: at the map, saying what a value may be', () => {
    const t = ruleText(['sel:', '    requestParameters:', '        bucketName: secret', 'condition: sel']);
    oneError(t, at(t, 'bucketName: secret'), /map/);
  });

  it('a map inside a list of values', () => {
    const t = ruleText(['sel:', '    eventName:', '        - CreateUser', '        - {a: b}', 'condition: sel']);
    oneError(t, at(t, '{a: b}'), /map/);
  });

  it('a nested list as a value', () => {
    const t = ruleText(['sel:', '    eventName:', '        - [a, b]', 'condition: sel']);
    oneError(t, at(t, '[a, b]'), /list/);
  });

  it('an empty selection map', () => {
    const t = ruleText(['sel: {}', 'condition: sel']);
    oneError(t, { line: at(t, 'sel: {}').line }, "'sel'", /empty/);
  });

  it('an empty selection list', () => {
    const t = ruleText(['sel: []', 'condition: sel']);
    oneError(t, { line: at(t, 'sel: []').line }, "'sel'", /empty/);
  });

  it('a selection with no value at all', () => {
    const t = ruleText(['sel:', 'condition: sel']);
    oneError(t, { line: at(t, 'sel:').line }, "'sel'");
  });

  it('an empty list of values for a field', () => {
    const t = ruleText(['sel:', '    eventName: []', 'condition: sel']);
    oneError(t, at(t, 'eventName'), 'eventName', /empty/);
  });

  it('a selection mixing maps and keywords', () => {
    const t = ruleText(['sel:', '    - eventName: x', '    - keyword', 'condition: sel']);
    oneError(t, { line: at(t, '- eventName').line }, "'sel'", /mixes/);
  });
});

describe('warnings, which do not stop a rule', () => {
  const body = ['sel:', '    eventName: CreateUser', 'condition: sel'];
  const onlyWarning = (text: string, pos: { line: number; col?: number }, ...patterns: (RegExp | string)[]) => {
    const set = load(text);
    expect(errorsOf(set).map(formatDiagnostic)).toEqual([]);
    expect(set.rules).toHaveLength(1);
    const ws = warningsOf(set);
    expect(ws.map(formatDiagnostic)).toHaveLength(1);
    const w = ws[0]!;
    expect(w.line).toBe(pos.line);
    if (pos.col !== undefined) expect(w.col).toBe(pos.col);
    for (const p of patterns) typeof p === 'string' ? expect(w.message).toContain(p) : expect(w.message).toMatch(p);
    expect(formatDiagnostic(w)).toBe(`${FILE}:${w.line}:${w.col}: warning: ${w.message}`);
    return set;
  };

  it('an id that is not a UUID', () => {
    const t = ruleText(body).replace(`id: ${ID}`, 'id: my-rule-1');
    const set = onlyWarning(t, { line: at(t, 'id: my-rule-1').line }, "'my-rule-1'", /UUID/);
    expect(set.rules[0]!.id).toBe('my-rule-1');
  });

  it('a Sigma 1 date', () => {
    const t = ruleText(body, { header: ['date: 2020/01/21'] });
    onlyWarning(t, { line: at(t, 'date: 2020/01/21').line }, '2020/01/21', /Sigma 1/);
  });

  it('a Sigma 1 modified date', () => {
    const t = ruleText(body, { header: ['modified: 2023/03/24'] });
    onlyWarning(t, { line: at(t, 'modified:').line }, '2023/03/24');
  });

  it('an ATT&CK tag with underscores', () => {
    const t = ruleText(body, { header: ['tags:', '    - attack.defense_evasion', '    - attack.t1562.008'] });
    const set = onlyWarning(t, { line: at(t, 'tags:').line }, 'attack.defense_evasion', /dash/);
    expect(set.rules[0]!.tags).toContain('attack.defense_evasion');
  });

  it('a Sigma 2 tag gives no warning', () => {
    const set = load(ruleText(body, { header: ['tags:', '    - attack.defense-evasion', '    - attack.t1562.008'] }));
    expect(set.diagnostics).toEqual([]);
  });

  it('an unused selection: at its name', () => {
    const t = ruleText(['selection:', '    eventName: CreateUser', 'leftover:', '    userName: root', 'condition: selection']);
    onlyWarning(t, at(t, 'leftover:'), "'leftover'");
  });

  it('selections used through 1 of x* are not unused', () => {
    const set = load(ruleText(['sel_a:', '    eventName: A', 'sel_b:', '    eventName: B', 'condition: 1 of sel_*']));
    expect(set.diagnostics).toEqual([]);
  });
});

describe('one bad rule does not stop the others', () => {
  const good = (id: string, name: string) => ruleText(['sel:', `    eventName: ${name}`, 'condition: sel']).replace(`id: ${ID}`, `id: ${id}`);
  const ids = ['aaaaaaaa-0000-4000-8000-000000000001', 'aaaaaaaa-0000-4000-8000-000000000002', 'aaaaaaaa-0000-4000-8000-000000000003'];

  it('an invalid modifier in the middle document', () => {
    const bad = good(ids[1]!, 'x').replace('eventName: x', 'eventName|containz: x');
    const t = [good(ids[0]!, 'CreateUser'), bad, good(ids[2]!, 'DeleteUser')].join('---\n');
    const set = load(t);
    expect(set.rules.map((r) => r.id)).toEqual([ids[0], ids[2]]);
    const errs = errorsOf(set);
    expect(errs).toHaveLength(1);
    expect(errs[0]!.line).toBe(at(t, 'eventName|containz').line); // the line in the whole text, not in the document
    expect(set.rules[1]!.test({ eventName: 'DeleteUser' })).toBe(true);
  });

  it('a YAML error in the middle document', () => {
    const bad = good(ids[1]!, 'x').replace('    eventName: x', '    eventName: x\n   broken: y');
    const t = [good(ids[0]!, 'CreateUser'), bad, good(ids[2]!, 'DeleteUser')].join('---\n');
    const set = load(t);
    expect(set.rules.map((r) => r.id)).toEqual([ids[0], ids[2]]);
    const errs = errorsOf(set);
    expect(errs.length).toBeGreaterThanOrEqual(1);
    expect(errs[0]!.line).toBe(at(t, '   broken').line);
  });

  it('a missing condition in the first document and a bad regex in the last', () => {
    const first = good(ids[0]!, 'x').replace('    condition: sel\n', '');
    const last = good(ids[2]!, 'x').replace('eventName: x', "eventName|re: '('");
    const set = load([first, good(ids[1]!, 'CreateUser'), last].join('---\n'));
    expect(set.rules.map((r) => r.id)).toEqual([ids[1]]);
    expect(errorsOf(set)).toHaveLength(2);
  });

  it('loading never throws on broken variants of real rules, and always explains a rule it drops', () => {
    const dir = join(__dirname, '../../shared/sigma-aws-rules');
    const files = readdirSync(dir).filter((f) => f.endsWith('.yml')).slice(0, 20);
    expect(files.length).toBeGreaterThan(0);
    let variants = 0;
    for (const f of files) {
      const lines = readFileSync(join(dir, f), 'utf8').split('\n');
      for (let i = 0; i < lines.length; i++) {
        for (const v of [
          [...lines.slice(0, i), ...lines.slice(i + 1)],
          [...lines.slice(0, i), lines[i]!.replace(':', '|bogus:'), ...lines.slice(i + 1)],
        ]) {
          const text = v.join('\n');
          variants++;
          const set = loadRulesFromText(text, f);
          for (const d of set.diagnostics) {
            expect(d.line, formatDiagnostic(d)).toBeGreaterThanOrEqual(1);
            expect(d.line, formatDiagnostic(d)).toBeLessThanOrEqual(v.length + 1);
            expect(d.col, formatDiagnostic(d)).toBeGreaterThanOrEqual(1);
          }
          if (set.rules.length === 0 && set.correlations.length === 0) {
            expect(errorsOf(set).length, `${f} without line ${i + 1}`).toBeGreaterThan(0);
          }
        }
      }
    }
    expect(variants).toBeGreaterThan(100);
  });
});

describe('rule directories', () => {
  it('walks nested and linked directories in name order, skips dot entries and rule tests, and names what it cannot read', () => {
    const root = mkdtempSync(join(tmpdir(), 'tideline-rules-'));
    const real = join(__dirname, '../../shared/sigma-aws-rules');
    const [a, b, c] = readdirSync(real).filter((f) => f.endsWith('.yml')).sort();
    mkdirSync(join(root, 'z-sub/deeper'), { recursive: true });
    mkdirSync(join(root, '.hidden'));
    copyFileSync(join(real, a!), join(root, 'b.yml'));
    copyFileSync(join(real, b!), join(root, 'z-sub/deeper/c.YAML'));
    copyFileSync(join(real, c!), join(root, '.hidden/d.yml'));
    writeFileSync(join(root, 'a.tests.yml'), 'not a rule');
    writeFileSync(join(root, 'notes.txt'), 'not a rule');
    symlinkSync(join(root, 'z-sub/deeper'), join(root, 'm-link'));
    symlinkSync(join(root, 'nowhere'), join(root, 'dangling.yml'));
    mkdirSync(join(root, 'loop'));
    symlinkSync(root, join(root, 'loop/again')); // walking it would never end
    const set = loadRules([root, join(root, 'missing')]);
    expect(set.files).toEqual([join(root, 'b.yml'), join(root, 'm-link/c.YAML'), join(root, 'z-sub/deeper/c.YAML')]);
    expect(set.diagnostics.filter((d) => /^(cannot read|skipped)/.test(d.message))).toEqual([
      { file: join(root, 'dangling.yml'), line: 0, col: 0, severity: 'error', message: 'cannot read: ENOENT' },
      { file: join(root, 'loop/again'), line: 0, col: 0, severity: 'warning', message: `skipped: a symbolic link loop back to ${realpathSync(root)}` },
      { file: join(root, 'missing'), line: 0, col: 0, severity: 'error', message: 'cannot read: ENOENT' },
    ]);
  });
});

describe('sigma-aws-rules-extra', () => {
  const dir = join(__dirname, '../../shared/sigma-aws-rules-extra');
  const files = readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).sort();
  const set = loadRules([dir]);

  it('the directory has rules', () => {
    expect(files.length).toBeGreaterThan(0);
    expect(set.files.map((f) => f.split('/').pop()).sort()).toEqual(files);
  });

  it.each(files)('%s either loads or gets clear, located errors', (name) => {
    const file = join(dir, name);
    const loaded = set.rules.filter((r) => r.file === file);
    const errs = errorsOf(set).filter((d) => d.file === file);
    expect(loaded.length + errs.length, name).toBeGreaterThan(0);
    const lines = readFileSync(file, 'utf8').split('\n');
    for (const e of errs) {
      expect(e.line).toBeGreaterThanOrEqual(1);
      expect(e.line).toBeLessThanOrEqual(lines.length);
      expect(e.col).toBeGreaterThanOrEqual(1);
      expect(e.message.length).toBeGreaterThan(10);
      expect(formatDiagnostic(e).startsWith(`${file}:${e.line}:${e.col}: error: `)).toBe(true);
    }
    if (errs.length) expect(loaded).toHaveLength(0);
    // A Sigma 1 aggregation is reported on the condition line.
    const aggLine = lines.findIndex((l) => /^\s*condition:.*\|/.test(l));
    if (aggLine >= 0) {
      expect(errs.some((e) => e.line === aggLine + 1 && /aggregation/.test(e.message))).toBe(true);
    }
  });

  it('the console login rule needs its placeholders, naming them', () => {
    const file = join(dir, 'aws_cloudtrail_console_login_success_from_susp_locations.yml');
    const errs = errorsOf(set).filter((d) => d.file === file);
    expect(errs.length).toBeGreaterThan(0);
    expect(errs.some((e) => e.message.includes('Legitimate_Countries'))).toBe(true);
    const text = readFileSync(file, 'utf8');
    expect(errs[0]!.line).toBe(at(text, "'%Legitimate_Countries%'").line);
  });

  it('the console login rule loads with placeholders and filters by them', () => {
    const file = join(dir, 'aws_cloudtrail_console_login_success_from_susp_locations.yml');
    const withP = loadRules([file], { placeholders: { Legitimate_Countries: ['DE', 'FR'], Legitimate_IP_Ranges: ['10.*', '192.168.1.1'] } });
    expect(errorsOf(withP).map(formatDiagnostic)).toEqual([]);
    expect(withP.rules).toHaveLength(1);
    const r = withP.rules[0]!;
    const login = { eventName: 'ConsoleLogin', responseElements: { ConsoleLogin: 'Success' } };
    expect(r.test({ ...login, src_country: 'RU', src_ip: '203.0.113.9' })).toBe(true);
    expect(r.test({ ...login, src_country: 'DE', src_ip: '203.0.113.9' })).toBe(false);
    expect(r.test({ ...login, src_country: 'RU', src_ip: '10.1.2.3' })).toBe(false);
    expect(r.test({ ...login, responseElements: { ConsoleLogin: 'Failure' }, src_country: 'RU', src_ip: '203.0.113.9' })).toBe(false);
  });
});
