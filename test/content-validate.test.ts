// `tideline validate`: the bundled content is clean, and each class of problem is found and located as file:line:col.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { attack, parseAttackTag } from '../src/content/attack.js';
import { loadContent } from '../src/content/load.js';
import { vocabularyKeysUsed } from '../src/content/schema.js';
import { validateContent } from '../src/content/validate.js';
import { vocabularies } from '../src/content/vocabularies.js';
import { removeDir, ROOT, tempDir } from './helpers/cloudtrail.js';

const CLI = join(ROOT, 'dist/cli/main.js');
const CONTENT = join(ROOT, 'content');
const run = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: 'utf8' });

let dir: string | undefined;
afterEach(() => removeDir(dir));

/** A small valid content directory: one TVM, one DOM, one MDR, one Sigma rule with tests, one advisory. */
const TVM = `name: Example stop logging
criticality: Low
metadata:
  uuid: 11111111-1111-4111-8111-111111111111
  schema: tvm::2.1
  version: 1
  created: 2026-11-24
  modified: 2026-11-24
  tlp: clear
  organisation:
    uuid: 7c0f8a52-5d1e-4b9a-9f3e-2a6d4c8b1e07
    name: Tideline
threat:
  att&ck:
    - T1562.008
  terrain: Needs cloudtrail:StopLogging.
  description: Stops the trail.
  killchain: Defense Evasion
  domains:
    - Public Cloud
  targets:
    - IaaS
  platforms:
    - AWS
  severity: Moderate incident
  leverage:
    - Log tampering
  impact:
    - Impairement
  viability: Unlikely
`;
const DOM = `name: Detect stop logging
metadata:
  uuid: 22222222-2222-4222-8222-222222222222
  schema: dom::1.0
  version: 1
  created: 2026-11-24
  modified: 2026-11-24
  tlp: green
  organisation:
    uuid: 7c0f8a52-5d1e-4b9a-9f3e-2a6d4c8b1e07
    name: Tideline
objective:
  priority: High
  type: Threat
  description: Alert on StopLogging.
  composition:
    strategy: Independent
    description: One signal.
  threats:
    - 11111111-1111-4111-8111-111111111111 # Example stop logging
  signals:
    - name: StopLogging call
      uuid: 33333333-3333-4333-8333-333333333333
      description: A trail is stopped.
      severity: Medium
      data:
        availability: Complete
        requirements: CloudTrail management events
        logsources: [aws/cloudtrail]
      methodology: Pattern Matching
      entities: [Account]
`;
const MDR = `name: Stop logging MDR
metadata:
  uuid: 44444444-4444-4444-8444-444444444444
  schema: mdr::2.1
  version: 1
  created: 2026-11-24
  modified: 2026-11-24
  tlp: green
  organisation:
    uuid: 7c0f8a52-5d1e-4b9a-9f3e-2a6d4c8b1e07
    name: Tideline
description: Alerts on StopLogging.
detection_model: 22222222-2222-4222-8222-222222222222 # Detect stop logging
response:
  alert_severity: Medium
configurations:
  sigma:
    schema: sigma::2.1
    status: PRODUCTION
    rule: 55555555-5555-4555-8555-555555555555
`;
const RULE = `title: Stop logging
id: 55555555-5555-4555-8555-555555555555
status: test
logsource:
  product: aws
  service: cloudtrail
detection:
  selection:
    eventSource: cloudtrail.amazonaws.com
    eventName: StopLogging
  condition: selection
level: high
tags:
  - attack.t1562.008
`;
const TESTS = `rule: 55555555-5555-4555-8555-555555555555
match:
  - name: stop
    event: {eventSource: cloudtrail.amazonaws.com, eventName: StopLogging}
nomatch:
  - name: start
    event: {eventSource: cloudtrail.amazonaws.com, eventName: StartLogging}
`;

