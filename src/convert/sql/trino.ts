/**
 * Athena / Trino SQL over the CloudTrail table AWS documents for Athena (data/pipelines/athena.yaml, the DDL in
 * the README, "SQL over Athena, CloudTrail Lake and Spark"): lower-case columns, STRUCT columns of STRINGs (`useridentity.sessioncontext...`), JSON text
 * columns (`requestparameters`, `responseelements`, `additionaleventdata`, ...) read with json_extract /
 * json_extract_scalar, and `resources ARRAY<STRUCT<arn, accountid, type>>`.
 *
 * The engine's semantics (src/sigma, DESIGN.md) hold exactly, or the rule is refused (ConversionError), or - for a data
 * shape only known when the query runs - the query stops with an error naming it (a failing CAST of a text starting
 * "tideline:"), never a silently different answer:
 *
 *  - struct columns: the Hive JSON SerDe gives a STRING leaf the text of a JSON scalar; missing and JSON null are both
 *    SQL NULL, which the engine's scalar semantics never distinguish (null, exists, neq all treat them alike).
 *  - `resources.*` (array of structs): "any element"; a null value, `exists` or `neq` there are refused because the
 *    table cannot tell an element without the key from one holding JSON null (the engine can).
 *  - JSON text columns: a value at a path is read with json_extract. An array crossed on the way or met at the end (an
 *    element-wise "any" the engine does), an object compared as text (Athena does not keep the record's key order),
 *    and a number whose JSON text is not the text JavaScript prints, stop the query with an error. Paths that
 *    are arrays by the AWS API (`arrays:` in the pipeline) and whole-column text tests are refused at conversion.
 *  - keywords (search over every field) are refused: the table has no "every leaf" of the record.
 *
 * Only functions Trino (and so Athena engine v3) documents are used: json_extract, json_extract_scalar, json_format,
 * regexp_like, regexp_extract, strpos, starts_with, substr, length, lower, split_part, filter, cardinality, concat.
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { ConversionError, type IrDetection, type IrRule, type Leaf, type ValueTest } from '../ir.js';
import { ONE, STAR, type Pattern } from '../../sigma/patterns.js';
import type { Pipeline } from '../pipeline.js';
import { translateJsRegex } from './regex.js';
import { conditionSql } from './generator.js';

export interface TrinoOptions {
  table: string;
  /** Spark: the column holding each record's JSON text. */
  column?: string;
}

/**
 * The SQL spellings that differ between the engines this generator writes for. Trino (Athena, CloudTrail Lake):
 * '' doubles a quote, backslashes are plain, "identifiers". Spark SQL: backslash escapes in literals, `identifiers`.
 */
export interface Flavor {
  name: 'trino' | 'lake' | 'spark';
  str(s: string): string;
  ident(part: string): string;
  regexLike(t: string, p: string): string;
  strpos(a: string, b: string): string;
  startsWith(a: string, b: string): string;
  /** An expression of `type` that stops the query with the message. */
  raise(msg: string, type: 'BOOLEAN' | 'VARCHAR' | 'DOUBLE'): string;
}

const trinoFlavor = (name: 'trino' | 'lake'): Flavor => ({
  name,
  str: (s) => `'${s.replaceAll("'", "''")}'`,
  ident: (p) => `"${p}"`,
  regexLike: (t, p) => `regexp_like(${t}, ${p})`,
  strpos: (a, b) => `(strpos(${a}, ${b}) > 0)`,
  startsWith: (a, b) => `starts_with(${a}, ${b})`,
  // A failing CAST that depends on the row (no planner folds it into a constant).
  raise: (msg, type) => {
    const r = `CAST(concat(${F.str(`tideline: ${msg}: event `)}, COALESCE("eventid", '')) AS INTEGER)`;
    return type === 'BOOLEAN' ? `(${r} = 0)` : `CAST(${r} AS ${type})`;
  },
});
export const TRINO = trinoFlavor('trino');
export const LAKE = trinoFlavor('lake');
export const SPARK: Flavor = {
  name: 'spark',
  str: (s) => `'${s.replaceAll('\\', '\\\\').replaceAll("'", "\\'").replaceAll('\n', '\\n').replaceAll('\r', '\\r')}'`,
  ident: (p) => `\`${p}\``,
  regexLike: (t, p) => `(${t} RLIKE ${p})`,
  strpos: (a, b) => `(instr(${a}, ${b}) > 0)`,
  startsWith: (a, b) => `startswith(${a}, ${b})`,
  raise: (msg, type) => `CAST(raise_error(${F.str(`tideline: ${msg}`)}) AS ${type === 'VARCHAR' ? 'STRING' : type})`,
};

