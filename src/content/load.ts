/**
 * Reads a content directory: every YAML file under it is an OpenTide/advisory object (it has `metadata.schema`), a Sigma
 * rule, or a rule-test file (`*.tests.yml`). Files are told apart by content, not folder, so any layout loads; the
 * bundled `content/` and `tideline import` use advisories/, threat-vectors/, detection-objectives/, detection-rules/, rules/.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { Diagnostic } from '../sigma/diagnostics.js';
import { loadRules, type RuleSet } from '../sigma/load.js';
import type { CompileOptions } from '../sigma/values.js';
import { readRuleTests, type RuleTestFile } from '../detect/rule-tests.js';
import { kindOfSchema, type ContentObject, type Metadata, type ObjectKind } from './model.js';
import { readYamlSource, type YamlSource } from './source.js';

export type ContentItem = ContentObject & { file: string; src: YamlSource; uuid: string; name: string };

export interface ContentSet {
  root: string;
  objects: ContentItem[];
  /** Objects by metadata.uuid (the first one when a UUID is duplicated; validate reports the others). */
  byUuid: Map<string, ContentItem>;
  rules: RuleSet;
  ruleTests: RuleTestFile[];
  /** Unreadable files, YAML errors, files that are none of the known kinds, malformed test files. */
  diagnostics: Diagnostic[];
}

const YAML_FILE = /\.ya?ml$/i;
const TESTS_FILE = /\.tests\.ya?ml$/i;

/** YAML files under `root` (a file or directory), sorted, skipping dot folders and node_modules. */
export function contentFiles(root: string): string[] {
  if (!statSync(root).isDirectory()) return [root];
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      if (e.name.startsWith('.') || e.name === 'node_modules') continue;
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (YAML_FILE.test(e.name)) out.push(p);
    }
  };
  walk(root);
  return out;
}

export function loadContent(roots: string | string[], opts: CompileOptions = {}): ContentSet {
  const list = Array.isArray(roots) ? roots : [roots];
  const diagnostics: Diagnostic[] = [];
  const objects: ContentItem[] = [];
  const ruleFiles: string[] = [];
  const ruleTests: RuleTestFile[] = [];
  for (const root of list) {
    let files: string[];
    try {
      files = contentFiles(root);
    } catch (e) {
      diagnostics.push({ file: root, line: 0, col: 0, severity: 'error', message: `cannot read: ${(e as Error).message}` });
      continue;
    }
    for (const file of files) {
      if (TESTS_FILE.test(file)) {
        try {
          ruleTests.push(readRuleTests(file));
        } catch (e) {
          diagnostics.push({ file, line: 0, col: 0, severity: 'error', message: (e as Error).message.replace(`${file}: `, '') });
        }
        continue;
      }
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch (e) {
        diagnostics.push({ file, line: 0, col: 0, severity: 'error', message: `cannot read: ${(e as Error).message}` });
        continue;
      }
      const kind = sniff(text);
      if (kind === 'sigma') {
        ruleFiles.push(file);
        continue;
      }
      const src = readYamlSource(file, text);
      if (src.errors.length) {
        diagnostics.push(...src.errors);
        continue;
      }
      const item = toItem(src);
      if (typeof item === 'string') diagnostics.push({ file, ...src.at([]), severity: 'error', message: item });
      else objects.push(item);
    }
  }
  const rules: RuleSet = ruleFiles.length ? loadRules(ruleFiles, opts) : { rules: [], correlations: [], filters: [], diagnostics: [], files: [] };
  const byUuid = new Map<string, ContentItem>();
  for (const o of objects) if (!byUuid.has(o.uuid)) byUuid.set(o.uuid, o);
  return { root: list[0] ?? '.', objects, byUuid, rules, ruleTests, diagnostics };
}

/** Sigma rules are recognised from their text (they may be multi-document, so they are parsed by the Sigma loader). */
function sniff(text: string): 'sigma' | 'object' {
  return /^(detection|correlation|logsource|filter):/m.test(text) && !/^(metadata|meta):/m.test(text) ? 'sigma' : 'object';
}

function toItem(src: YamlSource): ContentItem | string {
  if (src.documents !== 1) return `expected one object per file, found ${src.documents} YAML documents`;
  const doc = src.value as Record<string, unknown> | null;
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) return 'not a content object: expected a mapping with metadata.schema (advisory, tvm, dom, mdr) or a Sigma rule';
  const meta = (doc.metadata ?? doc.meta) as Partial<Metadata> | undefined;
  const kind: ObjectKind | undefined = kindOfSchema(meta?.schema);
  if (!meta || typeof meta !== 'object') return 'not a content object: no metadata block (expected metadata.schema such as tvm::2.1, or a Sigma rule)';
  if (!kind) return `unknown object schema '${String(meta.schema)}' (expected advisory::1.0, tvm::2.0, tvm::2.1, dom::1.0, mdr::2.0, mdr::2.1 or cdm::2.0)`;
  return { kind, doc, file: src.file, src, uuid: String(meta.uuid ?? ''), name: String(doc.name ?? '') } as ContentItem;
}

export const displayPath = (file: string): string => {
  const r = relative(process.cwd(), file);
  return r && !r.startsWith('..') ? r : file;
};