function writeContent(overrides: Record<string, string | null> = {}): string {
  dir = tempDir('validate');
  const files: Record<string, string | null> = {
    'threat-vectors/Example stop logging.yaml': TVM,
    'detection-objectives/Detect stop logging.yaml': DOM,
    'detection-rules/Stop logging MDR.yaml': MDR,
    'rules/stop.yml': RULE,
    'rules/stop.tests.yml': TESTS,
    ...overrides,
  };
  for (const [f, text] of Object.entries(files)) {
    if (text === null) continue;
    mkdirSync(join(dir, f, '..'), { recursive: true });
    writeFileSync(join(dir, f), text);
  }
  return dir;
}

const problems = (d: string) => validateContent(loadContent(d)).diagnostics.map((x) => `${x.file.slice(d.length + 1)}:${x.line}:${x.col}: ${x.severity}: ${x.message}`);

describe('bundled content', () => {
  it('validates with no error or warning', () => {
    const report = validateContent(loadContent(CONTENT));
    expect(report.diagnostics).toEqual([]);
    expect(report.counts.advisory).toBeGreaterThanOrEqual(3);
    expect(report.counts.tvm).toBeGreaterThanOrEqual(10);
    expect(report.counts.dom).toBeGreaterThanOrEqual(5);
    expect(report.counts.mdr).toBe(report.counts.rule); // every rule is deployed by an MDR
  });

  it('`tideline validate content` exits 0 and says what it checked', () => {
    const r = run('validate', 'content');
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/3 advisories, \d+ TVMs, \d+ DOMs, \d+ MDRs, \d+ rules, \d+ rule tests; 0 errors, 0 warnings/);
  });

  it('carries the TVM AWS Stop Logging CloudTrail with its real identity', () => {
    const set = loadContent(CONTENT);
    const tvm = set.byUuid.get('d370aaea-c3e5-4d58-a6c9-3d1a7ffe50e3');
    expect(tvm?.kind).toBe('tvm');
    const doc = tvm!.doc as unknown as Record<string, any>;
    expect(doc.name).toBe('AWS Stop Logging CloudTrail');
    expect(doc.criticality).toBe('Low');
    expect(doc.metadata).toMatchObject({ version: 1, created: '2024-10-31', modified: '2024-10-31', tlp: 'clear', organisation: { uuid: '56b0a0f0-b0bc-47d9-bb46-02f80ae2065a', name: 'EC DIGIT CSOC' } });
    expect(doc.threat).toMatchObject({
      'att&ck': ['T1562.008'],
      killchain: 'Defense Evasion',
      domains: ['Public Cloud', 'Private Cloud'],
      targets: ['IaaS'],
      platforms: ['AWS'],
      severity: 'Moderate incident',
      viability: 'Unlikely',
    });
    expect([...doc.threat.leverage].sort()).toEqual(['Log tampering', 'Modify configuration', 'Repudiation']);
    expect([...doc.threat.impact].sort()).toEqual(['Impairement', 'Lose Capabilities']);
    const refs = Object.values(doc.references.public as Record<string, string>).join(' ');
    expect(refs).toMatch(/securitylabs\.datadoghq\.com/);
    expect(refs).toMatch(/research\.splunk\.com/);
  });

  it('has the advisory with its 7-step chain and every object linked', () => {
    const set = loadContent(CONTENT);
    const adv = set.objects.find((o) => o.kind === 'advisory' && o.name === 'AWS CloudTrail Logging Disabled or Modified');
    expect(adv).toBeDefined();
    const a = (adv!.doc as any).advisory;
    expect(a.severity).toBe('medium');
    expect(a.attack_chain).toHaveLength(7);
    const names = a.attack_chain.flatMap((s: any) => (s.calls ?? []).map((c: any) => c.eventName));
    for (const n of ['StopLogging', 'UpdateTrail', 'DeleteTrail']) expect(names).toContain(n);
    expect(a.threats).toContain('d370aaea-c3e5-4d58-a6c9-3d1a7ffe50e3');
  });
});