/** The flavor of the conversion running now (set by trinoSql; conversions are synchronous). */
let F: Flavor = TRINO;
const str = (s: string) => F.str(s);

/** Identifiers: plain names only (quoted), so nothing in a rule or option can inject SQL. */
export function trinoIdent(name: string): string {
  return name
    .split('.')
    .map((p) => {
      if (!/^[A-Za-z_][A-Za-z0-9_$-]*$/.test(p)) throw new ConversionError('identifier', `'${name}' is not a plain SQL identifier`);
      return F.ident(p);
    })
    .join('.');
}

const TRUE = 'TRUE';
const FALSE = 'FALSE';
const or = (xs: string[]) => (xs.length === 0 ? FALSE : xs.length === 1 ? xs[0]! : `(${xs.join(' OR ')})`);
const and = (xs: string[]) => (xs.length === 0 ? TRUE : xs.length === 1 ? xs[0]! : `(${xs.join(' AND ')})`);
const bool = (x: string) => `COALESCE(${x}, FALSE)`;

/** Stop the query with an error naming the problem (depends on the row, so no planner folds it into a constant). */
const raiseBool = (msg: string) => F.raise(msg, 'BOOLEAN');
const raiseText = (msg: string) => F.raise(msg, 'VARCHAR');

/** Where a field's values come from in the table. */
type Source =
  | { kind: 'struct'; expr: string; field: string }
  | { kind: 'array'; column: string; member: string; field: string }
  | { kind: 'json'; column: string; path: string[]; field: string }
  /**
   * An untyped text (CloudTrail Lake map<string,string> values, Spark get_json_object): SQL NULL when missing or null.
   * `guards` stop the query where the text would not be the engine's (an array crossed, an array or object value,
   * a number whose text JavaScript prints differently - checked only where `numbers`, i.e. in free-form parameters).
   */
  | { kind: 'text'; expr: string; field: string; pathGuards: string[]; valueGuards: boolean; numbers: boolean };

interface Ctx {
  jsonColumns: Set<string>;
  mapColumns: Set<string>;
  arrayColumns: Set<string>;
  knownArrays: string[];
  /** Fields typed BOOLEAN in the table (compared by their text, 'true'/'false'). */
  booleans: Set<string>;
  /** Fields the target cannot compare as the engine does, with the reason. */
  refused: Record<string, string>;
  /** Spark: the column holding each record's JSON text. */
  record?: string;
  /** Spark: path prefixes whose values may be JSON numbers (free-form parameters). */
  freeForm: string[];
}

function contextOf(pipeline: Pipeline): Ctx {
  const ctx: Ctx = { jsonColumns: new Set(), mapColumns: new Set(), arrayColumns: new Set(), knownArrays: [], booleans: new Set(), refused: {}, freeForm: [] };
  for (const p of Object.values(pipeline.prefixes)) {
    if (p.kind === 'json') ctx.jsonColumns.add(p.column);
    else if (p.kind === 'map') ctx.mapColumns.add(p.column);
    else if (p.kind === 'array-of-struct') ctx.arrayColumns.add(p.column);
  }
  // Extra keys of these pipeline files (src/convert/pipeline.ts ignores them): `arrays:` JSON paths that are arrays by
  // the AWS API (refused at conversion), `booleans:`, `refuse: {field: reason}`, `free-form:` (see Source 'text').
  const doc = parseYaml(readFileSync(pipeline.file, 'utf8')) as { arrays?: unknown; booleans?: unknown; refuse?: unknown; 'free-form'?: unknown } | null;
  const list = (x: unknown) => (Array.isArray(x) ? x.map(String) : []);
  ctx.knownArrays = list(doc?.arrays);
  ctx.booleans = new Set(list(doc?.booleans));
  ctx.freeForm = list(doc?.['free-form']);
  if (doc?.refuse && typeof doc.refuse === 'object') ctx.refused = Object.fromEntries(Object.entries(doc.refuse).map(([k, v]) => [k, String(v)]));
  return ctx;
}

