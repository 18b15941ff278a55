/**
 * Content in the store: imported from a content directory (or saved from the editor), exported back to the same layout
 * without loss (each object keeps its YAML text and its path), and read back as a ContentSet, filtered by TLP, for the
 * renderers shared with `tideline docs`.
 *
 * Derived data (links, facets, rule test results, measured coverage, the search index) is recomputed on every import
 * or save, so pages read it with indexed queries instead of recomputing it per request.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { attack, parseAttackTag } from '../content/attack.js';
import { measureCoverage } from '../content/coverage.js';
import type { ContentItem, ContentSet } from '../content/load.js';
import { kindOfSchema, type Advisory, type Metadata, type ObjectKind } from '../content/model.js';
import { outgoingLinks } from '../content/relations.js';
import { readYamlSource } from '../content/source.js';
import { parseRuleTests, type RuleTestFile } from '../detect/rule-tests.js';
import { runSuite } from '../detect/test-suite.js';
import { loadRulesFromText, type RuleSet } from '../sigma/load.js';
import type { RuleMeta } from '../sigma/rule.js';
import { tlpRank } from './access.js';
import { audit, now, type Db } from './db.js';

const SEVERITY_RANK: Record<string, number> = { informational: 0, low: 1, medium: 2, high: 3, critical: 4 };
export const LEVEL_RANK: Record<string, number> = { informational: 0, low: 1, medium: 2, high: 3, critical: 4 };

export interface ImportSummary {
  objects: Record<ObjectKind, number>;
  rules: number;
  unchanged: number;
}

const metaOf = (doc: Record<string, unknown>): Partial<Metadata> => ((doc.metadata ?? doc.meta ?? {}) as Partial<Metadata>);

/** Facets of an object: techniques (v18 key, or v19 when new), their tactics, and log sources. */
function objectFacets(item: ContentItem): { facet: 'technique' | 'tactic' | 'logsource'; value: string }[] {
  const doc = item.doc as unknown as Record<string, any>;
  const ids: string[] = [];
  if (item.kind === 'tvm') ids.push(...(doc.threat?.['att&ck'] ?? []));
  if (item.kind === 'dom') ids.push(...(doc.objective?.['att&ck'] ?? []));
  const logsources: string[] = [];
  if (item.kind === 'advisory') {
    const a = doc.advisory ?? {};
    ids.push(...(a['att&ck'] ?? []), ...(a.attack_chain ?? []).flatMap((s: { 'att&ck'?: string[] }) => s['att&ck'] ?? []));
    for (const l of a.logsources ?? []) logsources.push([l.product, l.service ?? l.category].filter(Boolean).join('/'));
  }
  return [...techniqueFacets(ids), ...logsources.map((value) => ({ facet: 'logsource' as const, value }))];
}

function techniqueFacets(ids: string[]): { facet: 'technique' | 'tactic'; value: string }[] {
  const out = new Map<string, { facet: 'technique' | 'tactic'; value: string }>();
  for (const raw of ids) {
    const t = attack().technique(String(raw));
    if (!t) continue;
    out.set(`t:${t.id}`, { facet: 'technique', value: t.id });
    for (const tac of [...t.tactics, ...(t.v19?.tactics ?? [])]) out.set(`a:${tac.shortname}`, { facet: 'tactic', value: tac.shortname });
  }
  return [...out.values()];
}

export function ruleFacets(rule: Pick<RuleMeta, 'tags'>): { facet: 'technique' | 'tactic'; value: string }[] {
  const techs: string[] = [];
  const out = new Map<string, { facet: 'technique' | 'tactic'; value: string }>();
  for (const tag of rule.tags) {
    const a = parseAttackTag(tag);
    if (!a) continue;
    if ('technique' in a) techs.push(a.technique);
    else {
      const tac = attack().tactic(a.tactic);
      if (tac) out.set(`a:${tac.shortname}`, { facet: 'tactic', value: tac.shortname });
    }
  }
  for (const f of techniqueFacets(techs)) out.set(`${f.facet}:${f.value}`, f);
  return [...out.values()];
}

const searchBody = (item: ContentItem): string => {
  const d = item.doc as unknown as Record<string, any>;
  if (item.kind === 'advisory') return [d.advisory?.summary, d.advisory?.description, ...(d.advisory?.attack_chain ?? []).map((s: { name: string; description: string }) => `${s.name} ${s.description}`)].join('\n');
  if (item.kind === 'tvm') return [d.threat?.description, d.threat?.terrain].join('\n');
  if (item.kind === 'dom') return String(d.objective?.description ?? '');
  return String(d.description ?? '');
};

