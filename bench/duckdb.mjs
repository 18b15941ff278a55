// DuckDB reference for the benchmark: turns the Sigma rules into one SQL query over the corpus, and
// (when run as a script) executes it. run.mjs starts this file as a child process so DuckDB's peak RSS
// and wall time are measured apart from the harness, exactly like Tideline's.
//
//   node bench/duckdb.mjs SPEC.json   -> prints one JSON line: { variant, querySeconds, duckdbVersion, row }
//
// SPEC.json = { threads, variants: [{ name, sql }] }; variants are tried in order and the first that
// runs wins (see corpusSource below for why there is a fallback).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';

// ---------------------------------------------------------------------------------------------------
// Rules -> SQL filter
//
// The reference is deliberately a *prefilter*, not a Sigma engine: from each rule we keep only plain
// (modifier-less) equality values of eventSource and eventName in the selections the condition uses
// positively, and the rule becomes
//     eventSource IN (S) AND eventName IN (N)     both present (cross product, an over-approximation
//                                                 for rules with several selections, e.g. SAML rule)
//     eventSource IN (S)                          source only  -> any name
//     eventName IN (N)                            name only    -> any source
// Other fields (errorCode, userAgent|contains, ...) and modified values (eventName|startswith) are
// ignored, so a rule's SQL count is an upper bound of its Tideline alerts. Selections the condition
// negates ("not filter", "not 1 of filter_*") are skipped: their values describe what must NOT match.
//
// Rules with neither field (regex on userIdentity.arn, userAgent only, userIdentity.type only) are left
// OUT of the filter and listed as `unfiltered`. Treating them as "match everything" would make the
// WHERE clause TRUE (aws_sts_assumerole_misuse alone hits ~60% of events) and the matched count
// meaningless; DuckDB still reads and parses every event anyway, so the throughput comparison holds.
//
// A rule is `exact` when its whole detection is one selection of modifier-less eventSource/eventName
// values and the condition is just that selection: then DuckDB's count must equal Tideline's alerts
// for the rule, which run.mjs checks.
// ---------------------------------------------------------------------------------------------------

const SQL_FIELDS = { eventSource: 'r.eventSource', eventName: 'r.eventName' };
const sqlString = (s) => `'${String(s).replaceAll("'", "''")}'`;
const globToRegExp = (g) => new RegExp(`^${g.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replaceAll('*', '.*')}$`);

/** Search identifiers the condition negates: `not sel`, `not 1 of filter_*`, `not all of x*`. */
function negatedIdentifiers(conditions, ids) {
  const negated = new Set();
  for (const cond of conditions) {
    for (const m of String(cond).matchAll(/\bnot\s+(?:(?:1|all)\s+of\s+)?([\w*]+)/g)) {
      const re = m[1] === 'them' ? /.*/ : globToRegExp(m[1]);
      for (const id of ids) if (re.test(id)) negated.add(id);
    }
  }
  return negated;
}

/** Summarise one parsed rule: its title, the source/name values it pins, and whether that is exact. */
export function rulePrefilter(doc, file) {
  const detection = doc?.detection;
  if (!detection || typeof detection !== 'object') throw new Error(`${file}: no detection section`);
  const conditions = [].concat(detection.condition ?? []);
  const ids = Object.keys(detection).filter((k) => k !== 'condition' && k !== 'timeframe');
  const negated = negatedIdentifiers(conditions, ids);
  const values = { eventSource: new Set(), eventName: new Set() };
  let onlySourceName = true; // every key of every selection is a plain eventSource/eventName

  for (const id of ids) {
    const sel = detection[id];
    // A selection is a map (AND of fields) or a list of maps (OR); a list of strings is keywords.
    const maps = Array.isArray(sel) ? sel.filter((x) => x && typeof x === 'object') : [sel];
    if (Array.isArray(sel) || !sel || typeof sel !== 'object') onlySourceName = false;
    for (const map of maps) {
      for (const [key, val] of Object.entries(map ?? {})) {
        const [field, ...modifiers] = key.split('|');
        const plain = field in SQL_FIELDS && modifiers.length === 0;
        if (!plain) { onlySourceName = false; continue; }
        if (negated.has(id)) continue;
        for (const v of [].concat(val)) if (typeof v === 'string' || typeof v === 'number') values[field].add(String(v));
      }
    }
  }
  const exact = onlySourceName && ids.length === 1 && conditions.length === 1 && String(conditions[0]).trim() === ids[0];
  return { title: String(doc.title ?? file), file, sources: [...values.eventSource], names: [...values.eventName], exact };
}

const hasWildcard = (v) => /(^|[^\\])(\\\\)*[*?]/.test(v);

/** Sigma wildcard value -> LIKE pattern (escape char '\'): * -> %, ? -> _, \* \? \\ are literals. */
function sigmaToLike(v) {
  let out = '';
  for (let i = 0; i < v.length; i++) {
    const c = v[i];
    if (c === '\\' && '*?\\'.includes(v[i + 1] ?? '')) { const lit = v[++i]; out += lit === '\\' ? '\\\\' : lit; }
    else if (c === '*') out += '%';
    else if (c === '?') out += '_';
    else if (c === '%' || c === '_') out += `\\${c}`;
    else out += c;
  }
  return out;
}