describe('vocabularies and ATT&CK are data', () => {
  it('every vocabulary the schemas name exists, with a description and icon for every entry', () => {
    const v = vocabularies();
    for (const key of vocabularyKeysUsed()) {
      expect(v.has(key), key).toBe(true);
      for (const e of v.get(key)!.entries) expect(e.description?.length, `${key}: ${e.name}`).toBeGreaterThan(10);
    }
    for (const key of ['criticality', 'tlp', 'threat-severity', 'viability', 'leverage', 'impact', 'kill-chain', 'domains']) {
      expect(v.get(key)!.icon, key).toBeTruthy();
      expect(v.get(key)!.entries.every((e) => typeof e.icon === 'string' && e.icon.length > 0), key).toBe(true);
    }
  });

  it('entry names are OpenTide’s, spelling included', () => {
    const names = (k: string) => vocabularies().get(k)!.entries.map((e) => e.name);
    expect(names('impact')).toContain('Impairement');
    expect(names('criticality')).toEqual(['Baseline - Negligible', 'Baseline - Minor', 'Low', 'Medium', 'High', 'Severe', 'Emergency']);
    expect(names('tlp')).toEqual(['clear', 'green', 'amber', 'amber+strict', 'red']);
    expect(vocabularies().get('chaining-relations')!.lookup('sequence::preceeds')).toBeDefined();
    expect(vocabularies().get('chaining-relations')!.lookup('preceeds')).toBeUndefined(); // scoped: the stage is required
  });

  it('resolves T1562.008 and its v19 number T1685.002 to one technique, with both names', () => {
    const a = attack().technique('T1562.008')!;
    const b = attack().technique('T1685.002')!;
    expect(b).toBe(a);
    expect(a.name).toBe('Disable or Modify Cloud Logs');
    expect(a.v19).toMatchObject({ id: 'T1685.002', name: 'Disable or Modify Cloud Log' });
    expect(a.v19!.tactics.map((t) => t.name)).toEqual(['Defense Impairment']);
    expect(a.tactics.map((t) => t.name)).toEqual(['Defense Evasion']);
    expect(attack().technique('attack.t1685.002')).toBe(a);
    expect(attack().tactic('defense-impairment')?.name).toBe('Defense Impairment');
    expect(attack().tactic('TA0112')?.name).toBe('Defense Impairment');
    expect(attack().technique('T1078.004')?.name).toBe('Cloud Accounts');
    expect(attack().technique('T9999')).toBeUndefined();
    expect(parseAttackTag('attack.t1685.002')).toEqual({ technique: 'T1685.002' });
    expect(parseAttackTag('attack.defense-impairment')).toEqual({ tactic: 'defense-impairment' });
    expect(parseAttackTag('attack.g0016')).toBeUndefined();
  });

  it('every ATT&CK tag of SigmaHQ’s current AWS rules (v19) resolves offline', async () => {
    const { loadRules } = await import('../src/sigma/load.js');
    const set = loadRules([join(ROOT, '../shared/sigma-aws-rules')]);
    const unknown: string[] = [];
    for (const r of set.rules) {
      for (const t of r.tags) {
        const p = parseAttackTag(t);
        if (p && 'technique' in p && !attack().technique(p.technique)) unknown.push(`${r.title}: ${t}`);
        if (p && 'tactic' in p && !attack().tactic(p.tactic)) unknown.push(`${r.title}: ${t}`);
      }
    }
    expect(unknown).toEqual([]);
  });
});

