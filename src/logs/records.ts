/**
 * What a parsed JSON value means as CloudTrail input. One place decides it for every reader, so a record
 * looks the same whether it came from a delivery file, NDJSON, EventBridge or lookup-events output.
 */
import type { Json, JsonObject } from '../sigma/fields.js';

export type Classified =
  | { kind: 'records'; records: JsonObject[] }
  | { kind: 'digest' }
  | { kind: 'error'; message: string };

const isObj = (v: Json | undefined): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

export function looksLikeRecord(o: JsonObject): boolean {
  return typeof o.eventName === 'string' || typeof o.eventSource === 'string' || o.eventType === 'AwsCloudTrailInsight';
}

/** Classify a value found at the top of a file, in a top-level array, or on an NDJSON line. */
export function classify(v: Json): Classified {
  if (Array.isArray(v) && v.length === 0) return { kind: 'records', records: [] }; // `[]`: a log with no events
  if (!isObj(v)) return { kind: 'error', message: `expected a JSON object, found ${Array.isArray(v) ? 'an array' : v === null ? 'null' : typeof v}` };
  if (Array.isArray(v.Records)) return fromList(v.Records, 'Records');
  if (Array.isArray(v.Events)) return fromList(v.Events, 'Events');
  if (typeof v['detail-type'] === 'string' && isObj(v.detail)) return { kind: 'records', records: [v.detail] }; // EventBridge
  if (typeof v.CloudTrailEvent === 'string') return fromLookup(v);
  if (typeof v.digestStartTime === 'string' && Array.isArray(v.logFiles)) return { kind: 'digest' };
  if (looksLikeRecord(v)) return { kind: 'records', records: [v] };
  return {
    kind: 'error',
    message: 'not CloudTrail: no eventName/eventSource, Records array, EventBridge envelope or lookup-events CloudTrailEvent',
  };
}

/** An element of a `Records` array (delivery file) or `Events` array (lookup-events). */
export function classifyElement(v: Json, from: 'Records' | 'Events'): Classified {
  if (!isObj(v)) return { kind: 'error', message: `${from} element is not an object` };
  if (from === 'Events') return fromLookup(v);
  return { kind: 'records', records: [v] };
}

function fromList(list: Json[], from: 'Records' | 'Events'): Classified {
  const records: JsonObject[] = [];
  for (const el of list) {
    const c = classifyElement(el, from);
    if (c.kind !== 'records') return c;
    records.push(...c.records);
  }
  return { kind: 'records', records };
}

function fromLookup(v: JsonObject): Classified {
  if (typeof v.CloudTrailEvent !== 'string') return { kind: 'error', message: 'lookup-events entry has no CloudTrailEvent string' };
  try {
    const rec = JSON.parse(v.CloudTrailEvent) as Json;
    if (!isObj(rec)) return { kind: 'error', message: 'CloudTrailEvent is not a JSON object' };
    return { kind: 'records', records: [rec] };
  } catch (e) {
    return { kind: 'error', message: `CloudTrailEvent is not valid JSON: ${(e as Error).message}` };
  }
}
