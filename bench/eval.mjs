// Pure evaluation speed: records already parsed in memory, one thread, `new Detector(rules).match(rec)` over all of
// them (dist/detect/engine.js). No reading, gunzip, JSON.parse, alert formatting or output: what is left is the
// cost of the rule index and the rules themselves, per core.
//
//   node bench/eval.mjs CORPUS_DIR RECORDS RULE_DIR...   -> one JSON line: { records, loadSeconds, sets: [...] }
//
// Each rule set is timed on its own Detector: one untimed warm-up pass (JIT), then full passes until at least
// MIN_SECONDS have elapsed, so a fast set is not timed on a few milliseconds.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';

const MIN_SECONDS = Number(process.env.EVAL_SECONDS ?? 1.5);
const dist = (p) => new URL(`../dist/${p}`, import.meta.url).href;

/** The first `max` records of the corpus, files in sorted order (the order hunt reads them). */
function loadRecords(dir, max) {
  const files = readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && /\.json(\.gz)?$/.test(e.name))
    .map((e) => join(e.parentPath ?? e.path, e.name))
    .sort();
  const out = [];
  for (const f of files) {
    if (out.length >= max) break;
    const buf = readFileSync(f);
    const doc = JSON.parse((f.endsWith('.gz') ? gunzipSync(buf) : buf).toString('utf8'));
    for (const rec of doc.Records ?? []) {
      if (out.length >= max) break;
      out.push(rec);
    }
  }
  return out;
}

async function main([corpus, count, ...ruleDirs]) {
  const [{ loadRules }, { selectRules }, { Detector }] = await Promise.all([
    import(dist('sigma/load.js')), import(dist('detect/selection.js')), import(dist('detect/engine.js')),
  ]);
  let t0 = process.hrtime.bigint();
  const records = loadRecords(corpus, Number(count));
  const loadSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const sets = [];
  for (const dir of ruleDirs) {
    const set = loadRules([dir], {});
    const errors = set.diagnostics.filter((d) => d.severity === 'error');
    if (errors.length) throw new Error(`${dir}: ${errors.length} rule errors, first: ${errors[0].file}:${errors[0].line}: ${errors[0].message}`);
    const rules = selectRules(set.rules, {}).selected;
    const detector = new Detector(rules);
    // warm-up pass, also the correctness figures: matches and the rules that fired
    let matches = 0;
    const fired = new Set();
    for (const rec of records) for (const r of detector.match(rec)) { matches++; fired.add(r.id); }
    let passes = 0;
    t0 = process.hrtime.bigint();
    let seconds = 0;
    do {
      for (const rec of records) detector.match(rec);
      passes++;
      seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    } while (seconds < MIN_SECONDS);
    sets.push({ dir, rules: rules.length, matches, firedRules: fired.size, passes, seconds, eventsPerSecond: (passes * records.length) / seconds });
  }
  process.stdout.write(JSON.stringify({ records: records.length, loadSeconds, sets }) + '\n');
}

main(process.argv.slice(2)).catch((e) => { console.error(`eval: ${e.stack ?? e}`); process.exit(1); });
