/**
 * Read queries shared by pages, the REST API, search and feeds. Each takes the Viewer and filters by TLP in SQL
 * (`tlp_rank <= clearance`), so every path shows the same things to the same person, counts included.
 */
import type { AdvisoryCoverage } from '../content/coverage.js';
import type { ObjectKind } from '../content/model.js';
import { can, type Viewer } from './access.js';
import type { Db } from './db.js';

export interface ObjectRow {
  uuid: string;
  kind: ObjectKind;
  name: string;
  tlp: string;
  version: number;
  created: string;
  modified: string;
  path: string;
  yaml: string;
  doc: Record<string, unknown>;
  slug: string | null;
  severity: string | null;
  status: string | null;
  summary: string | null;
  updated_at: string;
  updated_by: string | null;
}

export interface AdvisoryListItem {
  uuid: string;
  slug: string;
  name: string;
  severity: string;
  status: string;
  summary: string;
  tlp: string;
  created: string;
  modified: string;
  version: number;
  /** Rules measured to fire on the chain (visible to this viewer). */
  coverage: number;
  coveredSteps: number;
  stepsWithEvents: number;
  techniques: string[];
  tactics: string[];
  logsources: string[];
}

export interface AdvisoryFilter {
  severity?: string;
  tactic?: string;
  technique?: string;
  logsource?: string;
  tlp?: string;
  q?: string;
  status?: string;
  limit?: number;
  offset?: number;
}

const parseRow = (r: Omit<ObjectRow, 'doc'> & { doc: string }): ObjectRow => ({ ...r, doc: JSON.parse(r.doc) as Record<string, unknown> });

/** FTS5 query from user text: each word quoted (so operators and quotes in input are inert), prefix-matched. */
export function ftsQuery(text: string): string | undefined {
  const words = text.normalize('NFKC').match(/[\p{L}\p{N}]+/gu)?.slice(0, 12);
  return words?.length ? words.map((w) => `"${w}"*`).join(' ') : undefined;
}

export function listAdvisories(db: Db, v: Viewer, f: AdvisoryFilter = {}): { total: number; items: AdvisoryListItem[] } {
  const where = ["o.kind = 'advisory'", 'o.tlp_rank <= @clearance'];
  const p: Record<string, unknown> = { clearance: v.clearance, limit: Math.min(f.limit ?? 20, 200), offset: f.offset ?? 0 };
  if (!can.edit(v)) where.push("o.status = 'published'");
  else if (f.status) (where.push('o.status = @status'), (p.status = f.status));
  if (f.severity) (where.push('o.severity = @severity'), (p.severity = f.severity));
  if (f.tlp) (where.push('o.tlp = @tlp'), (p.tlp = f.tlp));
  for (const [facet, val] of [['tactic', f.tactic], ['technique', f.technique], ['logsource', f.logsource]] as const) {
    if (!val) continue;
    where.push(`EXISTS (SELECT 1 FROM object_facets x WHERE x.uuid = o.uuid AND x.facet = '${facet}' AND x.value = @${facet})`);
    p[facet] = val;
  }
  const fts = f.q ? ftsQuery(f.q) : undefined;
  if (f.q && !fts) return { total: 0, items: [] };
  if (fts) (where.push("o.uuid IN (SELECT ref FROM search WHERE search MATCH @fts AND kind = 'advisory')"), (p.fts = fts));
  const w = where.join(' AND ');
  const total = (db.prepare(`SELECT count(*) AS n FROM objects o WHERE ${w}`).get(p) as { n: number }).n;
  const rows = db
    .prepare(
      `SELECT o.uuid, o.slug, o.name, o.severity, o.status, o.summary, o.tlp, o.created, o.modified, o.version,
              coalesce(c.covered_steps, 0) AS coveredSteps, coalesce(c.steps_with_events, 0) AS stepsWithEvents,
              (SELECT count(*) FROM coverage_rules cr JOIN rules r ON r.id = cr.rule_id WHERE cr.advisory_uuid = o.uuid AND r.tlp_rank <= @clearance) AS coverage,
              (SELECT group_concat(value, '|') FROM object_facets x WHERE x.uuid = o.uuid AND x.facet = 'technique') AS techniques,
              (SELECT group_concat(value, '|') FROM object_facets x WHERE x.uuid = o.uuid AND x.facet = 'tactic') AS tactics,
              (SELECT group_concat(value, '|') FROM object_facets x WHERE x.uuid = o.uuid AND x.facet = 'logsource') AS logsources
       FROM objects o LEFT JOIN coverage c ON c.advisory_uuid = o.uuid
       WHERE ${w} ORDER BY o.created DESC, o.modified DESC, o.name LIMIT @limit OFFSET @offset`,
    )
    .all(p) as (Omit<AdvisoryListItem, 'techniques' | 'tactics' | 'logsources'> & { techniques: string | null; tactics: string | null; logsources: string | null })[];
  const split = (s: string | null) => (s ? s.split('|').sort() : []);
  return { total, items: rows.map((r) => ({ ...r, techniques: split(r.techniques), tactics: split(r.tactics), logsources: split(r.logsources) })) };
}

