/**
 * Processing pipelines as data (`data/pipelines/<name>.yaml`): how Sigma's CloudTrail field paths are named in a target
 * schema. Applied to the IR (detection rules, their meta-filters; correlation group-by fields use the same mapping).
 *
 *   fields:   exact Sigma path -> target field
 *   prefixes: a Sigma path under this prefix -> { column, kind } (the rest of the path is read by the backend:
 *             json = JSON text column, path = nested field names, array-of-struct...)
 *   unmapped: keep (use the Sigma path as is) | error (refuse the rule, naming the field)
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { dataDir } from '../paths.js';
import { ConversionError, type Expr, type IrRule } from './ir.js';

export interface PrefixMapping {
  column: string;
  kind: string;
  lowercase?: boolean;
}

export interface Pipeline {
  name: string;
  description: string;
  schema: string;
  targets: string[];
  fields: Record<string, string>;
  prefixes: Record<string, PrefixMapping>;
  unmapped: 'keep' | 'error';
  file: string;
}

export const pipelinesDir = (): string => join(dataDir(), 'pipelines');

export function loadPipelineFile(file: string): Pipeline {
  const doc = parseYaml(readFileSync(file, 'utf8')) as Record<string, unknown> | null;
  const bad = (m: string) => new Error(`${file}: ${m}`);
  if (!doc || typeof doc !== 'object') throw bad('a pipeline must be a YAML mapping');
  const name = doc.name ?? basename(file).replace(/\.ya?ml$/, '');
  if (typeof name !== 'string') throw bad("'name' must be a string");
  const fields = (doc.fields ?? {}) as Record<string, unknown>;
  const prefixes = (doc.prefixes ?? {}) as Record<string, unknown>;
  if (typeof fields !== 'object' || Array.isArray(fields)) throw bad("'fields' must map Sigma fields to target fields");
  for (const [k, v] of Object.entries(fields)) if (typeof v !== 'string' || v === '') throw bad(`field '${k}' must map to a non-empty string`);
  for (const [k, v] of Object.entries(prefixes)) {
    const p = v as Record<string, unknown>;
    if (!p || typeof p.column !== 'string' || typeof p.kind !== 'string') throw bad(`prefix '${k}' needs 'column' and 'kind'`);
  }
  const unmapped = doc.unmapped ?? 'keep';
  if (unmapped !== 'keep' && unmapped !== 'error') throw bad("'unmapped' is keep or error");
  return {
    name,
    description: String(doc.description ?? ''),
    schema: String(doc.schema ?? name),
    targets: Array.isArray(doc.targets) ? doc.targets.map(String) : [],
    fields: fields as Record<string, string>,
    prefixes: prefixes as Record<string, PrefixMapping>,
    unmapped,
    file,
  };
}

/** The bundled pipelines by name. */
export function bundledPipelines(): Map<string, Pipeline> {
  const out = new Map<string, Pipeline>();
  const dir = pipelinesDir();
  if (!existsSync(dir)) return out;
  for (const f of readdirSync(dir).sort()) if (/\.ya?ml$/.test(f)) {
    const p = loadPipelineFile(join(dir, f));
    out.set(p.name, p);
  }
  return out;
}

/** A pipeline given on the command line: a bundled name or a file. */
export function resolvePipeline(nameOrFile: string): Pipeline {
  const p = bundledPipelines().get(nameOrFile);
  if (p) return p;
  if (existsSync(nameOrFile)) return loadPipelineFile(nameOrFile);
  throw new Error(`unknown pipeline '${nameOrFile}' (bundled: ${[...bundledPipelines().keys()].join(', ')}; or give a file)`);
}

/** Where a Sigma field lands in the target: a whole field, or a column plus the rest of the path. */
export interface MappedField {
  field: string;
  prefix?: { sigma: string; mapping: PrefixMapping; rest: string };
}

export function mapField(pipelines: Pipeline[], field: string): MappedField {
  let cur: MappedField = { field };
  for (const p of pipelines) {
    const exact = p.fields[cur.field];
    if (exact !== undefined) {
      cur = { field: exact };
      continue;
    }
    const pre = Object.keys(p.prefixes)
      .filter((k) => cur.field === k || cur.field.startsWith(k + '.'))
      .sort((a, b) => b.length - a.length)[0];
    if (pre !== undefined) {
      const mapping = p.prefixes[pre]!;
      const rest = cur.field.slice(pre.length + 1);
      cur = { field: rest ? `${mapping.column}.${rest}` : mapping.column, prefix: { sigma: pre, mapping, rest } };
      continue;
    }
    if (p.unmapped === 'error') throw new ConversionError(`field '${field}'`, `pipeline '${p.name}' has no mapping for field '${field}'`);
  }
  return cur;
}

/** Rename every field of the IR through the pipelines (in order). Identity pipelines leave the IR unchanged. */
export function applyPipelines(rule: IrRule, pipelines: Pipeline[]): IrRule {
  if (pipelines.length === 0) return rule;
  const map = (f: string) => mapField(pipelines, f).field;
  const visit = (e: Expr): Expr => {
    switch (e.kind) {
      case 'and':
      case 'or':
        return { ...e, items: e.items.map(visit) };
      case 'not':
        return { ...e, item: visit(e.item) };
      case 'field':
      case 'exists':
        return { ...e, field: map(e.field) };
      case 'fieldref':
        return { ...e, field: map(e.field), refs: e.refs.map(map) };
      default:
        return e;
    }
  };
  return {
    ...rule,
    detections: rule.detections.map((d) => ({
      condition: d.condition,
      selections: new Map([...d.selections].map(([k, v]) => [k, visit(v)])),
    })),
  };
}
