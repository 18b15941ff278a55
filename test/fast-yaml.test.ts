/**
 * The two shortcuts of rule loading against their reference:
 * - the js-yaml fast path (sigma/fast-yaml.ts) must give exactly the snapshots and root positions the `yaml` library
 *   gives, or step aside; and a rule set loaded through it must equal one loaded with the reference parser only;
 * - the portable rule set workers compile lazily (sigma/portable.ts) must decide every event as the loaded set does.
 */
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LineCounter, parseAllDocuments } from 'yaml';
import { fastParse } from '../src/sigma/fast-yaml.js';
import { snapshot } from '../src/sigma/snapshot.js';
import { isEmptyDocument, loadRules, loadRulesFromText, type RuleSet } from '../src/sigma/load.js';
import { fromPortable, toPortable } from '../src/sigma/portable.js';
import { readRuleTests } from '../src/detect/rule-tests.js';
import { recordScope, type JsonObject } from '../src/sigma/fields.js';
import type { DetectionRule } from '../src/sigma/rule.js';

const ROOT = join(__dirname, '..');
const SHARED = join(ROOT, '..', 'shared');
const RULE_DIRS = [join(SHARED, 'sigma-aws-rules'), join(SHARED, 'sigma-aws-rules-extra'), join(ROOT, 'content/rules')];

/** What the `yaml` library makes of a text: per non-empty document its snapshot and root position; or 'error'. */
function reference(src: string) {
  const lc = new LineCounter();
  const docs = parseAllDocuments(src, { lineCounter: lc, prettyErrors: false, uniqueKeys: true });
  if (docs.some((d) => d.errors.length > 0)) return 'error';
  return docs
    .filter((d) => !isEmptyDocument(d))
    .map((d) => {
      const p = lc.linePos(d.contents!.range[0]);
      return { root: snapshot(d.contents!, d), line: p.line, col: p.col };
    });
}

/** The fast path either steps aside or agrees with the reference exactly. Returns whether it took the text. */
function agrees(src: string): boolean {
  const fast = fastParse(src, 'case.yml');
  let ref: ReturnType<typeof reference>;
  try {
    ref = reference(src);
  } catch {
    ref = 'error'; // an alias that names nothing
  }
  if (fast === undefined) return false;
  expect(ref, `the fast path accepted what yaml refuses:\n${src}`).not.toBe('error');
  expect(fast, src).toEqual(ref);
  return true;
}

function yamlFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? yamlFiles(p) : /\.ya?ml$/.test(name) ? [p] : [];
  });
}