/** An object by UUID (or an advisory by slug), when the viewer may see it; otherwise undefined, as if absent. */
export function getObject(db: Db, v: Viewer, key: string, kind?: ObjectKind): ObjectRow | undefined {
  const row = db.prepare('SELECT * FROM objects WHERE (uuid = @key OR slug = @key) AND tlp_rank <= @clearance').get({ key, clearance: v.clearance }) as (Omit<ObjectRow, 'doc'> & { doc: string }) | undefined;
  if (!row || (kind && row.kind !== kind)) return undefined;
  if (row.kind === 'advisory' && row.status !== 'published' && !can.edit(v)) return undefined;
  if (row.kind !== 'advisory' && !can.readModels(v)) return undefined;
  return parseRow(row);
}

export function listObjects(db: Db, v: Viewer, kind: Exclude<ObjectKind, 'advisory'>, o: { limit?: number; offset?: number } = {}): { total: number; items: ObjectRow[] } {
  if (!can.readModels(v)) return { total: 0, items: [] };
  const total = (db.prepare('SELECT count(*) AS n FROM objects WHERE kind = ? AND tlp_rank <= ?').get(kind, v.clearance) as { n: number }).n;
  const items = (db.prepare('SELECT * FROM objects WHERE kind = ? AND tlp_rank <= ? ORDER BY name LIMIT ? OFFSET ?').all(kind, v.clearance, Math.min(o.limit ?? 100, 500), o.offset ?? 0) as (Omit<ObjectRow, 'doc'> & { doc: string })[]).map(parseRow);
  return { total, items };
}

export function objectHistory(db: Db, v: Viewer, uuid: string): { version: number; saved_at: string; saved_by: string | null }[] {
  if (!getObject(db, v, uuid)) return [];
  return db.prepare('SELECT version, saved_at, saved_by FROM object_history WHERE uuid = ? ORDER BY version DESC').all(uuid) as { version: number; saved_at: string; saved_by: string | null }[];
}

/** Measured coverage of an advisory, keeping only the rules this viewer may see. */
export function advisoryCoverage(db: Db, v: Viewer, uuid: string): AdvisoryCoverage | undefined {
  const row = db.prepare('SELECT report FROM coverage WHERE advisory_uuid = ?').get(uuid) as { report: string } | undefined;
  if (!row) return undefined;
  const report = JSON.parse(row.report) as AdvisoryCoverage;
  const visible = new Set((db.prepare('SELECT id FROM rules WHERE tlp_rank <= ?').all(v.clearance) as { id: string }[]).map((r) => r.id));
  return {
    ...report,
    rules: report.rules.filter((r) => visible.has(r.id)),
    noise: report.noise.filter((r) => visible.has(r.id)),
    steps: report.steps.map((s) => ({ ...s, rules: s.rules.filter((r) => visible.has(r.id)) })),
  };
}

export interface RuleRow {
  id: string;
  title: string;
  level: string | null;
  status: string | null;
  description: string | null;
  tags: string[];
  logsource: Record<string, string>;
  tlp: string;
  path: string;
  yaml: string;
  tests_path: string | null;
  tests_yaml: string | null;
  test_status: 'pass' | 'fail' | 'untested';
  test_cases: { expect: string; name: string; passed: boolean; reason: string | null }[];
  tested_at: string;
}

type RawRule = Omit<RuleRow, 'tags' | 'logsource' | 'test_cases'> & { tags: string; logsource: string; test_cases: string };
const parseRule = (r: RawRule): RuleRow => ({ ...r, tags: JSON.parse(r.tags), logsource: JSON.parse(r.logsource), test_cases: JSON.parse(r.test_cases) });

