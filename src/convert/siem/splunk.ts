/**
 * Splunk SPL over the Splunk Add-on for AWS (`sourcetype=aws:cloudtrail`, raw JSON field paths, arrays written `{}`).
 *
 * Two renderings, chosen per rule:
 *  - search mode: `field="value"` terms with `*` wildcards, `IN`, `AND`/`OR`/`NOT` and CIDR terms. Splunk's search
 *    compares field values case-insensitively and a multivalue field matches when any value does, as the engine does.
 *  - where mode, when a leaf needs more (a regular expression, `?`, a literal `*`, `cased`, numbers, fieldref): the
 *    whole condition as an eval expression in `| where`, values tested with `mvfind()` (any value of a multivalue
 *    field) against an anchored PCRE, case-insensitive with `(?i)`.
 * Strings are escaped for SPL (`\` and `"`); field names are checked against the characters Splunk field names use.
 */
import { STAR } from '../../sigma/patterns.js';
import { ConversionError, type Expr, type IrRule, type Leaf, type ValueTest } from '../ir.js';
import { translateJsRegex } from '../sql/regex.js';
import { hasCase, leaves, numberText, patternRegex, refuseFieldref, refuseKeywords, renderRule, targetPipeline, type Ops, Warnings } from './common.js';

export const SPLUNK_BASE = 'index=* sourcetype=aws:cloudtrail';
const NESTED = ['requestParameters.', 'responseElements.', 'additionalEventData.', 'serviceEventDetails.'];

