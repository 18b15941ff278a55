// `tideline docs`: every object rendered as Markdown; the TVM page has OpenTide's sections; the advisory page shows
// measured coverage; links between pages resolve; text is clean UTF-8.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeDir, ROOT, tempDir } from './helpers/cloudtrail.js';

const CLI = join(ROOT, 'dist/cli/main.js');
let out: string;
let status: number | null;
let stderr: string;

beforeAll(() => {
  out = tempDir('docs');
  const r = spawnSync(process.execPath, [CLI, 'docs', out], { cwd: ROOT, encoding: 'utf8' });
  status = r.status;
  stderr = r.stderr;
});
afterAll(() => removeDir(out));

const files = (dir: string): string[] => readdirSync(dir).flatMap((f) => (statSync(join(dir, f)).isDirectory() ? files(join(dir, f)) : [join(dir, f)]));
const page = (rel: string) => readFileSync(join(out, rel), 'utf8');

describe('tideline docs', () => {
  it('renders a page per object and an index', () => {
    expect(status, stderr).toBe(0);
    expect(stderr).toMatch(/tideline docs: \d+ pages in /);
    for (const d of ['advisories', 'threat-vectors', 'detection-objectives', 'detection-rules', 'rules']) expect(readdirSync(join(out, d)).length, d).toBeGreaterThan(2);
    expect(existsSync(join(out, 'index.md'))).toBe(true);
  });

  it('the TVM page of d370aaea carries every section, in OpenTide order', () => {
    const md = page('threat-vectors/aws-stop-logging-cloudtrail.md');
    const order = [
      '# ☣️ AWS Stop Logging CloudTrail',
      '🔥 **Criticality:Low**',
      '🚦 **TLP:CLEAR**',
      '🗡️ **ATT&CK Techniques** [T1562.008 : Disable or Modify Cloud Logs](https://attack.mitre.org/techniques/T1562/008',
      '`🔑 UUID : d370aaea-c3e5-4d58-a6c9-3d1a7ffe50e3`',
      '`🏷️ Version : 1`',
      '`🗓️ Creation Date : 2024-10-31`',
      '`🗓️ Last Modification : 2024-10-31`',
      '`🏢 Sharing Organisation : EC DIGIT CSOC (56b0a0f0-b0bc-47d9-bb46-02f80ae2065a)`',
      '`🧱 Schema Identifier : tvm::2.1`',
      '## 👁️ Description',
      '## 🖥️ Terrain',
      '## 🕸️ Relations',
      '### 🛡️ Detections',
      '### 📰 Advisories',
      '### 🌊 OpenTide Objects',
      '## Model Data',
      '#### **⛓️ Cyber Kill Chain**',
      '#### **🛰️ Domains**',
      '#### **🎯 Targets**',
      '#### **💿 Platforms concerned**',
      '#### **💣 Severity**',
      '#### **🪄 Leverage acquisition**',
      '#### **💥 Impact**',
      '#### **🎲 Vector Viability**',
      '### 🔗 References',
      '#### 🏷️ Tags',
    ];
    let at = -1;
    for (const s of order) {
      const i = md.indexOf(s);
      expect(i, `missing or out of order: ${s}`).toBeGreaterThan(at);
      at = i;
    }
    // v19 renumbering shown beside the v18 technique, with its name.
    expect(md).toContain('ATT&CK v19: [T1685.002 : Disable or Modify Cloud Log]');
    // Vocabulary values come with their descriptions (from data/vocabularies).
    expect(md).toMatch(/`🧨 Moderate incident` : \S.{20,}/);
    expect(md).toMatch(/- `[^`]*Log tampering` : \S.{20,}/);
    expect(md).toMatch(/`[^`]*Unlikely` : \S.{10,}/);
    // Relations in both directions: the rule that detects it (via MDR → DOM), the advisory that cites it.
    expect(md).toMatch(/\| \[AWS CloudTrail Logging Stopped\]\(\.\.\/rules\/aws-cloudtrail-logging-stopped\.md\) \| high \|.*✅/);
    expect(md).toContain('[AWS CloudTrail Logging Disabled or Modified](../advisories/aws-cloudtrail-logging-disabled.md)');
    expect(md).toContain('https://securitylabs.datadoghq.com/');
    expect(md).toContain('https://research.splunk.com/');
  });

  it('renders every tag as one whole word', () => {
    const md = page('threat-vectors/aws-stop-logging-cloudtrail.md');
    const tags = md.slice(md.indexOf('#### 🏷️ Tags')).split('\n').filter((l) => l.startsWith('#') && !l.startsWith('####'))[0]!.split(', ');
    expect(tags).toEqual(expect.arrayContaining(['#Defense_Evasion', '#Public_Cloud', '#Private_Cloud', '#IaaS', '#AWS', '#Moderate_incident', '#Log_tampering', '#Modify_configuration', '#Repudiation', '#Impairement', '#Lose_Capabilities', '#Unlikely']));
    for (const t of tags) expect(t).toMatch(/^#[\p{L}\p{N}_]+$/u);
  });

  it('the advisory page has the numbered chain, impact, recommendations and measured coverage', () => {
    const md = page('advisories/aws-cloudtrail-logging-disabled.md');
    expect(md).toMatch(/\*\*Severity: medium\*\*/);
    for (const s of ['## Summary', '## Description', '## Attack chain', '## Impact', '## Recommendations', '## Detection coverage', '### 🔗 References']) expect(md).toContain(s);
    for (let i = 1; i <= 7; i++) expect(md).toMatch(new RegExp(`^${i}\\. \\*\\*`, 'm'));
    expect(md).toMatch(/^3\. \*\*Stop logging\*\* — ✅ covered/m);
    expect(md).toMatch(/\*\*5 of 5\*\* steps that produce CloudTrail events are detected/);
    // Each covering rule with level, tactics, techniques, source and test status.
    expect(md).toMatch(/\| \[AWS CloudTrail Logging Stopped\]\([^)]+\) \| high \| Defense Evasion, Defense Impairment \| T1562\.008 \/ T1685\.002 \| aws \/ cloudtrail \| ✅ \d+ true-positive and \d+ false-positive tests pass \|/);
  });

  it('every relative link points to a page that exists', () => {
    const broken: string[] = [];
    for (const f of files(out)) {
      for (const m of readFileSync(f, 'utf8').matchAll(/\]\(((?:\.\.\/)*[a-z-]+\/[^)\s]+\.md)\)/g)) {
        if (!existsSync(join(dirname(f), decodeURI(m[1]!)))) broken.push(`${f}: ${m[1]}`);
      }
    }
    expect(broken).toEqual([]);
  });

  it('writes clean UTF-8: no replacement characters, no mojibake', () => {
    for (const f of files(out)) {
      const buf = readFileSync(f);
      const text = buf.toString('utf8');
      expect(Buffer.from(text, 'utf8').equals(buf), f).toBe(true);
      expect(text, f).not.toMatch(/\uFFFD|Ã.|â€|ðŸ/);
    }
  });

  it('renders another content directory (the imported ShareTide samples) with --from', () => {
    const content = tempDir('docs-import');
    const site = tempDir('docs-import-site');
    try {
      expect(spawnSync(process.execPath, [CLI, 'import', 'opentide', join(ROOT, '../shared/opentide/samples'), '--out', content], { encoding: 'utf8' }).status).toBe(0);
      const r = spawnSync(process.execPath, [CLI, 'docs', site, '--from', content], { encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
      expect(readdirSync(join(site, 'threat-vectors'))).toHaveLength(40);
      const md = readFileSync(join(site, 'threat-vectors', 'illicit-vpc-peering-requests.md'), 'utf8');
      expect(md).toContain('# ☣️ Illicit VPC peering requests');
      expect(md).toContain('🚫 No detection rule is linked to this threat vector yet.');
      expect(md).toMatch(/#Infrastructure_Compromise/);
    } finally {
      removeDir(content);
      removeDir(site);
    }
  });
});
