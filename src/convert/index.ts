/**
 * Rule conversion: rule -> IR (ir.ts) -> pipelines (pipeline.ts) -> backend. Each target names its default pipeline;
 * `--pipeline` adds more after it. A rule a target cannot express exactly is refused with the construct named.
 */
import type { AnyRule, FilterRule } from '../sigma/rule.js';
import { ConversionError, ruleIr, type IrRule } from './ir.js';
import { applyPipelines, resolvePipeline, type Pipeline } from './pipeline.js';
import { duckdb } from './sql/duckdb.js';
import { generateSql, type SqlDialect } from './sql/generator.js';
import { postgres } from './sql/postgres.js';
import { athenaTarget, cloudtrailLakeTarget, sparkTarget, trinoTarget } from './sql-targets.js';
import { esqlTarget, luceneTarget, sentinelTarget, splunkTarget } from './siem/index.js';

export interface Target {
  name: string;
  description: string;
  /** The bundled pipeline applied first. */
  pipeline: string;
  convert(rule: IrRule, opts: ConvertOptions): string;
}

export interface ConvertOptions {
  /** SQL targets: table and JSON column holding the records. */
  table?: string;
  column?: string;
  /** Targets report documented semantic differences here (shown per rule as warnings). */
  warn?: (warning: string) => void;
}

const sqlTarget = (d: SqlDialect, description: string): Target => ({
  name: d.name,
  description,
  pipeline: 'cloudtrail-json',
  convert: (rule, o) => generateSql(rule, d, { table: o.table ?? 'cloudtrail', column: o.column ?? 'record' }),
});

export const TARGETS: Target[] = [
  sqlTarget(duckdb, 'DuckDB SQL over a JSON column of CloudTrail records as delivered'),
  sqlTarget(postgres, 'PostgreSQL SQL over a json column of CloudTrail records as delivered (json, not jsonb: key order kept)'),
  athenaTarget,
  trinoTarget,
  cloudtrailLakeTarget,
  sparkTarget,
  splunkTarget,
  sentinelTarget,
  esqlTarget,
  luceneTarget,
];

export function findTarget(name: string): Target {
  const t = TARGETS.find((x) => x.name === name);
  if (!t) throw new Error(`unknown target '${name}' (available: ${TARGETS.map((x) => x.name).join(', ')})`);
  return t;
}

export interface Conversion {
  id: string;
  title: string;
  file: string;
  target: string;
  query?: string;
  warnings: string[];
  /** Why the rule does not convert (the construct is named first). */
  error?: string;
  construct?: string;
}

export function convertRule(rule: AnyRule, target: Target, filters: FilterRule[], extraPipelines: Pipeline[] = [], opts: ConvertOptions = {}): Conversion {
  const base = { id: rule.id, title: rule.title, file: rule.file, target: target.name, warnings: [] as string[] };
  try {
    if (rule.kind === 'correlation') throw new ConversionError(`correlation '${rule.type}'`, `correlation rules (${rule.type}) are not converted yet`);
    if (rule.kind === 'filter') throw new ConversionError('meta-filter', 'a meta-filter converts as part of the rules it applies to');
    const pipelines = [resolvePipeline(target.pipeline), ...extraPipelines];
    const ir = applyPipelines(ruleIr(rule, filters), pipelines);
    if (rule.filters.length) base.warnings.push(`meta-filters AND-ed in: ${rule.filters.join(', ')}`);
    return { ...base, query: target.convert(ir, { ...opts, warn: (w) => base.warnings.push(w) }) };
  } catch (e) {
    if (e instanceof ConversionError) return { ...base, error: e.message, construct: e.construct };
    throw e;
  }
}