/** A quoted SPL string (search terms and eval literals): backslash and double quote escaped. */
export function splStr(s: string): string {
  return '"' + s.replace(/[\\"]/g, (c) => '\\' + c) + '"';
}

function checkField(f: string): void {
  if (!/^[A-Za-z0-9_@][A-Za-z0-9_.{}@:-]*$/.test(f)) throw new ConversionError(`field name '${f}'`, `field name '${f}' has characters a Splunk field name cannot carry`);
}

/** A JavaScript regular expression as PCRE: the RE2 translation (same escapes), and `$` without `m` as `\z`. */
export function pcreOf(source: string, flags: string): string {
  const re2 = translateJsRegex(source, flags, 're2');
  if (flags.includes('m')) return re2;
  let out = '';
  let inClass = false;
  for (let i = 0; i < re2.length; i++) {
    const c = re2[i]!;
    if (c === '\\') {
      out += c + (re2[i + 1] ?? '');
      i++;
    } else if (inClass) {
      if (c === ']') inClass = false;
      out += c;
    } else if (c === '[') {
      inClass = true;
      out += c;
      if (re2[i + 1] === '^') out += re2[++i];
      if (re2[i + 1] === ']') out += re2[++i];
    } else out += c === '$' ? '\\z' : c;
  }
  return out;
}

const searchable = (t: ValueTest): boolean => {
  if (t.kind === 'cidr') return /^\d{1,3}(\.\d{1,3}){3}(\/\d{1,2})?$/.test(t.network);
  if (t.kind !== 'wild' || t.cased) return false;
  return t.alternatives.every((p) => p.every((x) => x === STAR || (typeof x === 'string' && !/[*\x00-\x1f\x7f]/.test(x))));
};

function leafSearchable(l: Leaf): boolean {
  if (l.kind === 'exists') return true;
  if (l.kind === 'field') return l.tests.every(searchable);
  return false;
}

export function convertSplunk(rule: IrRule, warn: Warnings): string {
  const { extras } = targetPipeline('splunk');
  const all = leaves(rule);
  for (const l of all) {
    if (l.kind === 'keyword') refuseKeywords('Splunk');
    const f = l.field;
    checkField(f);
    if (l.kind === 'fieldref') l.refs.forEach(checkField);
    if (extras.objects.includes(f) && l.kind === 'field' && l.tests.length)
      throw new ConversionError(`object-as-text (${f})`, `'${f}' is a JSON object: the engine compares its JSON text, Splunk extracts only its leaves as fields`);
    if (NESTED.some((p) => f.startsWith(p)) && !f.includes('{}'))
      warn.add(`Splunk writes array elements as {} in field names (a{}.b): '${f}' matches only where no array is crossed on the path`);
    if (l.kind === 'exists' || (l.kind === 'field' && (l.matchNull || l.neq)))
      warn.add('Splunk: a missing field is tested with field=*; how a JSON null is extracted depends on the JSON extraction settings (KV_MODE/INDEXED_EXTRACTIONS)');
    if (l.kind === 'field')
      for (const t of l.tests) {
        if (t.kind === 'num' && t.part) throw new ConversionError(`modifier '${t.part}'`, `time-part modifier '${t.part}' does not convert to SPL`);
        if (t.kind === 'cidr' && !/^\d{1,3}(\.\d{1,3}){3}(\/\d{1,2})?$/.test(t.network)) throw new ConversionError("modifier 'cidr' (IPv6)", `cidr '${t.network}': only IPv4 networks convert to SPL`);
      }
  }
  const ops: Ops = {
    and: (xs) => (xs.length === 1 ? xs[0]! : `(${xs.join(' AND ')})`),
    or: (xs) => (xs.length === 1 ? xs[0]! : `(${xs.join(' OR ')})`),
    not: (x) => `NOT ${x}`,
  };
  if (all.some((l) => l.kind === 'field' && l.tests.some((t) => t.kind === 'wild' && !t.cased && t.alternatives.some((p) => p.some((x) => typeof x === 'string' && hasCase(x) && /[^\x00-\x7f]/.test(x))))))
    warn.add('Splunk: case-insensitive matching of non-ASCII letters follows Splunk search (search mode) or PCRE (?i) case folding (where mode)');
  // The rule's top-level AND: conjuncts Splunk's search can express go in the search, the rest in `| where`.
  const search: string[] = [];
  const where: string[] = [];
  for (const det of rule.detections) {
    const resolve = (e: Expr): Expr => {
      if (e.kind === 'sel') {
        const s = det.selections.get(e.name);
        if (!s) throw new ConversionError(`selection '${e.name}'`, `selection '${e.name}' is not defined`);
        return resolve(s);
      }
      if (e.kind === 'and' || e.kind === 'or') return { kind: e.kind, items: e.items.map(resolve) };
      if (e.kind === 'not') return { kind: 'not', item: resolve(e.item) };
      return e;
    };
    const conjuncts = (e: Expr): Expr[] => (e.kind === 'and' ? e.items.flatMap(conjuncts) : [e]);
    for (const c of conjuncts(resolve(det.condition))) {
      const one: IrRule = { ...rule, detections: [{ selections: new Map(), condition: c }] };
      if (leaves({ ...rule, detections: [{ selections: new Map([['_', c]]), condition: c }] }).every(leafSearchable)) search.push(renderRule(one, (l) => searchLeaf(l, ops), ops));
      else where.push(renderRule(one, (l) => whereLeaf(l, ops, warn), ops));
    }
  }
  let out = SPLUNK_BASE;
  if (search.length) out += ' ' + search.map((x) => (search.length === 1 ? unparen(x) : x)).join(' AND ');
  if (where.length) out += `\n| where ${where.length === 1 ? unparen(where[0]!) : where.join(' AND ')}`;
  return out;
}

const unparen = (s: string) => (s.startsWith('(') && s.endsWith(')') && balanced(s.slice(1, -1)) ? s.slice(1, -1) : s);
function balanced(s: string): boolean {
  let depth = 0;
  let q = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (q) {
      if (c === '\\') i++;
      else if (c === '"') q = false;
    } else if (c === '"') q = true;
    else if (c === '(') depth++;
    else if (c === ')' && --depth < 0) return false;
  }
  return depth === 0;
}

function searchValue(t: ValueTest): string {
  if (t.kind === 'cidr') return splStr(t.network);
  if (t.kind !== 'wild') throw new Error('unreachable');
  if (t.alternatives.length !== 1) throw new Error('unreachable');
  return splStr(t.alternatives[0]!.map((x) => (x === STAR ? '*' : (x as string))).join(''));
}

function searchLeaf(l: Leaf, ops: Ops): string {
  if (l.kind === 'exists') return l.want ? `${l.field}=*` : `NOT ${l.field}=*`;
  if (l.kind !== 'field') throw new Error('unreachable');
  const f = l.field;
  // Each test is one or more alternatives (windash, expand...): any of them.
  const values = l.tests.map((t) => (t.kind === 'wild' ? t.alternatives.map((p) => searchValue({ ...t, alternatives: [p] })) : [searchValue(t)]));
  const term = (vs: string[]) => (vs.length === 1 ? `${f}=${vs[0]}` : `${f} IN (${vs.join(', ')})`);
  const holds = l.all ? ops.and(values.map(term)) : values.length ? term(values.flat()) : '';
  const parts: string[] = [];
  if (l.matchNull) parts.push(`NOT ${f}=*`);
  if (holds) parts.push(holds);
  const item = parts.length === 0 ? `NOT ${f}=*` : ops.or(parts);
  return l.neq ? ops.and([`${f}=*`, ops.not(item)]) : item;
}

const q = (f: string) => `'${f}'`;

function whereTest(f: string, t: ValueTest): string {
  switch (t.kind) {
    case 'wild': {
      const res = t.alternatives.map((p) => {
        if (p.length === 1 && p[0] === STAR) return `isnotnull(${q(f)})`;
        const re = (t.cased ? '' : '(?i)') + patternRegex(p, { start: '^', end: '\\z' });
        return `isnotnull(mvfind(${q(f)}, ${splStr(re)}))`;
      });
      return res.length === 1 ? res[0]! : `(${res.join(' OR ')})`;
    }
    case 're':
      return `isnotnull(mvfind(${q(f)}, ${splStr(pcreOf(t.source, t.flags))}))`;
    case 'cidr':
      return `coalesce(mvcount(mvfilter(cidrmatch(${splStr(t.network)}, ${q(f)}))), 0) > 0`;
    case 'num': {
      const op = { lt: '<', lte: '<=', gt: '>', gte: '>=', eq: '==' }[t.op];
      return `coalesce(mvcount(mvfilter(tonumber(trim(${q(f)})) ${op} ${numberText(t.value)})), 0) > 0`;
    }
  }
}

function whereLeaf(l: Leaf, ops: Ops, warn: Warnings): string {
  if (l.kind === 'exists') return l.want ? `isnotnull(${q(l.field)})` : `isnull(${q(l.field)})`;
  if (l.kind === 'fieldref') {
    if (l.mode !== 'equals') refuseFieldref('Splunk', l.mode);
    warn.add('Splunk fieldref: compares the two fields as single values (a multivalue field is compared as a whole)');
    const text = (x: string) => (l.cased ? q(x) : `lower(${q(x)})`);
    const per = l.refs.map((r) => ops.and([`isnotnull(${q(r)})`, `${text(l.field)}==${text(r)}`]));
    const pos = ops.and([`isnotnull(${q(l.field)})`, l.all ? ops.and(per) : ops.or(per)]);
    return l.neq ? ops.and([`isnotnull(${q(l.field)})`, ops.not(pos)]) : pos;
  }
  if (l.kind !== 'field') throw new Error('unreachable');
  const f = l.field;
  const tests = l.tests.map((t) => whereTest(f, t));
  const holds = tests.length ? (l.all ? ops.and(tests) : ops.or(tests)) : '';
  const parts: string[] = [];
  if (l.matchNull) parts.push(`isnull(${q(f)})`);
  if (holds) parts.push(holds);
  const item = parts.length === 0 ? `isnull(${q(f)})` : ops.or(parts);
  return l.neq ? ops.and([`isnotnull(${q(f)})`, ops.not(item)]) : item;
}


