// Tideline's speed benchmark (issue 7): `tideline hunt` against an equivalent DuckDB query over the same CloudTrail
// corpus, plus worker scaling (and this machine's ceiling for it: two independent single-thread hunts at once, see
// runCeiling), rule scaling, pure evaluation and bounded memory, all in one run.
// Run with `npm run bench` (builds first); `node bench/run.mjs` works on an existing build. Knobs (environment):
//   BENCH_EVENTS        corpus size, default 1000000 (each size is generated once, cached in .bench/)
//   BENCH_WORKERS       --workers for the main tideline row (default: the CLI's default, one per core)
//   BENCH_RULE_COUNTS   variant set sizes for rule scaling, default 60,600,3000 (first and last give the ratio)
//   BENCH_EVAL_RECORDS  records held in memory for pure evaluation, default 200000
//   BENCH_DUCKDB_VARIANTS  a variant set also run through DuckDB (typed), compared rule by rule with tideline's
//                       row for that set: default 600 (when in BENCH_RULE_COUNTS), 0 skips it
//   BENCH_MEMORY        0 skips the memory row (a corpus 10x BENCH_EVENTS: 10M events by default)
//   BENCH_ROUNDS        times the timed rows and pure evaluation run, each keeping its fastest round (default 2; see faster())
//   BENCH_CLI           path of the CLI script, default dist/cli/main.js (only to test the harness itself)
// Output: a table on stdout (every row a child process: wall time here, peak RSS by GNU time), scaling and
// evaluation blocks, the per-rule correctness check, the targets block; everything also in .bench/results.json.
// Exit code: 1 for harness errors and correctness mismatches only; a missed speed target is reported, not fatal.
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { buildDuckdbQuery, inferredSchema, loadRuleIrs, typedSchema, usedFields } from './duckdb.mjs';
import { VARIANTS_VERSION, writeVariants } from './variants.mjs';

// Every path is resolved from the repo root, so the bench works from any cwd.
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SHARED = resolve(ROOT, '..', 'shared');
const BENCH_DIR = join(ROOT, '.bench'); // git-ignored
const CLI = resolve(ROOT, process.env.BENCH_CLI ?? 'dist/cli/main.js');
const GENERATOR = join(SHARED, 'tools', 'gen-cloudtrail.mjs');
const SIGMA_RULES = join(SHARED, 'sigma-aws-rules');
const BUNDLED_RULES = join(ROOT, 'content', 'rules');
const TIME_BIN = '/usr/bin/time';
const THREADS = 2; // the machine has 2 cores; DuckDB gets both, like Tideline's workers
const STDERR_TAIL = 4000; // chars of a failed child's stderr to show
const STDOUT_TAIL = 1 << 20; // we only parse the last stdout line of a child
const VARIANT_SEED = 7;
const MEMORY_COPIES = 9; // the memory corpus: 9 links to the corpus + one plain file of as many new records

// Issue 7's targets.
const TARGET = { vsDuckdb: 1.5, ruleFlatness: 0.7, evalPerCore: 1_000_000, memoryEvents: 10_000_000, memoryMB: 400, workerScaling: 1.8 };

const rel = (p) => relative(ROOT, p) || '.';
const log = (msg) => process.stderr.write(`bench: ${msg}\n`); // progress on stderr, results on stdout

class BenchError extends Error {}

function envInt(name, fallback) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || (n === 0 && name !== 'BENCH_MEMORY')) throw new BenchError(`${name} must be a positive integer, got '${raw}'`);
  return n;
}

// ---------------------------------------------------------------------------------------------------
// Child processes: wall time measured here (hrtime), peak RSS by GNU time (`%M` = max RSS in KB)
// written to a file with -o so it never mixes with the child's own stderr.
// ---------------------------------------------------------------------------------------------------
const haveTime = existsSync(TIME_BIN);

/** Busy CPU seconds of the whole machine so far (/proc/stat: all but idle and iowait), or null off Linux. */
function machineBusySeconds() {
  try {
    const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    const [user, nice, system, , , irq, softirq, steal] = f;
    return (user + nice + system + irq + softirq + (steal ?? 0)) / 100; // USER_HZ is 100 on Linux
  } catch {
    return null;
  }
}

/**
 * The machine is shared: besides wall time and peak RSS, each row records the CPU its child used (%U + %S) and
 * the CPU everything else used meanwhile ("other cores": busy CPU of the machine minus the child's, per second),
 * so a row measured while another process was busy says so.
 */
