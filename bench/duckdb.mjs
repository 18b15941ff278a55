// DuckDB reference for the benchmark: every rule's FULL detection translated to one DuckDB SQL predicate, so
// DuckDB counts, per rule, the events the rule matches, the same work `tideline hunt` does. run.mjs builds the
// query here and starts this file as a child process to run it, so DuckDB's wall time and peak RSS are measured
// apart from the harness, exactly like Tideline's.
//
//   node bench/duckdb.mjs SPEC.json          -> one JSON line: { variant, querySeconds, duckdbVersion, failures, row }
//   node bench/duckdb.mjs --describe GLOB    -> one JSON line: the type DuckDB infers for Records (see inferredSchema)
//
// SPEC.json = { threads, setup: [sql], variants: [{ name, sql }] }: setup (macros) runs first, then the variants are
// tried in order and the first that runs wins.
//
// How a rule becomes SQL
// ----------------------
// The rules are loaded by Tideline itself (dist/sigma/load.js) and read through its converter IR
// (dist/convert/ir.js), so every value and modifier is read exactly as the engine reads it (wildcards, escapes,
// contains/startswith/endswith already applied, windash/base64 expanded). The IR is then rendered here with the
// engine's semantics (src/sigma/values.ts, fields.ts; ../shared/DESIGN.md "Sigma semantics"):
//   - a field's text is the string itself, numbers/booleans as JavaScript prints them, objects as compact JSON;
//     string tests are case-insensitive unless `cased` (lower() on both sides);
//   - a missing field and JSON null behave the same for every item; `null` matches them, `exists` tests presence;
//   - arrays: an item holds if any element holds; a path through an array fans out (resources.ARN);
//   - `re` is an unanchored JavaScript regex search (translated to RE2 below, or refused);
//   - a construct with no exact SQL rendering throws NotInSql: the rule is listed "not in SQL" with the construct.
// Field access depends on the schema DuckDB reads the corpus with (typedSchema, inferredSchema below): plain
// VARCHAR columns for scalar fields, and a JSON "path value" walk (the tl_* macros) under JSON values.
//
// Assumptions about the data, not about the rules (true of CloudTrail; the per-rule count check in run.mjs
// verifies the whole translation on the corpus):
//   - no key literally contains a dot ("a.b" as one key): the engine would prefer it, SQL walks a then b;
//   - in the typed schema, fields declared VARCHAR hold scalars (CloudTrail documents them as strings);
//   - text of an object is DuckDB's re-serialised JSON: equal to JavaScript's JSON.stringify for strings,
//     integers, booleans and null, but DuckDB may print a non-integer number differently (1.0 vs 1, 1e21 vs 1e+21);
//   - lower() and LIKE '_' follow Unicode in DuckDB, JavaScript's toLowerCase and regexes differ for a few
//     non-ASCII characters (the corpus is ASCII).
// bench/duckdb-selftest.mjs checks the translation against the engine on crafted edge cases (arrays crossed on a
// path, nulls, numbers, objects as text, fieldref, regex flags, cidr) that the corpus does not hold.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

// Pattern tokens of src/sigma/patterns.ts (a Pattern is literal strings and these two numbers).
const STAR = 0;
const ONE = 1;

/** A construct that has no exact SQL rendering: the rule is reported "not in SQL" naming it. */
export class NotInSql extends Error {
  constructor(construct, message) {
    super(message ?? construct);
    this.construct = construct;
  }
}

// ---------------------------------------------------------------------------------------------------
// Loading: the rules `tideline hunt` runs (CloudTrail logsource, meta-filters applied), as IR.
// ---------------------------------------------------------------------------------------------------
const distUrl = (p) => new URL(`../dist/${p}`, import.meta.url).href;

/**
 * Load rules with Tideline's own loader, keep what hunt keeps (selectRules: CloudTrail rules), and build each
 * rule's IR. Returns [{ title, id, file, ir }] ({ notInSql } instead of ir when the IR itself cannot be built).
 */
export async function loadRuleIrs(paths) {
  const [{ loadRules }, { ruleIr, ConversionError }, { selectRules }, patterns] = await Promise.all([
    import(distUrl('sigma/load.js')), import(distUrl('convert/ir.js')), import(distUrl('detect/selection.js')), import(distUrl('sigma/patterns.js')),
  ]);
  if (patterns.STAR !== STAR || patterns.ONE !== ONE) throw new Error('dist/sigma/patterns.js: STAR/ONE tokens changed; update bench/duckdb.mjs');
  const set = loadRules(paths, {});
  const errors = set.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length) throw new Error(`rule errors: ${errors.slice(0, 3).map((d) => `${d.file}:${d.line}: ${d.message}`).join('; ')}`);
  const { selected } = selectRules(set.rules, {});
  return selected.map((r) => {
    const base = { title: r.title, id: r.id, file: r.file };
    try {
      return { ...base, ir: ruleIr(r, set.filters) };
    } catch (e) {
      if (e instanceof ConversionError) return { ...base, notInSql: e.construct };
      throw e;
    }
  });
}

