/**
 * `tideline docs`: the whole content as a Markdown site. Coverage and rule test results are computed here, at render
 * time, so a page never shows a claim that was typed in by hand.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { measureCoverage, type AdvisoryCoverage } from '../content/coverage.js';
import type { ContentSet } from '../content/load.js';
import type { Advisory, ObjectKind } from '../content/model.js';
import { relations } from '../content/relations.js';
import { runSuite } from '../detect/test-suite.js';
import { cell, slug, table } from './markdown.js';
import { advisoryPage, domPage, ICONS, mdrPage, rulePage, tvmPage, type SiteContext } from './pages.js';

const FOLDER: Record<ObjectKind | 'rule', string> = {
  advisory: 'advisories',
  tvm: 'threat-vectors',
  dom: 'detection-objectives',
  mdr: 'detection-rules',
  cdm: 'detection-models',
  rule: 'rules',
};

/** `coverage`: measurements already made (the server's store keeps them); otherwise each advisory is measured now. */
export function buildContext(set: ContentSet, opts: { coverage?: Map<string, AdvisoryCoverage> } = {}): SiteContext {
  const rel = relations(set);
  const tests = runSuite(set.rules.rules, set.ruleTests);
  const coverage = new Map<string, AdvisoryCoverage>();
  for (const o of set.objects) {
    if (o.kind !== 'advisory') continue;
    const known = opts.coverage?.get(o.uuid);
    coverage.set(o.uuid, known ?? measureCoverage(o.doc as Advisory, set.rules.rules));
  }
  const pages = new Map<string, string>();
  const used = new Set<string>();
  const assign = (id: string, kind: ObjectKind | 'rule', name: string) => {
    let p = `${FOLDER[kind]}/${slug(name)}.md`;
    if (used.has(p)) p = `${FOLDER[kind]}/${slug(name)}-${id.slice(0, 8)}.md`;
    used.add(p);
    pages.set(id, p);
  };
  for (const o of set.objects) assign(o.uuid, o.kind, o.kind === 'advisory' ? (o.doc as Advisory).advisory?.slug ?? o.name : o.name);
  for (const r of set.rules.rules) assign(r.id, 'rule', r.title);
  return { set, rel, tests, coverage, pageOf: (id) => pages.get(id) };
}

export interface Page {
  path: string;
  title: string;
  markdown: string;
}

export function renderSite(set: ContentSet): Page[] {
  const ctx = buildContext(set);
  const pages: Page[] = [];
  for (const o of set.objects) {
    const path = ctx.pageOf(o.uuid)!;
    const md =
      o.kind === 'tvm' ? tvmPage(o, ctx, path) : o.kind === 'advisory' ? advisoryPage(o, ctx, path) : o.kind === 'dom' ? domPage(o, ctx, path) : o.kind === 'mdr' ? mdrPage(o, ctx, path) : `# ${ICONS.cdm} ${o.name}\n\nLegacy detection model (cdm::2.0).\n`;
    pages.push({ path, title: o.name, markdown: md });
  }
  for (const r of set.rules.rules) {
    const path = ctx.pageOf(r.id)!;
    pages.push({ path, title: r.title, markdown: rulePage(r, ctx, path) });
  }
  pages.push({ path: 'index.md', title: 'Index', markdown: indexPage(ctx) });
  return pages;
}

function indexPage(ctx: SiteContext): string {
  const out = ['# Tideline content', ''];
  const section = (kind: ObjectKind, title: string, extra: (uuid: string) => string[] = () => [], head: string[] = []) => {
    const items = ctx.set.objects.filter((o) => o.kind === kind).sort((a, b) => a.name.localeCompare(b.name));
    if (!items.length) return;
    out.push(`## ${ICONS[kind]} ${title} (${items.length})`, '');
    out.push(table(['Name', ...head], items.map((o) => [`[${cell(o.name)}](${encodeURI(ctx.pageOf(o.uuid)!)})`, ...extra(o.uuid)])), '');
  };
  section('advisory', 'Advisories', (u) => {
    const c = ctx.coverage.get(u);
    const a = ctx.set.byUuid.get(u)!.doc as Advisory;
    return [a.advisory?.severity ?? '', c ? `${c.coveredSteps}/${c.stepsWithEvents} steps detected` : ''];
  }, ['Severity', 'Coverage']);
  section('tvm', 'Threat vectors');
  section('dom', 'Detection objectives');
  section('mdr', 'Detection rules (MDR)');
  section('cdm', 'Detection models (legacy)');
  const rules = [...ctx.set.rules.rules].sort((a, b) => a.title.localeCompare(b.title));
  if (rules.length) {
    out.push(`## ${ICONS.rule} Sigma rules (${rules.length})`, '');
    out.push(table(['Rule', 'Level', 'Tests'], rules.map((r) => {
      const rep = ctx.tests.rules.find((t) => t.ruleId === r.id);
      return [`[${cell(r.title)}](${encodeURI(ctx.pageOf(r.id)!)})`, r.level ?? '', rep?.status ?? 'untested'];
    })), '');
  }
  return out.join('\n');
}

export function writeSite(pages: Page[], out: string): void {
  for (const p of pages) {
    const file = join(out, p.path);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, p.markdown.endsWith('\n') ? p.markdown : p.markdown + '\n');
  }
}