function runMeasured(label, cmd, args) {
  const rssFile = join(BENCH_DIR, 'time', `${label.replace(/[^\w.-]+/g, '_')}.txt`);
  mkdirSync(dirname(rssFile), { recursive: true });
  rmSync(rssFile, { force: true });
  const [bin, argv] = haveTime ? [TIME_BIN, ['-f', '%M %U %S', '-o', rssFile, cmd, ...args]] : [cmd, args];
  const busy0 = machineBusySeconds();
  log(`${label}: ${[cmd, ...args].map((a) => (/\s/.test(a) ? `'${a}'` : a)).join(' ')}`);
  return new Promise((resolvePromise, reject) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(bin, argv, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '', stderr = '';
    child.stdout.on('data', (d) => { stdout = (stdout + d).slice(-STDOUT_TAIL); });
    // keep only the tail: a chatty child must not grow the harness's memory
    child.stderr.on('data', (d) => { stderr = (stderr + d).slice(-STDERR_TAIL); });
    child.on('error', (e) => reject(new BenchError(`${label}: cannot start ${bin}: ${e.message}`)));
    child.on('close', (code, signal) => {
      const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
      if (code !== 0) {
        const why = signal ? `killed by ${signal}` : `exit code ${code}`;
        return reject(new BenchError(`${label} failed (${why}) after ${seconds.toFixed(1)} s. stderr tail:\n${stderr.trimEnd() || '(empty)'}`));
      }
      // GNU time may prefix lines such as "Command exited with non-zero status"; the numbers are last
      let peakRssMB = null, cpuSeconds = null;
      if (haveTime && existsSync(rssFile)) {
        const [kb, user, sys] = readFileSync(rssFile, 'utf8').trim().split('\n').at(-1).split(' ').map(Number);
        if (Number.isFinite(kb)) peakRssMB = kb / 1024;
        if (Number.isFinite(user + sys)) cpuSeconds = user + sys;
      }
      const busy1 = machineBusySeconds();
      const otherCores = busy0 != null && busy1 != null && cpuSeconds != null ? Math.max(0, (busy1 - busy0 - cpuSeconds) / seconds) : null;
      resolvePromise({ seconds, peakRssMB, cpuSeconds, otherCores, stdout, stderr });
    });
  });
}

const lastJsonLine = (label, stdout) => {
  try { return JSON.parse(stdout.trim().split('\n').at(-1)); } catch {
    throw new BenchError(`${label}: unreadable output: ${stdout.slice(-500)}`);
  }
};

// ---------------------------------------------------------------------------------------------------
// Inputs: the corpus, the memory corpus, the rule variants. Each is built once and cached; a marker is written
// only after a build succeeded, so an interrupted build (no marker) is wiped and redone, never measured.
// ---------------------------------------------------------------------------------------------------
const sizeLabel = (n) => (n % 1e6 === 0 ? `${n / 1e6}m` : n % 1e3 === 0 ? `${n / 1e3}k` : String(n));
const readMarker = (dir) => (existsSync(join(dir, '.complete')) ? JSON.parse(readFileSync(join(dir, '.complete'), 'utf8')) : null);
const writeMarker = (dir, data) => writeFileSync(join(dir, '.complete'), JSON.stringify({ ...data, builtAt: new Date().toISOString() }) + '\n');

async function ensureCorpus(events) {
  const dir = join(BENCH_DIR, `corpus-${sizeLabel(events)}`);
  const marker = readMarker(dir);
  if (marker) {
    log(`corpus ${rel(dir)} cached`);
    return { dir, events, cached: true, generationSeconds: marker.seconds ?? null };
  }
  rmSync(dir, { recursive: true, force: true });
  log(`generating ${events} events into ${rel(dir)} (once; ~30 s per million events)`);
  const { seconds } = await runMeasured('generate-corpus', process.execPath, [rel(GENERATOR), rel(dir), String(events)]);
  writeMarker(dir, { events, seconds });
  log(`corpus generated in ${seconds.toFixed(1)} s`);
  return { dir, events, cached: false, generationSeconds: seconds };
}

/** Corpus files in the order hunt reads them (sorted walk), skipping dot files such as the marker. */
function corpusFiles(dir) {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && !e.name.startsWith('.'))
    .map((e) => join(e.parentPath ?? e.path, e.name))
    .sort();
}

/**
 * Read every corpus file once before timing, so neither engine pays for cold disk reads (whoever ran
 * first would otherwise be penalised after a reboot). 1M events is ~130 MB of gzip: a fraction of a second.
 */
function warmPageCache(dir) {
  for (const f of corpusFiles(dir)) readFileSync(f);
}

/**
 * The memory corpus, 10x the corpus without generating it again: MEMORY_COPIES directory symlinks to the corpus
 * (tideline follows them: src/logs/walk.ts uses statSync) plus ONE plain, uncompressed CloudTrail file
 * {"Records":[...]} holding the next `events` records (same records, new eventIDs, times shifted past the corpus),
 * so the hunt meets a file of ~1.1 GB per million events whole. Written by streaming, one corpus file in memory
 * at a time.
 */
async function ensureMemoryCorpus(corpus) {
  const events = corpus.events * (MEMORY_COPIES + 1);
  // not corpus-10m: that name is what BENCH_EVENTS=10000000 would generate
  const dir = join(BENCH_DIR, `corpus-${sizeLabel(events)}-linked`);
  const marker = readMarker(dir);
  if (marker?.events === events && marker.source === rel(corpus.dir)) {
    log(`memory corpus ${rel(dir)} cached`);
    return { dir, events, plainFile: marker.plainFile, plainBytes: marker.plainBytes, cached: true };
  }
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, 'next'), { recursive: true });
  for (let i = 1; i <= MEMORY_COPIES; i++) symlinkSync(relative(dir, corpus.dir), join(dir, `copy-${i}`), 'dir');
  const plainFile = join(dir, 'next', `111122223333_CloudTrail_us-east-1_next-${sizeLabel(corpus.events)}.json`);
  log(`writing ${rel(plainFile)} (${corpus.events} records, once)`);
  const t0 = process.hrtime.bigint();
  // The generator spaces events 37 ms apart: shifting by events * 37 ms makes these the next records in time.
  const shiftMs = corpus.events * 37;
  const out = createWriteStream(plainFile);
  const write = (s) => (out.write(s) ? undefined : new Promise((r) => out.once('drain', r)));
  await write('{"Records":[');
  let n = 0;
  for (const f of corpusFiles(corpus.dir)) {
    for (const rec of JSON.parse(gunzipSync(readFileSync(f)).toString('utf8')).Records) {
      // a bijection on the first 32 bits: new IDs are distinct from each other and (2^-90 odds aside) from the corpus
      const head = ((parseInt(rec.eventID.slice(0, 8), 16) + 0x9e3779b9) >>> 0).toString(16).padStart(8, '0');
      rec.eventID = head + rec.eventID.slice(8);
      rec.eventTime = new Date(Date.parse(rec.eventTime) + shiftMs).toISOString().replace(/\.\d+Z$/, 'Z');
      await write((n++ ? ',' : '') + JSON.stringify(rec));
    }
  }
  await write(']}');
  await new Promise((r, j) => out.end((e) => (e ? j(e) : r())));
  if (n !== corpus.events) throw new BenchError(`memory corpus: wrote ${n} records, expected ${corpus.events}`);
  const plainBytes = statSync(plainFile).size;
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  writeMarker(dir, { events, source: rel(corpus.dir), plainFile: rel(plainFile), plainBytes, seconds });
  log(`memory corpus built in ${seconds.toFixed(1)} s (plain file ${(plainBytes / 2 ** 20).toFixed(0)} MB)`);
  return { dir, events, plainFile: rel(plainFile), plainBytes, cached: false };
}

