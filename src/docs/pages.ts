/**
 * Markdown pages for every content object. The TVM page follows OpenTide's documentation (the sections and icons of
 * CoreTide's renderer, in its order), fixed where upstream is broken (tags are rendered, as whole words). Pages are
 * pure functions of the content, the computed relations, rule test results and measured coverage; the site writer
 * (site.ts) decides file names, and the web platform can render the same Markdown to HTML.
 */
import { readFileSync } from 'node:fs';
import { attack, parseAttackTag, techniqueUrl, type Technique } from '../content/attack.js';
import type { AdvisoryCoverage } from '../content/coverage.js';
import type { ContentItem, ContentSet } from '../content/load.js';
import type { Advisory, Dom, Mdr, References, Tvm } from '../content/model.js';
import { rulesDetecting, type Relations } from '../content/relations.js';
import { vocabularies, type Vocabulary } from '../content/vocabularies.js';
import type { RuleTestReport, SuiteReport } from '../detect/test-suite.js';
import type { DetectionRule } from '../sigma/rule.js';
import { code, quote, relLink, table, tag } from './markdown.js';

export interface SiteContext {
  set: ContentSet;
  rel: Relations;
  tests: SuiteReport;
  coverage: Map<string, AdvisoryCoverage>;
  /** Site-relative path of an object's page (uuid) or a rule's page (rule id). */
  pageOf(id: string): string | undefined;
  /** A rule's YAML as written; by default read from its file (the server passes the stored text). */
  ruleText?(rule: DetectionRule): string | undefined;
}

export const ICONS = { tvm: '☣️', dom: '🎯', mdr: '🚨', cdm: '🛡️', advisory: '📰', rule: '🔎' } as const;

// ------------------------------------------------------------------------------------------------
// Shared pieces
// ------------------------------------------------------------------------------------------------

const vocab = (key: string): Vocabulary | undefined => vocabularies().get(key);

/** `<icon> value` with the entry's description, or the bare value when it is not in the vocabulary. */
function vocabValue(key: string, value: string): { icon: string; description: string; link?: string } {
  const e = vocab(key)?.lookup(value);
  return { icon: e?.icon ?? '', description: e?.description ?? '(not in the vocabulary)', link: e?.link };
}

function link(ctx: SiteContext, from: string, id: string, text: string): string {
  const to = ctx.pageOf(id);
  return to ? `[${text}](${encodeURI(relLink(from, to))})` : text;
}

export function techniqueLink(t: Technique): string {
  const main = `[${t.id} : ${t.name}](${t.url} '${(t.description ?? t.name).replace(/'/g, '’').replace(/\s+/g, ' ').slice(0, 200)}')`;
  return t.v19 ? `${main} (ATT&CK v19: [${t.v19.id} : ${t.v19.name}](${techniqueUrl(t.v19.id)}))` : main;
}

function techniques(ids: string[]): string {
  return ids
    .map((id) => {
      const t = attack().technique(id);
      return t ? techniqueLink(t) : `${id} (unknown technique)`;
    })
    .join(', ');
}

/** Tactic and technique labels of a Sigma rule's tags, resolved across ATT&CK v18 and v19. */
export function ruleAttack(rule: DetectionRule): { tactics: string[]; techniques: Technique[] } {
  const tactics: string[] = [];
  const techs: Technique[] = [];
  for (const t of rule.tags) {
    const a = parseAttackTag(t);
    if (!a) continue;
    if ('tactic' in a) {
      const tac = attack().tactic(a.tactic);
      const label = tac ? tac.name : a.tactic;
      if (!tactics.includes(label)) tactics.push(label);
    } else {
      const tech = attack().technique(a.technique);
      if (tech && !techs.includes(tech)) techs.push(tech);
    }
  }
  return { tactics, techniques: techs };
}