// Sigma string matching is case-insensitive, hence lower() on both sides (DuckDB computes each lower()
// once per row; on 1M events the filter costs ~0.4 s over a bare count, same as COLLATE NOCASE). Values with wildcards (none
// in today's rules, but generated variants may have them) become LIKE patterns.
function fieldPredicate(column, values) {
  const unescape = (v) => v.replace(/\\([*?\\])/g, '$1'); // Sigma escapes: \* \? \\
  const plain = values.filter((v) => !hasWildcard(v)).map((v) => sqlString(unescape(v).toLowerCase()));
  const parts = values.filter(hasWildcard).map((v) => `lower(${column}) LIKE ${sqlString(sigmaToLike(v.toLowerCase()))} ESCAPE '\\'`);
  if (plain.length) parts.unshift(`lower(${column}) IN (${plain.join(', ')})`);
  return parts.length === 1 ? parts[0] : `(${parts.join(' OR ')})`;
}

/** SQL predicate for one rule, or null when it pins neither eventSource nor eventName. */
export function rulePredicate({ sources, names }) {
  const parts = [];
  if (sources.length) parts.push(fieldPredicate('r.eventSource', sources));
  if (names.length) parts.push(fieldPredicate('r.eventName', names));
  return parts.length ? `(${parts.join(' AND ')})` : null;
}

/** Parse the rule files (YAML, possibly multi-document) into prefilter summaries. */
export function loadRulePrefilters(ruleFiles) {
  const rules = [];
  for (const file of ruleFiles) {
    for (const d of parseAllDocuments(readFileSync(file, 'utf8'))) {
      if (d.errors.length) throw new Error(`${file}: YAML error: ${d.errors[0].message}`);
      const doc = d.toJS();
      if (doc?.detection) rules.push(rulePrefilter(doc, file)); // skip non-rule documents (e.g. global headers)
    }
  }
  return rules;
}

// Only the fields the filter needs are declared: DuckDB still parses every JSON document, but skips
// building vectors for the other ~20 CloudTrail fields. On the 1M corpus a bare count(*) took 2.1 s
// vs 3.0-3.5 s when read_json infers the full schema (format='auto'/'unstructured').
const RECORDS_TYPE = "STRUCT(eventSource VARCHAR, eventName VARCHAR)[]";

/**
 * read_json over the corpus. Each CloudTrail file is ONE JSON document {"Records":[...]}, written on a
 * single line (as S3 delivers it), so 'newline_delimited' reads it as one row whose Records list we
 * unnest; it was the fastest variant (bare count over 1M events, 2 threads: 1.3-1.4 s vs 2.1 s for
 * 'unstructured'; the full rule query: ~1.7 s vs ~2.5 s).
 * A pretty-printed (multi-line) file would break it, so 'unstructured' is kept as a fallback variant.
 * maximum_object_size: a whole file is one object (~2.2 MB for 2000 generated events); real CloudTrail
 * files can pass DuckDB's 16 MB default, so it is raised to 1 GiB to never fail on size.
 */
function corpusSource(corpusDir, format) {
  const glob = `${corpusDir.replaceAll("'", "''")}/**/*.json.gz`;
  return `read_json('${glob}', format='${format}', compression='gzip', maximum_object_size=1073741824, columns={Records: '${RECORDS_TYPE}'})`;
}

/**
 * One scan: total events, events matching any rule, and per-rule counts (cheap FILTER aggregates,
 * used for the sanity check against Tideline's alertsByRule).
 */
export function buildDuckdbQuery(corpusDir, rules) {
  const preds = rules.map(rulePredicate);
  const any = preds.filter(Boolean);
  const select = [
    'count(*) AS total',
    `count(*) FILTER (WHERE ${any.length ? any.join(' OR ') : 'false'}) AS matched`,
    ...preds.map((p, i) => (p ? `count(*) FILTER (WHERE ${p}) AS rule_${i}` : null)).filter(Boolean),
  ];
  const sqlFor = (format) =>
    `SELECT\n  ${select.join(',\n  ')}\nFROM (SELECT unnest(Records) AS r FROM ${corpusSource(corpusDir, format)})`;
  return {
    variants: [
      { name: 'explicit-schema/newline_delimited', sql: sqlFor('newline_delimited') },
      { name: 'explicit-schema/unstructured', sql: sqlFor('unstructured') },
    ],
    ruleColumns: preds.map((p, i) => (p ? `rule_${i}` : null)),
  };
}

// ---------------------------------------------------------------------------------------------------
// Child-process mode
// ---------------------------------------------------------------------------------------------------
async function main(specPath) {
  const { DuckDBInstance, version } = await import('@duckdb/node-api');
  const spec = JSON.parse(readFileSync(specPath, 'utf8'));
  const instance = await DuckDBInstance.create(':memory:');
  const conn = await instance.connect();
  await conn.run(`SET threads=${Number(spec.threads)}`);
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
  if (!process.argv[2]) { console.error('usage: node bench/duckdb.mjs SPEC.json'); process.exit(2); }
  main(process.argv[2]).catch((e) => { console.error(`duckdb: ${e.stack ?? e}`); process.exit(1); });
}