/** .bench/rules-N: N generated variants (bench/variants.mjs), lint-checked once with the CLI (0 errors required). */
async function ensureVariants(count) {
  const dir = join(BENCH_DIR, `rules-${count}`);
  const marker = readMarker(dir);
  if (marker?.version === VARIANTS_VERSION && marker.count === count && marker.seed === VARIANT_SEED) return { dir, count, cached: true };
  const res = writeVariants({ outDir: dir, count, seed: VARIANT_SEED, templatesDir: SIGMA_RULES, vocabularyDirs: [BUNDLED_RULES], generatorFile: GENERATOR });
  // `rules lint` exits 2 on any error, which runMeasured turns into a BenchError
  const lint = await runMeasured(`lint-variants-${count}`, process.execPath, [rel(CLI), 'rules', 'lint', '-q', rel(dir)]);
  const summary = lint.stdout.trim().split('\n').at(-1) + lint.stderr.trim().split('\n').at(-1);
  if (!/ 0 errors/.test(summary)) throw new BenchError(`variants ${rel(dir)}: lint did not report 0 errors: ${summary}`);
  writeMarker(dir, { version: VARIANTS_VERSION, count, seed: VARIANT_SEED, templates: res.templates });
  log(`${count} rule variants written to ${rel(dir)} (lint: 0 errors)`);
  return { dir, count, cached: false };
}

// ---------------------------------------------------------------------------------------------------
// Rows. Each returns { engine, label, rules, events, seconds, peakRssMB, ... }.
// ---------------------------------------------------------------------------------------------------

/** One `tideline hunt` run. The CLI's own stats file gives the event count and per-rule alerts. */
async function runTideline({ corpus, rulesDirs, workers, label, count = false }) {
  // Alerts are fully formatted and written, to /dev/null: the engine is measured, not the disk (DuckDB writes nothing
  // either). Rewriting a 1 GB file row after row made rows wait for the previous row's writeback: 7 s became 12 s.
  // `count`: hunt --count, the number of alerts per rule and nothing else, which is what the DuckDB query computes.
  const alerts = '/dev/null';
  const stats = join(BENCH_DIR, 'stats.json');
  rmSync(stats, { force: true }); // never read a previous run's stats
  const args = [rel(CLI), 'hunt'];
  for (const d of rulesDirs) args.push('--rules', rel(d));
  args.push('--format', 'jsonl', '--output', alerts, '--stats', rel(stats));
  if (workers) args.push('--workers', String(workers));
  if (count) args.push('--count');
  args.push(rel(corpus.dir));

  const run = await runMeasured(label, process.execPath, args);
  if (!existsSync(stats)) throw new BenchError(`${label}: the CLI exited 0 but wrote no stats file ${rel(stats)}`);
  const s = JSON.parse(readFileSync(stats, 'utf8'));
  for (const k of ['files', 'records', 'alerts', 'errors']) {
    if (!Number.isFinite(s[k])) throw new BenchError(`${label}: stats file lacks numeric '${k}': ${JSON.stringify(s).slice(0, 300)}`);
  }
  return {
    engine: 'tideline', label, workers: s.workers ?? workers ?? null, rules: s.rules ?? null,
    events: s.records, seconds: run.seconds, peakRssMB: run.peakRssMB, cpuSeconds: run.cpuSeconds, otherCores: run.otherCores, alerts: s.alerts, duplicates: s.duplicates ?? 0,
    files: s.files, errors: s.errors, cliSeconds: s.seconds ?? null,
    cliPeakRssMB: Number.isFinite(s.peakRssBytes) ? s.peakRssBytes / 2 ** 20 : null,
    alertsByRule: s.alertsByRule ?? {},
  };
}

/**
 * A DuckDB reference row: every rule translated to SQL (duckdb.mjs) over the typed or the inferred schema, run in
 * its own child. The inferred query needs the inferred type first (a --describe child, not timed).
 */