function references(refs: References | string[] | undefined | null): string {
  if (!refs) return '';
  const pub = Array.isArray(refs) ? Object.fromEntries(refs.map((u, i) => [String(i + 1), u])) : (refs.public ?? {});
  const internal = Array.isArray(refs) ? {} : (refs.internal ?? {});
  const out: string[] = ['### 🔗 References', ''];
  if (Object.keys(pub).length) {
    out.push('**🕊️ Publicly available resources**', '');
    for (const [k, url] of Object.entries(pub)) out.push(`- [_${k}_] ${url}`);
    out.push('');
  }
  if (Object.keys(internal).length) {
    out.push('**🔐 Internal resources**', '');
    for (const [k, url] of Object.entries(internal)) out.push(`- [_${k}_] ${url}`);
    out.push('');
  }
  for (const [k, url] of [...Object.entries(pub), ...Object.entries(internal)]) out.push(`[${k}]: ${url}`);
  return out.join('\n');
}

function metaLine(doc: { metadata?: Record<string, unknown>; meta?: Record<string, unknown> }): string {
  const m = (doc.metadata ?? doc.meta ?? {}) as Record<string, unknown>;
  const org = m.organisation as { name?: string; uuid?: string } | undefined;
  const items = [
    `🔑 UUID : ${m.uuid}`,
    `🏷️ Version : ${m.version}`,
    `🗓️ Creation Date : ${m.created}`,
    `🗓️ Last Modification : ${m.modified}`,
    ...(org ? [`🏢 Sharing Organisation : ${org.name} (${org.uuid})`] : []),
    ...(m.author ? [`✍️ Author : ${m.author}`] : []),
    `🧱 Schema Identifier : ${m.schema}`,
  ];
  return items.map(code).join(' **|** ');
}

function tlpLine(tlp: unknown): string {
  const v = String(tlp ?? '');
  const e = vocabValue('tlp', v);
  return `🚦 **TLP:${v.toUpperCase()}** ${e.icon} : ${e.description}`;
}

function testStatus(rep: RuleTestReport | undefined): string {
  if (!rep || rep.status === 'untested') return '⚪ no tests';
  const m = rep.results.filter((r) => r.case.expect === 'match').length;
  const n = rep.results.length - m;
  const failed = rep.results.filter((r) => !r.passed).length;
  return failed ? `❌ ${failed} of ${rep.results.length} failing` : `✅ ${m} true-positive and ${n} false-positive tests pass`;
}

const testReport = (ctx: SiteContext, ruleId: string) => ctx.tests.rules.find((r) => r.ruleId === ruleId);
const ruleById = (ctx: SiteContext, id: string) => ctx.set.rules.rules.find((r) => r.id === id);

/** Table of rules with level, tactics, techniques, sources and test status (advisory coverage, TVM detections). */
function rulesTable(ctx: SiteContext, from: string, rows: { id: string; extra?: string[] }[], extraHead: string[] = []): string {
  return table(
    ['Rule', 'Level', 'Tactics', 'Techniques', 'Log source', 'Tests', ...extraHead],
    rows.map(({ id, extra = [] }) => {
      const r = ruleById(ctx, id);
      if (!r) return [id, '', '', '', '', 'rule not in the content', ...extra];
      const a = ruleAttack(r);
      const src = [r.logsource.product, r.logsource.service, r.logsource.category].filter(Boolean).join(' / ');
      return [link(ctx, from, r.id, r.title), r.level ?? '', a.tactics.join(', '), a.techniques.map((t) => (t.v19 ? `${t.id} / ${t.v19.id}` : t.id)).join(', '), src, testStatus(testReport(ctx, r.id)), ...extra];
    }),
  );
}

// ------------------------------------------------------------------------------------------------
// TVM
// ------------------------------------------------------------------------------------------------

/** Model-data fields: title, icon and vocabulary, rendered in the object's key order (as OpenTide does). */
const MODEL_FIELDS: Record<string, { title: string; icon: string; vocab: string }> = {
  killchain: { title: 'Cyber Kill Chain', icon: '⛓️', vocab: 'kill-chain' },
  domains: { title: 'Domains', icon: '🛰️', vocab: 'domains' },
  targets: { title: 'Targets', icon: '🎯', vocab: 'targets' },
  platforms: { title: 'Platforms concerned', icon: '💿', vocab: 'platforms' },
  severity: { title: 'Severity', icon: '💣', vocab: 'threat-severity' },
  leverage: { title: 'Leverage acquisition', icon: '🪄', vocab: 'leverage' },
  impact: { title: 'Impact', icon: '💥', vocab: 'impact' },
  viability: { title: 'Vector Viability', icon: '🎲', vocab: 'viability' },
};
const NOT_MODEL_DATA = new Set(['description', 'terrain', 'att&ck', 'actors', 'chaining', 'cve', 'surface', 'misp']);

