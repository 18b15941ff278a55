/**
 * The SQL generator for targets that query CloudTrail JSON as delivered (one JSON value per record): the engine's
 * semantics written once over a few dialect primitives (DuckDB, PostgreSQL; Spark slots in the same way).
 *
 * A field path evaluates to a *path value* P, mirroring src/sigma/fields.ts walk():
 *   P.missing     no value (engine: MISSING; also when every element of a crossed array yields nothing)
 *   P.directNull  the path reached a JSON null without crossing an array (engine: x === null)
 *   P.items       what the item's values are tested against: the elements when the value is an array (or the
 *                 path crossed arrays: "any element"), else the value itself
 * and every Sigma item is a formula over P (see leafSql). Values are always SQL literals escaped by the dialect.
 */
import { ConversionError, type Expr, type IrDetection, type IrRule, type Leaf, type ValueTest } from '../ir.js';
import { ONE, STAR, type Pattern } from '../../sigma/patterns.js';

export interface SqlDialect {
  name: string;
  /** A string literal (escaped; no injection). */
  str(s: string): string;
  /** The path value of `parts` under the record expression; a fresh name generator is passed for lambdas. */
  path(root: string, parts: string[], fresh: (p: string) => string): string;
  /** Bind a path value to a name for use in body (a let). */
  bind(value: string, name: string, body: string): string;
  missing(p: string): string;
  directNull(p: string): string;
  /** TRUE if some item e of path value p satisfies pred(e). */
  anyItem(p: string, e: string, pred: string): string;
  isArray(e: string): string;
  isNull(e: string): string;
  /** The text the engine compares (fieldText): strings raw, numbers/booleans as JS prints them, objects as JSON. */
  text(e: string): string;
  lower(t: string): string;
  /** The number of an item (JSON number, or a decimal numeric string), or SQL NULL. */
  number(e: string): string;
  like(t: string, pattern: string): string;
  /** Regular expression search; `source` is already translated for the dialect, flags applied inline. */
  regex(t: string, source: string): string;
  /** Translate a JavaScript regular expression (Sigma `re`) exactly or throw ConversionError. */
  translateRegex(source: string, flags: string): string;
  ipv4InNetwork(t: string, network: number, bits: number): string;
  /** TRUE if some scalar leaf (string, number, boolean) of the record satisfies pred(leaf). */
  anyLeaf(root: string, leaf: string, pred: string): string;
  contains(a: string, b: string): string;
  startsWith(a: string, b: string): string;
  endsWith(a: string, b: string): string;
  /** Wrap the condition in a complete query. */
  query(where: string, opts: SqlQueryOptions): string;
}

export interface SqlQueryOptions {
  table: string;
  column: string;
}

export function generateSql(rule: IrRule, d: SqlDialect, opts: SqlQueryOptions): string {
  let n = 0;
  const fresh = (p: string) => `${p}${++n}`;
  const root = quoteIdent(opts.column);
  const parts = rule.detections.map((det) => detectionSql(det, d, root, fresh));
  const where = parts.length === 1 ? parts[0]! : parts.map((p) => `(${p})`).join('\n  AND ');
  return d.query(where, opts);
}

export function quoteIdent(name: string): string {
  return name.split('.').map((p) => `"${p.replaceAll('"', '""')}"`).join('.');
}

function detectionSql(det: IrDetection, d: SqlDialect, root: string, fresh: (p: string) => string): string {
  return conditionSql(det, (leaf) => leafSql(leaf, d, root, fresh));
}

/**
 * A detection's condition tree as SQL boolean logic (AND/OR/NOT over selections, indented), every dialect's leaves
 * rendered by `leaf`. Shared by the JSON dialects above and the Trino/Athena family (trino.ts).
 */
export function conditionSql(det: IrDetection, leaf: (e: Exclude<Expr, { kind: 'and' | 'or' | 'not' | 'sel' }>) => string): string {
  const expr = (e: Expr, depth: number): string => {
    const ind = '\n' + '  '.repeat(depth + 1);
    switch (e.kind) {
      case 'and':
      case 'or':
        return '(' + e.items.map((x) => expr(x, depth + 1)).join(`${ind}${e.kind.toUpperCase()} `) + ')';
      case 'not':
        return `(NOT ${expr(e.item, depth + 1)})`;
      case 'sel': {
        const s = det.selections.get(e.name);
        if (!s) throw new ConversionError(`selection '${e.name}'`, `selection '${e.name}' is not defined`);
        return expr(s, depth);
      }
      default:
        return leaf(e);
    }
  };
  return expr(det.condition, 0);
}

const TRUE = 'TRUE';
const FALSE = 'FALSE';
const or = (xs: string[]) => (xs.length === 0 ? FALSE : xs.length === 1 ? xs[0]! : `(${xs.join(' OR ')})`);
const and = (xs: string[]) => (xs.length === 0 ? TRUE : xs.length === 1 ? xs[0]! : `(${xs.join(' AND ')})`);
/** Never let SQL NULL leak into the boolean logic (NOT NULL is NULL, not TRUE). */
const bool = (x: string) => `COALESCE(${x}, FALSE)`;

function pathOf(field: string): string[] {
  return field.split('.');
}

