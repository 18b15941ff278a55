/**
 * DuckDB: SQL over a `JSON` column holding each CloudTrail record as delivered. Path values are STRUCTs
 * {m: missing, n: direct null, v: LIST(JSON) items}, computed with list lambdas; a let is a one-element list_transform.
 */
import { ConversionError } from '../ir.js';
import type { SqlDialect, SqlQueryOptions } from './generator.js';
import { quoteIdent } from './generator.js';
import { translateJsRegex } from './regex.js';

const str = (s: string) => `'${s.replaceAll("'", "''")}'`;
/** JSON Pointer for one key (RFC 6901): the key is taken literally, dots and all. */
const pointer = (key: string) => str('/' + key.replaceAll('~', '~0').replaceAll('/', '~1'));
const FRONTIER = 'STRUCT(n JSON, i INTEGER, c BOOLEAN)[]';
/** Arrays crossed along one path beyond which the query stops with an error instead of guessing. */
const MAX_ARRAYS = 3;

const jt = (e: string) => `json_type(${e})`;
const itemsOf = (x: string) => `(CASE WHEN ${jt(x)} = 'ARRAY' THEN json_extract(${x}, '$[*]') ELSE [${x}] END)`;

export const duckdb: SqlDialect = {
  name: 'duckdb',
  str,
  path(root, parts, fresh) {
    if (parts.length === 1) {
      // The record is an object: one key, no dotted-key alternatives, no array on the way.
      const x = fresh('x');
      const v = `json_extract(${root}, ${pointer(parts[0]!)})`;
      return `(list_transform([${v}], ${x} -> {'m': ${x} IS NULL, 'n': COALESCE(${jt(x)} = 'NULL', FALSE), 'v': COALESCE(${itemsOf(x)}, [])}))[1]`;
    }
    // Frontier walk (fields.ts walk): items {n: node, i: parts consumed, c: crossed an array}. Each step consumes
    // the longest literal key present (a key containing dots wins) or fans an array out into its elements.
    const L = parts.length;
    let f = `[{'n': ${root}, 'i': 0, 'c': FALSE}]::${FRONTIER}`;
    const steps = L + MAX_ARRAYS;
    for (let step = 0; step < steps; step++) {
      const s = fresh('s');
      const e = fresh('e');
      const cases: string[] = [];
      for (let i = 0; i < L; i++) {
        const alts: string[] = [];
        for (let j = L; j > i; j--) {
          const key = parts.slice(i, j).join('.');
          alts.push(`WHEN list_contains(json_keys(${s}.n), ${str(key)}) THEN [{'n': json_extract(${s}.n, ${pointer(key)}), 'i': ${j}, 'c': ${s}.c}]`);
        }
        cases.push(`WHEN ${s}.i = ${i} THEN (CASE ${alts.join(' ')} ELSE []::${FRONTIER} END)`);
      }
      f = `flatten(list_transform(${f}, ${s} -> CASE WHEN ${s}.i = ${L} THEN [${s}]` +
        ` WHEN ${jt(`${s}.n`)} = 'ARRAY' THEN list_transform(json_extract(${s}.n, '$[*]'), ${e} -> {'n': ${e}, 'i': ${s}.i, 'c': TRUE})` +
        ` WHEN ${jt(`${s}.n`)} = 'OBJECT' THEN (CASE ${cases.join(' ')} ELSE []::${FRONTIER} END)` +
        ` ELSE []::${FRONTIER} END))`;
    }
    const F = fresh('f');
    const s = fresh('s');
    const s2 = fresh('s');
    const done = `list_filter(${F}, ${s} -> ${s}.i = ${L})`;
    const items = `flatten(list_transform(${done}, ${s2} -> ${itemsOf(`${s2}.n`)}))`;
    const crossed = `list_bool_or(list_transform(${done}, ${s} -> ${s}.c))`;
    const guard = `CASE WHEN len(list_filter(${F}, ${s} -> ${s}.i < ${L})) > 0 THEN error(${str(`tideline: more than ${MAX_ARRAYS} arrays crossed on path ${parts.join('.')}; the converted query does not evaluate it`)}) END`;
    return `(list_transform([${f}], ${F} -> {` +
      `'m': COALESCE(len(${done}) = 0 OR (${crossed} AND len(${items}) = 0), TRUE) OR ${guard} IS NOT NULL, ` +
      `'n': COALESCE(NOT ${crossed} AND len(${done}) = 1 AND ${jt(`${done}[1].n`)} = 'NULL', FALSE), ` +
      `'v': COALESCE(${items}, [])}))[1]`;
  },
  bind: (value, name, body) => `(list_transform([${value}], ${name} -> ${body}))[1]`,
  missing: (p) => `${p}.m`,
  directNull: (p) => `${p}.n`,
  anyItem: (p, e, pred) => `(len(list_filter(${p}.v, ${e} -> ${pred})) > 0)`,
  isArray: (e) => `(${jt(e)} = 'ARRAY')`,
  isNull: (e) => `(${jt(e)} = 'NULL')`,
  text: (e) =>
    `(CASE ${jt(e)} WHEN 'VARCHAR' THEN json_extract_string(${e}, '$')` +
    ` WHEN 'DOUBLE' THEN (CASE WHEN CAST(${e} AS DOUBLE) = trunc(CAST(${e} AS DOUBLE)) AND abs(CAST(${e} AS DOUBLE)) < 1e21 THEN CAST(CAST(CAST(${e} AS DOUBLE) AS HUGEINT) AS VARCHAR)` +
    ` WHEN regexp_matches(CAST(${e} AS VARCHAR), '[eE]') THEN error('tideline: a number in exponent notation has no exact text in SQL') ELSE CAST(${e} AS VARCHAR) END)` +
    ` ELSE CAST(${e} AS VARCHAR) END)`,
  lower: (t) => `lower(${t})`,
  number: (e) =>
    `(CASE WHEN ${jt(e)} IN ('BIGINT', 'UBIGINT', 'DOUBLE') THEN CAST(${e} AS DOUBLE)` +
    ` WHEN ${jt(e)} = 'VARCHAR' THEN (CASE WHEN regexp_full_match(json_extract_string(${e}, '$'), '\\s*[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?\\s*') THEN TRY_CAST(trim(json_extract_string(${e}, '$'), ' \t\n\r\f') AS DOUBLE)` +
    ` WHEN regexp_full_match(json_extract_string(${e}, '$'), '\\s*0[xXoObB][0-9a-fA-F]+\\s*') THEN error('tideline: a hexadecimal/octal/binary numeric string has no exact SQL reading') END) END)`,
  like: (t, pattern) => `(${t} LIKE ${str(pattern)} ESCAPE '\\')`,
  regex: (t, source) => `regexp_matches(${t}, ${str(source)})`,
  translateRegex: (source, flags) => translateJsRegex(source, flags, 're2'),
  ipv4InNetwork(t, network, bits) {
    const ip = `regexp_replace(${t}, '^\\s+|\\s+$', '', 'g')`;
    const oct = (k: number) => `TRY_CAST(string_split(${ip}, '.')[${k}] AS BIGINT)`;
    const value = `(${oct(1)} * 16777216 + ${oct(2)} * 65536 + ${oct(3)} * 256 + ${oct(4)})`;
    const div = 2 ** (32 - bits);
    const valid = `regexp_full_match(${ip}, '\\d{1,3}(\\.\\d{1,3}){3}') AND ${[1, 2, 3, 4].map((k) => `${oct(k)} <= 255`).join(' AND ')}`;
    return `COALESCE(${valid} AND (${value} // ${div}) = ${Math.floor(network / div)}, FALSE)`;
  },
  anyLeaf: (root, leaf, pred) =>
    `EXISTS (SELECT 1 FROM json_tree(${root}) AS t(key, value, type, atom, id, parent, fullkey, path) WHERE t.type NOT IN ('OBJECT', 'ARRAY', 'NULL') AND (list_transform([t.value], ${leaf} -> ${pred}))[1])`,
  contains: (a, b) => `contains(${a}, ${b})`,
  startsWith: (a, b) => `starts_with(${a}, ${b})`,
  endsWith: (a, b) => `ends_with(${a}, ${b})`,
  query: (where: string, o: SqlQueryOptions) => `SELECT *\nFROM ${quoteIdent(o.table)}\nWHERE ${where}`,
};

export function assertDuckdbIdentifier(name: string): void {
  if (!/^[A-Za-z_][A-Za-z0-9_.]*$/.test(name)) throw new ConversionError('identifier', `'${name}' is not a plain SQL identifier`);
}