export function tvmPage(item: ContentItem & { kind: 'tvm' }, ctx: SiteContext, path: string): string {
  const doc = item.doc as Tvm;
  const t = doc.threat ?? ({} as Tvm['threat']);
  const out: string[] = [];
  const crit = vocabValue('criticality', doc.criticality);
  out.push(`# ${ICONS.tvm} ${doc.name}`, '');
  out.push(`🔥 **Criticality:${doc.criticality}** ${crit.icon} : ${crit.description}`, '');
  out.push(tlpLine(doc.metadata?.tlp), '');
  out.push(`🗡️ **ATT&CK Techniques** ${techniques(t['att&ck'] ?? [])}`, '');
  out.push('---', '', metaLine(doc), '');
  out.push('## 👁️ Description', '', quote(String(t.description ?? '')), '');
  out.push('## 🖥️ Terrain', '', quote(String(t.terrain ?? '')), '');
  if (t.cve?.length) {
    out.push('**Common Vulnerability Enumeration**', '', ...t.cve.map((c) => `- [${c}](https://nvd.nist.gov/vuln/detail/${c})`), '');
  }
  out.push('---', '', '## 🕸️ Relations', '');
  if (t.actors?.length) {
    out.push('### 🐲 Actors sightings', '');
    out.push(table(['Actor', 'Sighting', 'References'], t.actors.map((a) => (typeof a === 'string' ? [a, '', ''] : [a.name, a.sighting ?? '', (a.references ?? []).join(' ')]))), '');
  }
  // Detections: MDR → DOM → this TVM, and the Sigma rule each MDR deploys.
  const detecting = rulesDetecting(ctx.set, ctx.rel, item.uuid);
  out.push('### 🛡️ Detections', '');
  out.push(
    detecting.length
      ? rulesTable(ctx, path, detecting.map((d) => ({ id: d.rule, extra: [link(ctx, path, d.mdr.uuid, d.mdr.name), link(ctx, path, d.objective.uuid, d.objective.name)] })), ['MDR', 'Objective'])
      : '🚫 No detection rule is linked to this threat vector yet.',
    '',
  );
  const citing = (ctx.rel.in.get(item.uuid) ?? []).filter((r) => r.from.kind === 'advisory');
  out.push('### 📰 Advisories', '');
  out.push(citing.length ? citing.map((c) => `- ${link(ctx, path, c.from.uuid, c.from.name)}`).join('\n') : '🚫 No advisory cites this threat vector.', '');
  // Every related object, both directions.
  const rows: string[][] = [];
  for (const o of ctx.rel.out.get(item.uuid) ?? []) if (o.item) rows.push(['➡️ points to', `${ICONS[o.item.kind]} ${o.item.kind.toUpperCase()}`, link(ctx, path, o.item.uuid, o.item.name), o.link.relation ?? o.link.field]);
  for (const i of ctx.rel.in.get(item.uuid) ?? []) rows.push(['⬅️ pointed to by', `${ICONS[i.from.kind]} ${i.from.kind.toUpperCase()}`, link(ctx, path, i.from.uuid, i.from.name), i.link.relation ?? i.link.field]);
  out.push('### 🌊 OpenTide Objects', '');
  out.push(rows.length ? table(['Direction', 'Type', 'Object', 'Relation'], rows) : '🚫 No related OpenTide objects indexed.', '');
  if (t.chaining?.length) {
    out.push('### ⛓️ Threat Chaining', '');
    out.push(
      table(
        ['Relation', 'Vector', 'Description'],
        t.chaining.map((c) => {
          const target = ctx.set.byUuid.get(c.vector);
          return [`${vocabValue('chaining-relations', c.relation).icon} ${c.relation}`, target ? link(ctx, path, target.uuid, target.name) : `${c.vector} (not in the content)`, c.description];
        }),
      ),
      '',
    );
  }
  out.push('---', '', '## Model Data', '');
  const tags: string[] = [];
  for (const [key, value] of Object.entries(t)) {
    if (NOT_MODEL_DATA.has(key)) continue;
    const f = MODEL_FIELDS[key];
    const values = (Array.isArray(value) ? value : [value]).map(String);
    tags.push(...values);
    const v = f ? vocab(f.vocab) : undefined;
    out.push(`#### **${f?.icon ?? '🔹'} ${f?.title ?? key}**`, '');
    if (v) out.push(`> ${v.description}`, '');
    const lines = values.map((val) => {
      if (!f) return val;
      const e = vocabValue(f.vocab, val);
      const label = code(`${e.icon ? `${e.icon} ` : ''}${val}`);
      return `${e.link ? `[${label}](${e.link})` : label} : ${e.description}`;
    });
    out.push(lines.length > 1 ? lines.map((l) => `- ${l}`).join('\n') : (lines[0] ?? ''), '', '---', '');
  }
  if (t.surface?.length) out.push('#### **🗺️ Threat Surface**', '', ...t.surface.map((s) => `- ${code(s)}`), '', '---', '');
  const refs = references(doc.references);
  if (refs) out.push(refs, '');
  out.push('---', '', '#### 🏷️ Tags', '', tags.map(tag).join(', '), '');
  return out.join('\n');
}