/** Every field path the rules read (items and fieldref targets), with how: 'text' when a string/number test reads it. */
export function usedFields(irs) {
  const out = new Map(); // field -> Set of uses
  const add = (f, use) => (out.get(f) ?? out.set(f, new Set()).get(f)).add(use);
  const visit = (e) => {
    switch (e.kind) {
      case 'and': case 'or': e.items.forEach(visit); break;
      case 'not': visit(e.item); break;
      case 'field': add(e.field, e.tests.length ? 'text' : 'presence'); break;
      case 'exists': add(e.field, 'presence'); break;
      case 'fieldref': add(e.field, 'text'); e.refs.forEach((r) => add(r, 'text')); break;
      default:
    }
  };
  for (const r of irs) for (const d of r.ir?.detections ?? []) d.selections.forEach(visit);
  return out;
}

// ---------------------------------------------------------------------------------------------------
// SQL building blocks
// ---------------------------------------------------------------------------------------------------
const str = (s) => `'${String(s).replaceAll("'", "''")}'`;
const ident = (s) => `"${String(s).replaceAll('"', '""')}"`;
const or = (xs) => (xs.length === 0 ? 'FALSE' : xs.length === 1 ? xs[0] : `(${xs.join(' OR ')})`);
const and = (xs) => (xs.length === 0 ? 'TRUE' : xs.length === 1 ? xs[0] : `(${xs.join(' AND ')})`);
/** SQL NULL must never reach NOT (NOT NULL is NULL, not TRUE): every leaf is closed with this. */
const bool = (x) => (x === 'TRUE' || x === 'FALSE' ? x : `COALESCE(${x}, FALSE)`);
/**
 * AND / OR of a rule's condition, evaluated lazily. DuckDB evaluates both sides of AND/OR for every row inside
 * an aggregate's FILTER, but a CASE evaluates a branch only for the rows that reach it. So the cheap operands
 * (plain column tests: eventName = ...) go first and the costly ones (JSON walks, regexes) run only on the rows
 * that passed them, as the engine's rule index does. Every operand is a closed boolean (never NULL), so reordering
 * and CASE keep the exact logic.
 */
const cost = (sql) => (sql.match(/tl_|regexp_|list_/g)?.length ?? 0) * 100 + sql.length / 1000;
const byCost = (xs) => xs.map((x, i) => [cost(x), i, x]).sort((a, b) => a[0] - b[0] || a[1] - b[1]).map((t) => t[2]);
function lazyAnd(xs) {
  if (xs.length <= 1) return and(xs);
  const [first, ...rest] = byCost(xs);
  return `(CASE WHEN ${first} THEN ${lazyAnd(rest)} ELSE FALSE END)`;
}
function lazyOr(xs) {
  if (xs.length <= 1) return or(xs);
  const [first, ...rest] = byCost(xs);
  return `(CASE WHEN ${first} THEN TRUE ELSE ${lazyOr(rest)} END)`;
}
/** JSON path of one key, taken literally (quoted: keys may hold any character). */
const keyPath = (k) => str(`$."${k.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`);

// JavaScript's whitespace (String.prototype.trim, Number(), \s) as an RE2 class body.
const JS_SPACE = '\\t\\n\\x{0B}\\f\\r \\x{A0}\\x{1680}\\x{2000}-\\x{200A}\\x{2028}\\x{2029}\\x{202F}\\x{205F}\\x{3000}\\x{FEFF}';
const jsTrim = (t) => `regexp_replace(${t}, ${str(`^[${JS_SPACE}]+|[${JS_SPACE}]+$`)}, '', 'g')`;

/**
 * Macros for values under a JSON column (requestParameters, ...), mirroring src/sigma/fields.ts walk():
 * a frontier is a list of {n: JSON node, c: crossed an array}; each key step first fans arrays out into their
 * elements (two levels, then a loud error rather than a silent difference), then takes the key.
 * tl_value turns the final frontier into what an item tests: `items` (an array value's elements, else the value),
 * `crossed`, `finals` (0: the path does not exist) and `direct_null` (the path reached a JSON null, no array crossed).
 */