describe('fast YAML path vs the yaml library', () => {
  it('reads every real rule file as yaml does, and takes every SigmaHQ rule', () => {
    const files = [...RULE_DIRS, join(ROOT, 'test/fixtures'), join(SHARED, 'opentide')].flatMap(yamlFiles);
    expect(files.length).toBeGreaterThan(200);
    let taken = 0;
    for (const f of files) if (agrees(readFileSync(f, 'utf8'))) taken++;
    expect(taken).toBeGreaterThan(files.length * 0.9);
    for (const f of yamlFiles(join(SHARED, 'sigma-aws-rules'))) expect(fastParse(readFileSync(f, 'utf8'), f), f).toBeDefined();
  });

  // Plain scalars are where YAML 1.1/1.2 and parsers differ: each must resolve as the yaml library's core schema does.
  const SCALARS = [
    '1.10', '0x1F', '0o17', '017', '1e3', '-1.5E-2', '.inf', '-.Inf', '.NaN', '+12', '-0', '0', '1_000', '~', 'null', 'Null',
    'NULL', 'true', 'True', 'TRUE', 'false', 'yes', 'No', 'on', 'OFF', 'y', '2001-12-14', '12:30:45', '0b101', '1.', '.5',
    'a b  c', 'C:\\Windows\\*', '*.exe', 'foo#bar', 'http://x/y?z=1', 'élan', '\u4e2d\u6587', '-dash', '@at', '`tick`',
  ];

  it('resolves tricky plain scalars, as values and as keys, exactly as yaml does', () => {
    for (const s of SCALARS) {
      agrees(`k: ${s}\n`);
      agrees(`- ${s}\n- [${s}, x]\n`);
      agrees(`${s}: v\n`);
      agrees(`detection:\n  sel:\n    ${s}: ${s}\n  condition: sel\n`);
    }
    expect(fastParse('k: 1.10\n', 'f')).toEqual([{ root: { m: [[{ s: 'k' }, { s: 1.1, src: '1.10' }]] }, line: 1, col: 1 }]);
  });

  it('reads quoted, block and flow scalars, comments, documents and empty values as yaml does', () => {
    const cases = [
      "a: 'it''s'\nb: \"tab\\there \\u00e9 \\\\ \\\"q\\\"\"\n",
      'a: |\n  line 1\n   line 2\n\nb: >-\n  folded\n  text\n\n  para\nc: |+\n  keep\n\n',
      'a: plain\n  continued\n  lines\nb: "dq\n  folded"\n',
      '# comment\n\n---\n# more\ntitle: x # trailing\n',
      '%YAML 1.2\n---\ntitle: x\n',
      'a:\nb: ~\nc: []\nd: {}\ne: [a, {b: c}, "d"]\nf: {x: 1, y: [2, 3]}\n',
      '- \n- a\n-\n',
      'title: a\n---\ntitle: b\n---\n',
      '---\n---\ntitle: c\n...\n',
      '  indented: root\n  second: key\n',
      'list:\n- a\n- b\nmap:\n  k: v\n',
      'a: "1.10"\nb: \'true\'\nc: !!str 12\n',
      '---\n~\n',
      "---\n''\n",
      "'quoted key': 1\n\"x\": 2\n",
      'condition: 1 of selection* and not filter\n',
    ];
    let taken = 0;
    for (const c of cases) if (agrees(c)) taken++;
    expect(taken).toBeGreaterThan(cases.length - 3);
  });

  it('steps aside on anchors, tags, complex keys, duplicate keys, reordered keys and broken YAML', () => {
    const cases = [
      'a: &x 1\nb: *x\n',
      'a: &x [1]\n',
      'a: !!int "12"\n',
      'a: !custom x\n',
      '? [a, b]\n: c\n',
      '[a, b]: c\n',
      '{a: b}: c\n',
      'a: 1\na: 2\n',
      "a: 1\n'a': 2\n",
      '1: x\n0x1: y\n',
      "'1': x\n'0': y\n",
      'a: "\\0"\n',
      'a: [unclosed\n',
      'a: b: c\n',
      '\tkey: tab-indented\n',
    ];
    for (const c of cases) expect(fastParse(c, 'case.yml'), c).toBeUndefined();
  });

  it('agrees with yaml on random documents built from tricky scalars, styles and nesting', () => {
    let seed = 12345;
    const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff), seed % n);
    const pick = <T>(xs: T[]) => xs[rnd(xs.length)]!;
    const scalar = (): string => {
      const s = pick(SCALARS);
      switch (rnd(4)) {
        case 0: return `'${s.replace(/'/g, "''")}'`;
        case 1: return JSON.stringify(s);
        default: return s;
      }
    };
    const node = (indent: string, depth: number): string => {
      const kind = depth > 2 ? 0 : rnd(4);
      if (kind === 0) return ` ${scalar()}`;
      if (kind === 1) return Array.from({ length: 1 + rnd(3) }, () => `\n${indent}-${node(indent + '  ', depth + 1)}`).join('');
      if (kind === 2) return ` [${Array.from({ length: rnd(3) }, scalar).join(', ')}]`;
      const keys = new Set<string>();
      for (let i = 0; i < 1 + rnd(4); i++) keys.add(pick(['title', 'a', 'b|contains', 'field.x|re', 'sel', ...SCALARS.slice(0, 12)]));
      return [...keys].map((k) => `\n${indent}${k}:${node(indent + '  ', depth + 1)}`).join('');
    };
    let taken = 0;
    for (let i = 0; i < 400; i++) if (agrees(`root:${node('  ', 0)}\nother: ${scalar()}\n`)) taken++;
    expect(taken).toBeGreaterThan(300);
  });

  /** What a loaded rule set is, as plain data (compiled tests aside). */
  const view = (set: RuleSet) => ({
    rules: set.rules.map((r) => ({
      ...r, detection: undefined, test: undefined,
      selections: [...r.detection.selections.entries()].map(([k, s]) => [k, s.fields, s.reads, s.witness && [s.witness.field, [...s.witness.values]]]),
      conditions: r.detection.conditions, witness: r.detection.witness && [r.detection.witness.field, [...r.detection.witness.values]],
    })),
    filters: set.filters.map((f) => ({ ...f, detection: undefined })),
    correlations: set.correlations,
    diagnostics: set.diagnostics,
  });

  it('loads the SigmaHQ, extra and bundled rules exactly as the reference parser alone does', () => {
    for (const dir of RULE_DIRS) {
      const fast = loadRules([dir]);
      const ref = loadRules([dir], {}, { referenceParser: true });
      expect(fast.rules.length + fast.diagnostics.length).toBeGreaterThan(0);
      expect(view(fast)).toEqual(view(ref));
    }
  });

  it('skips empty documents (a trailing ---) on both paths, and reports a document that is not a mapping on both', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tideline-fast-yaml-'));
    const rule = readFileSync(join(SHARED, 'sigma-aws-rules', readdirSync(join(SHARED, 'sigma-aws-rules')).sort()[0]!), 'utf8');
    writeFileSync(join(dir, 'a.yml'), `${rule.trimEnd()}\n---\n`);
    writeFileSync(join(dir, 'b.yml'), `${rule.trimEnd().replace(/^id: .*$/m, 'id: 7e0a6f4e-7a36-4d4c-9b0e-4c43c2f6a003')}\n---\n~\n`);
    const fast = loadRules([dir]);
    expect(view(fast)).toEqual(view(loadRules([dir], {}, { referenceParser: true })));
    expect(fast.rules).toHaveLength(2);
    expect(fast.diagnostics.map((d) => [d.file.endsWith('b.yml'), d.message])).toEqual([[true, 'a rule must be a YAML mapping']]);
  });
});