const PLAIN_KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;

function knownArray(field: string, ctx: Ctx): void {
  const known = ctx.knownArrays.find((a) => field === a || field.startsWith(a + '.'));
  if (known) {
    throw new ConversionError(
      `array '${known}'`,
      `field '${field}': '${known}' is an array in CloudTrail records; matching any of its elements does not convert to ${F.name === 'spark' ? 'Spark SQL over the JSON text' : F.name === 'lake' ? 'CloudTrail Lake SQL' : 'Athena SQL over a JSON text column'}`,
    );
  }
}

function sourceOf(field: string, ctx: Ctx): Source {
  if (ctx.refused[field] !== undefined) throw new ConversionError(`field '${field}'`, `field '${field}': ${ctx.refused[field]}`);
  const [head, ...rest] = field.split('.');
  if (ctx.record !== undefined) {
    // Spark: every field is a JSON path into the record's text.
    for (const key of [head!, ...rest]) {
      if (!PLAIN_KEY.test(key)) throw new ConversionError(`field '${field}'`, `field '${field}': the JSON key '${key}' is not a plain name`);
    }
    knownArray(field, ctx);
    const parts = [head!, ...rest];
    const col = trinoIdent(ctx.record);
    const at = (n: number) => `get_json_object(${col}, ${str('$.' + parts.slice(0, n).join('.'))})`;
    const pathGuards: string[] = [];
    for (let i = 1; i < parts.length; i++) pathGuards.push(`json_array_length(${at(i)}) IS NOT NULL`);
    return { kind: 'text', expr: at(parts.length), field, pathGuards, valueGuards: true, numbers: ctx.freeForm.some((p) => field.startsWith(p + '.')) };
  }
  if (ctx.mapColumns.has(head!)) {
    if (rest.length === 0) throw new ConversionError(`object as text ('${field}')`, `${field} is an object compared as text; CloudTrail Lake holds it as a map`);
    if (rest.length > 1) {
      throw new ConversionError(`nested field '${field}'`, `field '${field}': CloudTrail Lake keeps ${head} as map<string,string>, so a value below '${rest[0]}' is text whose layout is not documented`);
    }
    knownArray(field, ctx);
    return { kind: 'text', expr: `element_at(${trinoIdent(head!)}, ${str(rest[0]!)})`, field, pathGuards: [], valueGuards: true, numbers: true };
  }
  if (ctx.booleans.has(field)) return { kind: 'struct', expr: `CAST(${trinoIdent(field)} AS VARCHAR)`, field };
  if (ctx.jsonColumns.has(head!)) {
    for (const key of rest) {
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) {
        throw new ConversionError(`field '${field}'`, `field '${field}': the JSON key '${key}' is not a plain name, which Trino's JSON path cannot spell the same way`);
      }
    }
    knownArray(field, ctx);
    return { kind: 'json', column: head!, path: rest, field };
  }
  if (ctx.arrayColumns.has(head!)) {
    if (rest.length !== 1) throw new ConversionError(`field '${field}'`, `field '${field}': only one struct member below '${head}' is known`);
    return { kind: 'array', column: head!, member: rest[0]!.toLowerCase(), field };
  }
  return { kind: 'struct', expr: trinoIdent(field), field };
}

const jsonPath = (path: string[]) => str('$' + path.map((k) => '.' + k).join(''));

/** A JSON path value: the raw JSON (SQL NULL when missing), after checking no array is crossed on the way. */
function jsonValue(s: Extract<Source, { kind: 'json' }>): { j: string; guard: string | undefined } {
  const col = trinoIdent(s.column);
  const j = `json_extract(${col}, ${jsonPath(s.path)})`;
  const guards: string[] = [];
  for (let i = 1; i < s.path.length; i++) {
    guards.push(`substr(json_format(json_extract(${col}, ${jsonPath(s.path.slice(0, i))})), 1, 1) = '['`);
  }
  const guard = guards.length
    ? `WHEN ${or(guards.map((g) => bool(g)))} THEN ${raiseBool(`an array on the path of ${s.field} (any-element matching inside a JSON text column is not converted)`)}`
    : undefined;
  return { j, guard };
}