const FRONTIER = 'STRUCT(n JSON, c BOOLEAN)[]';
export const SETUP_SQL = [
  `CREATE MACRO tl_start(j) AS CASE WHEN j IS NULL THEN []::${FRONTIER} ELSE [{'n': j, 'c': FALSE}]::${FRONTIER} END`,
  `CREATE MACRO tl_fan(f) AS flatten(list_transform(f, s -> CASE WHEN json_type(s.n) = 'ARRAY' THEN list_transform(json_extract(s.n, '$[*]'), e -> {'n': e, 'c': TRUE}) ELSE [s] END))`,
  `CREATE MACRO tl_step(f, p) AS list_filter(list_transform(tl_fan(tl_fan(f)), s -> CASE WHEN json_type(s.n) = 'ARRAY' THEN error('bench: arrays nested more than 2 deep on a rule field path') ELSE {'n': json_extract(s.n, p), 'c': s.c} END), s -> s.n IS NOT NULL)`,
  `CREATE MACRO tl_value(f) AS (list_transform([f], g -> {'items': flatten(list_transform(g, s -> CASE WHEN json_type(s.n) = 'ARRAY' THEN json_extract(s.n, '$[*]') ELSE [s.n] END)), 'crossed': COALESCE(list_bool_or(list_transform(g, s -> s.c)), FALSE), 'finals': len(g), 'direct_null': len(g) = 1 AND NOT g[1].c AND json_type(g[1].n) = 'NULL'}))[1]`,
  // fieldText of one JSON item: strings raw; numbers as JavaScript prints the double JSON.parse makes of them:
  // integral ones up to 2^53 without '.0', others when DuckDB prints them without an exponent (where the two agree:
  // both print the shortest round-trip digits); anything else is a loud error, never a silent difference.
  `CREATE MACRO tl_double_text(d) AS CASE WHEN d = trunc(d) AND abs(d) <= 9007199254740992 THEN CAST(CAST(d AS BIGINT) AS VARCHAR) WHEN d = trunc(d) OR contains(lower(CAST(d AS VARCHAR)), 'e') THEN error('bench: a number beyond 2^53 or in exponent notation has no exact JavaScript text in SQL') ELSE CAST(d AS VARCHAR) END`,
  `CREATE MACRO tl_text(e) AS CASE json_type(e) WHEN 'VARCHAR' THEN json_extract_string(e, '$') WHEN 'BOOLEAN' THEN CAST(e AS VARCHAR) WHEN 'BIGINT' THEN tl_double_text(CAST(e AS DOUBLE)) WHEN 'UBIGINT' THEN tl_double_text(CAST(e AS DOUBLE)) WHEN 'DOUBLE' THEN tl_double_text(CAST(e AS DOUBLE)) ELSE CAST(e AS VARCHAR) END`,
  // toNumber (src/sigma/values.ts): numbers, and strings Number() reads as a finite number.
  `CREATE MACRO tl_str_num(s) AS (list_transform([${jsTrim('s')}], t -> CASE WHEN regexp_full_match(t, '[+-]?([0-9]+\\.?[0-9]*|\\.[0-9]+)([eE][+-]?[0-9]+)?') THEN (CASE WHEN isfinite(TRY_CAST(t AS DOUBLE)) THEN TRY_CAST(t AS DOUBLE) END) WHEN regexp_full_match(t, '0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+') THEN error('bench: hexadecimal/octal/binary numeric strings are not translated') END))[1]`,
  `CREATE MACRO tl_num(e) AS CASE json_type(e) WHEN 'BIGINT' THEN CAST(e AS DOUBLE) WHEN 'UBIGINT' THEN CAST(e AS DOUBLE) WHEN 'DOUBLE' THEN CAST(e AS DOUBLE) WHEN 'VARCHAR' THEN tl_str_num(json_extract_string(e, '$')) END`,
];

// ---------------------------------------------------------------------------------------------------
// Regular expressions: JavaScript (no `u` flag, as the engine compiles them) -> RE2, exactly or refused.
// ---------------------------------------------------------------------------------------------------
const RE2_CLASS_SPECIAL = /[\\\]\[^-]/;