/** Writes one object and its derived rows (links, facets, search). Caller holds the transaction. */
export function putObject(db: Db, item: ContentItem, path: string, by: string | null): 'added' | 'updated' | 'unchanged' {
  const doc = item.doc as unknown as Record<string, unknown>;
  const meta = metaOf(doc);
  const existing = db.prepare('SELECT version, yaml FROM objects WHERE uuid = ?').get(item.uuid) as { version: number; yaml: string } | undefined;
  if (existing && existing.yaml === item.src.text) return 'unchanged';
  const adv = item.kind === 'advisory' ? (doc as unknown as Advisory).advisory : undefined;
  const tlp = String(meta.tlp ?? 'red');
  const ts = now();
  db.prepare(
    `INSERT INTO objects (uuid, kind, name, tlp, tlp_rank, version, created, modified, path, yaml, doc, slug, severity, severity_rank, status, summary, updated_at, updated_by)
     VALUES (@uuid, @kind, @name, @tlp, @tlp_rank, @version, @created, @modified, @path, @yaml, @doc, @slug, @severity, @severity_rank, @status, @summary, @ts, @by)
     ON CONFLICT (uuid) DO UPDATE SET kind = excluded.kind, name = excluded.name, tlp = excluded.tlp, tlp_rank = excluded.tlp_rank, version = excluded.version,
       created = excluded.created, modified = excluded.modified, path = excluded.path, yaml = excluded.yaml, doc = excluded.doc, slug = excluded.slug,
       severity = excluded.severity, severity_rank = excluded.severity_rank, status = excluded.status, summary = excluded.summary, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
  ).run({
    uuid: item.uuid,
    kind: item.kind,
    name: item.name,
    tlp,
    tlp_rank: tlpRank(tlp),
    version: Number(meta.version ?? 1),
    created: String(meta.created ?? ''),
    modified: String(meta.modified ?? ''),
    path,
    yaml: item.src.text,
    doc: JSON.stringify(doc),
    slug: adv?.slug ?? null,
    severity: adv?.severity ?? null,
    severity_rank: adv ? (SEVERITY_RANK[adv.severity] ?? null) : null,
    status: adv?.status ?? null,
    summary: adv?.summary ?? null,
    ts,
    by,
  });
  db.prepare('INSERT OR REPLACE INTO object_history (uuid, version, yaml, saved_at, saved_by) VALUES (?, ?, ?, ?, ?)').run(item.uuid, Number(meta.version ?? 1), item.src.text, ts, by);
  db.prepare('DELETE FROM object_facets WHERE uuid = ?').run(item.uuid);
  const facet = db.prepare('INSERT OR IGNORE INTO object_facets (uuid, facet, value) VALUES (?, ?, ?)');
  for (const f of objectFacets(item)) facet.run(item.uuid, f.facet, f.value);
  db.prepare('DELETE FROM links WHERE from_uuid = ?').run(item.uuid);
  const link = db.prepare('INSERT INTO links (from_uuid, target, field, relation) VALUES (?, ?, ?, ?)');
  for (const l of outgoingLinks(item)) link.run(item.uuid, l.target, l.field, l.relation ?? null);
  db.prepare('DELETE FROM search WHERE ref = ?').run(item.uuid);
  db.prepare('INSERT INTO search (ref, kind, title, body) VALUES (?, ?, ?, ?)').run(item.uuid, item.kind, item.name, searchBody(item));
  return existing ? 'updated' : 'added';
}

/**
 * Imports a loaded content set (objects, rules, tests) and refreshes everything derived. `root` makes stored paths
 * relative, so export writes the same layout back.
 */
export function importContentSet(db: Db, set: ContentSet, root: string, by: string | null = null): ImportSummary {
  const summary: ImportSummary = { objects: { advisory: 0, tvm: 0, dom: 0, mdr: 0, cdm: 0 }, rules: 0, unchanged: 0 };
  const rel = (f: string) => relative(root, f).split('\\').join('/');
  db.transaction(() => {
    for (const item of set.objects) {
      const r = putObject(db, item, rel(item.file), by);
      if (r === 'unchanged') summary.unchanged++;
      else summary.objects[item.kind]++;
    }
    const testsFile = new Map<string, RuleTestFile>();
    for (const t of set.ruleTests) testsFile.set(t.rule, t);
    const report = runSuite(set.rules.rules, set.ruleTests);
    // Correlation rules are stored like detection rules (one row per rule id, the whole file as its text), so a file
    // holding only a correlation reaches the store too; storedRules reads each file once.
    for (const r of [...set.rules.rules, ...set.rules.correlations]) {
      const t = testsFile.get(r.id);
      const rep = report.rules.find((x) => x.ruleId === r.id);
      putRule(db, r, rel(r.file), readFileSync(r.file, 'utf8'), t ? { path: rel(t.file), yaml: readFileSync(t.file, 'utf8') } : undefined, rep);
      summary.rules++;
    }
    refreshDerived(db);
    audit(db, by, 'import', root, summary);
  })();
  return summary;
}

function putRule(
  db: Db,
  r: RuleMeta,
  path: string,
  yaml: string,
  tests: { path: string; yaml: string } | undefined,
  rep: { status: string; results: { case: { expect: string; name: string }; passed: boolean; reason?: string }[] } | undefined,
): void {
  const cases = (rep?.results ?? []).map((x) => ({ expect: x.case.expect, name: x.case.name, passed: x.passed, reason: x.reason ?? null }));
  db.prepare(
    `INSERT OR REPLACE INTO rules (id, title, level, status, description, tags, logsource, tlp, tlp_rank, path, yaml, tests_path, tests_yaml, test_status, test_cases, tested_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, 'green', 1, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(r.id, r.title, r.level ?? null, r.status ?? null, r.description ?? null, JSON.stringify(r.tags), JSON.stringify(r.logsource), path, yaml, tests?.path ?? null, tests?.yaml ?? null, rep?.status === 'pass' || rep?.status === 'fail' ? rep.status : 'untested', JSON.stringify(cases), now());
  db.prepare('DELETE FROM rule_facets WHERE rule_id = ?').run(r.id);
  const f = db.prepare('INSERT OR IGNORE INTO rule_facets (rule_id, facet, value) VALUES (?, ?, ?)');
  for (const x of ruleFacets(r)) f.run(r.id, x.facet, x.value);
  db.prepare('DELETE FROM search WHERE ref = ?').run(r.id);
  db.prepare('INSERT INTO search (ref, kind, title, body) VALUES (?, ?, ?, ?)').run(r.id, 'rule', r.title, r.description ?? '');
}

/** Rules loaded from the store, compiled (cached until the rules change). */
let ruleCache: { key: string; set: RuleSet } | undefined;
export function storedRules(db: Db): RuleSet {
  const key = String((db.prepare("SELECT count(*) || ':' || coalesce(max(tested_at), '') AS k FROM rules").get() as { k: string }).k);
  if (ruleCache?.key === key) return ruleCache.set;
  const set: RuleSet = { rules: [], filters: [], correlations: [], diagnostics: [], files: [] };
  // A file with several rules is stored once per rule: load each file once.
  for (const row of db.prepare('SELECT path, min(yaml) AS yaml FROM rules GROUP BY path ORDER BY path').all() as { path: string; yaml: string }[]) {
    const one = loadRulesFromText(row.yaml, row.path);
    set.rules.push(...one.rules);
    set.correlations.push(...one.correlations);
    set.diagnostics.push(...one.diagnostics);
    set.files.push(row.path);
  }
  ruleCache = { key, set };
  return set;
}

/**
 * Recomputes what depends on several objects at once: each rule's TLP (that of the MDR deploying it, green when none)
 * and each advisory's measured coverage.
 */
export function refreshDerived(db: Db, onlyAdvisory?: string): void {
  db.prepare(
    `UPDATE rules SET tlp = coalesce((SELECT o.tlp FROM links l JOIN objects o ON o.uuid = l.from_uuid WHERE l.target = rules.id AND l.field = 'configurations.sigma.rule' ORDER BY o.tlp_rank DESC LIMIT 1), 'green')`,
  ).run();
  db.prepare(`UPDATE rules SET tlp_rank = CASE tlp WHEN 'clear' THEN 0 WHEN 'green' THEN 1 WHEN 'amber' THEN 2 WHEN 'amber+strict' THEN 3 ELSE 4 END`).run();
  const rules = storedRules(db).rules;
  const advisories = db.prepare(`SELECT uuid, doc FROM objects WHERE kind = 'advisory'${onlyAdvisory ? ' AND uuid = ?' : ''}`).all(...(onlyAdvisory ? [onlyAdvisory] : [])) as { uuid: string; doc: string }[];
  const put = db.prepare('INSERT OR REPLACE INTO coverage (advisory_uuid, rules, covered_steps, steps_with_events, report, measured_at) VALUES (?, ?, ?, ?, ?, ?)');
  const delRules = db.prepare('DELETE FROM coverage_rules WHERE advisory_uuid = ?');
  const addRule = db.prepare('INSERT OR IGNORE INTO coverage_rules (advisory_uuid, rule_id) VALUES (?, ?)');
  for (const a of advisories) {
    let report;
    try {
      report = measureCoverage(JSON.parse(a.doc) as Advisory, rules);
    } catch {
      continue; // an advisory whose chain cannot be simulated keeps no coverage row; validation reports why
    }
    put.run(a.uuid, report.rules.length, report.coveredSteps, report.stepsWithEvents, JSON.stringify(report), now());
    delRules.run(a.uuid);
    for (const r of report.rules) addRule.run(a.uuid, r.id);
  }
}

/** Everything a viewer with this clearance may see, as the ContentSet the renderers take. Cached per clearance. */
const snapshots = new Map<string, ContentSet>();
export function contentSnapshot(db: Db, clearance: number): ContentSet {
  const stamp = (db.prepare("SELECT count(*) || ':' || coalesce(max(updated_at), '') AS k FROM objects").get() as { k: string }).k;
  const rules = storedRules(db);
  const key = `${clearance}|${stamp}|${rules.files.length}`;
  const hit = snapshots.get(key);
  if (hit) return hit;
  const objects: ContentItem[] = [];
  for (const row of db.prepare('SELECT uuid, kind, name, path, yaml FROM objects WHERE tlp_rank <= ? ORDER BY path').all(clearance) as { uuid: string; kind: ObjectKind; name: string; path: string; yaml: string }[]) {
    const src = readYamlSource(row.path, row.yaml);
    const doc = src.value as Record<string, unknown>;
    if (!kindOfSchema(metaOf(doc).schema)) continue;
    objects.push({ kind: row.kind, doc, file: row.path, src, uuid: row.uuid, name: row.name } as ContentItem);
  }
  const visibleRules = new Set((db.prepare('SELECT id FROM rules WHERE tlp_rank <= ?').all(clearance) as { id: string }[]).map((r) => r.id));
  const ruleTests: RuleTestFile[] = [];
  for (const row of db.prepare('SELECT id, tests_path, tests_yaml FROM rules WHERE tests_yaml IS NOT NULL AND tlp_rank <= ?').all(clearance) as { id: string; tests_path: string; tests_yaml: string }[]) {
    try {
      ruleTests.push(parseRuleTests(row.tests_path, row.tests_yaml));
    } catch {
      /* a malformed test file was reported at import; the rule shows as untested */
    }
  }
  const set: ContentSet = {
    root: '',
    objects,
    byUuid: new Map(objects.map((o) => [o.uuid, o])),
    rules: { ...rules, rules: rules.rules.filter((r) => visibleRules.has(r.id)) },
    ruleTests,
    diagnostics: [],
  };
  if (snapshots.size > 20) snapshots.clear();
  snapshots.set(key, set);
  return set;
}

/** Writes the store back as a content directory: every object and rule at its stored path, text unchanged. */
export function exportContent(db: Db, out: string): { files: number } {
  let files = 0;
  const write = (path: string, text: string) => {
    const f = join(out, path);
    mkdirSync(dirname(f), { recursive: true });
    writeFileSync(f, text);
    files++;
  };
  for (const o of db.prepare('SELECT path, yaml FROM objects ORDER BY path').all() as { path: string; yaml: string }[]) write(o.path, o.yaml);
  for (const r of db.prepare('SELECT path, yaml, tests_path, tests_yaml FROM rules ORDER BY path').all() as { path: string; yaml: string; tests_path: string | null; tests_yaml: string | null }[]) {
    write(r.path, r.yaml);
    if (r.tests_path && r.tests_yaml !== null) write(r.tests_path, r.tests_yaml);
  }
  return { files };
}