async function runDuckdb({ corpus, irs, schemaKind, tag = '' }) {
  const label = `duckdb (${schemaKind === 'typed' ? 'typed schema' : 'schema inferred'})${tag ? ` ${tag}` : ''}`;
  const name = `duckdb-${schemaKind}${tag ? `-${tag.replace(/\W+/g, '-')}` : ''}`;
  const glob = `${rel(corpus.dir)}/**/*.json.gz`;
  let schema;
  if (schemaKind === 'typed') schema = typedSchema([...usedFields(irs).keys()]);
  else {
    const d = await runMeasured('duckdb-describe', process.execPath, [rel(join(ROOT, 'bench', 'duckdb.mjs')), '--describe', glob]);
    schema = inferredSchema(lastJsonLine('duckdb-describe', d.stdout));
  }
  const q = buildDuckdbQuery(glob, schema, irs);
  // kept, so the SQL can be inspected or rerun: the spec the child runs, and the SQL alone
  const spec = join(BENCH_DIR, `${name}-query.json`);
  const sqlFile = join(BENCH_DIR, `${name}.sql`);
  writeFileSync(spec, JSON.stringify({ threads: THREADS, setup: q.setup, variants: q.variants }, null, 2));
  writeFileSync(sqlFile, `SET threads=${THREADS};\n${q.setup.join(';\n')};\n\n${q.variants[0].sql};\n`);
  const run = await runMeasured(label, process.execPath, [rel(join(ROOT, 'bench', 'duckdb.mjs')), rel(spec)]);
  const out = lastJsonLine(label, run.stdout);
  const perRule = q.perRule.map((p) => ({ ...p, count: p.column ? out.row[p.column] : null }));
  return {
    engine: 'duckdb', label, schema: schemaKind, threads: THREADS, rules: perRule.filter((p) => p.column).length, rulesLoaded: perRule.length,
    events: out.row.total, seconds: run.seconds, querySeconds: out.querySeconds, peakRssMB: run.peakRssMB, cpuSeconds: run.cpuSeconds, otherCores: run.otherCores,
    alerts: perRule.reduce((a, p) => a + (p.count ?? 0), 0),
    variant: out.variant, failedVariants: out.failures, duckdbVersion: out.duckdbVersion,
    recordType: schema.recordType ?? null, sqlFile: rel(sqlFile), perRule,
  };
}

/**
 * The faster of a row's rounds, with every round's seconds kept (`rounds`). This VM's speed drifts by a third within
 * minutes (both engines alike); running the whole sequence twice and keeping each row's best round compares the
 * engines at the same machine speed far more often than one pass does. Every round must count the same alerts.
 */
function faster(prev, next) {
  if (!prev) return { ...next, rounds: [next.seconds] };
  if (next.alerts !== prev.alerts) throw new BenchError(`${next.label}: ${next.alerts} alerts in one round, ${prev.alerts} in another`);
  const rounds = [...prev.rounds, next.seconds];
  return next.seconds < prev.seconds ? { ...next, rounds } : { ...prev, rounds };
}

/**
 * This machine's ceiling for worker scaling: the same single-thread hunt (`--workers 1 --count`) over one account's
 * subtree alone, then over two accounts' subtrees (the generator makes them the same size) as two processes at once.
 * They share nothing, so 2 x alone / together is what two cores give two independent jobs here (memory bandwidth,
 * caches, the hypervisor): no worker design can scale better than that on this machine.
 */
async function runCeiling(corpus, rulesDirs) {
  const root = join(corpus.dir, 'AWSLogs');
  const accounts = existsSync(root) ? readdirSync(root).sort().slice(0, 2) : [];
  if (accounts.length < 2) return null;
  const args = (a) => [rel(CLI), 'hunt', ...rulesDirs.flatMap((d) => ['--rules', rel(d)]), '--count', '--workers', '1', '--output', '/dev/null', '--no-progress', rel(join(root, a))];
  const alone = await runMeasured(`ceiling: ${accounts[0]} alone`, process.execPath, args(accounts[0]));
  const both = await Promise.all(accounts.map((a) => runMeasured(`ceiling: ${a} beside the other`, process.execPath, args(a))));
  const together = Math.max(...both.map((b) => b.seconds));
  return { accounts, aloneSeconds: alone.seconds, togetherSeconds: together, scaling: (2 * alone.seconds) / together };
}

/** The ceiling from the faster of each side over the rounds, as target 4 takes each worker row's fastest round. */
function fasterCeiling(prev, next) {
  if (!prev || !next) return next ?? prev;
  const aloneSeconds = Math.min(prev.aloneSeconds, next.aloneSeconds);
  const togetherSeconds = Math.min(prev.togetherSeconds, next.togetherSeconds);
  return { ...next, aloneSeconds, togetherSeconds, scaling: (2 * aloneSeconds) / togetherSeconds };
}

/**
 * Pure evaluation (bench/eval.mjs): parsed records in memory, one thread, Detector.match only. Like the timed rows,
 * `rounds` children, each set keeping its fastest (one child's speed is stable, but the VM's changes from one
 * child to the next by up to 1.7x: the same build measured 0.55M and 0.95M at 600 rules minutes apart).
 */
async function runEval({ corpus, records, sets, rounds }) {
  let best;
  for (let round = 0; round < rounds; round++) {
    const run = await runMeasured('eval', process.execPath, [rel(join(ROOT, 'bench', 'eval.mjs')), rel(corpus.dir), String(records), ...sets.map((s) => rel(s.dir))]);
    const out = { ...lastJsonLine('eval', run.stdout), seconds: run.seconds, peakRssMB: run.peakRssMB, otherCores: run.otherCores };
    for (const s of out.sets) s.rounds = [s.eventsPerSecond];
    if (!best) best = out;
    else {
      best.sets = best.sets.map((b, i) => {
        const n = out.sets[i];
        const rounds = [...b.rounds, n.eventsPerSecond];
        if (n.matches !== b.matches) throw new BenchError(`pure evaluation, ${b.rules} rules: rounds found ${b.matches} and ${n.matches} matches`);
        return { ...(n.eventsPerSecond > b.eventsPerSecond ? n : b), rounds };
      });
    }
  }
  return best;
}