// ------------------------------------------------------------------------------------------------
// Advisory
// ------------------------------------------------------------------------------------------------

const STATUS_ICON = { covered: '✅ covered', gap: '❌ not detected', 'no-events': '➖ no CloudTrail call modelled' } as const;

export function advisoryPage(item: ContentItem & { kind: 'advisory' }, ctx: SiteContext, path: string): string {
  const doc = item.doc as Advisory;
  const a = doc.advisory;
  const sev = vocabValue('advisory-severity', a.severity);
  const cov = ctx.coverage.get(item.uuid);
  const out: string[] = [`# ${ICONS.advisory} ${doc.name}`, ''];
  out.push(`**Severity: ${a.severity}** ${sev.icon} · **Status:** ${a.status} · ${tlpLine(doc.metadata?.tlp)}`, '');
  if (a['att&ck']?.length) out.push(`🗡️ **ATT&CK Techniques** ${techniques(a['att&ck'])}`, '');
  out.push('---', '', metaLine(doc), '');
  out.push('## Summary', '', a.summary.trim(), '');
  out.push('## Description', '', a.description.trim(), '');
  out.push('## Attack chain', '');
  a.attack_chain.forEach((step, i) => {
    const s = cov?.steps[i];
    out.push(`${i + 1}. **${step.name}**${s ? ` — ${STATUS_ICON[s.status]}` : ''}`);
    const body: string[] = [step.description.trim()];
    if (step['att&ck']?.length) body.push(`ATT&CK: ${techniques(step['att&ck'])}`);
    if (step.calls?.length) body.push(`CloudTrail: ${[...new Set(step.calls.map((c) => `${c.eventSource.replace('.amazonaws.com', '')}:${c.eventName}${c.errorCode ? ` (${c.errorCode})` : ''}`))].map(code).join(', ')}`);
    if (step.note) body.push(`_${step.note.trim()}_`);
    if (s?.rules.length) body.push(`Detected by: ${s.rules.map((r) => link(ctx, path, r.id, r.title)).join(', ')}`);
    if (s?.builtin?.length) body.push(`Built-in detections: ${s.builtin.map((r) => `${r.title} (${r.events} of ${s.events} events)`).join(', ')}`);
    out.push(...body.join('\n\n').split('\n').map((l) => (l ? `   ${l}` : '')), '');
  });
  out.push('## Impact', '', a.impact.trim(), '');
  out.push('## Recommendations', '', ...a.recommendations.map((r) => `- ${r.trim().replace(/\n/g, ' ')}`), '');
  out.push('## Detection coverage', '');
  if (cov) {
    out.push(
      `Measured by playing the attack chain as CloudTrail events (\`tideline simulate\`) among ${cov.noiseEvents} benign events and running every rule of the content over them (\`tideline coverage\`): ` +
        `**${cov.coveredSteps} of ${cov.stepsWithEvents}** steps that produce CloudTrail events are detected.`,
      '',
    );
    out.push(table(['Step', 'Status', 'Events', 'Rules firing'], cov.steps.map((s) => [`${s.index}. ${s.name}`, STATUS_ICON[s.status], String(s.events), s.rules.map((r) => link(ctx, path, r.id, r.title)).join(', ')])), '');
    if (cov.rules.length) out.push(rulesTable(ctx, path, cov.rules.map((r) => ({ id: r.id }))), '');
    out.push(cov.noise.length ? `⚠️ Alerts on benign events: ${cov.noise.map((n) => `${n.title} (${n.events})`).join(', ')}.` : 'No rule fired on the benign events.', '');
  } else out.push('Not measured.', '');
  const threats = (a.threats ?? []).map((u) => ctx.set.byUuid.get(u));
  if (threats.length) out.push('## Threat vectors', '', ...threats.map((t, i) => `- ${t ? link(ctx, path, t.uuid, `${ICONS.tvm} ${t.name}`) : `${a.threats![i]} (not in the content)`}`), '');
  const refs = references(doc.references);
  if (refs) out.push(refs, '');
  return out.join('\n');
}

