/**
 * PostgreSQL: SQL over a `json` column (not `jsonb`: jsonb reorders keys and drops duplicates, so an object compared
 * as text would not be the text CloudTrail delivered; load records as compact JSON, as CloudTrail writes them).
 * Path values are json objects {m, n, v}; the path walk is a recursive CTE (any depth of arrays).
 * Assumes a UTF-8 database whose locale lower-cases non-ASCII letters (lower() follows the collation).
 */
import type { SqlDialect, SqlQueryOptions } from './generator.js';
import { quoteIdent } from './generator.js';
import { translateJsRegex } from './regex.js';

/** E'' literal: correct whatever standard_conforming_strings says. */
const str = (s: string) => `E'${s.replaceAll('\\', '\\\\').replaceAll("'", "''")}'`;
const jt = (e: string) => `json_typeof(${e})`;
/**
 * Raise an error from an expression (PostgreSQL has no error() function): a failing cast carrying the message. It
 * depends on a row value so the planner cannot fold it into a constant (and fail every query).
 */
const raise = (msg: string, type: string, dep: string) => `CAST(CAST(${str('tideline: ' + msg + ': ')} || ${dep}::text AS integer) AS ${type})`;

export const postgres: SqlDialect = {
  name: 'postgres',
  str,
  path(root, parts, fresh) {
    const L = parts.length;
    const w = fresh('w');
    const d = fresh('d');
    const it = fresh('it');
    const cands: string[] = [];
    for (let i = 0; i < L; i++) for (let j = L; j > i; j--) cands.push(`(${i}, ${j}, ${str(parts.slice(i, j).join('.'))})`);
    const walk =
      `WITH RECURSIVE ${w}(n, i, c) AS (SELECT ${root}, 0, FALSE UNION ALL ` +
      `SELECT x.n, x.i, x.c FROM ${w} CROSS JOIN LATERAL (` +
      `SELECT el AS n, ${w}.i AS i, TRUE AS c FROM json_array_elements(CASE WHEN ${jt(`${w}.n`)} = 'array' THEN ${w}.n ELSE '[]'::json END) AS el ` +
      `UNION ALL (SELECT ${w}.n -> k.key, k.j, ${w}.c FROM (VALUES ${cands.join(', ')}) AS k(i, j, key) ` +
      `WHERE k.i = ${w}.i AND ${jt(`${w}.n`)} = 'object' AND EXISTS (SELECT 1 FROM json_object_keys(CASE WHEN ${jt(`${w}.n`)} = 'object' THEN ${w}.n ELSE '{}'::json END) AS ok WHERE ok = k.key) ` +
      `ORDER BY k.j DESC LIMIT 1)) AS x WHERE ${w}.i < ${L}), ` +
      `${d} AS (SELECT n, c FROM ${w} WHERE i = ${L}), ` +
      `${it} AS (SELECT v FROM ${d} CROSS JOIN LATERAL json_array_elements(CASE WHEN ${jt(`${d}.n`)} = 'array' THEN ${d}.n ELSE json_build_array(${d}.n) END) AS v) `;
    const crossed = `COALESCE((SELECT bool_or(c) FROM ${d}), FALSE)`;
    return `(${walk}SELECT json_build_object(` +
      `'m', (SELECT count(*) FROM ${d}) = 0 OR (${crossed} AND (SELECT count(*) FROM ${it}) = 0), ` +
      `'n', NOT ${crossed} AND (SELECT count(*) FROM ${d}) = 1 AND (SELECT ${jt('n')} FROM ${d} LIMIT 1) = 'null', ` +
      `'v', COALESCE((SELECT json_agg(v) FROM ${it}), '[]'::json)))`;
  },
  bind: (value, name, body) => `(SELECT ${body} FROM (SELECT ${value} AS ${name}) AS ${name}_)`,
  missing: (p) => `(${p}->>'m')::boolean`,
  directNull: (p) => `(${p}->>'n')::boolean`,
  anyItem: (p, e, pred) => `EXISTS (SELECT 1 FROM json_array_elements(${p}->'v') AS ${e}_(${e}) WHERE ${pred})`,
  isArray: (e) => `(${jt(e)} = 'array')`,
  isNull: (e) => `(${jt(e)} = 'null')`,
  text: (e) =>
    `(CASE ${jt(e)} WHEN 'string' THEN ${e} #>> '{}'` +
    ` WHEN 'number' THEN (CASE WHEN CAST(${e}::text AS double precision) = trunc(CAST(${e}::text AS double precision)) AND abs(CAST(${e}::text AS double precision)) < 1e21` +
    ` THEN CAST(CAST(CAST(${e}::text AS double precision) AS numeric) AS text)` +
    ` WHEN CAST(CAST(${e}::text AS double precision) AS text) ~ '[eE]' THEN ${raise('a number in exponent notation has no exact text in SQL', 'text', e)}` +
    ` ELSE CAST(CAST(${e}::text AS double precision) AS text) END)` +
    ` ELSE ${e}::text END)`,
  lower: (t) => `lower(${t})`,
  number: (e) =>
    `(CASE WHEN ${jt(e)} = 'number' THEN CAST(${e}::text AS double precision)` +
    ` WHEN ${jt(e)} = 'string' THEN (CASE WHEN (${e} #>> '{}') ~ '^[ \\t\\n\\r\\f]*[+-]?([0-9]+\\.?[0-9]*|\\.[0-9]+)([eE][+-]?[0-9]+)?[ \\t\\n\\r\\f]*$' THEN CAST(btrim(${e} #>> '{}', E' \\t\\n\\r\\f') AS double precision)` +
    ` WHEN (${e} #>> '{}') ~ '^[ \\t\\n\\r\\f]*0[xXoObB][0-9a-fA-F]+[ \\t\\n\\r\\f]*$' THEN ${raise('a hexadecimal/octal/binary numeric string has no exact SQL reading', 'double precision', e)} END) END)`,
  like: (t, pattern) => `(${t} LIKE ${str(pattern)} ESCAPE E'\\\\')`,
  regex: (t, source) => `(${t} ~ ${str(source)})`,
  translateRegex: (source, flags) => translateJsRegex(source, flags, 'pg'),
  ipv4InNetwork(t, network, bits) {
    const ip = `btrim(${t}, E' \\t\\n\\r\\f')`;
    const oct = (k: number) => `CAST(split_part(${ip}, '.', ${k}) AS bigint)`;
    const div = 2 ** (32 - bits);
    const value = `(${oct(1)} * 16777216 + ${oct(2)} * 65536 + ${oct(3)} * 256 + ${oct(4)})`;
    return `(CASE WHEN ${ip} ~ '^[0-9]{1,3}(\\.[0-9]{1,3}){3}$' THEN (CASE WHEN ${[1, 2, 3, 4].map((k) => `${oct(k)} <= 255`).join(' AND ')} THEN div(${value}, ${div}) = ${Math.floor(network / div)} ELSE FALSE END) ELSE FALSE END)`;
  },
  anyLeaf: (root, leaf, pred) =>
    `EXISTS (WITH RECURSIVE t(${leaf}) AS (SELECT ${root} UNION ALL SELECT x.v FROM t CROSS JOIN LATERAL (` +
    `SELECT v FROM json_array_elements(CASE WHEN ${jt(`t.${leaf}`)} = 'array' THEN t.${leaf} ELSE '[]'::json END) AS v ` +
    `UNION ALL SELECT value FROM json_each(CASE WHEN ${jt(`t.${leaf}`)} = 'object' THEN t.${leaf} ELSE '{}'::json END)) AS x) ` +
    `SELECT 1 FROM t WHERE ${jt(leaf)} IN ('string', 'number', 'boolean') AND ${pred})`,
  contains: (a, b) => `(strpos(${a}, ${b}) > 0)`,
  startsWith: (a, b) => `starts_with(${a}, ${b})`,
  endsWith: (a, b) => `(right(${a}, length(${b})) = ${b})`,
  query: (where: string, o: SqlQueryOptions) => `SELECT *\nFROM ${quoteIdent(o.table)}\nWHERE ${where}`,
};