// ---------------------------------------------------------------------------------------------------
// Correctness: never traded for speed. Every check that fails is a PROBLEM and makes the exit code 1.
// ---------------------------------------------------------------------------------------------------

/** Sum counts per title (alertsByRule is keyed by title: rules sharing a title are added there too). */
function countsByTitle(perRule) {
  const m = new Map();
  for (const p of perRule) m.set(p.title, (m.get(p.title) ?? 0) + p.count);
  return m;
}

function sanityCheck({ corpus, pairs, hunt, counted, workerRows, scaling, memory }) {
  const problems = [];
  const notes = [];
  for (const r of [...pairs.map((p) => p.duckdb), hunt, counted, ...workerRows, ...scaling]) {
    if (r.events !== corpus.events) problems.push(`${r.label}: read ${r.events} events, the corpus has ${corpus.events}`);
    if (r.engine === 'tideline' && r.errors > 0) problems.push(`${r.label}: tideline reported ${r.errors} errors`);
    if (r.engine === 'tideline' && r.duplicates > 0) problems.push(`${r.label}: ${r.duplicates} duplicate alerts suppressed, but the corpus has unique eventIDs`);
  }
  // 1. every translated rule: DuckDB's count of matching events = Tideline's alerts (one per rule and event)
  for (const { duckdb: d, tideline } of pairs) {
    const inSql = d.perRule.filter((p) => p.column);
    const titles = inSql.map((p) => p.title);
    const dup = titles.filter((t, i) => titles.indexOf(t) !== i);
    if (dup.length) notes.push(`${d.label}: titles shared by several rules (compared as sums): ${[...new Set(dup)].join('; ')}`);
    // a title whose rules are not all translated cannot be compared: its alerts include the untranslated rule's
    const partial = new Set(d.perRule.filter((p) => !p.column).map((p) => p.title));
    let equal = 0;
    for (const [title, count] of countsByTitle(inSql)) {
      if (partial.has(title)) continue;
      const got = tideline.alertsByRule[title] ?? 0;
      if (got === count) equal++;
      else problems.push(`rule '${title}': ${tideline.label} ${got} alerts, ${d.label} ${count} events`);
    }
    d.comparedRules = equal;
    d.comparedWith = tideline.label;
  }
  // 2. the number of workers never changes the result, nor does counting instead of writing
  for (const r of [counted, ...workerRows]) {
    const diff = diffCounts(hunt.alertsByRule, r.alertsByRule);
    if (diff) problems.push(`${r.label}: alerts differ from ${hunt.label}: ${diff}`);
  }
  // 3. the variant sets are prefixes of each other: a rule's alerts do not depend on the other rules loaded
  for (let i = 0; i + 1 < scaling.length; i++) {
    const small = scaling[i], big = scaling[i + 1];
    const subset = Object.fromEntries(Object.entries(big.alertsByRule).filter(([t]) => isVariantOf(t, small.rules)));
    const diff = diffCounts(small.alertsByRule, subset);
    if (diff) problems.push(`${small.label} vs ${big.label}: the shared variants' alerts differ: ${diff}`);
  }
  if (scaling.length && scaling.every((r) => Object.keys(r.alertsByRule).length === 0)) notes.push('no variant fired on the corpus');
  // 4. the memory row read everything
  if (memory) {
    notes.push(`${memory.label}: ${fmtInt(memory.duplicates)} duplicate alerts suppressed; the ${MEMORY_COPIES} linked copies repeat the corpus's eventIDs (${fmtInt(memory.alerts)} alerts written)`);
    if (memory.events !== memory.corpusEvents) problems.push(`${memory.label}: read ${memory.events} events, the memory corpus has ${memory.corpusEvents}`);
    if (memory.errors > 0) problems.push(`${memory.label}: tideline reported ${memory.errors} errors`);
  }
  return { ok: problems.length === 0, problems, notes };
}

/** Variant titles end with "(variant N)"; the set of size `count` holds variants 1..count. */
function isVariantOf(title, count) {
  const m = / \(variant (\d+)\)$/.exec(title);
  return !!m && Number(m[1]) <= count;
}

function diffCounts(a, b) {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  const d = [...keys].filter((k) => (a[k] ?? 0) !== (b[k] ?? 0)).map((k) => `'${k}' ${a[k] ?? 0} vs ${b[k] ?? 0}`);
  return d.length ? d.slice(0, 5).join('; ') + (d.length > 5 ? `; and ${d.length - 5} more` : '') : '';
}

// ---------------------------------------------------------------------------------------------------
// Reporting
// ---------------------------------------------------------------------------------------------------
const fmtInt = (n) => (n == null || !Number.isFinite(n) ? '-' : Math.round(n).toLocaleString('en-US'));
const fmtX = (x) => (x == null || !Number.isFinite(x) ? '-' : x.toFixed(2));
const rate = (r) => r.events / r.seconds;

function printTable(header, body) {
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => String(b[i]).length)));
  // first column left-aligned (text), numbers right-aligned
  const line = (cells) => cells.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join('  ');
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const b of body) console.log(line(b));
}

