/** An alert: a rule that matched a record, with everything an analyst needs to triage it without the source file. */
import type { Json, JsonObject } from '../sigma/fields.js';
import type { DetectionRule, Level } from '../sigma/rule.js';
import { matchedFields } from './engine.js';

export interface Alert {
  rule: { id: string; title: string; level: Level | null; tags: string[] };
  /** eventTime of the record, when it has one. */
  time: string | null;
  source: { file: string; index: number };
  /** Values of the fields the rule's matching selections name. */
  matched: Record<string, Json>;
  event: JsonObject;
}

const summaries = new WeakMap<DetectionRule, Alert['rule']>();

export function buildAlert(rule: DetectionRule, rec: JsonObject, file: string, index: number): Alert {
  let summary = summaries.get(rule);
  if (!summary) summaries.set(rule, (summary = { id: rule.id, title: rule.title, level: rule.level ?? null, tags: rule.tags }));
  return {
    rule: summary,
    time: typeof rec.eventTime === 'string' ? rec.eventTime : null,
    source: { file, index },
    matched: matchedFields(rule, rec),
    event: rec,
  };
}