/**
 * The text the engine compares for a JSON scalar (fieldText): strings raw, booleans true/false, numbers as JavaScript
 * prints them - accepted only when the JSON text already is that (integers up to 15 digits, decimals up to 15
 * significant digits in plain notation); anything else stops the query.
 */
function jsonText(s: Extract<Source, { kind: 'json' }>, j: string): string {
  const f = `json_format(${j})`;
  const col = trinoIdent(s.column);
  const canonicalNumber = or([
    `${f} = '0'`,
    F.regexLike(f, str('^-?[1-9][0-9]{0,14}$')),
    `(${F.regexLike(f, str('^-?[1-9][0-9]*\\.[0-9]*[1-9]$'))} AND length(replace(${f}, '-', '')) <= 16)`,
    F.regexLike(f, str('^-?0\\.0{0,5}[1-9]([0-9]{0,13}[1-9])?$')),
  ]);
  return (
    `(CASE WHEN substr(${f}, 1, 1) = '"' THEN json_extract_scalar(${col}, ${jsonPath(s.path)})` +
    ` WHEN ${f} IN ('true', 'false') THEN ${f}` +
    ` WHEN substr(${f}, 1, 1) = '{' THEN ${raiseText(`${s.field} is an object; its text in Athena does not keep the record's key order`)}` +
    ` WHEN substr(${f}, 1, 1) = '[' THEN ${raiseText(`${s.field} is an array in a JSON text column (any-element matching is not converted)`)}` +
    ` WHEN ${canonicalNumber} THEN ${f}` +
    ` ELSE ${raiseText(`the number in ${s.field} has a JSON text that JavaScript prints differently`)} END)`
  );
}

const NUMERIC_RE = () => str('^[ \\t\\n\\r\\f]*[+-]?([0-9]+\\.?[0-9]*|\\.[0-9]+)([eE][+-]?[0-9]+)?[ \\t\\n\\r\\f]*$');
const RADIX_RE = () => str('^[ \\t\\n\\r\\f]*0[xXoObB][0-9a-fA-F]+[ \\t\\n\\r\\f]*$');

/** The number of a text that was a JSON string (Number(): decimal numeric strings), or SQL NULL. */
function numberOfString(t: string): string {
  return (
    `(CASE WHEN ${F.regexLike(t, NUMERIC_RE())} THEN CAST(regexp_extract(${t}, ${str('^[ \\t\\n\\r\\f]*([^ \\t\\n\\r\\f]+)')}, 1) AS DOUBLE)` +
    ` WHEN ${F.regexLike(t, RADIX_RE())} THEN ${F.raise('a hexadecimal/octal/binary numeric string has no exact SQL reading', 'DOUBLE')} END)`
  );
}

/** One value to test: its text (cased), and its number. `isString` tells numbers apart for JSON values. */
interface Item {
  text: string;
  number: string;
}

function structItem(x: string): Item {
  // A STRING leaf: the SerDe gives numbers and booleans as their text; Number() of the text is the engine's number.
  return { text: x, number: numberOfString(x) };
}

function jsonItem(s: Extract<Source, { kind: 'json' }>, j: string): Item {
  const f = `json_format(${j})`;
  const text = jsonText(s, j);
  return {
    text,
    number:
      `(CASE WHEN substr(${f}, 1, 1) = '"' THEN ${numberOfString(`json_extract_scalar(${trinoIdent(s.column)}, ${jsonPath(s.path)})`)}` +
      ` WHEN ${F.regexLike(f, str('^-?[0-9]'))} THEN CAST(${f} AS DOUBLE) END)`,
  };
}

/** Spark and CloudTrail Lake: does an untyped text hold a JSON array / object? */
function isArrayText(x: string): string {
  return F.name === 'spark' ? `COALESCE(json_array_length(${x}) IS NOT NULL, FALSE)` : `COALESCE(substr(${x}, 1, 1) = '[', FALSE)`;
}
function isObjectText(x: string): string {
  return F.name === 'spark' ? `COALESCE(json_object_keys(${x}) IS NOT NULL, FALSE)` : `COALESCE(substr(${x}, 1, 1) = '{', FALSE)`;
}

