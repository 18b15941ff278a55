/**
 * Loading rules from files and directories: YAML with positions, metadata validation, compilation, meta-filters
 * AND-ed into their targets. Every problem becomes a Diagnostic (`file:line:col`); a bad rule never stops the others.
 */
import { readdirSync, readFileSync, realpathSync, statSync, type Dirent } from 'node:fs';
import { join } from 'node:path';
import { isScalar, LineCounter, parseAllDocuments, type Document, type Node } from 'yaml';
import { RuleError, type Diagnostic, type Position } from './diagnostics.js';
import { compileDetection, mergeReads, type Locate } from './detection.js';
import type { JsonObject } from './fields.js';
import {
  CORRELATION_TYPES, LEVELS, STATUSES,
  type CorrelationRule, type DetectionRule, type FilterRule, type Level, type Logsource, type RuleMeta,
} from './rule.js';
import type { CompileOptions } from './values.js';
import { fastParse } from './fast-yaml.js';
import { OpenDirectories } from '../logs/walk.js';
import { entry, isMapSnapshot, isScalarSnapshot, plain, scalarValue, snapshot, type MapSnapshot, type NodeSnapshot, type Positions } from './snapshot.js';

export interface RuleSet {
  rules: DetectionRule[];
  filters: FilterRule[];
  correlations: CorrelationRule[];
  diagnostics: Diagnostic[];
  files: string[];
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A file or directory that could not be read (ENOENT, EACCES...). */
function readError(file: string, e: unknown): Diagnostic {
  return { file, line: 0, col: 0, severity: 'error', message: `cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}` };
}

/** Rule files under the given paths: `.yml`/`.yaml`, skipping rule tests (`*.tests.yml`), sorted for stable output. */
export function ruleFiles(paths: string[], diagnostics: Diagnostic[]): string[] {
  const out: string[] = [];
  const isRuleFile = (p: string) => /\.ya?ml$/i.test(p) && !/\.tests?\.ya?ml$/i.test(p);
  const open = new OpenDirectories();
  const dir = (p: string) => {
    // Directory entries say what they are: only symbolic links need a stat (a rule repository holds thousands of files).
    let entries: Dirent[];
    let real: string;
    try {
      real = realpathSync.native(p);
      entries = readdirSync(p, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    } catch (e) {
      diagnostics.push(readError(p, e));
      return;
    }
    if (!open.enter(real)) {
      diagnostics.push({ file: p, line: 0, col: 0, severity: 'warning', message: `skipped: a symbolic link loop back to ${real}` });
      return;
    }
    for (const e of entries) {
      if (e.name.startsWith('.')) continue;
      const child = join(p, e.name);
      if (e.isDirectory()) dir(child);
      else if (e.isFile()) {
        if (isRuleFile(child)) out.push(child);
      } else visit(child, false);
    }
    open.leave(real);
  };
  const visit = (p: string, top: boolean) => {
    let st;
    try {
      st = statSync(p);
    } catch (e) {
      diagnostics.push(readError(p, e));
      return;
    }
    if (st.isDirectory()) dir(p);
    else if (top || isRuleFile(p)) out.push(p);
  };
  for (const p of paths) visit(p, true);
  return out;
}

/** How rule files are read: `referenceParser` skips the fast path (fast-yaml.ts), to compare both. */
export interface ReadOptions {
  referenceParser?: boolean;
}

/** The rule files under some paths, and the paths that could not be read. */
export interface ListedRuleFiles {
  files: string[];
  diagnostics: Diagnostic[];
}

export function listRuleFiles(paths: string[]): ListedRuleFiles {
  const diagnostics: Diagnostic[] = [];
  return { files: ruleFiles(paths, diagnostics), diagnostics };
}

/** The rules under `paths`; `listed`: their files when the caller has listed them already (a hunt sizes its workers by them). */
export function loadRules(paths: string[], opts: CompileOptions = {}, read: ReadOptions = {}, listed = listRuleFiles(paths)): RuleSet {
  const set: RuleSet = { rules: [], filters: [], correlations: [], diagnostics: [...listed.diagnostics], files: listed.files };
  for (const file of set.files) {
    let src: string;
    try {
      src = readFileSync(file, 'utf8');
    } catch (e) {
      set.diagnostics.push(readError(file, e));
      continue;
    }
    loadSource(file, src, opts, set, read);
  }
  applyFilters(set);
  const seen = new Map<string, RuleMeta>();
  for (const r of [...set.rules, ...set.filters, ...set.correlations]) {
    const prev = seen.get(r.id);
    if (prev) set.diagnostics.push({ file: r.file, line: r.line, col: 1, severity: 'error', message: `duplicate rule id ${r.id} (also in ${prev.file}:${prev.line})` });
    else seen.set(r.id, r);
  }
  return set;
}

/** Parse one YAML source (one or more documents) into the set. */
export function loadSource(file: string, src: string, opts: CompileOptions, set: RuleSet, read: ReadOptions = {}): void {
  if (read.referenceParser || !loadFast(file, src, opts, set)) loadReference(file, src, opts, set);
}

/**
 * The fast path (fast-yaml.ts): true when the file parsed and every document in it loaded without a single
 * diagnostic. Otherwise nothing is kept and the reference path loads the file again, to report with positions.
 */
function loadFast(file: string, src: string, opts: CompileOptions, set: RuleSet): boolean {
  const docs = fastParse(src, file);
  if (!docs) return false;
  const scratch: RuleSet = { rules: [], filters: [], correlations: [], diagnostics: [], files: [] };
  let remarks = 0;
  for (const { root, line, col } of docs) {
    const at = { line, col };
    try {
      loadDocument(file, root, (node) => (node === root ? at : undefined), opts, scratch, () => remarks++);
    } catch (e) {
      if (e instanceof RuleError) return false;
      throw e;
    }
    if (remarks) return false;
  }
  set.rules.push(...scratch.rules);
  set.filters.push(...scratch.filters);
  set.correlations.push(...scratch.correlations);
  return true;
}

/** Nothing between two `---` or after the last (yaml gives such a document an empty scalar, not null contents). */
export function isEmptyDocument(doc: Document): boolean {
  const c = doc.contents;
  return c === null || (isScalar(c) && c.value === null && c.source === '');
}

/** The reference path: the `yaml` library, with positions for every diagnostic. */
function loadReference(file: string, src: string, opts: CompileOptions, set: RuleSet): void {
  const lc = new LineCounter();
  const docs = parseAllDocuments(src, { lineCounter: lc, prettyErrors: false, uniqueKeys: true });
  const positions: Positions = {
    at: (node) => (node.range ? lc.linePos(node.range[0]) : undefined),
    of: new WeakMap(),
  };
  const locate: Locate = (node) => (node ? positions.of.get(node) : undefined);
  for (const doc of docs) {
    if (doc.errors.length) {
      for (const err of doc.errors) {
        const p = lc.linePos(err.pos[0]);
        set.diagnostics.push({ file, line: p.line, col: p.col, severity: 'error', message: `YAML: ${err.message.split('\n')[0]}` });
      }
      continue;
    }
    if (isEmptyDocument(doc)) continue;
    const at = positions.at(doc.contents as Node) ?? { line: 1, col: 1 };
    const push = (severity: 'error' | 'warning', message: string, pos?: Position) =>
      set.diagnostics.push({ file, line: (pos ?? at).line, col: (pos ?? at).col, severity, message });
    try {
      loadDocument(file, snapshot(doc.contents as Node, doc, positions), locate, opts, set, push);
    } catch (e) {
      if (e instanceof RuleError) push('error', e.message, e.pos);
      else throw e;
    }
  }
}

type Push = (severity: 'error' | 'warning', message: string, pos?: Position) => void;

function loadDocument(file: string, root: NodeSnapshot, locate: Locate, opts: CompileOptions, set: RuleSet, push: Push): void {
  if (!isMapSnapshot(root)) throw new RuleError('a rule must be a YAML mapping', locate(root));
  const get = (key: string): NodeSnapshot | undefined => entry(root, key)?.[1] ?? undefined;
  const keyPos = (key: string) => locate(entry(root, key)?.[0]);
  const js = plain(root) as JsonObject;
  if (js.action !== undefined) throw new RuleError(`'action: ${String(js.action)}' rule collections are Sigma 1 syntax: write each rule as a complete document`, keyPos('action'));

  let metaErrors = 0;
  const meta = readMeta(file, js, locate(root) ?? { line: 1, col: 1 }, get, keyPos, (sev, msg, pos) => {
    if (sev === 'error') metaErrors++;
    push(sev, msg, pos);
  });
  // A rule with errors in its metadata (no title, unknown level...) is reported and not run.
  if (metaErrors > 0) return;
  if (js.correlation !== undefined) {
    set.correlations.push(readCorrelation(meta, js, get('correlation'), locate));
    return;
  }
  if (js.filter !== undefined) {
    const f = get('filter');
    if (!isMapSnapshot(f)) throw new RuleError("'filter' must be a mapping with 'rules', selections and 'condition'", keyPos('filter'));
    const targets = (js.filter as JsonObject).rules;
    const list = typeof targets === 'string' ? [targets] : Array.isArray(targets) ? targets.map(String) : undefined;
    if (!list || list.length === 0) throw new RuleError("filter needs 'rules': the ids or names of the rules it applies to", locate(f));
    const body: MapSnapshot = { m: f.m.filter(([k]) => !(isScalarSnapshot(k) && scalarValue(k) === 'rules')) };
    const detection = compileDetection(body, (n) => locate(n === body ? f : n), opts);
    detection.warnings.forEach((w) => push('warning', w.message, w.pos));
    set.filters.push(withSource({ ...meta, kind: 'filter', targets: list, detection }, body, opts));
    return;
  }
  const det = get('detection');
  if (!det) throw new RuleError("rule has no 'detection'", locate(root));
  if (!isMapSnapshot(det)) throw new RuleError("'detection' must be a mapping", locate(det));
  if (!js.logsource) push('error', "rule has no 'logsource'");
  const detection = compileDetection(det, locate, opts);
  detection.warnings.forEach((w) => push('warning', w.message, w.pos));
  if (!js.logsource) return;
  set.rules.push(withSource({ ...meta, kind: 'detection', detection, test: detection.test, filters: [], reads: detection.reads }, det, opts));
}

/** Keep the YAML a detection came from on the rule, out of enumeration (JSON output, spreads) and unchanged behaviour. */
function withSource<T extends DetectionRule | FilterRule>(rule: T, node: MapSnapshot, opts: CompileOptions): T {
  Object.defineProperty(rule, 'source', { value: { node, opts }, enumerable: false, writable: true, configurable: true });
  return rule;
}

function readMeta(
  file: string, js: JsonObject, at: Position, get: (k: string) => NodeSnapshot | undefined,
  keyPos: (k: string) => Position | undefined, push: Push,
): RuleMeta {
  const str = (k: string): string | undefined => {
    const v = js[k];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'string' && typeof v !== 'number') {
      push('error', `'${k}' must be a string`, keyPos(k));
      return undefined;
    }
    return String(v);
  };
  const list = (k: string): string[] => {
    const v = js[k];
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v)) {
      push('warning', `'${k}' should be a list`, keyPos(k));
      return [String(v)];
    }
    return v.map((x) => (typeof x === 'string' ? x : JSON.stringify(x)));
  };
  const title = str('title');
  if (!title) push('error', "rule has no 'title'", at);
  let id = str('id');
  if (!id) push('warning', "rule has no 'id'; a UUID lets alerts, filters and correlations refer to it", at);
  else if (!UUID.test(id)) push('warning', `id '${id}' is not a UUID`, keyPos('id'));
  const status = str('status');
  if (status && !(STATUSES as readonly string[]).includes(status)) push('error', `unknown status '${status}' (expected ${STATUSES.join(', ')})`, keyPos('status'));
  const levelText = str('level');
  let level: Level | undefined;
  if (levelText) {
    if ((LEVELS as readonly string[]).includes(levelText)) level = levelText as Level;
    else push('error', `unknown level '${levelText}' (expected ${LEVELS.join(', ')})`, keyPos('level'));
  }
  for (const k of ['date', 'modified']) {
    const d = str(k);
    if (d && !/^\d{4}-\d{2}-\d{2}$/.test(d)) {
      push('warning', /^\d{4}\/\d{2}\/\d{2}$/.test(d) ? `'${k}: ${d}' uses the Sigma 1 date form; Sigma 2 writes YYYY-MM-DD` : `'${k}: ${d}' is not a YYYY-MM-DD date`, keyPos(k));
    }
  }
  const tags = list('tags');
  for (const t of tags) {
    if (!/^[a-z0-9_-]+\.[a-z0-9._-]+$/.test(t)) push('warning', `tag '${t}' is not of the form namespace.value in lower case`, keyPos('tags'));
    else if (t.startsWith('attack.') && t.includes('_')) push('warning', `tag '${t}': ATT&CK tags use dashes since Sigma 2 (e.g. attack.defense-evasion)`, keyPos('tags'));
  }
  let logsource: Logsource = {};
  const ls = get('logsource');
  if (ls !== undefined) {
    if (!isMapSnapshot(ls)) push('error', "'logsource' must be a mapping", keyPos('logsource'));
    else logsource = js.logsource as Logsource;
  }
  return {
    id: id ?? `${file}#${at.line}`,
    title: title ?? '(untitled)',
    name: str('name'),
    status,
    level,
    description: str('description'),
    author: str('author'),
    date: str('date'),
    modified: str('modified'),
    tags,
    references: list('references'),
    falsepositives: list('falsepositives'),
    logsource,
    file,
    line: at.line,
  };
}