function leafSql(l: Leaf, d: SqlDialect, root: string, fresh: (p: string) => string): string {
  if (l.kind === 'keyword') {
    const leaf = fresh('k');
    return d.anyLeaf(root, leaf, bool(patternSql(d.lower(d.text(leaf)), l.pattern, false, d)));
  }
  const p = fresh('p');
  const pathValue = d.path(root, pathOf(l.field), fresh);
  if (l.kind === 'exists') {
    const present = `(NOT ${d.missing(p)} AND NOT ${d.directNull(p)})`;
    return d.bind(pathValue, p, l.want ? present : `(NOT ${present})`);
  }
  if (l.kind === 'fieldref') {
    const textOf = (x: string) => (l.cased ? d.text(x) : d.lower(d.text(x)));
    const cmp = (a: string, b: string) =>
      l.mode === 'equals' ? `(${a} = ${b})` : l.mode === 'contains' ? d.contains(a, b) : l.mode === 'startswith' ? d.startsWith(a, b) : d.endsWith(a, b);
    const a = fresh('a');
    const hasMine = d.anyItem(p, a, `NOT ${d.isNull(a)}`);
    const perRef = l.refs.map((ref) => {
      const q = fresh('q');
      const b = fresh('b');
      const a2 = fresh('a');
      const inner = d.anyItem(p, a2, `(NOT ${d.isNull(a2)} AND ${d.anyItem(q, b, `(NOT ${d.isNull(b)} AND ${bool(cmp(textOf(a2), textOf(b)))})`)})`);
      return d.bind(d.path(root, pathOf(ref), fresh), q, inner);
    });
    const positive = `(${hasMine} AND ${l.all ? and(perRef) : or(perRef)})`;
    return d.bind(pathValue, p, l.neq ? `(${hasMine} AND NOT ${positive})` : positive);
  }
  // A field item.
  const e = fresh('e');
  const tests = l.tests.map((t) => bool(valueTestSql(t, e, d)));
  const needNull = l.matchNull ? TRUE : FALSE;
  let holds: string;
  if (!l.all) {
    const scalar = `(CASE WHEN ${d.isNull(e)} THEN ${needNull} ELSE ${or(tests)} END)`;
    holds = `(CASE WHEN ${d.missing(p)} THEN ${needNull} ELSE ${d.anyItem(p, e, `(NOT ${d.isArray(e)} AND ${scalar})`)} END)`;
  } else {
    // Each value held by some element; an element that is itself an array is compared by its JSON text.
    const each = l.tests.map((t) => {
      const ei = fresh('e');
      return d.anyItem(p, ei, `(NOT ${d.isNull(ei)} AND ${bool(valueTestSql(t, ei, d))})`);
    });
    holds = `(NOT ${d.missing(p)} AND ${and(each)})`;
  }
  const body = l.neq ? `(NOT ${d.missing(p)} AND NOT ${d.directNull(p)} AND NOT ${holds})` : holds;
  return d.bind(pathValue, p, body);
}

function valueTestSql(t: ValueTest, e: string, d: SqlDialect): string {
  switch (t.kind) {
    case 'wild': {
      const text = t.cased ? d.text(e) : d.lower(d.text(e));
      return or(t.alternatives.map((p) => patternSql(text, p, t.cased, d)));
    }
    case 're':
      return d.regex(d.text(e), d.translateRegex(t.source, t.flags));
    case 'cidr': {
      const m = /^(\d{1,3}(?:\.\d{1,3}){3})(?:\/(\d{1,2}))?$/.exec(t.network);
      if (!m) throw new ConversionError("modifier 'cidr' (IPv6)", `cidr '${t.network}': only IPv4 networks convert to SQL`);
      const net = m[1]!.split('.').reduce((a, o) => a * 256 + Number(o), 0);
      const bits = m[2] === undefined ? 32 : Number(m[2]);
      return d.ipv4InNetwork(d.text(e), net, bits);
    }
    case 'num': {
      if (t.part) throw new ConversionError(`modifier '${t.part}'`, `time-part modifier '${t.part}' does not convert to SQL yet`);
      const op = { lt: '<', lte: '<=', gt: '>', gte: '>=', eq: '=' }[t.op];
      return `(${d.number(e)} ${op} ${numberLiteral(t.value)})`;
    }
  }
}

export function numberLiteral(n: number): string {
  if (!Number.isFinite(n)) throw new ConversionError('number', `number ${n} is not finite`);
  return `CAST('${String(n)}' AS DOUBLE PRECISION)`;
}

/** Whole-value match of a wildcard pattern: equality when there is no wildcard, LIKE (escape `\`) otherwise. */
function patternSql(text: string, p: Pattern, cased: boolean, d: SqlDialect): string {
  const norm = (s: string) => (cased ? s : s.toLowerCase());
  if (p.every((t) => typeof t === 'string')) return `(${text} = ${d.str(norm(p.join('')))})`;
  if (p.length === 1 && p[0] === STAR) return TRUE;
  const like = p
    .map((t) => (t === STAR ? '%' : t === ONE ? '_' : norm(t).replace(/[\\%_]/g, (c) => '\\' + c)))
    .join('');
  return d.like(text, like);
}