/** Rule metadata is visible with the advisory cards (anonymous included); `getRule` with YAML needs an account. */
export function listRules(db: Db, v: Viewer, f: { technique?: string; tactic?: string; level?: string; q?: string; ids?: string[] } = {}): RuleRow[] {
  const where = ['r.tlp_rank <= @clearance'];
  const p: Record<string, unknown> = { clearance: v.clearance };
  for (const facet of ['technique', 'tactic'] as const) {
    if (!f[facet]) continue;
    where.push(`EXISTS (SELECT 1 FROM rule_facets x WHERE x.rule_id = r.id AND x.facet = '${facet}' AND x.value = @${facet})`);
    p[facet] = f[facet];
  }
  if (f.level) (where.push('r.level = @level'), (p.level = f.level));
  if (f.ids) {
    if (!f.ids.length) return [];
    where.push(`r.id IN (SELECT value FROM json_each(@ids))`);
    p.ids = JSON.stringify(f.ids);
  }
  const fts = f.q ? ftsQuery(f.q) : undefined;
  if (fts) (where.push("r.id IN (SELECT ref FROM search WHERE search MATCH @fts AND kind = 'rule')"), (p.fts = fts));
  const rows = (db.prepare(`SELECT * FROM rules r WHERE ${where.join(' AND ')} ORDER BY r.title`).all(p) as RawRule[]).map(parseRule);
  // Without an account, no detection logic leaves the server.
  return can.readRules(v) ? rows : rows.map((r) => ({ ...r, yaml: '', tests_yaml: null, test_cases: r.test_cases.map((c) => ({ ...c, reason: null })) }));
}

export function getRule(db: Db, v: Viewer, id: string): RuleRow | undefined {
  if (!can.readRules(v)) return undefined;
  const row = db.prepare('SELECT * FROM rules WHERE id = ? AND tlp_rank <= ?').get(id, v.clearance) as RawRule | undefined;
  return row ? parseRule(row) : undefined;
}

/** Objects linking to a target (uuid or rule id) that the viewer may see: advisories citing a TVM, MDRs deploying a rule... */
export function linkedFrom(db: Db, v: Viewer, target: string): { uuid: string; kind: ObjectKind; name: string; field: string; relation: string | null; slug: string | null }[] {
  return db
    .prepare(
      `SELECT o.uuid, o.kind, o.name, o.slug, l.field, l.relation FROM links l JOIN objects o ON o.uuid = l.from_uuid
       WHERE l.target = ? AND o.tlp_rank <= ? AND (o.kind != 'advisory' OR o.status = 'published' OR ?) ORDER BY o.kind, o.name`,
    )
    .all(target, v.clearance, can.edit(v) ? 1 : 0) as { uuid: string; kind: ObjectKind; name: string; field: string; relation: string | null; slug: string | null }[];
}

/** ATT&CK matrix cells: per technique, how many rules (and how many with passing tests) and advisories cover it. */
export function attackCoverage(db: Db, v: Viewer): Map<string, { rules: number; tested: number; advisories: number }> {
  const out = new Map<string, { rules: number; tested: number; advisories: number }>();
  const cell = (t: string) => out.get(t) ?? (out.set(t, { rules: 0, tested: 0, advisories: 0 }), out.get(t)!);
  for (const r of db
    .prepare(`SELECT x.value AS t, count(*) AS n, sum(r.test_status = 'pass') AS tested FROM rule_facets x JOIN rules r ON r.id = x.rule_id WHERE x.facet = 'technique' AND r.tlp_rank <= ? GROUP BY x.value`)
    .all(v.clearance) as { t: string; n: number; tested: number }[]) {
    const c = cell(r.t);
    c.rules = r.n;
    c.tested = r.tested;
  }
  for (const r of db
    .prepare(`SELECT x.value AS t, count(*) AS n FROM object_facets x JOIN objects o ON o.uuid = x.uuid WHERE x.facet = 'technique' AND o.kind = 'advisory' AND o.status = 'published' AND o.tlp_rank <= ? GROUP BY x.value`)
    .all(v.clearance) as { t: string; n: number }[]) {
    cell(r.t).advisories = r.n;
  }
  return out;
}

export interface SearchHit {
  ref: string;
  kind: string;
  title: string;
  snippet: string;
  href: string;
}