// ------------------------------------------------------------------------------------------------
// DOM, MDR, Sigma rule
// ------------------------------------------------------------------------------------------------

export function domPage(item: ContentItem & { kind: 'dom' }, ctx: SiteContext, path: string): string {
  const doc = item.doc as Dom;
  const o = doc.objective ?? ({} as Dom['objective']);
  const out: string[] = [`# ${ICONS.dom} ${doc.name}`, ''];
  out.push(`**Priority:** ${o.priority} · **Type:** ${o.type}${o.investment ? ` · **Investment:** ${o.investment}` : ''} · ${tlpLine(doc.metadata?.tlp)}`, '');
  if (o['att&ck']?.length) out.push(`🗡️ **ATT&CK Techniques** ${techniques(o['att&ck'])}`, '');
  out.push('---', '', metaLine(doc), '', '## Objective', '', quote(String(o.description ?? '')), '');
  const strat = vocabValue('detection-composition', o.composition?.strategy ?? '');
  out.push('## Composition', '', `**${o.composition?.strategy}** ${strat.icon} : ${strat.description}`, '', String(o.composition?.description ?? '').trim(), '');
  out.push('## Threats', '', ...(o.threats ?? []).map((u) => {
    const t = ctx.set.byUuid.get(u);
    return `- ${t ? link(ctx, path, u, `${ICONS.tvm} ${t.name}`) : `${u} (not in the content)`}`;
  }), '');
  out.push('## Signals', '', table(['Signal', 'Severity', 'Methodology', 'Data', 'Entities'], (o.signals ?? []).map((s) => [`**${s.name}**: ${s.description}`, s.severity, s.methodology, `${s.data?.availability}: ${s.data?.requirements} (${(s.data?.logsources ?? []).join(', ')})`, (s.entities ?? []).join(', ')])), '');
  const mdrs = (ctx.rel.in.get(item.uuid) ?? []).filter((r) => r.from.kind === 'mdr');
  out.push('## Implemented by', '', mdrs.length ? mdrs.map((m) => `- ${link(ctx, path, m.from.uuid, `${ICONS.mdr} ${m.from.name}`)}`).join('\n') : '🚫 No MDR implements this objective yet.', '');
  const refs = references(doc.references);
  if (refs) out.push(refs, '');
  return out.join('\n');
}

export function mdrPage(item: ContentItem & { kind: 'mdr' }, ctx: SiteContext, path: string): string {
  const doc = item.doc as Mdr;
  const out: string[] = [`# ${ICONS.mdr} ${doc.name}`, ''];
  out.push(`**Alert severity:** ${doc.response?.alert_severity} · ${tlpLine((doc.metadata ?? (doc.meta as Mdr['metadata']))?.tlp)}`, '');
  out.push('---', '', metaLine(doc as unknown as { metadata?: Record<string, unknown> }), '', '## Description', '', quote(String(doc.description ?? '')), '');
  if (doc.detection_model) {
    const dm = ctx.set.byUuid.get(doc.detection_model);
    out.push(`**Detection objective:** ${dm ? link(ctx, path, dm.uuid, `${ICONS.dom} ${dm.name}`) : `${doc.detection_model} (not in the content)`}`, '');
  }
  out.push('## Deployments', '');
  const systems = Object.entries(doc.configurations ?? {}) as [string, { status?: string; schema?: string; rule?: string; query?: string }][];
  out.push(table(['System', 'Status', 'Schema', 'Detection'], systems.map(([sys, b]) => [sys, `${b?.status ?? ''} (${vocab('mdr-status')?.lookup(String(b?.status))?.strategy ?? '?'})`, b?.schema ?? '', sys === 'sigma' && b?.rule ? link(ctx, path, b.rule, ruleById(ctx, b.rule)?.title ?? b.rule) : b?.query ? code(String(b.query).trim().split('\n')[0]!.slice(0, 100)) : ''])), '');
  const proc = doc.response?.procedure as { analysis?: string; containment?: string } | undefined;
  if (proc?.analysis) out.push('## Analysis', '', proc.analysis.trim(), '');
  if (proc?.containment) out.push('## Containment', '', proc.containment.trim(), '');
  const refs = references(doc.references);
  if (refs) out.push(refs, '');
  return out.join('\n');
}