export function translateRegex(source, flags) {
  const fail = (what) => { throw new NotInSql(`regular expression ${what}`, `/${source}/${flags}: ${what} has no exact RE2 equivalent`); };
  if (flags.includes('m')) fail("flag 'm' (JavaScript also breaks lines at \\r, U+2028, U+2029)");
  const ci = flags.includes('i');
  const dotAll = flags.includes('s');
  // With `i`, JavaScript (no `u`) folds ASCII letters only to ASCII: spelled out as [aA] so RE2's Unicode folding never applies.
  const lit = (ch) => {
    if (ci && /[a-z]/i.test(ch)) return `[${ch.toLowerCase()}${ch.toUpperCase()}]`;
    if (ci && /[^\x00-\x7f]/.test(ch) && ch.toLowerCase() !== ch.toUpperCase()) fail('a non-ASCII letter with flag i');
    const cp = ch.codePointAt(0);
    if (cp < 0x20 || cp === 0x7f) return `\\x{${cp.toString(16)}}`;
    return /[\\^$.|?*+()[\]{}]/.test(ch) ? `\\${ch}` : ch;
  };
  const classChar = (ch) => (RE2_CLASS_SPECIAL.test(ch) ? `\\${ch}` : ch.codePointAt(0) < 0x20 ? `\\x{${ch.codePointAt(0).toString(16)}}` : ch);
  // An escape at source[i] ('\'): [kind, text, length]; kind 'char' (one character) or 'class' (RE2 text).
  const escape = (i, inClass) => {
    const n = source[i + 1];
    if (n === undefined) fail('a trailing backslash');
    if (/[1-9]/.test(n)) fail('a back-reference');
    if (n === 'k' || n === 'c') fail(`the escape '\\${n}'`);
    if (n === 'd' || n === 'D' || n === 'w' || n === 'W') return ['class', `\\${n}`, 2]; // ASCII in both
    if (n === 's') return ['class', inClass ? JS_SPACE : `[${JS_SPACE}]`, 2];
    if (n === 'S') { if (inClass) fail("'\\S' in a class"); return ['class', `[^${JS_SPACE}]`, 2]; }
    if (n === 'b' || n === 'B') return inClass ? (n === 'b' ? ['char', '\b', 2] : fail("'\\B' in a class")) : ['class', `\\${n}`, 2];
    const simple = { t: '\t', n: '\n', r: '\r', f: '\f', v: '\v' };
    if (n in simple) return ['char', simple[n], 2];
    if (n === '0' && !/[0-9]/.test(source[i + 2] ?? '')) return ['char', '\0', 2];
    const hex = (len) => source.slice(i + 2, i + 2 + len);
    if (n === 'x' && /^[0-9a-fA-F]{2}$/.test(hex(2))) return ['char', String.fromCharCode(parseInt(hex(2), 16)), 4];
    if (n === 'u' && /^[0-9a-fA-F]{4}$/.test(hex(4))) {
      const code = parseInt(hex(4), 16);
      if (code >= 0xd800 && code <= 0xdfff) fail('a surrogate escape');
      return ['char', String.fromCharCode(code), 6];
    }
    return ['char', n, 2]; // identity escape: `\.` is '.', and without `u` `\a` is 'a'
  };
  const parseClass = (i) => {
    // source[i] === '['; returns [RE2 text, length]
    let j = i + 1;
    const negated = source[j] === '^';
    if (negated) j++;
    if (source[j] === ']') { if (negated) return [dotAll ? '(?s:.)' : '(?s:.)', j + 1 - i]; fail("the empty class '[]'"); }
    const items = []; // {lo, hi} single chars/ranges, or {cls}
    const atom = () => {
      if (source[j] === '\\') { const [kind, text, len] = escape(j, true); j += len; return kind === 'char' ? { ch: text } : { cls: text }; }
      const ch = String.fromCodePoint(source.codePointAt(j));
      if (ch.length > 1) fail('a non-BMP character in a class');
      j += 1;
      return { ch };
    };
    while (j < source.length && source[j] !== ']') {
      const a = atom();
      if (a.ch !== undefined && source[j] === '-' && source[j + 1] !== undefined && source[j + 1] !== ']') {
        j++;
        const b = atom();
        if (b.ch === undefined) fail('a range ending in a class escape');
        items.push({ lo: a.ch, hi: b.ch });
      } else items.push(a.ch !== undefined ? { lo: a.ch, hi: a.ch } : a);
    }
    if (source[j] !== ']') fail('an unterminated class');
    let body = '';
    for (const it of items) {
      if (it.cls) { body += it.cls; continue; }
      body += it.lo === it.hi ? classChar(it.lo) : `${classChar(it.lo)}-${classChar(it.hi)}`;
      if (!ci) continue;
      const [lo, hi] = [it.lo.charCodeAt(0), it.hi.charCodeAt(0)];
      const within = (a, z) => lo >= a.charCodeAt(0) && hi <= z.charCodeAt(0);
      const touches = (a, z) => hi >= a.charCodeAt(0) && lo <= z.charCodeAt(0);
      if (within('a', 'z')) body += `${it.lo.toUpperCase()}-${it.hi.toUpperCase()}`;
      else if (within('A', 'Z')) body += `${it.lo.toLowerCase()}-${it.hi.toLowerCase()}`;
      else if (touches('a', 'z') || touches('A', 'Z') || hi > 0x7f) fail('a class range across letters with flag i');
    }
    return [`[${negated ? '^' : ''}${body}]`, j + 1 - i];
  };

  let out = '';
  for (let i = 0; i < source.length;) {
    const c = source[i];
    if (c === '\\') {
      const [kind, text, len] = escape(i, false);
      out += kind === 'char' ? lit(text) : text;
      i += len;
    } else if (c === '[') {
      const [text, len] = parseClass(i);
      out += text;
      i += len;
    } else if (c === '(') {
      if (source[i + 1] !== '?') { out += '('; i++; continue; }
      if (source.startsWith('(?:', i)) { out += '(?:'; i += 3; continue; }
      const named = /^\(\?<([A-Za-z_][A-Za-z0-9_]*)>/.exec(source.slice(i));
      if (named) { out += `(?P<${named[1]}>`; i += named[0].length; continue; }
      fail('a lookaround or special group');
    } else if (c === '.') {
      out += dotAll ? '(?s:.)' : '[^\\n\\r\\x{2028}\\x{2029}]';
      i++;
    } else if (c === '{') {
      const q = /^\{\d+(,\d*)?\}\??/.exec(source.slice(i));
      if (q) { out += q[0]; i += q[0].length; } else { out += '\\{'; i++; } // not a quantifier: literal in JS
    } else if ('^$|)*+?'.includes(c)) {
      out += c;
      i++;
    } else {
      const ch = String.fromCodePoint(source.codePointAt(i));
      if (ch.length > 1) fail('a non-BMP character (JavaScript matches it as two code units)');
      out += lit(ch);
      i += ch.length;
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------
// Schemas: how a field path is read. access(field) returns
//   { kind: 'scalar', sql, type }   a typed SQL scalar, NULL when missing or null
//   { kind: 'json', root, parts }   a JSON value (NULL when missing) and the keys still to walk under it
//   { kind: 'none' }                the field cannot exist in what DuckDB read (inferred schema only)
// ---------------------------------------------------------------------------------------------------

// CloudTrail fields whose shape depends on the API called: declared JSON in the typed schema (a STRUCT cannot be
// declared from the rules alone, and rules search them as text). resources is a list: JSON fans it out.
const FREE_FORM = new Set(['requestParameters', 'responseElements', 'additionalEventData', 'serviceEventData', 'resources', 'insightDetails']);

/**
 * The strongest honest formulation: only the fields the rules use are declared, scalars as VARCHAR inside their
 * STRUCTs (DuckDB builds no vectors for the other ~20 CloudTrail fields); free-form objects, and any object a rule
 * also tests as a whole (its JSON text), are declared JSON.
 */
export function typedSchema(fields) {
  const root = { children: new Map(), leaf: false };
  for (const f of fields) {
    let node = root;
    for (const part of f.split('.')) node = node.children.get(part) ?? node.children.set(part, { children: new Map(), leaf: false }).get(part);
    node.leaf = true;
  }
  const isJson = (node, name, depth) => (depth === 0 && FREE_FORM.has(name)) || (node.leaf && node.children.size > 0);
  const typeOf = (node, name, depth) => {
    if (isJson(node, name, depth)) return 'JSON';
    if (node.children.size === 0) return 'VARCHAR';
    return `STRUCT(${[...node.children].map(([k, c]) => `${ident(k)} ${typeOf(c, k, depth + 1)}`).join(', ')})`;
  };
  const recordType = `STRUCT(${[...root.children].map(([k, c]) => `${ident(k)} ${typeOf(c, k, 0)}`).join(', ')})[]`;
  const access = (field) => {
    const parts = field.split('.');
    let node = root;
    let sql = 'r';
    for (let i = 0; i < parts.length; i++) {
      node = node.children.get(parts[i]);
      if (!node) throw new Error(`typed schema: field ${field} was not declared`);
      sql += `.${ident(parts[i])}`;
      if (isJson(node, parts[i], i)) return { kind: 'json', root: sql, parts: parts.slice(i + 1) };
    }
    return { kind: 'scalar', sql, type: 'VARCHAR' };
  };
  return { name: 'typed', recordType, access };
}

const EXACT_SCALARS = new Set(['VARCHAR', 'BOOLEAN', 'TINYINT', 'SMALLINT', 'INTEGER', 'BIGINT', 'UTINYINT', 'USMALLINT', 'UINTEGER', 'UBIGINT', 'HUGEINT', 'DOUBLE', 'FLOAT']);

/**
 * What an analyst types: read_json with no columns. Paths are resolved against the type DuckDB inferred (the
 * --describe mode): STRUCT fields directly; below a MAP, LIST or JSON through to_json and the JSON walk; a key
 * the inferred STRUCT lacks cannot exist in what DuckDB read (constant missing). Where DuckDB's inference loses
 * information the engine uses (a STRUCT's JSON text, a TIMESTAMP's or UUID's original text), the rule is refused
 * (NotInSql) for this schema.
 */
export function inferredSchema(tree) {
  const hasStruct = (t) => !!t && (t.struct ? true : hasStruct(t.list ?? t.map));
  // to_json() of an inferred STRUCT is not the record's JSON: every key of the schema appears (null when the record
  // lacks it) in schema order, so text tests, null tests and presence through it would be approximations: refused.
  const asJson = (sql, t, field) => {
    if (t.scalar) return sql; // JSON alias
    if (hasStruct(t)) throw new NotInSql(`inferred STRUCT read as JSON (${field})`, `DuckDB inferred ${field} as a STRUCT: to_json() adds the absent keys as null, in schema order`);
    return `to_json(${sql})`;
  };
  const recordStruct = tree?.list?.struct;
  if (!recordStruct) throw new Error(`inferred schema: Records is not a list of STRUCT: ${JSON.stringify(tree).slice(0, 200)}`);
  const access = (field) => {
    const parts = field.split('.');
    let t = { struct: recordStruct };
    let sql = 'r';
    for (let i = 0; i < parts.length; i++) {
      if (t.struct) {
        if (!Object.hasOwn(t.struct, parts[i])) return { kind: 'none' };
        t = t.struct[parts[i]];
        sql += `.${ident(parts[i])}`;
        continue;
      }
      if (t.scalar && t.alias !== 'JSON') return { kind: 'none' }; // a key under a scalar does not exist
      return { kind: 'json', root: asJson(sql, t, parts.slice(0, i).join('.')), parts: parts.slice(i) };
    }
    if (t.scalar && t.alias === 'JSON') return { kind: 'json', root: sql, parts: [] };
    if (t.scalar) {
      if (!EXACT_SCALARS.has(t.scalar)) throw new NotInSql(`inferred type ${t.scalar} (${field})`, `DuckDB inferred ${field} as ${t.scalar}: the JSON text the engine compares is not kept`);
      return { kind: 'scalar', sql, type: t.scalar };
    }
    return { kind: 'json', root: asJson(sql, t, field), parts: [] };
  };
  return { name: 'inferred', access };
}

// ---------------------------------------------------------------------------------------------------
// Rendering the IR. One Renderer per query: it also collects the per-record projections (each field read and
// lower-cased once per record, not once per rule).
// ---------------------------------------------------------------------------------------------------
class Renderer {
  constructor(schema) {
    this.schema = schema;
    this.columns = new Map(); // SQL expression -> alias, computed once per record in the inner projection
    this.n = 0;
  }

  fresh(p) { return `${p}${++this.n}`; }

  col(sql) {
    if (!this.columns.has(sql)) this.columns.set(sql, `c${this.columns.size + 1}`);
    return this.columns.get(sql);
  }

  rule(ir) {
    return lazyAnd(ir.detections.map((d) => this.expr(d.condition, d)));
  }

  expr(e, det) {
    switch (e.kind) {
      case 'and': return lazyAnd(e.items.map((x) => this.expr(x, det)));
      case 'or': return lazyOr(e.items.map((x) => this.expr(x, det)));
      case 'not': return `(NOT ${this.expr(e.item, det)})`;
      case 'sel': {
        const s = det.selections.get(e.name);
        if (!s) throw new NotInSql(`selection '${e.name}'`);
        return this.expr(s, det);
      }
      case 'field': return this.fieldItem(e);
      case 'exists': return this.exists(e);
      case 'fieldref': return this.fieldref(e);
      case 'keyword': throw new NotInSql('keywords', 'keywords search every leaf of the record: no whole record in the typed schema');
      default: throw new NotInSql(`IR node '${e.kind}'`);
    }
  }

  // --- field values -----------------------------------------------------------------------------
  value(field) {
    const v = this.schema.access(field);
    if (v.kind === 'scalar') return { ...v, sql: this.col(v.sql) };
    if (v.kind === 'json') {
      let f = `tl_start(${this.col(v.root)})`;
      for (const k of v.parts) f = `tl_step(${f}, ${keyPath(k)})`;
      return { kind: 'json', walk: `tl_value(${f})` };
    }
    return v;
  }

  /** Bind a JSON path value to a lambda parameter (evaluated once) and build the predicate over it. */
  bindJson(v, body) {
    const p = this.fresh('p');
    return `(list_transform([${v.walk}], ${p} -> ${body(p)}))[1]`;
  }

  /** fieldText of a scalar column (the engine's text of a number/boolean is its JavaScript form). */
  scalarText(v) {
    switch (v.type) {
      case 'VARCHAR': return v.sql;
      case 'BOOLEAN': return this.col(`CAST(${v.sql} AS VARCHAR)`);
      case 'DOUBLE': case 'FLOAT': return this.col(`tl_double_text(CAST(${v.sql} AS DOUBLE))`);
      default: return this.col(`tl_double_text(CAST(${v.sql} AS DOUBLE))`); // integers: exact up to 2^53, as JSON.parse
    }
  }

  scalarNumber(v) {
    if (v.type === 'VARCHAR') return `tl_str_num(${v.sql})`;
    if (v.type === 'BOOLEAN') return 'NULL';
    return `CAST(${v.sql} AS DOUBLE)`;
  }

  // --- value tests (ir.ts ValueTest) over one non-null text ----------------------------------------
  /** OR of the tests; text/lower are SQL of the item's text and its lower-case (lower only built if needed). */
  tests(tests, text, lower, number) {
    const out = [];
    const eq = { cased: [], folded: [] };
    for (const t of tests) {
      if (t.kind === 'wild') {
        for (const p of t.alternatives) {
          if (p.every((x) => typeof x === 'string')) eq[t.cased ? 'cased' : 'folded'].push(t.cased ? p.join('') : p.join('').toLowerCase());
          else out.push(this.pattern(t.cased ? text() : lower(), p, t.cased));
        }
      } else out.push(this.valueTest(t, text, number));
    }
    if (eq.folded.length) out.unshift(eq.folded.length === 1 ? `${lower()} = ${str(eq.folded[0])}` : `${lower()} IN (${eq.folded.map(str).join(', ')})`);
    if (eq.cased.length) out.unshift(eq.cased.length === 1 ? `${text()} = ${str(eq.cased[0])}` : `${text()} IN (${eq.cased.map(str).join(', ')})`);
    return out;
  }

  /** Whole-value wildcard match; the cheap shapes (prefix, suffix, substring) as functions, LIKE otherwise. */
  pattern(t, p, cased) {
    const norm = (s) => (cased ? s : s.toLowerCase());
    if (p.length === 1 && p[0] === STAR) return 'TRUE';
    const [a, b, c] = p;
    if (p.length === 2 && typeof a === 'string' && b === STAR) return `starts_with(${t}, ${str(norm(a))})`;
    if (p.length === 2 && a === STAR && typeof b === 'string') return `ends_with(${t}, ${str(norm(b))})`;
    if (p.length === 3 && a === STAR && typeof b === 'string' && c === STAR) return `contains(${t}, ${str(norm(b))})`;
    const like = p.map((x) => (x === STAR ? '%' : x === ONE ? '_' : norm(x).replace(/[\\%_]/g, (m) => `\\${m}`))).join('');
    return `(${t} LIKE ${str(like)} ESCAPE '\\')`;
  }

  valueTest(t, text, number) {
    switch (t.kind) {
      case 're': return `regexp_matches(${text()}, ${str(translateRegex(t.source, t.flags))})`;
      case 'cidr': return this.cidr(text(), t.network);
      case 'num': {
        if (t.part) throw new NotInSql(`modifier '${t.part}'`, 'time-part modifiers are not translated');
        if (!Number.isFinite(t.value)) throw new NotInSql('a non-finite number');
        const op = { lt: '<', lte: '<=', gt: '>', gte: '>=', eq: '=' }[t.op];
        return `${number()} ${op} CAST(${str(String(t.value))} AS DOUBLE)`;
      }
      default: throw new NotInSql(`value test '${t.kind}'`);
    }
  }

  /** parseCidr (src/sigma/values.ts), IPv4 only: trimmed dotted quad, each octet <= 255, same network. */
  cidr(text, network) {
    const m = /^(\d{1,3}(?:\.\d{1,3}){3})(?:\/(\d{1,2}))?$/.exec(network);
    if (!m || m[1].split('.').some((o) => Number(o) > 255) || Number(m[2] ?? 32) > 32) throw new NotInSql("modifier 'cidr' (IPv6)", `cidr '${network}': only IPv4 networks are translated`);
    const bits = Number(m[2] ?? 32);
    const div = 2 ** (32 - bits);
    const net = Math.floor(m[1].split('.').reduce((a, o) => a * 256 + Number(o), 0) / div);
    const ip = this.fresh('ip');
    const oct = (k) => `TRY_CAST(string_split(${ip}, '.')[${k}] AS BIGINT)`;
    const value = `(${oct(1)} * 16777216 + ${oct(2)} * 65536 + ${oct(3)} * 256 + ${oct(4)})`;
    return `(list_transform([${jsTrim(text)}], ${ip} -> regexp_full_match(${ip}, '[0-9]{1,3}(\\.[0-9]{1,3}){3}') AND ${[1, 2, 3, 4].map((k) => `${oct(k)} <= 255`).join(' AND ')} AND ${value} // ${div} = ${net}))[1]`;
  }

  // --- items ------------------------------------------------------------------------------------
  /** `field|modifiers: values` (compileFieldItem): OR of values (AND with `all`), null values, neq. */
  fieldItem(l) {
    const v = this.value(l.field);
    const needNull = l.matchNull ? 'TRUE' : 'FALSE';
    if (v.kind === 'none') return l.neq ? 'FALSE' : needNull;
    if (v.kind === 'scalar') {
      const text = () => this.scalarText(v);
      const lower = () => this.col(`lower(${this.scalarText(v)})`);
      const number = () => this.scalarNumber(v);
      // `all`: each value must hold on its own (never merged into one IN list)
      const holds = l.all
        ? and(l.tests.map((t) => bool(or(this.tests([t], text, lower, number)))))
        : or(this.tests(l.tests, text, lower, number).map(bool));
      if (l.neq) return `(${v.sql} IS NOT NULL AND NOT ${holds})`;
      return l.matchNull ? `(${v.sql} IS NULL OR ${holds})` : holds;
    }
    // JSON: the tests run on each item's text, bound once per item (numeric tests read the item's number only).
    const testsOn = (e, tests) => {
      const t = this.fresh('t');
      const body = or(this.tests(tests, () => t, () => `lower(${t})`, () => `tl_num(${e})`).map(bool));
      return tests.every((x) => x.kind === 'num') ? body : `(list_transform([tl_text(${e})], ${t} -> ${body}))[1]`;
    };
    return this.bindJson(v, (p) => {
      const missing = `(${p}.finals = 0 OR (${p}.crossed AND len(${p}.items) = 0))`;
      let holds;
      if (!l.all) {
        const e = this.fresh('e');
        const scalar = `(CASE WHEN json_type(${e}) = 'NULL' THEN ${needNull} ELSE ${testsOn(e, l.tests)} END)`;
        holds = `(CASE WHEN ${missing} THEN ${needNull} ELSE COALESCE(list_bool_or(list_transform(${p}.items, ${e} -> json_type(${e}) <> 'ARRAY' AND ${scalar})), FALSE) END)`;
      } else {
        // every value held by some item; an item that is itself an array is compared by its JSON text (single())
        const each = l.tests.map((test) => {
          const e = this.fresh('e');
          return `COALESCE(list_bool_or(list_transform(${p}.items, ${e} -> json_type(${e}) <> 'NULL' AND ${testsOn(e, [test])})), FALSE)`;
        });
        holds = `(NOT ${missing} AND ${and(each)})`;
      }
      return l.neq ? `(NOT ${missing} AND NOT ${p}.direct_null AND NOT ${holds})` : holds;
    });
  }

  /** `field|exists: true/false`: present and not null. */
  exists(l) {
    const v = this.value(l.field);
    if (v.kind === 'none') return l.want ? 'FALSE' : 'TRUE';
    if (v.kind === 'scalar') return `(${v.sql} IS ${l.want ? 'NOT ' : ''}NULL)`;
    return this.bindJson(v, (p) => {
      const present = `(NOT (${p}.finals = 0 OR (${p}.crossed AND len(${p}.items) = 0)) AND NOT ${p}.direct_null)`;
      return l.want ? present : `(NOT ${present})`;
    });
  }

  /** `field|fieldref: other` (fieldRefItem): any text of the field against any text of each other field. */
  fieldref(l) {
    const texts = (field) => {
      const v = this.value(field);
      const fold = (t) => (l.cased ? t : `lower(${t})`);
      if (v.kind === 'none') return '[]::VARCHAR[]';
      if (v.kind === 'scalar') return `(CASE WHEN ${v.sql} IS NULL THEN []::VARCHAR[] ELSE [${fold(this.scalarText(v))}] END)`;
      const e = this.fresh('e');
      return this.bindJson(v, (p) => `list_transform(list_filter(${p}.items, ${e} -> json_type(${e}) <> 'NULL'), ${e} -> ${fold(`tl_text(${e})`)})`);
    };
    const mine = texts(l.field);
    const a = this.fresh('a');
    const body = (A) => {
      const perRef = l.refs.map((ref) => {
        const B = texts(ref);
        if (l.mode === 'equals') return bool(`list_has_any(${A}, ${B})`);
        const fn = { contains: 'contains', startswith: 'starts_with', endswith: 'ends_with' }[l.mode];
        const x = this.fresh('x');
        const y = this.fresh('y');
        return `COALESCE(list_bool_or(list_transform(${A}, ${x} -> COALESCE(list_bool_or(list_transform(${B}, ${y} -> ${fn}(${x}, ${y}))), FALSE))), FALSE)`;
      });
      const positive = `(len(${A}) > 0 AND ${l.all ? and(perRef) : or(perRef)})`;
      return l.neq ? `(len(${A}) > 0 AND NOT ${positive})` : positive;
    };
    return `(list_transform([${mine}], ${a} -> ${body(a)}))[1]`;
  }
}

// ---------------------------------------------------------------------------------------------------
// The query
// ---------------------------------------------------------------------------------------------------
function corpusSource(glob, schema, format) {
  const g = str(glob);
  if (schema.name === 'inferred') return `read_json(${g}, compression='gzip', maximum_object_size=1073741824)`;
  // Each CloudTrail file is ONE JSON document {"Records":[...]} on a single line (as S3 delivers it), so
  // 'newline_delimited' reads it as one row whose Records list is unnested: the fastest format here. A
  // pretty-printed file would break it, hence the 'unstructured' fallback. maximum_object_size: a whole file is
  // one object (~2.2 MB per 2000 events here, real files can pass DuckDB's 16 MB default).
  return `read_json(${g}, format='${format}', compression='gzip', maximum_object_size=1073741824, columns={Records: ${str(schema.recordType)}})`;
}

/**
 * One scan: total events and one count(*) FILTER per translated rule. Fields are projected once per record
 * (lower-cased text included) so 68 rules reading eventName lower-case it once.
 * Returns { setup, variants, perRule: [{ title, id, file, column | null, notInSql | null }] }.
 */
export function buildDuckdbQuery(glob, schema, irs) {
  const r = new Renderer(schema);
  const perRule = irs.map((rule, i) => {
    const base = { title: rule.title, id: rule.id, file: rule.file };
    if (!rule.ir) return { ...base, column: null, notInSql: rule.notInSql };
    const mark = r.columns.size;
    try {
      return { ...base, column: `rule_${i}`, predicate: r.rule(rule.ir), notInSql: null };
    } catch (e) {
      if (!(e instanceof NotInSql)) throw e;
      for (const k of [...r.columns.keys()].slice(mark)) r.columns.delete(k); // drop what the failed rule projected
      return { ...base, column: null, notInSql: e.construct };
    }
  });
  const projections = [...r.columns].map(([sql, alias]) => `${sql} AS ${alias}`);
  const select = ['count(*) AS total', ...perRule.filter((p) => p.column).map((p) => `count(*) FILTER (WHERE ${p.predicate}) AS ${p.column}`)];
  const sqlFor = (format) => [
    `SELECT\n  ${select.join(',\n  ')}`,
    `FROM (SELECT\n    ${projections.length ? projections.join(',\n    ') : '1 AS c0'}`,
    `  FROM (SELECT unnest(Records) AS r FROM ${corpusSource(glob, schema, format)}))`,
  ].join('\n');
  const variants = schema.name === 'inferred'
    ? [{ name: 'inferred-schema', sql: sqlFor('auto') }]
    : [{ name: 'typed-schema/newline_delimited', sql: sqlFor('newline_delimited') }, { name: 'typed-schema/unstructured', sql: sqlFor('unstructured') }];
  return { setup: SETUP_SQL, variants, perRule: perRule.map(({ predicate, ...p }) => p) };
}

// ---------------------------------------------------------------------------------------------------
// Child-process mode
// ---------------------------------------------------------------------------------------------------
/** DuckDB's type object -> { struct: {name: t} } | { list: t } | { map: t } | { scalar, alias }. */
function typeTree(t) {
  switch (t.constructor.name) {
    case 'DuckDBStructType': return { struct: Object.fromEntries(t.entryNames.map((n, i) => [n, typeTree(t.entryTypes[i])])) };
    case 'DuckDBListType': return { list: typeTree(t.valueType) };
    case 'DuckDBArrayType': return { list: typeTree(t.valueType) };
    case 'DuckDBMapType': return { map: typeTree(t.valueType) };
    default: return t.alias ? { scalar: t.toString(), alias: t.alias } : { scalar: t.toString() };
  }
}

async function describe(conn, glob) {
  // The same read_json call as the inferred query, so the same sampling gives the same inferred type.
  const reader = await conn.runAndReadAll(`SELECT Records FROM ${corpusSource(glob, { name: 'inferred' })} LIMIT 0`);
  process.stdout.write(JSON.stringify(typeTree(reader.columnTypes()[0])) + '\n');
}

async function main(args) {
  const { DuckDBInstance, version } = await import('@duckdb/node-api');
  const instance = await DuckDBInstance.create(':memory:');
  const conn = await instance.connect();
  if (args[0] === '--describe') return describe(conn, args[1]);
  const spec = JSON.parse(readFileSync(args[0], 'utf8'));
  await conn.run(`SET threads=${Number(spec.threads)}`);
  for (const s of spec.setup ?? []) await conn.run(s);
  const failures = [];
  for (const v of spec.variants) {
    const t0 = process.hrtime.bigint();
    try {
      const reader = await conn.runAndReadAll(v.sql);
      const querySeconds = Number(process.hrtime.bigint() - t0) / 1e9;
      // counts are BIGINT; getRowObjectsJson renders them as strings
      const row = Object.fromEntries(Object.entries(reader.getRowObjectsJson()[0]).map(([k, x]) => [k, Number(x)]));
      process.stdout.write(JSON.stringify({ variant: v.name, querySeconds, duckdbVersion: version(), failures, row }) + '\n');
      return;
    } catch (e) {
      failures.push({ variant: v.name, error: String(e.message ?? e).slice(0, 500) });
      process.stderr.write(`duckdb: variant ${v.name} failed: ${failures.at(-1).error}\n`);
    }
  }
  throw new Error('every DuckDB query variant failed');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  if (!process.argv[2] || (process.argv[2] === '--describe' && !process.argv[3])) {
    console.error('usage: node bench/duckdb.mjs SPEC.json | --describe GLOB');
    process.exit(2);
  }
  main(process.argv.slice(2)).catch((e) => { console.error(`duckdb: ${e.stack ?? e}`); process.exit(1); });
}
