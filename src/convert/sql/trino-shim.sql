-- Trino/Athena functions DuckDB lacks or spells differently, as DuckDB macros, so the SQL of the `athena` and `trino`
-- targets runs unchanged in DuckDB over a table with the Athena CloudTrail schema (test/convert-athena.test.ts).
-- Only what the generator (src/convert/sql/trino.ts) uses is defined; each macro keeps the Trino behaviour the
-- generated SQL relies on:
--
--   json_format(json)            Trino: the JSON text of a JSON value.           DuckDB: CAST(json AS VARCHAR).
--   json_extract_scalar(t, p)    Trino: the scalar (string unquoted, number and boolean as text) at path p, NULL for
--                                an object, an array, JSON null or a missing path.  DuckDB: json_extract_string,
--                                which would also return objects and arrays as text, so those are NULL-ed here.
--   regexp_like(s, p)            Trino: TRUE if p matches anywhere in s.          DuckDB: regexp_matches (same search).
--   cardinality(list)            Trino: number of elements.                        DuckDB: len (cardinality is maps only).
--
-- Used as is (same name and meaning in both): json_extract (JSON at a '$.a.b' path, NULL when missing), lower, substr,
-- length, strpos, starts_with, replace, concat, split_part, regexp_extract (after a regexp_like check, so the
-- no-match difference, NULL in Trino and '' in DuckDB, never shows), filter(array, x -> ...), CAST, COALESCE, LIKE ...
-- ESCAPE. Known differences the generator guards against rather than relies on: the JSON text of numbers (DuckDB
-- re-prints 1.50 as 1.5), so a number is only compared when its text is already what JavaScript prints.
CREATE OR REPLACE TEMP MACRO json_format(j) AS CAST(j AS VARCHAR);
CREATE OR REPLACE TEMP MACRO json_extract_scalar(t, p) AS
  CASE WHEN json_type(t, p) IN ('VARCHAR', 'BIGINT', 'UBIGINT', 'DOUBLE', 'BOOLEAN') THEN json_extract_string(t, p) END;
CREATE OR REPLACE TEMP MACRO regexp_like(s, p) AS regexp_matches(s, p);
CREATE OR REPLACE TEMP MACRO cardinality(l) AS len(l);