describe('validate finds each class of problem, located', () => {
  it('a valid directory has no problem', () => {
    expect(problems(writeContent())).toEqual([]);
  });

  it('YAML syntax errors, with line and column', () => {
    const d = writeContent({ 'threat-vectors/Example stop logging.yaml': TVM.replace('criticality: Low', 'criticality: [Low') });
    const p = problems(d);
    expect(p.some((x) => /^threat-vectors\/Example stop logging\.yaml:\d+:\d+: error: YAML: /.test(x))).toBe(true);
    // The broken TVM is not loaded, so the DOM's link to it dangles: reported too, not silently dropped.
    expect(p.some((x) => x.includes('objective.threats points to 11111111-1111-4111-8111-111111111111, which is not in the content'))).toBe(true);
  });

  it('schema errors: a missing required field, a wrong type, a bad UUID and a bad date', () => {
    const tvm = TVM.replace('  terrain: Needs cloudtrail:StopLogging.\n', '').replace('version: 1', 'version: one').replace('uuid: 11111111-1111-4111-8111-111111111111', 'uuid: 11111111-1111-1111-1111-111111111111').replace('created: 2026-11-24', 'created: 2026-13-40');
    const p = problems(writeContent({ 'threat-vectors/Example stop logging.yaml': tvm }));
    const f = 'threat-vectors/Example stop logging.yaml';
    expect(p).toContain(`${f}:14:3: error: threat: missing required field 'terrain'`);
    expect(p).toContain(`${f}:6:12: error: metadata.version must be integer`);
    expect(p).toContain(`${f}:4:9: error: metadata.uuid must match pattern "^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$"`);
    expect(p).toContain(`${f}:7:12: error: metadata.created must match format "date"`);
  });

  it('unknown fields where the format is closed (advisory steps)', () => {
    const adv = readFileSync(join(CONTENT, 'advisories/aws-cloudtrail-logging-disabled.yaml'), 'utf8').replace(/(\n    - name: Stop logging\n)/, '$1      detections: many\n');
    const d = writeContent({ 'advisories/a.yaml': adv });
    const p = problems(d).filter((x) => x.startsWith('advisories/a.yaml'));
    expect(p.some((x) => /advisories\/a\.yaml:\d+:7: error: unknown field 'detections' in advisory\.attack_chain\.\d/.test(x)), p.join('\n')).toBe(true);
  });

  it('vocabulary mistakes, with a suggestion', () => {
    const p = problems(writeContent({ 'threat-vectors/Example stop logging.yaml': TVM.replace('    - Log tampering', '    - Log Tampering').replace('viability: Unlikely', 'viability: Maybe') }));
    expect(p).toContain("threat-vectors/Example stop logging.yaml:27:7: error: threat.leverage.0: 'Log Tampering' is not in the Leverage vocabulary (did you mean 'Log tampering'?)");
    expect(p.some((x) => /:30:14: error: threat\.viability: 'Maybe' is not in the .* vocabulary$/.test(x))).toBe(true);
  });

  it('unknown ATT&CK techniques', () => {
    const p = problems(writeContent({ 'threat-vectors/Example stop logging.yaml': TVM.replace('    - T1562.008', '    - T1562.099') }));
    expect(p.some((x) => x.startsWith("threat-vectors/Example stop logging.yaml:15:7: error: threat.att&ck.0: unknown ATT&CK technique 'T1562.099'"))).toBe(true);
  });

  it('duplicate UUIDs, across files and kinds', () => {
    const p = problems(writeContent({ 'threat-vectors/Copy.yaml': TVM.replace('name: Example stop logging', 'name: Copy') }));
    expect(p.filter((x) => x.includes('duplicate UUID 11111111-1111-4111-8111-111111111111'))).toHaveLength(1);
    const p2 = problems(writeContent({ 'detection-objectives/Detect stop logging.yaml': DOM.replace('uuid: 33333333-3333-4333-8333-333333333333', 'uuid: 44444444-4444-4444-8444-444444444444') }));
    expect(p2.some((x) => x.includes('duplicate UUID 44444444-4444-4444-8444-444444444444'))).toBe(true);
  });

  it('dangling and wrong-kind references, and MDRs naming a missing Sigma rule', () => {
    const p = problems(
      writeContent({
        'detection-rules/Stop logging MDR.yaml': MDR.replace('detection_model: 22222222-2222-4222-8222-222222222222', 'detection_model: 11111111-1111-4111-8111-111111111111').replace('rule: 55555555-5555-4555-8555-555555555555', 'rule: 66666666-6666-4666-8666-666666666666'),
        'detection-objectives/Detect stop logging.yaml': DOM.replace('    - 11111111-1111-4111-8111-111111111111 # Example stop logging', '    - 77777777-7777-4777-8777-777777777777'),
      }),
    );
    expect(p).toContain("detection-rules/Stop logging MDR.yaml:13:18: error: detection_model points to TVM 'Example stop logging', expected a DOM or CDM");
    expect(p).toContain('detection-rules/Stop logging MDR.yaml:20:11: error: configurations.sigma.rule names Sigma rule 66666666-6666-4666-8666-666666666666, which is not in the content');
    expect(p).toContain('detection-objectives/Detect stop logging.yaml:20:7: error: objective.threats points to 77777777-7777-4777-8777-777777777777, which is not in the content');
  });

  it('Sigma rule errors, tests naming no rule, and rules without tests', () => {
    const p = problems(
      writeContent({
        'rules/bad.yml': RULE.replace('55555555-5555-4555-8555-555555555555', '88888888-8888-4888-8888-888888888888').replace('eventName: StopLogging', 'eventName|bogus: StopLogging'),
        'rules/orphan.tests.yml': TESTS.replace('55555555-5555-4555-8555-555555555555', '99999999-9999-4999-8999-999999999999'),
        'rules/untested.yml': RULE.replace('55555555-5555-4555-8555-555555555555', 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa'),
      }),
    );
    expect(p.some((x) => /^rules\/bad\.yml:\d+:\d+: error: .*bogus/.test(x))).toBe(true);
    expect(p).toContain('rules/orphan.tests.yml:1:7: error: tests name rule 99999999-9999-4999-8999-999999999999, which is not in the content');
    expect(p.some((x) => x.startsWith("rules/untested.yml:1:1: warning: rule 'Stop logging' has no tests"))).toBe(true);
  });

  it('Sigma rule metadata against its JSON Schema (what the engine does not check itself)', () => {
    const rule = RULE.replace('status: test\n', 'status: test\nrelated:\n  - id: 55555555-5555-4555-8555-555555555556\n    type: copied\n');
    const p = problems(writeContent({ 'rules/stop.yml': rule }));
    expect(p).toEqual(['rules/stop.yml:6:11: error: related.0.type must be one of: derived, obsolete, merged, renamed, similar']);
  });

  it("SigmaHQ's 57 AWS rules with the regression corpus validate clean", () => {
    const r = run('validate', join(ROOT, '../shared/sigma-aws-rules'), join(ROOT, 'test/fixtures/sigmahq'));
    expect(r.status, r.stdout).toBe(0);
    expect(r.stderr).toMatch(/57 rules, \d+ rule tests; 0 errors, 0 warnings/);
  });

  it('files that are no known kind, and unknown schemas', () => {
    const p = problems(writeContent({ 'notes.yaml': 'hello: world\n', 'threat-vectors/x.yaml': TVM.replace('schema: tvm::2.1', 'schema: xyz::1.0').replace('11111111-1111-4111-8111-111111111111', 'bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb') }));
    expect(p.some((x) => x.startsWith('notes.yaml:1:1: error: not a content object'))).toBe(true);
    expect(p.some((x) => x.startsWith("threat-vectors/x.yaml:1:1: error: unknown object schema 'xyz::1.0'"))).toBe(true);
  });

  it('the CLI prints file:line:col lines, keeps going and exits 2', () => {
    const d = writeContent({ 'threat-vectors/Example stop logging.yaml': TVM.replace('    - Log tampering', '    - Log Tampering'), 'notes.yaml': 'a: [\n' });
    const r = run('validate', d);
    expect(r.status).toBe(2);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(2);
    for (const l of lines) expect(l).toMatch(/^\S.*:\d+:\d+: error: /);
    expect(r.stderr).toMatch(/2 errors, 0 warnings/);
    expect(r.stderr).not.toMatch(/at .*\.js:\d+/); // no stack trace
    const json = JSON.parse(run('validate', '--format', 'json', d).stdout);
    expect(json.errors).toBe(2);
  });

  it('copies of the bundled content stay valid wherever they live', () => {
    dir = tempDir('validate-copy');
    cpSync(CONTENT, dir, { recursive: true, filter: (src) => !src.includes('samples') });
    expect(problems(dir)).toEqual([]);
  });
});
