// OpenTide interoperability with real ShareTide objects: import, export, and a round trip that changes nothing.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterEach, describe, expect, it } from 'vitest';
import { loadContent } from '../src/content/load.js';
import { exportOpenTide, importOpenTide } from '../src/content/opentide.js';
import { validateContent } from '../src/content/validate.js';
import { removeDir, ROOT, tempDir } from './helpers/cloudtrail.js';

const SAMPLES = join(ROOT, '../shared/opentide/samples');
const TV = 'Objects/Threat Vectors';
const CLI = join(ROOT, 'dist/cli/main.js');
const run = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: 'utf8' });
const sampleFiles = readdirSync(join(SAMPLES, TV)).filter((f) => f.endsWith('.yaml')).sort();

const dirs: string[] = [];
const tmp = (p: string) => {
  const d = tempDir(p);
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) removeDir(d);
});

describe('import opentide', () => {
  it('imports the 40 real ShareTide TVMs of both schema generations', () => {
    expect(sampleFiles).toHaveLength(40);
    const out = tmp('import');
    const report = importOpenTide(SAMPLES, out);
    expect(report.written).toHaveLength(40);
    expect(report.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const set = loadContent(out);
    expect(set.objects).toHaveLength(40);
    const schemas = set.objects.map((o) => (o.doc as { metadata: { schema: string } }).metadata.schema);
    expect(schemas.filter((s) => s === 'tvm::2.0')).toHaveLength(18);
    expect(schemas.filter((s) => s === 'tvm::2.1')).toHaveLength(22);
    // Every object passes the schema. What remains is real: ShareTide's own drift from its vocabularies (Mobile/ICS
    // technique ids, one platform missing from the vocabulary), and chaining links to TVMs outside these 40.
    const errors = validateContent(set).diagnostics.filter((d) => d.severity === 'error');
    const uuids = new Set(set.objects.map((o) => o.uuid));
    const drift = errors.filter((e) => !e.message.startsWith('threat.chaining.vector points to'));
    for (const e of drift) expect(e.message).toMatch(/unknown ATT&CK technique '(T0\d{3}|T14\d\d|T16\d\d(\.\d{3})?)'|'EU Login' is not in the Platforms vocabulary/);
    expect(new Set(drift.map((e) => e.file)).size).toBeLessThanOrEqual(3);
    for (const e of errors.filter((e) => !drift.includes(e))) expect(uuids.has(/points to (\S+),/.exec(e.message)![1]!)).toBe(false);
  });

  it('also reads the older Models/Threat Vector Models layout', () => {
    const src = tmp('legacy');
    mkdirSync(join(src, 'Models/Threat Vector Models'), { recursive: true });
    for (const f of sampleFiles.slice(0, 3)) cpSync(join(SAMPLES, TV, f), join(src, 'Models/Threat Vector Models', f));
    const out = tmp('legacy-out');
    expect(importOpenTide(src, out).written).toHaveLength(3);
    expect(readdirSync(join(out, 'threat-vectors'))).toHaveLength(3);
  });

  it('reports broken files by name and line, and imports the rest', () => {
    const src = tmp('broken');
    mkdirSync(join(src, TV), { recursive: true });
    cpSync(join(SAMPLES, TV, sampleFiles[0]!), join(src, TV, sampleFiles[0]!));
    writeFileSync(join(src, TV, 'broken.yaml'), 'name: x\nthreat: [\n');
    writeFileSync(join(src, TV, 'not-tide.yaml'), 'title: a sigma rule?\n');
    const out = tmp('broken-out');
    const r = run('import', 'opentide', src, '--out', out);
    expect(r.status).toBe(2);
    expect(r.stdout).toMatch(/broken\.yaml:\d+:\d+: error: YAML: /);
    expect(r.stdout).toMatch(/not-tide\.yaml:\d+:\d+: error: not imported: not an OpenTide object/);
    expect(r.stderr).toMatch(/1 TVM written; 2 errors/);
    expect(readdirSync(join(out, 'threat-vectors'))).toEqual([sampleFiles[0]]);
  });

  it('refuses a directory that is not an OpenTide repository, and never overwrites edits without --force', () => {
    const r = run('import', 'opentide', tmp('empty'), '--out', tmp('x'));
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/no OpenTide object folders/);
    const out = tmp('twice');
    expect(importOpenTide(SAMPLES, out).written).toHaveLength(40);
    const edited = join(out, 'threat-vectors', sampleFiles[0]!);
    writeFileSync(edited, readFileSync(edited, 'utf8') + '# local edit\n');
    const again = importOpenTide(SAMPLES, out);
    expect(again.written).toHaveLength(39);
    expect(again.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message)).toEqual([expect.stringMatching(/exists with different content \(use --force/)]);
    expect(readFileSync(edited, 'utf8')).toMatch(/# local edit/);
    expect(importOpenTide(SAMPLES, out, { force: true }).written).toHaveLength(40);
  });
});

describe('export opentide and the round trip', () => {
  it('import then export gives files that parse to exactly the original objects', () => {
    const content = tmp('rt-content');
    const out = tmp('rt-export');
    importOpenTide(SAMPLES, content);
    const r = run('export', 'opentide', out, '--from', content);
    expect(r.status, r.stderr).toBe(0);
    const exported = readdirSync(join(out, TV)).sort();
    expect(exported).toEqual(sampleFiles);
    for (const f of sampleFiles) {
      expect(parse(readFileSync(join(out, TV, f), 'utf8')), f).toEqual(parse(readFileSync(join(SAMPLES, TV, f), 'utf8')));
    }
  });

  it('keeps fields Tideline does not know, and comments', () => {
    const src = tmp('unknown');
    mkdirSync(join(src, TV), { recursive: true });
    const text = readFileSync(join(SAMPLES, TV, sampleFiles[5]!), 'utf8').replace(/^threat:\n/m, 'x_local_field:\n  owner: team-blue # who maintains it\nthreat:\n  x_extra: [1, 2]\n');
    writeFileSync(join(src, TV, 'custom.yaml'), text);
    const content = tmp('unknown-content');
    importOpenTide(src, content);
    const out = tmp('unknown-out');
    exportOpenTide(content, out);
    const back = readFileSync(join(out, TV, 'custom.yaml'), 'utf8');
    expect(parse(back)).toEqual(parse(text));
    expect(parse(back).x_local_field).toEqual({ owner: 'team-blue' });
    expect(back).toContain('# who maintains it');
  });

  it('exports the bundled library; advisories and Sigma rules are named as left out', () => {
    const out = tmp('bundled');
    const r = run('export', 'opentide', out);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/\d+ TVM, \d+ DOM, \d+ MDR written, \d+ files not OpenTide objects .* left out; 0 errors/);
    const tvm = readFileSync(join(out, TV, 'AWS Stop Logging CloudTrail.yaml'), 'utf8');
    expect(parse(tvm).metadata.uuid).toBe('d370aaea-c3e5-4d58-a6c9-3d1a7ffe50e3');
    expect(readdirSync(join(out, 'Objects'))).toEqual(['Detection Objectives', 'Detection Rules', 'Threat Vectors']);
    // ...and importing that export gives back the same objects.
    const again = tmp('bundled-again');
    importOpenTide(out, again);
    const a = loadContent(join(ROOT, 'content'));
    const b = loadContent(again);
    const objs = (s: typeof a) => Object.fromEntries(s.objects.filter((o) => o.kind !== 'advisory').map((o) => [o.uuid, o.doc]));
    expect(objs(b)).toEqual(objs(a));
  });
});