function printRows(rows, typed, inferred) {
  printTable(
    ['engine', 'rules', 'events', 'seconds', 'rounds s', 'events/s', 'x typed', 'x inferred', 'alerts', 'peak RSS MB', 'cpu s', 'other cores'],
    rows.map((r) => [
      r.label, String(r.rules ?? '-'), fmtInt(r.events), r.seconds.toFixed(2), r.rounds ? r.rounds.map((x) => x.toFixed(1)).join(' ') : '-', fmtInt(rate(r)),
      fmtX(rate(r) / rate(typed)), fmtX(rate(r) / rate(inferred)), fmtInt(r.alerts), r.peakRssMB == null ? '-' : r.peakRssMB.toFixed(0),
      r.cpuSeconds == null ? '-' : r.cpuSeconds.toFixed(1), r.otherCores == null ? '-' : r.otherCores.toFixed(2),
    ]),
  );
}

/** A note for a target whose rows ran while other processes used the CPU (their figures are pessimistic). */
const busyNote = (rows) => {
  const worst = Math.max(...rows.map((r) => r?.otherCores ?? 0));
  return worst > 0.3 ? `busy machine: ${worst.toFixed(2)} other cores` : '';
};

function targetLines({ typed, inferred, hunt, counted, workerRows, ceiling, scaling, evalRes, memory, corpus, evalSetFor }) {
  const t = [];
  const add = (name, value, threshold, pass, note = '', rows = []) => t.push({ name, value, threshold, pass, note: [note, busyNote(rows)].filter(Boolean).join('; ') });
  // The equivalent query: DuckDB counts the events each rule matches, hunt --count counts each rule's alerts.
  add('1. tideline --count / duckdb typed (events/s)', rate(counted) / rate(typed), `>= ${TARGET.vsDuckdb}`, rate(counted) / rate(typed) >= TARGET.vsDuckdb, `${counted.label}`, [counted, typed]);
  add('1. tideline --count / duckdb inferred (events/s)', rate(counted) / rate(inferred), `>= ${TARGET.vsDuckdb}`, rate(counted) / rate(inferred) >= TARGET.vsDuckdb, `${counted.label}`, [counted, inferred]);
  add('   (alerts written) tideline / duckdb typed', rate(hunt) / rate(typed), 'info', null, `${hunt.label}: ${fmtInt(hunt.alerts)} alerts formatted, more work than the query`, [hunt, typed]);
  if (scaling.length >= 2) {
    const [first, last] = [scaling[0], scaling.at(-1)];
    add(`2. events/s ${last.rules} rules / ${first.rules} rules`, rate(last) / rate(first), `>= ${TARGET.ruleFlatness}`, rate(last) / rate(first) >= TARGET.ruleFlatness, '', [first, last]);
  }
  const e600 = evalSetFor(600);
  if (e600) add(`2. pure evaluation, ${e600.rules} rules (events/s, 1 core)`, e600.eventsPerSecond, `>= ${fmtInt(TARGET.evalPerCore)}`, e600.eventsPerSecond >= TARGET.evalPerCore, `${fmtInt(evalRes.records)} records in memory`, [evalRes]);
  if (memory) {
    const full = memory.events >= TARGET.memoryEvents;
    add(`3. peak RSS, ${fmtInt(memory.events)} events (MB)`, memory.peakRssMB, `< ${TARGET.memoryMB}`, full ? memory.peakRssMB < TARGET.memoryMB : null,
      full ? `plain file ${(memory.plainBytes / 2 ** 20).toFixed(0)} MB included` : `target is for ${fmtInt(TARGET.memoryEvents)} events (BENCH_EVENTS=1000000)`, [memory]);
  } else add('3. peak RSS, 10M events', null, `< ${TARGET.memoryMB}`, null, 'skipped (BENCH_MEMORY=0)');
  const [w1, w2] = [workerRows.find((r) => r.workers === 1), workerRows.find((r) => r.workers === 2)];
  if (w1 && w2) add('4. events/s 2 workers / 1 worker', rate(w2) / rate(w1), `>= ${TARGET.workerScaling}`, rate(w2) / rate(w1) >= TARGET.workerScaling, ceiling ? `this machine's ceiling: x${fmtX(ceiling.scaling)} (two independent processes)` : '', [w1, w2]);
  return t;
}

function printTargets(targets) {
  console.log('\ntargets (issue 7)');
  printTable(
    ['target', 'measured', 'threshold', 'result', ''],
    targets.map((x) => [x.name, x.value == null ? '-' : x.value >= 1000 ? fmtInt(x.value) : x.value.toFixed(2), x.threshold, x.pass === null ? 'n/a' : x.pass ? 'PASS' : 'FAIL', x.note]),
  );
}