/** Global search across what the viewer may see: advisories always (within TLP), threat models and rules with an account. */
export function search(db: Db, v: Viewer, text: string, limit = 50): SearchHit[] {
  const fts = ftsQuery(text);
  if (!fts) return [];
  const rows = db
    .prepare(
      `SELECT s.ref, s.kind, s.title, snippet(search, 3, '[', ']', ' … ', 12) AS snippet, o.slug AS slug
       FROM search s
       LEFT JOIN objects o ON o.uuid = s.ref
       LEFT JOIN rules r ON r.id = s.ref
       WHERE search MATCH @fts
         AND ((o.uuid IS NOT NULL AND o.tlp_rank <= @clearance AND (o.kind = 'advisory' AND (o.status = 'published' OR @edit) OR (o.kind != 'advisory' AND @models)))
           OR (r.id IS NOT NULL AND r.tlp_rank <= @clearance AND @rules))
       ORDER BY rank LIMIT @limit`,
    )
    .all({ fts, clearance: v.clearance, edit: can.edit(v) ? 1 : 0, models: can.readModels(v) ? 1 : 0, rules: can.readRules(v) ? 1 : 0, limit }) as { ref: string; kind: string; title: string; snippet: string; slug: string | null }[];
  return rows.map((r) => ({ ref: r.ref, kind: r.kind, title: r.title, snippet: r.snippet, href: hrefOf(r.kind, r.ref, r.slug) }));
}

/** Where each kind of thing lives on the site. */
export function hrefOf(kind: string, id: string, slug?: string | null): string {
  switch (kind) {
    case 'advisory':
      return `/advisories/${encodeURIComponent(slug ?? id)}`;
    case 'tvm':
      return `/threats/${id}`;
    case 'dom':
      return `/objectives/${id}`;
    case 'mdr':
      return `/mdrs/${id}`;
    case 'cdm':
      return `/models/${id}`;
    default:
      return `/rules/${id}`;
  }
}

/** Distinct facet values (technique, tactic, log source) of the advisories this viewer may see: the feed's filter choices. */
export function advisoryFacetValues(db: Db, v: Viewer, facet: 'technique' | 'tactic' | 'logsource'): string[] {
  return (
    db
      .prepare(
        `SELECT DISTINCT x.value AS value FROM object_facets x JOIN objects o ON o.uuid = x.uuid
         WHERE x.facet = ? AND o.kind = 'advisory' AND o.tlp_rank <= ? AND (o.status = 'published' OR ?) ORDER BY x.value`,
      )
      .all(facet, v.clearance, can.edit(v) ? 1 : 0) as { value: string }[]
  ).map((r) => r.value);
}

/** Names of several objects at once (an advisory's threats...), only those the viewer may see; one query, no N+1. */
export function objectsByUuid(db: Db, v: Viewer, uuids: string[]): { uuid: string; kind: ObjectKind; name: string; slug: string | null; tlp: string }[] {
  if (!uuids.length) return [];
  return db
    .prepare(
      `SELECT uuid, kind, name, slug, tlp FROM objects
       WHERE uuid IN (SELECT value FROM json_each(?)) AND tlp_rank <= ? AND (kind != 'advisory' OR status = 'published' OR ?)`,
    )
    .all(JSON.stringify(uuids), v.clearance, can.edit(v) ? 1 : 0) as { uuid: string; kind: ObjectKind; name: string; slug: string | null; tlp: string }[];
}

/** Stored alerts per rule ("where it fired"), for the given rule ids, in one query. */
export function alertCountsByRule(db: Db, ruleIds: string[]): Map<string, number> {
  if (!ruleIds.length) return new Map();
  const rows = db.prepare('SELECT rule_id, count(*) AS n FROM alerts WHERE rule_id IN (SELECT value FROM json_each(?)) GROUP BY rule_id').all(JSON.stringify(ruleIds)) as { rule_id: string; n: number }[];
  return new Map(rows.map((r) => [r.rule_id, r.n]));
}

export type RuleSummary = Pick<RuleRow, 'id' | 'title' | 'level' | 'status' | 'description' | 'tags' | 'logsource' | 'tlp' | 'test_status' | 'tested_at'>;

