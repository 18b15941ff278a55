/**
 * Field access into a JSON record, shared by the evaluator and the rule index so both see the same value.
 * A field name is a dot path (`userIdentity.sessionContext.sessionIssuer.userName`); a key that literally contains
 * the dots wins when present (DESIGN.md). Arrays met on the way fan out: `resources.ARN` yields every ARN.
 */
export type Json = string | number | boolean | null | Json[] | { [k: string]: Json };
export type JsonObject = { [k: string]: Json };

const MISSING: unique symbol = Symbol('missing');
export type Missing = typeof MISSING;
export { MISSING };

export function compilePath(field: string): (rec: JsonObject) => Json | Missing {
  const parts = field.split('.');
  if (parts.length === 1) {
    return (rec) => (Object.prototype.hasOwnProperty.call(rec, field) ? rec[field]! : MISSING);
  }
  return (rec) => {
    if (Object.prototype.hasOwnProperty.call(rec, field)) return rec[field]!;
    return walk(rec, parts, 0);
  };
}

function walk(node: Json, parts: string[], i: number): Json | Missing {
  if (i === parts.length) return node;
  if (Array.isArray(node)) {
    // Fan out over arrays: collect what each element yields, flattened, so "any element" semantics hold.
    const out: Json[] = [];
    for (const el of node) {
      const v = walk(el, parts, i);
      if (v === MISSING) continue;
      if (Array.isArray(v)) out.push(...v);
      else out.push(v);
    }
    return out.length ? out : MISSING;
  }
  if (node === null || typeof node !== 'object') return MISSING;
  // A literal key containing dots (e.g. "a.b") wins over descending into "a".
  for (let j = parts.length; j > i + 1; j--) {
    const key = parts.slice(i, j).join('.');
    if (Object.prototype.hasOwnProperty.call(node, key)) return walk(node[key]!, parts, j);
  }
  const key = parts[i]!;
  if (!Object.prototype.hasOwnProperty.call(node, key)) return MISSING;
  return walk(node[key]!, parts, i + 1);
}

/**
 * The text a string comparison sees: strings as they are, numbers and booleans by their JSON form,
 * objects as compact JSON in record order (as CloudTrail delivers them and SIEMs store them).
 */
export function fieldText(v: Json): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v);
}
