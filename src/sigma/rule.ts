/** The rule model: what a loaded Sigma document is, independent of where it came from. */
import type { CompiledDetection } from './detection.js';
import type { MapSnapshot } from './snapshot.js';
import type { JsonObject } from './fields.js';
import type { CompileOptions } from './values.js';

/**
 * The YAML a detection was compiled from, kept for the rule converters (src/convert), which must read the same
 * values (source text of numbers included) with the same options. Attached as a non-enumerable property.
 */
export interface DetectionSource {
  node: MapSnapshot;
  opts: CompileOptions;
}

export const LEVELS = ['informational', 'low', 'medium', 'high', 'critical'] as const;
export type Level = (typeof LEVELS)[number];
export const STATUSES = ['stable', 'test', 'experimental', 'deprecated', 'unsupported'] as const;

export interface Logsource {
  product?: string;
  service?: string;
  category?: string;
  definition?: string;
}

export interface RuleMeta {
  id: string;
  title: string;
  name?: string;
  status?: string;
  level?: Level;
  description?: string;
  author?: string;
  date?: string;
  modified?: string;
  tags: string[];
  references: string[];
  falsepositives: string[];
  logsource: Logsource;
  /** Where the rule was read from: file and 1-based line of its document. */
  file: string;
  line: number;
}

export interface DetectionRule extends RuleMeta {
  kind: 'detection';
  detection: CompiledDetection;
  /** The detection AND-ed with every meta-filter that targets this rule. */
  test: (rec: JsonObject) => boolean;
  filters: string[];
  /** Every field `test` reads (its meta-filters' included); null: the whole record. */
  reads: string[] | null;
  /** Non-enumerable: the detection YAML (see DetectionSource). */
  source?: DetectionSource;
}

export interface FilterRule extends RuleMeta {
  kind: 'filter';
  targets: string[];
  detection: CompiledDetection;
  /** Non-enumerable: the filter's YAML without 'rules' (see DetectionSource). */
  source?: DetectionSource;
}

export const CORRELATION_TYPES = [
  'event_count', 'value_count', 'temporal', 'temporal_ordered', 'value_sum', 'value_avg', 'value_percentile', 'value_median',
] as const;

export interface CorrelationRule extends RuleMeta {
  kind: 'correlation';
  type: (typeof CORRELATION_TYPES)[number];
  rules: string[];
  groupBy: string[];
  timespan?: string;
  raw: JsonObject;
}

export type AnyRule = DetectionRule | FilterRule | CorrelationRule;