/** One page of rules (metadata only, no YAML) for the API list; same TLP filter as listRules. */
export function listRulesPage(db: Db, v: Viewer, f: { technique?: string; tactic?: string; level?: string; q?: string; limit?: number; offset?: number } = {}): { total: number; items: RuleSummary[] } {
  const where = ['r.tlp_rank <= @clearance'];
  const p: Record<string, unknown> = { clearance: v.clearance, limit: Math.min(f.limit ?? 50, 500), offset: f.offset ?? 0 };
  for (const facet of ['technique', 'tactic'] as const) {
    if (!f[facet]) continue;
    where.push(`EXISTS (SELECT 1 FROM rule_facets x WHERE x.rule_id = r.id AND x.facet = '${facet}' AND x.value = @${facet})`);
    p[facet] = f[facet];
  }
  if (f.level) (where.push('r.level = @level'), (p.level = f.level));
  const fts = f.q ? ftsQuery(f.q) : undefined;
  if (f.q && !fts) return { total: 0, items: [] };
  if (fts) (where.push("r.id IN (SELECT ref FROM search WHERE search MATCH @fts AND kind = 'rule')"), (p.fts = fts));
  const w = where.join(' AND ');
  const total = (db.prepare(`SELECT count(*) AS n FROM rules r WHERE ${w}`).get(p) as { n: number }).n;
  const rows = db
    .prepare(`SELECT r.id, r.title, r.level, r.status, r.description, r.tags, r.logsource, r.tlp, r.test_status, r.tested_at FROM rules r WHERE ${w} ORDER BY r.title, r.id LIMIT @limit OFFSET @offset`)
    .all(p) as (Omit<RuleSummary, 'tags' | 'logsource'> & { tags: string; logsource: string })[];
  return { total, items: rows.map((r) => ({ ...r, tags: JSON.parse(r.tags) as string[], logsource: JSON.parse(r.logsource) as Record<string, string> })) };
}


// --- Alerts as a viewer sees them (web alerts pages): an alert is as sensitive as the rule that raised it, so alerts of
// rules above the viewer's clearance are left out of lists, counts and detail. A rule no longer stored counts as green.

export interface VisibleAlertFilter {
  rule?: string;
  /** Minimum level (informational..critical). */
  level?: string;
  account?: string;
  status?: string;
  /** ISO time bounds: time >= since, time < until. */
  since?: string;
  until?: string;
  q?: string;
  limit?: number;
  offset?: number;
}

export interface VisibleAlertRow {
  id: number;
  rule_id: string;
  rule_title: string;
  level: string | null;
  event_id: string | null;
  time: string | null;
  account: string | null;
  region: string | null;
  event_source: string | null;
  event_name: string | null;
  actor: string | null;
  source_ip: string | null;
  source_file: string;
  source_index: number;
  status: 'open' | 'acknowledged' | 'closed';
  updated_at: string;
}

const ALERT_LEVEL_RANK: Record<string, number> = { informational: 0, low: 1, medium: 2, high: 3, critical: 4 };
const ALERT_COLUMNS = 'a.id, a.rule_id, a.rule_title, a.level, a.event_id, a.time, a.account, a.region, a.event_source, a.event_name, a.actor, a.source_ip, a.source_file, a.source_index, a.status, a.updated_at';
// An alert is visible when its rule is (a rule no longer stored counts as green). Written as NOT IN over the few rules
// above the clearance so counts are answered from the (status|level, rule_id) indexes without reading alert rows.
const ALERT_VISIBLE = 'a.rule_id NOT IN (SELECT id FROM rules WHERE tlp_rank > @clearance) AND (@clearance >= 1 OR a.rule_id IN (SELECT id FROM rules))';

