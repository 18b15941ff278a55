/** Choosing which loaded rules a hunt runs: logsource, minimum level, tags. */
import { LEVELS, type DetectionRule, type Level } from '../sigma/rule.js';

export interface RuleFilter {
  minLevel?: Level;
  /** Keep rules with any of these tags; `attack.t1562` also selects `attack.t1562.008`. */
  tags?: string[];
}

/** CloudTrail rules: product aws, and service cloudtrail when a service is given. */
export function isCloudTrailRule(r: DetectionRule): boolean {
  const ls = r.logsource;
  if (ls.product !== undefined && ls.product.toLowerCase() !== 'aws') return false;
  if (ls.service !== undefined && ls.service.toLowerCase() !== 'cloudtrail') return false;
  return ls.product !== undefined || ls.service !== undefined;
}

export function selectRules(rules: DetectionRule[], f: RuleFilter): { selected: DetectionRule[]; otherLogsource: DetectionRule[] } {
  const min = f.minLevel ? LEVELS.indexOf(f.minLevel) : 0;
  const tags = f.tags?.map((t) => t.toLowerCase());
  const selected: DetectionRule[] = [];
  const otherLogsource: DetectionRule[] = [];
  for (const r of rules) {
    if (!isCloudTrailRule(r)) {
      otherLogsource.push(r);
      continue;
    }
    if (min > 0 && LEVELS.indexOf(r.level ?? 'informational') < min) continue;
    if (tags && !r.tags.some((t) => tags.some((want) => t.toLowerCase() === want || t.toLowerCase().startsWith(want + '.')))) continue;
    selected.push(r);
  }
  return { selected, otherLogsource };
}