describe('portable rule sets (workers): the same verdicts, compiled on first use', () => {
  const events = (): JsonObject[] =>
    readdirSync(join(ROOT, 'test/fixtures/sigmahq'))
      .filter((f) => f.endsWith('.tests.yml'))
      .flatMap((f) => readRuleTests(join(ROOT, 'test/fixtures/sigmahq', f)).cases.map((c) => c.event as JsonObject));
  const FILTERED = [
    'title: Console login', 'id: 7e0a6f4e-7a36-4d4c-9b0e-4c43c2f6a001', 'name: console_login',
    'logsource:', '  product: aws', '  service: cloudtrail',
    'detection:', '  selection:', '    eventName: ConsoleLogin', '    eventVersion: 1.10', '  condition: selection',
    '---',
    'title: Known admins', 'id: 7e0a6f4e-7a36-4d4c-9b0e-4c43c2f6a002',
    'logsource:', '  product: aws', '  service: cloudtrail',
    'filter:', '  rules:', '    - console_login', '  selection:', '    userIdentity.userName: alice', '  condition: not selection',
  ].join('\n');
  const roundTrip = (set: RuleSet) => fromPortable(JSON.parse(JSON.stringify(toPortable(set))), {});
  const verdicts = (rules: DetectionRule[], evs: JsonObject[]) => evs.map((e) => recordScope(() => rules.map((r) => r.test(e))));

  // What workers read of a rule (alerts, selection, correlations, diagnostics); the prose stays on the main thread.
  const workerView = (x: DetectionRule) => ({
    id: x.id, title: x.title, name: x.name, status: x.status, level: x.level, tags: x.tags, logsource: x.logsource,
    file: x.file, line: x.line, kind: x.kind, filters: x.filters, reads: x.reads,
  });

  it('decides every SigmaHQ fixture event as the loaded rules do, and keeps metadata, witness and fields read', () => {
    const set = loadRules([join(SHARED, 'sigma-aws-rules'), join(ROOT, 'content/rules')]);
    const portable = roundTrip(set);
    const text = JSON.stringify(toPortable(set));
    expect(set.rules.filter((r) => r.description && text.includes(JSON.stringify(r.description)))).toEqual([]);
    const evs = events();
    expect(evs.length).toBeGreaterThan(100);
    expect(verdicts(portable.rules, evs)).toEqual(verdicts(set.rules, evs));
    expect(verdicts(portable.rules, evs).flat().filter(Boolean).length).toBeGreaterThan(50);
    portable.rules.forEach((p, i) => {
      const r = set.rules[i]!;
      expect(workerView(p)).toEqual(workerView(r));
      expect(p.detection.witness).toEqual(r.detection.witness);
      expect([...p.detection.selections.keys()]).toEqual([...r.detection.selections.keys()]);
    });
  });

  it('applies meta-filters and keeps number source text through JSON', () => {
    const set = loadRulesFromText(FILTERED);
    expect(set.diagnostics).toEqual([]);
    const [rule] = roundTrip(set).rules;
    const ev = (user: string, version: unknown) => ({ eventName: 'ConsoleLogin', eventVersion: version, userIdentity: { userName: user } });
    expect(rule!.filters).toEqual(['7e0a6f4e-7a36-4d4c-9b0e-4c43c2f6a002']);
    expect(rule!.test(ev('mallory', '1.10'))).toBe(true);
    expect(rule!.test(ev('alice', '1.10'))).toBe(false);
    expect(rule!.test(ev('mallory', '1.1'))).toBe(false);
  });

  it('resolves anchors and aliases as YAML means them, on the loading thread and in workers', () => {
    const set = loadRulesFromText([
      'title: Trail stopped', 'id: 7e0a6f4e-7a36-4d4c-9b0e-4c43c2f6a004',
      'logsource:', '  product: aws', '  service: cloudtrail',
      'detection:', '  selection:', '    eventName: &names [StopLogging, DeleteTrail]',
      '  again:', '    eventSource: cloudtrail.amazonaws.com', '    eventName: *names', '  condition: selection and again',
    ].join('\n'));
    expect(set.diagnostics).toEqual([]);
    const ev = (eventName: string) => ({ eventSource: 'cloudtrail.amazonaws.com', eventName });
    for (const rule of [set.rules[0]!, roundTrip(set).rules[0]!]) {
      expect([rule.test(ev('DeleteTrail')), rule.test(ev('StopLogging')), rule.test(ev('StartLogging'))]).toEqual([true, true, false]);
    }
    const bad = loadRulesFromText('title: x\nid: 7e0a6f4e-7a36-4d4c-9b0e-4c43c2f6a005\nlogsource: {product: aws}\ndetection:\n  sel:\n    eventName: *nowhere\n  condition: sel\n');
    expect(bad.rules).toEqual([]);
    expect(bad.diagnostics.map((d) => [d.line, d.severity])).toEqual([[6, 'error']]);
  });

  it('compiles a detection only when a record first needs it', () => {
    const p = toPortable(loadRulesFromText(FILTERED))!;
    // A detection no loader would have let through: a worker only finds out when the rule is first evaluated.
    p.rules[0]!.detection = JSON.stringify({ m: [[{ s: 'selection' }, { m: [[{ s: 'eventName|nosuchmodifier' }, { s: 'x' }]] }], [{ s: 'condition' }, { s: 'selection' }]] });
    const [rule] = fromPortable(p, {}).rules;
    expect(rule!.detection.witness?.field).toBe('eventName');
    expect(() => rule!.test({ eventName: 'ConsoleLogin' })).toThrow(/nosuchmodifier/);
  });
});