function canonicalNumber(f: string): string {
  return or([
    `${f} = '0'`,
    F.regexLike(f, str('^-?[1-9][0-9]{0,14}$')),
    `(${F.regexLike(f, str('^-?[1-9][0-9]*\\.[0-9]*[1-9]$'))} AND length(replace(${f}, '-', '')) <= 16)`,
    F.regexLike(f, str('^-?0\\.0{0,5}[1-9]([0-9]{0,13}[1-9])?$')),
  ]);
}

/** The engine's text of an untyped value, with the guards that stop the query where it cannot be known. */
function textValue(s: Extract<Source, { kind: 'text' }>): { text: string; pathGuard?: string } {
  const x = s.expr;
  const whens: string[] = [];
  if (s.valueGuards) {
    whens.push(`WHEN ${isObjectText(x)} THEN ${raiseText(`${s.field} is an object; its text here is not the record's`)}`);
    whens.push(`WHEN ${isArrayText(x)} THEN ${raiseText(`${s.field} is an array (any-element matching is not converted)`)}`);
  }
  if (s.numbers) {
    whens.push(`WHEN ${F.regexLike(x, str('^-?[0-9.][0-9.eE+-]*$'))} AND NOT ${canonicalNumber(x)} THEN ${raiseText(`${s.field} may be a number whose text JavaScript prints differently`)}`);
  }
  const text = whens.length ? `(CASE ${whens.join(' ')} ELSE ${x} END)` : x;
  const pathGuard = s.pathGuards.length ? `WHEN ${or(s.pathGuards.map(bool))} THEN ${raiseBool(`an array on the path of ${s.field} (any-element matching is not converted)`)}` : undefined;
  return { text, pathGuard };
}

function patternSql(text: string, p: Pattern, cased: boolean): string {
  const norm = (s: string) => (cased ? s : s.toLowerCase());
  if (p.every((t) => typeof t === 'string')) return `(${text} = ${str(norm(p.join('')))})`;
  if (p.length === 1 && p[0] === STAR) return TRUE;
  const like = p.map((t) => (t === STAR ? '%' : t === ONE ? '_' : norm(t).replace(/[\\%_]/g, (c) => '\\' + c))).join('');
  return `(${text} LIKE ${str(like)} ESCAPE ${str('\\')})`;
}

function numberLiteral(n: number): string {
  if (!Number.isFinite(n)) throw new ConversionError('number', `number ${n} is not finite`);
  return `CAST(${str(String(n))} AS DOUBLE)`;
}

function translateRegex(source: string, flags: string): string {
  if (/\(\?</.test(source.replace(/\\./g, '')) && !/\(\?<[=!]/.test(source)) {
    throw new ConversionError('regular expression named group', `'re' value /${source}/: named groups are spelled differently in Trino's regular expressions`);
  }
  // RE2 spelling (\x{hhhh}, (?s:.), inline (?i)/(?m)) is also Java's, which Trino's regexp functions follow.
  return translateJsRegex(source, flags, 're2');
}

function valueTest(t: ValueTest, item: Item): string {
  switch (t.kind) {
    case 'wild': {
      const text = t.cased ? item.text : `lower(${item.text})`;
      return or(t.alternatives.map((p) => patternSql(text, p, t.cased)));
    }
    case 're':
      return F.regexLike(item.text, str(translateRegex(t.source, t.flags)));
    case 'cidr': {
      const m = /^(\d{1,3}(?:\.\d{1,3}){3})(?:\/(\d{1,2}))?$/.exec(t.network);
      if (!m) throw new ConversionError("modifier 'cidr' (IPv6)", `cidr '${t.network}': only IPv4 networks convert to SQL`);
      const net = m[1]!.split('.').reduce((a, o) => a * 256 + Number(o), 0);
      const bits = m[2] === undefined ? 32 : Number(m[2]);
      const size = 2 ** (32 - bits);
      const lo = Math.floor(net / size) * size;
      const ip = `regexp_extract(${item.text}, ${str('^[ \\t\\n\\r\\f]*([^ \\t\\n\\r\\f]*)')}, 1)`;
      const oct = (k: number) => `CAST(split_part(${ip}, '.', ${k}) AS BIGINT)`;
      const value = `(${oct(1)} * 16777216 + ${oct(2)} * 65536 + ${oct(3)} * 256 + ${oct(4)})`;
      return (
        `(CASE WHEN ${F.regexLike(item.text, str('^[ \\t\\n\\r\\f]*[0-9]{1,3}(\\.[0-9]{1,3}){3}[ \\t\\n\\r\\f]*$'))} THEN ` +
        `(CASE WHEN ${[1, 2, 3, 4].map((k) => `${oct(k)} <= 255`).join(' AND ')} THEN ${value} BETWEEN ${lo} AND ${lo + size - 1} ELSE FALSE END) ELSE FALSE END)`
      );
    }
    case 'num': {
      if (t.part) throw new ConversionError(`modifier '${t.part}'`, `time-part modifier '${t.part}' does not convert to SQL yet`);
      const op = { lt: '<', lte: '<=', gt: '>', gte: '>=', eq: '=' }[t.op];
      return `(${item.number} ${op} ${numberLiteral(t.value)})`;
    }
  }
}

function leafSql(l: Leaf, ctx: Ctx): string {
  if (l.kind === 'keyword') {
    throw new ConversionError('keywords', 'keyword search (a value without a field) looks at every field of the record; the Athena table has no such column');
  }
  if (l.kind === 'fieldref') return fieldrefSql(l, ctx);
  const s = sourceOf(l.field, ctx);
  if (s.kind === 'struct') {
    const x = s.expr;
    if (l.kind === 'exists') return l.want ? `(${x} IS NOT NULL)` : `(${x} IS NULL)`;
    const item = structItem(x);
    const tests = l.tests.map((t) => bool(valueTest(t, item)));
    const holds = l.all ? `(${x} IS NOT NULL AND ${and(tests)})` : `(CASE WHEN ${x} IS NULL THEN ${l.matchNull ? TRUE : FALSE} ELSE ${or(tests)} END)`;
    return l.neq ? `(${x} IS NOT NULL AND NOT ${holds})` : holds;
  }
  if (s.kind === 'array') {
    const why = 'the table cannot tell an element without the key from one holding null';
    if (l.kind === 'exists') throw new ConversionError(`modifier 'exists' on '${l.field}'`, `'exists' on ${l.field}: ${why}`);
    if (l.neq) throw new ConversionError(`modifier 'neq' on '${l.field}'`, `'neq' on ${l.field}: ${why}`);
    if (l.matchNull) throw new ConversionError(`null on '${l.field}'`, `a null value on ${l.field}: ${why}`);
    const col = trinoIdent(s.column);
    const any = (pred: (x: string) => string) => `COALESCE(cardinality(filter(${col}, r -> ${pred(`r.${trinoIdent(s.member)}`)})) > 0, FALSE)`;
    const tests = l.tests.map((t) => any((x) => `(${x} IS NOT NULL AND ${bool(valueTest(t, structItem(x)))})`));
    return l.all ? and(tests) : or(tests);
  }
  if (s.kind === 'text') {
    const t = textValue(s);
    const x = s.expr;
    const wrap = (body: string) => (t.pathGuard ? `(CASE ${t.pathGuard} ELSE ${body} END)` : body);
    if (l.kind === 'exists') return wrap(l.want ? `(${x} IS NOT NULL)` : `(${x} IS NULL)`);
    const item: Item = { text: t.text, number: numberOfString(x) };
    const tests = l.tests.map((tt) => bool(valueTest(tt, item)));
    // An array value means "any element" to the engine (an empty one matches nothing, even '*'): stop there.
    const arr = s.valueGuards ? `WHEN ${isArrayText(x)} THEN ${raiseBool(`${s.field} is an array (any-element matching is not converted)`)} ` : '';
    const holds = l.all ? `(CASE WHEN ${x} IS NULL THEN FALSE ${arr}ELSE ${and(tests)} END)` : `(CASE WHEN ${x} IS NULL THEN ${l.matchNull ? TRUE : FALSE} ${arr}ELSE ${or(tests)} END)`;
    return wrap(l.neq ? `(${x} IS NOT NULL AND NOT ${holds})` : holds);
  }
  // JSON text column.
  const { j, guard } = jsonValue(s);
  const pre = guard ? `${guard} ` : '';
  const isNull = `(${j} IS NULL OR json_format(${j}) = 'null')`;
  if (s.path.length === 0 && l.kind === 'field' && l.tests.length) {
    throw new ConversionError(`object as text ('${l.field}')`, `${l.field} is an object compared as text; Athena's JSON text column does not keep the record's key order and spacing`);
  }
  if (l.kind === 'exists') return `(CASE ${pre}WHEN ${isNull} THEN ${l.want ? FALSE : TRUE} ELSE ${l.want ? TRUE : FALSE} END)`;
  const item = jsonItem(s, j);
  const tests = l.tests.map((t) => bool(valueTest(t, item)));
  const holds = l.all ? and(tests) : or(tests);
  const whenNull = l.neq ? FALSE : l.all ? FALSE : l.matchNull ? TRUE : FALSE;
  // An array value means "any element" to the engine (an empty one matches nothing, even '*'): not converted.
  const isArray = `WHEN substr(json_format(${j}), 1, 1) = '[' THEN ${raiseBool(`${s.field} is an array in a JSON text column (any-element matching is not converted)`)}`;
  return `(CASE ${pre}WHEN ${isNull} THEN ${whenNull} ${isArray} ELSE ${l.neq ? `NOT ${holds}` : holds} END)`;
}

/** A single value's text (struct or JSON) for fieldref; NULL when missing or null. Arrays are refused. */
function singleText(field: string, ctx: Ctx): { text: string; guard?: string; isNull: string } {
  const s = sourceOf(field, ctx);
  if (s.kind === 'array') throw new ConversionError(`modifier 'fieldref' on '${field}'`, `'fieldref' with ${field}: comparing elements of an array column is not converted`);
  if (s.kind === 'struct') return { text: s.expr, isNull: `(${s.expr} IS NULL)` };
  if (s.kind === 'text') {
    const t = textValue(s);
    return { text: t.text, guard: t.pathGuard, isNull: `(${s.expr} IS NULL)` };
  }
  if (s.path.length === 0) throw new ConversionError(`object as text ('${field}')`, `${field} is an object compared as text; Athena does not keep its key order`);
  const { j, guard } = jsonValue(s);
  return { text: jsonText(s, j), guard, isNull: `(${j} IS NULL OR json_format(${j}) = 'null')` };
}

function fieldrefSql(l: Extract<Leaf, { kind: 'fieldref' }>, ctx: Ctx): string {
  const mine = singleText(l.field, ctx);
  const low = (t: string) => (l.cased ? t : `lower(${t})`);
  const cmp = (a: string, b: string) =>
    l.mode === 'equals'
      ? `(${a} = ${b})`
      : l.mode === 'contains'
        ? F.strpos(a, b)
        : l.mode === 'startswith'
          ? F.startsWith(a, b)
          : `(length(${a}) >= length(${b}) AND substr(${a}, length(${a}) - length(${b}) + 1) = ${b})`;
  const per = l.refs.map((ref) => {
    const r = singleText(ref, ctx);
    const body = `(CASE WHEN ${r.isNull} THEN FALSE ELSE ${bool(cmp(low(mine.text), low(r.text)))} END)`;
    return r.guard ? `(CASE ${r.guard} ELSE ${body} END)` : body;
  });
  const positive = l.all ? and(per) : or(per);
  const body = l.neq ? `NOT ${positive}` : positive;
  return `(CASE ${mine.guard ? mine.guard + ' ' : ''}WHEN ${mine.isNull} THEN FALSE ELSE ${body} END)`;
}

function detectionSql(det: IrDetection, ctx: Ctx): string {
  return conditionSql(det, (leaf) => bool(leafSql(leaf, ctx)));
}

/** The query for a rule whose fields went through the athena pipeline (`pipeline` tells the column kinds). */
export function trinoSql(rule: IrRule, pipeline: Pipeline, opts: TrinoOptions, flavor: Flavor = TRINO): string {
  const saved = F;
  F = flavor;
  try {
    const ctx = contextOf(pipeline);
    if (flavor.name === 'spark') ctx.record = opts.column ?? 'record';
    const parts = rule.detections.map((d) => detectionSql(d, ctx));
    const where = parts.length === 1 ? parts[0]! : parts.map((p) => `(${p})`).join('\n  AND ');
    // CloudTrail Lake: the table is the event data store ID (letters, digits, hyphens; or a placeholder), written as is.
    const from = flavor.name === 'lake' && /^[A-Za-z0-9_-]+$/.test(opts.table) ? opts.table : trinoIdent(opts.table);
    return `SELECT *\nFROM ${from}\nWHERE ${where}`;
  } finally {
    F = saved;
  }
}
