/**
 * `tideline validate`: every problem in a content directory, as diagnostics located in the YAML.
 *
 * Classes of problem (each has its own test): YAML syntax, schema (missing/unknown/mistyped fields, bad UUIDs and dates),
 * vocabulary values, ATT&CK technique ids, duplicate UUIDs or rule ids, dangling or wrong-kind references, Sigma rule
 * errors (from the Sigma loader), rule tests naming no rule, and rules without tests (a warning).
 */
import type { Diagnostic } from '../sigma/diagnostics.js';
import type { ContentItem, ContentSet } from './load.js';
import type { ObjectKind } from './model.js';
import { validateSchema } from './schema.js';
import { outgoingLinks } from './relations.js';
import { readYamlSource } from './source.js';
import { readFileSync } from 'node:fs';

export interface ValidationReport {
  diagnostics: Diagnostic[];
  counts: Record<ObjectKind | 'rule' | 'test', number>;
  errors: number;
  warnings: number;
}

export function validateContent(set: ContentSet): ValidationReport {
  const out: Diagnostic[] = [...set.diagnostics, ...set.rules.diagnostics];
  const err = (item: ContentItem, path: (string | number)[], message: string, atKey = false) =>
    out.push({ file: item.file, ...item.src.at(path, atKey), severity: 'error', message });

  // Schema, vocabulary and ATT&CK problems, per object.
  for (const item of set.objects) {
    for (const p of validateSchema(item.kind, item.doc)) err(item, p.path, p.message, p.atKey);
  }

  // Sigma rule metadata against its JSON Schema, for rule files the engine loaded without remark (the engine's own
  // messages are more precise; the schema adds what it does not check, such as tag syntax and related-rule types).
  const remarked = new Set(set.rules.diagnostics.map((d) => d.file));
  for (const file of set.rules.files) {
    if (remarked.has(file)) continue;
    const src = readYamlSource(file, readFileSync(file, 'utf8'));
    if (src.documents !== 1) continue; // multi-document files (filters, correlations) are the engine's alone
    const doc = src.value as Record<string, unknown> | null;
    if (!doc || !('detection' in doc)) continue;
    for (const p of validateSchema('sigma', doc)) out.push({ file, ...src.at(p.path, p.atKey), severity: 'error', message: p.message });
  }

  // Duplicate UUIDs across objects, DOM signals and Sigma rule ids: a UUID names exactly one thing.
  const owners = new Map<string, string>();
  const claim = (uuid: string, where: string, report: (msg: string) => void) => {
    if (!uuid) return;
    const prev = owners.get(uuid);
    if (prev) report(`duplicate UUID ${uuid} (already used by ${prev})`);
    else owners.set(uuid, where);
  };
  for (const item of set.objects) {
    const metaKey = 'metadata' in item.doc ? 'metadata' : 'meta';
    claim(item.uuid, `${item.file}`, (m) => err(item, [metaKey, 'uuid'], m));
    if (item.kind === 'dom') {
      (item.doc.objective?.signals ?? []).forEach((s, i) => claim(String(s?.uuid ?? ''), `signal '${s?.name}' in ${item.file}`, (m) => err(item, ['objective', 'signals', i, 'uuid'], m)));
    }
  }
  for (const r of [...set.rules.rules, ...set.rules.correlations, ...set.rules.filters]) {
    claim(r.id, `${r.file}:${r.line}`, (m) => out.push({ file: r.file, line: r.line, col: 1, severity: 'error', message: m }));
  }

  // References: each must name an object of the right kind (or a Sigma rule).
  const ruleIds = new Set([...set.rules.rules, ...set.rules.correlations].map((r) => r.id));
  for (const item of set.objects) {
    for (const link of outgoingLinks(item)) {
      if (link.targetKind === 'rule') {
        if (!ruleIds.has(link.target)) err(item, link.path, `${link.field} names Sigma rule ${link.target}, which is not in the content`);
        continue;
      }
      const target = set.byUuid.get(link.target);
      if (!target) err(item, link.path, `${link.field} points to ${link.target}, which is not in the content`);
      else if (!link.targetKinds.includes(target.kind)) err(item, link.path, `${link.field} points to ${target.kind.toUpperCase()} '${target.name}', expected a ${link.targetKinds.map((k) => k.toUpperCase()).join(' or ')}`);
    }
  }

  // Rule tests: each names an existing rule; each detection rule should carry tests.
  const tested = new Set<string>();
  for (const t of set.ruleTests) {
    tested.add(t.rule);
    if (!ruleIds.has(t.rule)) {
      const src = readYamlSource(t.file, readFileSync(t.file, 'utf8'));
      out.push({ file: t.file, ...src.at(['rule']), severity: 'error', message: `tests name rule ${t.rule}, which is not in the content` });
    }
    if (t.cases.length === 0) out.push({ file: t.file, line: 1, col: 1, severity: 'warning', message: 'no test cases' });
  }
  for (const r of set.rules.rules) {
    if (!tested.has(r.id)) out.push({ file: r.file, line: r.line, col: 1, severity: 'warning', message: `rule '${r.title}' has no tests (add ${r.file.replace(/\.ya?ml$/, '.tests.yml')})` });
  }

  out.sort((a, b) => (a.file === b.file ? a.line - b.line || a.col - b.col : a.file < b.file ? -1 : 1));
  const counts = { advisory: 0, tvm: 0, dom: 0, mdr: 0, cdm: 0, rule: set.rules.rules.length + set.rules.correlations.length, test: set.ruleTests.reduce((n, t) => n + t.cases.length, 0) };
  for (const o of set.objects) counts[o.kind]++;
  return { diagnostics: out, counts, errors: out.filter((d) => d.severity === 'error').length, warnings: out.filter((d) => d.severity === 'warning').length };
}