// ---------------------------------------------------------------------------------------------------
async function main() {
  const started = process.hrtime.bigint();
  const events = envInt('BENCH_EVENTS', 1_000_000);
  const workers = envInt('BENCH_WORKERS', undefined);
  const evalRecords = envInt('BENCH_EVAL_RECORDS', 200_000);
  const memoryOn = envInt('BENCH_MEMORY', 1) !== 0;
  const rounds = envInt('BENCH_ROUNDS', 2);
  const duckdbVariants = process.env.BENCH_DUCKDB_VARIANTS === undefined ? 600 : Number(process.env.BENCH_DUCKDB_VARIANTS);
  const ruleCounts = (process.env.BENCH_RULE_COUNTS ?? '60,600,3000').split(',').map((x) => Number(x.trim()));
  if (ruleCounts.some((n) => !Number.isInteger(n) || n <= 0)) throw new BenchError(`BENCH_RULE_COUNTS must be positive integers, got '${process.env.BENCH_RULE_COUNTS}'`);
  ruleCounts.sort((a, b) => a - b);
  if (!existsSync(SHARED)) throw new BenchError(`shared folder not found at ${SHARED} (expected ../shared next to the repo root)`);
  for (const p of [GENERATOR, SIGMA_RULES, BUNDLED_RULES]) if (!existsSync(p)) throw new BenchError(`missing ${p}`);
  if (!existsSync(CLI)) throw new BenchError(`${rel(CLI)} not found: build first (npm run build, or use npm run bench)`);
  if (!haveTime) log(`${TIME_BIN} not found: peak RSS will not be reported`);
  mkdirSync(BENCH_DIR, { recursive: true });

  // The machine is shared: say how busy it is before measuring anything.
  const b0 = machineBusySeconds();
  await new Promise((r) => setTimeout(r, 3000));
  const background = b0 == null ? null : (machineBusySeconds() - b0) / 3;
  if (background != null) log(`machine load before the run: ${background.toFixed(2)} cores busy${background > 0.3 ? ' (another process is running: expect noisy figures)' : ''}`);

  // Inputs (built once, cached).
  const corpus = await ensureCorpus(events);
  const variantSets = [];
  for (const n of ruleCounts) variantSets.push(await ensureVariants(n));
  const memoryCorpus = memoryOn ? await ensureMemoryCorpus(corpus) : null;
  const rulesDirs = [SIGMA_RULES, BUNDLED_RULES];
  const irs = await loadRuleIrs(rulesDirs); // the rules hunt runs, read by Tideline's own loader
  warmPageCache(corpus.dir);

  // The two DuckDB references first, then Tideline on the same corpus and rules; the whole sequence `rounds` times,
  // each row keeping its fastest round (see faster()).
  let typed, inferred, hunt, counted, ceiling;
  const workerRows = [];
  const scaling = [];
  for (let round = 0; round < rounds; round++) {
    if (rounds > 1) log(`round ${round + 1} of ${rounds}`);
    typed = faster(typed, await runDuckdb({ corpus, irs, schemaKind: 'typed' }));
    inferred = faster(inferred, await runDuckdb({ corpus, irs, schemaKind: 'inferred' }));
    hunt = faster(hunt, await runTideline({ corpus, rulesDirs, workers, label: `tideline (${workers ? `${workers} workers` : 'default workers'})` }));
    counted = faster(counted, await runTideline({ corpus, rulesDirs, workers, count: true, label: 'tideline --count' }));
    for (const [i, w] of [1, 2].entries()) workerRows[i] = faster(workerRows[i], await runTideline({ corpus, rulesDirs, workers: w, label: `tideline (--workers ${w})` }));
    ceiling = fasterCeiling(ceiling, await runCeiling(corpus, rulesDirs));
    for (const [i, v] of variantSets.entries()) scaling[i] = faster(scaling[i], await runTideline({ corpus, rulesDirs: [v.dir], workers: 2, label: `tideline ${v.count} variants (--workers 2)` }));
  }
  hunt.label = `tideline (${hunt.workers} workers${workers ? '' : ', default'})`;
  counted.label = `tideline --count (${counted.workers} workers${workers ? '' : ', default'})`;
  // DuckDB on a variant set too: the translation checked on rules that fire with contains/startswith/endswith/re/cidr
  const duckVariants = [];
  const dv = variantSets.find((v) => v.count === duckdbVariants);
  if (dv) {
    const d = await runDuckdb({ corpus, irs: await loadRuleIrs([dv.dir]), schemaKind: 'typed', tag: `${dv.count} variants` });
    duckVariants.push({ duckdb: d, tideline: scaling[variantSets.indexOf(dv)] });
  }
  const evalRes = await runEval({ corpus, records: Math.min(evalRecords, corpus.events), sets: variantSets, rounds });
  let memory = null;
  if (memoryCorpus) {
    warmPageCache(corpus.dir); // the links point at it; the plain file is read cold, as a new file would be
    memory = await runTideline({ corpus: memoryCorpus, rulesDirs, workers: 2, label: `tideline memory ${sizeLabel(memoryCorpus.events).toUpperCase()} (--workers 2)` });
    Object.assign(memory, { corpusEvents: memoryCorpus.events, plainBytes: memoryCorpus.plainBytes, plainFile: memoryCorpus.plainFile });
  }

  // Report.
  const rows = [typed, inferred, counted, hunt, ...workerRows, ...scaling, ...duckVariants.map((p) => p.duckdb), ...(memory ? [memory] : [])];
  console.log(`\ncorpus ${rel(corpus.dir)}: ${fmtInt(corpus.events)} events; ${cpus().length} CPUs (${background == null ? '?' : background.toFixed(2)} busy before the run), node ${process.version}, DuckDB ${typed.duckdbVersion} (${THREADS} threads)\n`);
  printRows(rows, typed, inferred);
  console.log('seconds = wall time of the child process (startup included), the fastest of its rounds (rounds s: each round\'s);');
  console.log('x typed / x inferred = events/s over that DuckDB row\'s events/s;');
  console.log('cpu s = CPU the child used; other cores = CPU used by everything else on the machine meanwhile (cores; > 0.1 means a busy machine);');
  console.log(`rules = rules run (DuckDB: rules translated to SQL, of ${typed.rulesLoaded}); alerts = DuckDB: sum of per-rule counts, tideline: alerts written (--count: counted, not written)`);

  const evalSetFor = (n) => evalRes.sets.find((s) => s.rules === n) ?? null;
  console.log(`\nscaling`);
  const [w1, w2] = workerRows;
  console.log(`  workers: ${fmtInt(rate(w1))} events/s with 1, ${fmtInt(rate(w2))} with 2: x${fmtX(rate(w2) / rate(w1))}`);
  if (ceiling) console.log(`  ceiling: two independent single-thread hunts at once (accounts ${ceiling.accounts.join(', ')}) run x${fmtX(ceiling.scaling)} the throughput of one alone (${ceiling.aloneSeconds.toFixed(2)} s alone, ${ceiling.togetherSeconds.toFixed(2)} s together)`);
  if (scaling.length) {
    console.log(`  rules (2 workers): ${scaling.map((r) => `${r.rules} rules ${fmtInt(rate(r))} events/s`).join(', ')}: ${scaling.length > 1 ? `${scaling.at(-1).rules}/${scaling[0].rules} = ${fmtX(rate(scaling.at(-1)) / rate(scaling[0]))}` : ''}`);
    if (duckVariants.length) console.log(`  duckdb (typed): ${typed.rules} rules ${fmtInt(rate(typed))} events/s, ${duckVariants[0].duckdb.rules} variants ${fmtInt(rate(duckVariants[0].duckdb))} events/s: ${fmtX(rate(duckVariants[0].duckdb) / rate(typed))}`);
    console.log(`  variants that fired: ${scaling.map((r) => `${Object.keys(r.alertsByRule).length} of ${r.rules} (${fmtInt(r.alerts)} alerts)`).join(', ')}`);
  }
  console.log(`\npure evaluation (bench/eval.mjs: ${fmtInt(evalRes.records)} records parsed in memory, 1 thread, Detector.match; child peak RSS ${evalRes.peakRssMB?.toFixed(0) ?? '-'} MB)`);
  printTable(['rules', 'events/s per core (best)', 'rounds', 'matches', 'rules fired', 'passes'],
    evalRes.sets.map((s) => [String(s.rules), fmtInt(s.eventsPerSecond), s.rounds.map((r) => `${(r / 1e6).toFixed(2)}M`).join(' '), fmtInt(s.matches), String(s.firedRules), String(s.passes)]));

  const pairs = [{ duckdb: typed, tideline: counted }, { duckdb: inferred, tideline: counted }, ...duckVariants];
  const sanity = sanityCheck({ corpus, pairs, hunt, counted, workerRows, scaling, memory });
  console.log('\ncorrectness');
  for (const { duckdb: d } of pairs) {
    const missing = d.perRule.filter((p) => !p.column);
    const fired = d.perRule.filter((p) => p.count > 0).length;
    console.log(`  ${d.label}: ${d.perRule.length - missing.length} of ${d.perRule.length} rules in SQL (${fired} match events); ${d.comparedRules} compared one by one with ${d.comparedWith}${sanity.problems.some((p) => p.includes(d.label)) ? ': MISMATCH' : ': all equal'}`);
    console.log(`    not in SQL: ${missing.map((p) => `${p.title} (${p.notInSql})`).join('; ') || 'none'}`);
  }
  console.log(`  workers 1 / 2 / default: ${sanity.problems.some((p) => p.includes('workers')) ? 'DIFFER' : 'same alerts per rule'}; variant sets: ${sanity.problems.some((p) => p.includes('variants\'')) ? 'DIFFER' : 'shared variants have the same alerts'}`);
  for (const n of sanity.notes) console.log(`  note: ${n}`);
  for (const p of sanity.problems) console.log(`  PROBLEM: ${p}`);

  const targets = targetLines({ typed, inferred, hunt, counted, workerRows, ceiling, scaling, evalRes, memory, corpus, evalSetFor });
  printTargets(targets);
  const totalSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  console.log(`\nbench took ${totalSeconds.toFixed(0)} s`);

  const results = {
    generatedAt: new Date().toISOString(),
    machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model, memoryMB: Math.round(totalmem() / 2 ** 20), node: process.version, busyCoresBeforeRun: background },
    corpus: { dir: rel(corpus.dir), events: corpus.events, cached: corpus.cached, generationSeconds: corpus.generationSeconds },
    memoryCorpus: memoryCorpus ? { ...memoryCorpus, dir: rel(memoryCorpus.dir) } : null,
    rows: rows.map((r) => ({ ...r, eventsPerSecond: rate(r), ratioToDuckdbTyped: rate(r) / rate(typed), ratioToDuckdbInferred: rate(r) / rate(inferred) })),
    eval: evalRes,
    workerCeiling: ceiling,
    targets,
    sanity,
    totalSeconds,
  };
  writeFileSync(join(BENCH_DIR, 'results.json'), JSON.stringify(results, null, 2) + '\n');
  log(`results written to ${rel(join(BENCH_DIR, 'results.json'))}`);
  if (!sanity.ok) { log('correctness check failed (see PROBLEM lines)'); process.exitCode = 1; }
}

main().catch((e) => {
  // BenchError messages are self-explanatory; anything else is a harness bug, so keep the stack
  console.error(`bench: ${e instanceof BenchError ? e.message : e.stack ?? e}`);
  process.exit(1);
});