function readCorrelation(meta: RuleMeta, js: JsonObject, node: NodeSnapshot | undefined, locate: Locate): CorrelationRule {
  const c = js.correlation;
  if (!isMapSnapshot(node) || c === null || typeof c !== 'object' || Array.isArray(c)) throw new RuleError("'correlation' must be a mapping", locate(node));
  const type = c.type;
  if (typeof type !== 'string' || !(CORRELATION_TYPES as readonly string[]).includes(type)) {
    throw new RuleError(`correlation type '${String(type)}' is not one of ${CORRELATION_TYPES.join(', ')}`, locate(node));
  }
  const rules = typeof c.rules === 'string' ? [c.rules] : Array.isArray(c.rules) ? c.rules.map(String) : [];
  if (rules.length === 0) throw new RuleError("correlation needs 'rules': the rules whose events it correlates", locate(node));
  const groupBy = typeof c['group-by'] === 'string' ? [c['group-by']] : Array.isArray(c['group-by']) ? c['group-by'].map(String) : [];
  const timespan = c.timespan === undefined ? undefined : String(c.timespan);
  if (timespan !== undefined && !/^\d+[smhdwMy]$/.test(timespan)) throw new RuleError(`correlation timespan '${timespan}' must be a number and a unit (s, m, h, d, w, M, y)`, locate(node));
  // `generate` belongs in the correlation section (pySigma); a top-level one is read too.
  const raw = c.generate === undefined && js.generate !== undefined ? { ...c, generate: js.generate } : c;
  return { ...meta, kind: 'correlation', type: type as CorrelationRule['type'], rules, groupBy, timespan, raw: raw as JsonObject };
}

