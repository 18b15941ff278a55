/**
 * Elastic targets over the Elastic AWS integration's cloudtrail data stream (logs-aws.cloudtrail-*; field names from
 * data/pipelines/elastic.yaml):
 *
 *  - `elastic-esql`: ES|QL `FROM logs-aws.cloudtrail-* | WHERE ...`. Case-insensitive matching through TO_LOWER()
 *    with `==`, `IN` and `LIKE` (`*`, `?`), RLIKE (Lucene regular expressions), CIDR_MATCH. ES|QL comparisons with a
 *    missing field are null; null is false in WHERE and `NOT` is written `NOT COALESCE(x, FALSE)` so a negated test
 *    on a missing field holds, as in the engine. ES|QL cannot read flattened sub-fields (aws.cloudtrail.flattened.*)
 *    with plain field names, and its single-value functions return null for multivalued fields: both are refused.
 *  - `elastic-lucene`: Lucene query string (Kibana / query_string). Reserved characters escaped in field names and
 *    values; exact values quoted; wildcard values unquoted with literals escaped. Keyword fields compare
 *    case-sensitively (a per-rule warning says so when a value has letters); arrays match when any element does.
 */
import { STAR, ONE } from '../../sigma/patterns.js';
import { ConversionError, type IrRule, type Leaf, type ValueTest } from '../ir.js';
import { hasCase, numberText, refuseFieldref, refuseKeywords, renderRule, shapeOf, targetPipeline, underPrefix, type Ops, Warnings } from './common.js';
import { luceneRegex } from './lucene-regex.js';

export const ESQL_SOURCE = 'logs-aws.cloudtrail-*';

/** An ES|QL string literal. */
export function esqlStr(s: string): string {
  let out = '"';
  for (const ch of s) {
    if (ch === '\\' || ch === '"') out += '\\' + ch;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (/[\x00-\x1f\x7f]/.test(ch)) throw new ConversionError('control character in a value', `value ${JSON.stringify(s)}: ES|QL string literals have no escape for this control character`);
    else out += ch;
  }
  return out + '"';
}

const esqlField = (f: string) => (/^[A-Za-z_@][A-Za-z0-9_.@]*$/.test(f) && !/\.\.|\.$/.test(f) ? f : '`' + f.replaceAll('`', '``') + '`');

/** A LIKE pattern: `*`/`?` wildcards, literal `*`, `?` and `\` escaped with `\`. */
function likePattern(p: (string | number)[], lower: boolean): string {
  return p.map((t) => (t === STAR ? '*' : t === ONE ? '?' : (lower ? (t as string).toLowerCase() : (t as string)).replace(/[\\*?]/g, (c) => '\\' + c))).join('');
}

function checkCommon(l: Leaf, pipe: ReturnType<typeof targetPipeline>, target: string): void {
  if (l.kind === 'keyword') refuseKeywords(target);
  const pre = underPrefix(pipe.pipeline, l.field);
  if (pre && pre.rest.length === 0 && l.kind === 'field' && l.tests.length)
    throw new ConversionError(`object-as-text (${l.field})`, `the engine compares the JSON text of this object; Elastic keeps it as ${l.field} (flattened leaves) and a non-JSON keyword string`);
  if (l.kind === 'field')
    for (const t of l.tests) if (t.kind === 'num' && t.part) throw new ConversionError(`modifier '${t.part}'`, `time-part modifier '${t.part}' does not convert to ${target}`);
}

