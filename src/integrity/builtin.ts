/**
 * Built-in detections: what no Sigma rule can see because it is about the trail itself (files deleted or edited
 * after delivery, a trail gone quiet, a trail's configuration over time). Their alerts have the same shape as rule
 * alerts (src/detect/alert.ts), so the same output formats and the store take them. A weakening trail change's
 * alert carries the CloudTrail record itself; findings that are not one record carry a synthetic event (eventSource
 * `tideline.integrity` or `tideline.gaps`, an eventName naming the finding, the account and region, and a stable
 * eventID, so the store's one alert per rule and eventID deduplicates re-runs).
 */
import { createHash } from 'node:crypto';
import type { Alert } from '../detect/alert.js';
import type { Json, JsonObject } from '../sigma/fields.js';
import type { Level } from '../sigma/rule.js';

export interface BuiltinDetection {
  id: string;
  title: string;
  level: Level;
  tags: string[];
  description: string;
}

export const INTEGRITY_FAILURE: BuiltinDetection = {
  id: '6f1f3c2e-8a4b-4d3e-9c71-2b5e0d9a4c11',
  title: 'CloudTrail log integrity validation failed',
  level: 'high',
  tags: ['attack.defense-evasion', 'attack.t1070', 'attack.impact', 'attack.t1565.001', 'attack.t1562.008'],
  description:
    'A CloudTrail digest chain does not vouch for the log files present: a listed log file is missing or modified, a file is present that no digest lists, a digest is missing, moved, out of order or badly signed.',
};

export const LOGGING_GAP: BuiltinDetection = {
  id: '0c8e2d61-5f7a-4b19-a3d4-7e6b1c9f2a58',
  title: 'CloudTrail logging gap',
  level: 'medium',
  tags: ['attack.defense-evasion', 'attack.t1562.008'],
  description:
    "An account and region delivered no events for longer than its own history makes normal (a high quantile of the gaps between deliveries, times a factor, with a floor).",
};

export const TRAIL_WEAKENED: BuiltinDetection = {
  id: '9a3b7e14-2c6d-4f85-b0e9-5d1a8c3f7b26',
  title: 'CloudTrail trail weakened',
  level: 'high',
  tags: ['attack.defense-evasion', 'attack.t1562.008'],
  description:
    'A change that makes a trail record less, deliver elsewhere or keep less: logging stopped, trail deleted, log file validation, multi-region or global events turned off, management events excluded, log bucket policy removed or lifecycle expiring logs, log objects deleted.',
};

export const BUILTIN_DETECTIONS = [INTEGRITY_FAILURE, LOGGING_GAP, TRAIL_WEAKENED];

export function builtinAlert(d: BuiltinDetection, event: JsonObject, time: string | null, file: string, index: number, matched: Record<string, Json>): Alert {
  return { rule: { id: d.id, title: d.title, level: d.level, tags: d.tags }, time, source: { file, index }, matched, event };
}

/** A stable eventID for a synthetic finding event: the same finding on the same evidence gives the same id. */
export function syntheticEventId(...parts: string[]): string {
  const h = createHash('sha256').update(parts.join('\u0000')).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}