export function rulePage(rule: DetectionRule, ctx: SiteContext, path: string): string {
  const a = ruleAttack(rule);
  const rep = testReport(ctx, rule.id);
  const out: string[] = [`# ${ICONS.rule} ${rule.title}`, ''];
  out.push(`**Level:** ${rule.level ?? 'unset'} · **Status:** ${rule.status ?? 'unset'} · **Tests:** ${testStatus(rep)}`, '');
  out.push(code(`🔑 ID : ${rule.id}`) + ' **|** ' + code(`🗓️ Date : ${rule.date ?? ''}`) + (rule.modified ? ' **|** ' + code(`🗓️ Modified : ${rule.modified}`) : '') + (rule.author ? ' **|** ' + code(`✍️ Author : ${rule.author}`) : ''), '');
  if (rule.description) out.push('## Description', '', rule.description.trim(), '');
  out.push('## ATT&CK', '', `**Tactics:** ${a.tactics.join(', ') || 'none'}`, '', `**Techniques:** ${a.techniques.map(techniqueLink).join(', ') || 'none'}`, '');
  out.push('## Detection', '', '```yaml', (ctx.ruleText?.(rule) ?? ruleText(rule)).trimEnd(), '```', '');
  if (rule.falsepositives.length) out.push('## False positives', '', ...rule.falsepositives.map((f) => `- ${f}`), '');
  if (rep?.results.length) {
    out.push('## Tests', '', table(['Expect', 'Event', 'Result'], rep.results.map((r) => [r.case.expect, r.case.name, r.passed ? '✅ pass' : `❌ ${r.reason ?? ''}`])), '');
  }
  const mdrs = (ctx.rel.in.get(rule.id) ?? []).filter((r) => r.from.kind === 'mdr');
  if (mdrs.length) {
    out.push('## Deployed by', '', ...mdrs.map((m) => `- ${link(ctx, path, m.from.uuid, `${ICONS.mdr} ${m.from.name}`)}`), '');
    const tvms = ctx.set.objects.filter((o) => o.kind === 'tvm' && rulesDetecting(ctx.set, ctx.rel, o.uuid).some((d) => d.rule === rule.id));
    if (tvms.length) out.push('## Threat vectors detected', '', ...tvms.map((t) => `- ${link(ctx, path, t.uuid, `${ICONS.tvm} ${t.name}`)}`), '');
  }
  const covering = [...ctx.coverage.values()].filter((c) => c.rules.some((r) => r.id === rule.id));
  if (covering.length) out.push('## Covers', '', ...covering.map((c) => `- ${link(ctx, path, c.advisory.uuid, `${ICONS.advisory} ${c.advisory.name}`)}: step ${c.steps.filter((s) => s.rules.some((r) => r.id === rule.id)).map((s) => s.index).join(', ')}`), '');
  if (rule.references.length) out.push('## References', '', ...rule.references.map((r) => `- ${r}`), '');
  return out.join('\n');
}

/** The rule's YAML as written (its own document when the file holds several). */
function ruleText(rule: DetectionRule): string {
  const lines = readFileSync(rule.file, 'utf8').split('\n');
  const start = Math.max(0, rule.line - 1);
  let end = lines.findIndex((l, i) => i > start && l.startsWith('---'));
  if (end < 0) end = lines.length;
  return lines.slice(start, end).join('\n').replace(/^---\n/, '');
}