export function listVisibleAlerts(db: Db, v: Viewer, f: VisibleAlertFilter = {}): { total: number; items: VisibleAlertRow[] } {
  if (!can.readAlerts(v)) return { total: 0, items: [] };
  const where = [ALERT_VISIBLE];
  const p: Record<string, unknown> = { clearance: v.clearance, limit: Math.min(f.limit ?? 50, 500), offset: f.offset ?? 0 };
  if (f.rule) (where.push('a.rule_id = @rule'), (p.rule = f.rule));
  if (f.level && ALERT_LEVEL_RANK[f.level] !== undefined) (where.push('a.level_rank >= @level'), (p.level = ALERT_LEVEL_RANK[f.level]));
  if (f.account) (where.push('a.account = @account'), (p.account = f.account));
  if (f.status) (where.push('a.status = @status'), (p.status = f.status));
  if (f.since) (where.push('a.time >= @since'), (p.since = f.since));
  if (f.until) (where.push('a.time < @until'), (p.until = f.until));
  if (f.q) {
    where.push("(a.event_name LIKE @q ESCAPE '\\' OR a.actor LIKE @q ESCAPE '\\' OR a.rule_title LIKE @q ESCAPE '\\' OR a.source_ip LIKE @q ESCAPE '\\' OR a.account LIKE @q ESCAPE '\\')");
    p.q = `%${f.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  }
  const w = where.join(' AND ');
  const total = (db.prepare(`SELECT count(*) AS n FROM alerts a WHERE ${w}`).get(p) as { n: number }).n;
  const items = db.prepare(`SELECT ${ALERT_COLUMNS} FROM alerts a WHERE ${w} ORDER BY a.time DESC, a.id DESC LIMIT @limit OFFSET @offset`).all(p) as VisibleAlertRow[];
  return { total, items };
}

export interface AlertDetail extends VisibleAlertRow {
  matched: Record<string, unknown>;
  event: unknown;
  history: { status: string; comment: string | null; user: string; at: string }[];
}

export function getVisibleAlert(db: Db, v: Viewer, id: number): AlertDetail | undefined {
  if (!can.readAlerts(v)) return undefined;
  const row = db.prepare(`SELECT ${ALERT_COLUMNS}, a.matched, a.event FROM alerts a WHERE a.id = @id AND ${ALERT_VISIBLE}`).get({ id, clearance: v.clearance }) as (VisibleAlertRow & { matched: string; event: string }) | undefined;
  if (!row) return undefined;
  const history = db.prepare('SELECT status, comment, user, at FROM alert_history WHERE alert_id = ? ORDER BY id DESC').all(id) as AlertDetail['history'];
  return { ...row, matched: JSON.parse(row.matched) as Record<string, unknown>, event: JSON.parse(row.event) as unknown, history };
}

/** Rules that have alerts (visible ones), for the alerts filter: id, title, count. */
export function alertRules(db: Db, v: Viewer): { rule_id: string; rule_title: string; n: number }[] {
  if (!can.readAlerts(v)) return [];
  // Counted from the index, titled from the rules table (alert rows carry large events: reading them is the slow part).
  return db
    .prepare(
      `SELECT g.rule_id, coalesce(r.title, (SELECT rule_title FROM alerts WHERE rule_id = g.rule_id LIMIT 1)) AS rule_title, g.n
       FROM (SELECT a.rule_id, count(*) AS n FROM alerts a WHERE ${ALERT_VISIBLE} GROUP BY a.rule_id) g LEFT JOIN rules r ON r.id = g.rule_id ORDER BY rule_title`,
    )
    .all({ clearance: v.clearance }) as { rule_id: string; rule_title: string; n: number }[];
}

/** Every visible advisory's measured coverage at once (for the shared renderers), rules filtered as in advisoryCoverage. */
export function coverageMap(db: Db, v: Viewer): Map<string, AdvisoryCoverage> {
  const visible = new Set((db.prepare('SELECT id FROM rules WHERE tlp_rank <= ?').all(v.clearance) as { id: string }[]).map((r) => r.id));
  const out = new Map<string, AdvisoryCoverage>();
  for (const row of db.prepare('SELECT c.advisory_uuid AS uuid, c.report FROM coverage c JOIN objects o ON o.uuid = c.advisory_uuid WHERE o.tlp_rank <= ?').all(v.clearance) as { uuid: string; report: string }[]) {
    const r = JSON.parse(row.report) as AdvisoryCoverage;
    out.set(row.uuid, { ...r, rules: r.rules.filter((x) => visible.has(x.id)), noise: r.noise.filter((x) => visible.has(x.id)), steps: r.steps.map((s) => ({ ...s, rules: s.rules.filter((x) => visible.has(x.id)) })) });
  }
  return out;
}

/** Stored rule YAML by id (the shared renderers show rules as written). */
export function ruleYamlById(db: Db, v: Viewer): Map<string, string> {
  if (!can.readRules(v)) return new Map();
  return new Map((db.prepare('SELECT id, yaml FROM rules WHERE tlp_rank <= ?').all(v.clearance) as { id: string; yaml: string }[]).map((r) => [r.id, r.yaml]));
}