export function convertEsql(rule: IrRule, warn: Warnings): string {
  const pipe = targetPipeline('elastic');
  const { extras } = pipe;
  const ops: Ops = {
    and: (xs) => (xs.length === 1 ? xs[0]! : `(${xs.join(' AND ')})`),
    or: (xs) => (xs.length === 1 ? xs[0]! : `(${xs.join(' OR ')})`),
    not: (x) => `NOT COALESCE(${x.startsWith('(') && x.endsWith(')') ? x.slice(1, -1) : x}, FALSE)`,
  };
  const check = (f: string) => {
    const pre = underPrefix(pipe.pipeline, f);
    if (pre && pre.kind === 'path')
      throw new ConversionError(`flattened field (${f})`, `${pre.column} is a flattened field: ES|QL does not read its sub-fields by name (FIELD_EXTRACT is a preview function of recent releases); use elastic-lucene`);
    if (extras.arrays.includes(f)) throw new ConversionError(`multivalued field (${f})`, `${f} holds an array: ES|QL comparisons return null for multivalued fields, so 'any element' cannot be expressed`);
  };
  const text = (f: string, cased: boolean) => {
    const base = extras.types[f] ? `TO_STRING(${esqlField(f)})` : esqlField(f);
    return cased ? base : `TO_LOWER(${base})`;
  };
  const test = (f: string, t: ValueTest): string => {
    switch (t.kind) {
      case 'wild': {
        const tx = text(f, t.cased);
        const alts = t.alternatives.map((p) => {
          const s = shapeOf(p);
          if (s.kind === 'any') return `${esqlField(f)} IS NOT NULL`;
          if (s.kind === 'eq') return `${tx} == ${esqlStr(t.cased ? s.text : s.text.toLowerCase())}`;
          return `${tx} LIKE ${esqlStr(likePattern(p, !t.cased))}`;
        });
        if (!t.cased && t.alternatives.some((p) => p.some((x) => typeof x === 'string' && hasCase(x) && /[^\x00-\x7f]/.test(x))))
          warn.add("ES|QL: TO_LOWER() folds non-ASCII letters by Java's rules");
        return alts.length === 1 ? alts[0]! : ops.or(alts);
      }
      case 're':
        return `${esqlField(f)} RLIKE ${esqlStr(luceneRegex(t.source, t.flags))}`;
      case 'cidr': {
        const ip = extras.ipFields[f] ?? (extras.types[f] === 'ip' ? f : undefined);
        return `CIDR_MATCH(${ip ? esqlField(ip) : `TO_IP(TRIM(${esqlField(f)}))`}, ${esqlStr(t.network)})`;
      }
      case 'num': {
        const op = { lt: '<', lte: '<=', gt: '>', gte: '>=', eq: '==' }[t.op];
        return `TO_DOUBLE(TRIM(TO_STRING(${esqlField(f)}))) ${op} ${numberText(t.value)}`;
      }
    }
  };
  const leaf = (l: Leaf): string => {
    checkCommon(l, pipe, 'ES|QL');
    if (l.kind === 'keyword') throw new Error('unreachable');
    check(l.field);
    const f = esqlField(l.field);
    if (l.kind === 'exists') return `${f} ${l.want ? 'IS NOT NULL' : 'IS NULL'}`;
    if (l.kind === 'fieldref') {
      if (l.mode !== 'equals') refuseFieldref('ES|QL', l.mode);
      l.refs.forEach(check);
      const per = l.refs.map((r) => `${text(l.field, l.cased)} == ${text(r, l.cased)}`);
      const pos = l.all ? ops.and(per) : ops.or(per);
      return l.neq ? ops.and([`${f} IS NOT NULL`, ops.not(pos)]) : pos;
    }
    let holds: string;
    const shapes = l.tests.map((t) => (t.kind === 'wild' && t.alternatives.length === 1 ? shapeOf(t.alternatives[0]!) : undefined));
    const cased0 = (l.tests[0] as { cased?: boolean } | undefined)?.cased;
    if (!l.all && l.tests.length > 1 && shapes.every((s) => s?.kind === 'eq') && l.tests.every((t) => t.kind === 'wild' && t.cased === cased0)) {
      holds = `${text(l.field, !!cased0)} IN (${shapes.map((s) => esqlStr(cased0 ? (s as { text: string }).text : (s as { text: string }).text.toLowerCase())).join(', ')})`;
    } else {
      const ts = l.tests.map((t) => test(l.field, t));
      holds = ts.length ? (l.all ? ops.and(ts) : ops.or(ts)) : '';
    }
    const parts: string[] = [];
    if (l.matchNull) parts.push(`${f} IS NULL`);
    if (holds) parts.push(holds);
    const item = parts.length ? ops.or(parts) : `${f} IS NULL`;
    return l.neq ? ops.and([`${f} IS NOT NULL`, ops.not(item)]) : item;
  };
  let where = renderRule(rule, leaf, ops);
  if (where.startsWith('(') && where.endsWith(')') && balanced(where.slice(1, -1))) where = where.slice(1, -1);
  return `FROM ${ESQL_SOURCE}\n| WHERE ${where}`;
}

// ---------------------------------------------------------------------------------------------------------------