/** The meta-filters applyFilters AND-ed into each rule, in the order it did (worker threads repeat it: portable.ts). */
const applied = new WeakMap<DetectionRule, FilterRule[]>();
export function appliedFilters(rule: DetectionRule): readonly FilterRule[] {
  return applied.get(rule) ?? [];
}

/** Meta-filters (Sigma 2.1): each filter's condition is AND-ed into every rule it names by id or name. */
function applyFilters(set: RuleSet): void {
  for (const f of set.filters) {
    for (const target of f.targets) {
      const hits = set.rules.filter((r) => r.id === target || r.name === target);
      if (hits.length === 0) {
        set.diagnostics.push({ file: f.file, line: f.line, col: 1, severity: 'warning', message: `filter '${f.title}' names rule '${target}', which is not loaded` });
      }
      for (const r of hits) {
        const before = r.test;
        const ft = f.detection.test;
        r.test = (rec) => before(rec) && ft(rec);
        r.filters.push(f.id);
        r.reads = mergeReads([r.reads, f.detection.reads]);
        applied.set(r, [...appliedFilters(r), f]);
      }
    }
  }
}

/** Load rules from YAML text (tests, the API, editors). Filters in the text apply to rules in the text. */
export function loadRulesFromText(src: string, file = '<inline>', opts: CompileOptions = {}): RuleSet {
  const set: RuleSet = { rules: [], filters: [], correlations: [], diagnostics: [], files: [file] };
  loadSource(file, src, opts, set);
  applyFilters(set);
  return set;
}