const LUCENE_RESERVED = /[+\-=&|><!(){}[\]^"~*?:\\/\s]/;

export function luceneField(f: string): string {
  return [...f].map((c) => (LUCENE_RESERVED.test(c) ? '\\' + c : c)).join('');
}

/** A quoted Lucene phrase (exact value on a keyword field). */
export function lucenePhrase(s: string): string {
  return '"' + s.replace(/[\\"]/g, (c) => '\\' + c) + '"';
}

/** An unquoted Lucene term with wildcards: literal parts escaped (every reserved character and whitespace). */
function luceneWildcard(p: (string | number)[]): string {
  return p.map((t) => (t === STAR ? '*' : t === ONE ? '?' : [...(t as string)].map((c) => (LUCENE_RESERVED.test(c) || c === '&' || c === '|' ? '\\' + c : c)).join(''))).join('');
}

export function convertLucene(rule: IrRule, warn: Warnings): string {
  const pipe = targetPipeline('elastic');
  const { extras } = pipe;
  const ops: Ops = {
    and: (xs) => (xs.length === 1 ? xs[0]! : `(${xs.join(' AND ')})`),
    or: (xs) => (xs.length === 1 ? xs[0]! : `(${xs.join(' OR ')})`),
    not: (x) => `(NOT ${x})`,
  };
  const exists = (f: string) => `_exists_:${luceneField(f)}`;
  const test = (f: string, t: ValueTest): string => {
    const F = luceneField(f);
    switch (t.kind) {
      case 'wild': {
        if (!t.cased && t.alternatives.some((p) => p.some((x) => typeof x === 'string' && hasCase(x))))
          warn.add('Lucene: keyword fields compare case-sensitively, so values match only as written in the rule (Sigma matches case-insensitively)');
        const alts = t.alternatives.map((p) => {
          const s = shapeOf(p);
          if (s.kind === 'any') return exists(f);
          if (s.kind === 'eq') return `${F}:${lucenePhrase(s.text)}`;
          return `${F}:${luceneWildcard(p)}`;
        });
        return alts.length === 1 ? alts[0]! : ops.or(alts);
      }
      case 're':
        return `${F}:/${luceneRegex(t.source, t.flags)}/`;
      case 'cidr': {
        const ip = extras.ipFields[f] ?? (extras.types[f] === 'ip' ? f : undefined);
        if (!ip) throw new ConversionError(`modifier 'cidr' (${f})`, `${f} is not an IP field in the Elastic mapping: Lucene matches CIDR ranges only on ip fields`);
        return `${luceneField(ip)}:${lucenePhrase(t.network)}`;
      }
      case 'num': {
        const ty = extras.types[f];
        if (!ty || !/^(long|integer|short|byte|double|float|half_float|scaled_float|unsigned_long)$/.test(ty))
          throw new ConversionError(`modifier '${t.op}' (${f})`, `${f} is a keyword (or flattened) field in the Elastic mapping: Lucene range queries on it compare text, not numbers`);
        const op = { lt: '<', lte: '<=', gt: '>', gte: '>=', eq: '' }[t.op];
        return `${F}:${op}${numberText(t.value).replace('-', '\\-')}`;
      }
    }
  };
  const leaf = (l: Leaf): string => {
    checkCommon(l, pipe, 'Lucene');
    if (l.kind === 'keyword') throw new Error('unreachable');
    const f = l.field;
    const pre = underPrefix(pipe.pipeline, f);
    if (pre && pre.rest.length && l.kind === 'field' && l.tests.length)
      warn.add(`Lucene: ${pre.column} is a flattened field: its leaves are keywords (numbers and booleans as text); a value below it that is an object is not compared as JSON text`);
    if (l.kind === 'exists') return l.want ? exists(f) : ops.not(exists(f));
    if (l.kind === 'fieldref') refuseFieldref('Lucene', l.mode);
    let holds: string;
    const shapes = l.tests.map((t) => (t.kind === 'wild' && t.alternatives.length === 1 ? shapeOf(t.alternatives[0]!) : undefined));
    if (!l.all && l.tests.length > 1 && shapes.every((s) => s?.kind === 'eq')) {
      if (l.tests.some((t) => t.kind === 'wild' && !t.cased) && shapes.some((s) => hasCase((s as { text: string }).text)))
        warn.add('Lucene: keyword fields compare case-sensitively, so values match only as written in the rule (Sigma matches case-insensitively)');
      holds = `${luceneField(f)}:(${shapes.map((s) => lucenePhrase((s as { text: string }).text)).join(' OR ')})`;
    } else {
      const ts = l.tests.map((t) => test(f, t));
      holds = ts.length ? (l.all ? ops.and(ts) : ops.or(ts)) : '';
    }
    const parts: string[] = [];
    if (l.matchNull) parts.push(ops.not(exists(f)));
    if (holds) parts.push(holds);
    const item = parts.length ? ops.or(parts) : ops.not(exists(f));
    return l.neq ? ops.and([exists(f), ops.not(item)]) : item;
  };
  let q = renderRule(rule, leaf, ops);
  if (q.startsWith('(') && q.endsWith(')') && balanced(q.slice(1, -1)) && !q.startsWith('(NOT ')) q = q.slice(1, -1);
  return q;
}

function balanced(s: string): boolean {
  let depth = 0;
  let q = false;
  let re = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === '\\') {
      i++;
      continue;
    }
    if (q) q = c !== '"';
    else if (re) re = c !== '/';
    else if (c === '"') q = true;
    else if (c === '/') re = true;
    else if (c === '(') depth++;
    else if (c === ')' && --depth < 0) return false;
  }
  return depth === 0;
}
