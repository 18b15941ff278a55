// Tideline benchmark: Tideline's `hunt` vs a DuckDB reference query over the same CloudTrail corpus.
// Run with `npm run bench` (builds first). Knobs (environment):
//   BENCH_EVENTS   corpus size, default 1000000 (each size is generated once, cached in .bench/)
//   BENCH_WORKERS  passed to the CLI as --workers N when set
//   BENCH_CLI      path of the CLI script, default dist/cli/main.js (only to test the harness itself)
// Output: an aligned table on stdout, a sanity check of matched counts, and .bench/results.json.
// Exit code is non-zero when a run fails or the two engines disagree (see sanityCheck).
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildDuckdbQuery, loadRulePrefilters } from './duckdb.mjs';

// Every path is resolved from the repo root, so the bench works from any cwd.
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SHARED = resolve(ROOT, '..', 'shared');
const BENCH_DIR = join(ROOT, '.bench'); // git-ignored
const CLI = resolve(ROOT, process.env.BENCH_CLI ?? 'dist/cli/main.js');
const GENERATOR = join(SHARED, 'tools', 'gen-cloudtrail.mjs');
const SIGMA_RULES = join(SHARED, 'sigma-aws-rules');
const BUNDLED_RULES = join(ROOT, 'content', 'rules');
const TIME_BIN = '/usr/bin/time';
const THREADS = 2; // the machine has 2 cores; DuckDB gets both, like Tideline's workers can
const STDERR_TAIL = 4000; // chars of a failed child's stderr to show
const STDOUT_TAIL = 1 << 20; // we only parse the last stdout line (DuckDB's result)

const rel = (p) => relative(ROOT, p) || '.';
const log = (msg) => process.stderr.write(`bench: ${msg}\n`); // progress on stderr, results on stdout

class BenchError extends Error {}

function envInt(name, fallback) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0) throw new BenchError(`${name} must be a positive integer, got '${raw}'`);
  return n;
}

// ---------------------------------------------------------------------------------------------------
// Child processes: wall time measured here (hrtime), peak RSS by GNU time (`%M` = max RSS in KB)
// written to a file with -o so it never mixes with the child's own stderr.
// ---------------------------------------------------------------------------------------------------
const haveTime = existsSync(TIME_BIN);

function runMeasured(label, cmd, args) {
  const rssFile = join(BENCH_DIR, `rss-${label.replace(/[^\w.-]+/g, '_')}.txt`);
  rmSync(rssFile, { force: true });
  const [bin, argv] = haveTime ? [TIME_BIN, ['-f', '%M', '-o', rssFile, cmd, ...args]] : [cmd, args];
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
      // GNU time may prefix lines such as "Command exited with non-zero status"; the number is last
      let peakRssMB = null;
      if (haveTime && existsSync(rssFile)) {
        const kb = Number(readFileSync(rssFile, 'utf8').trim().split('\n').at(-1));
        if (Number.isFinite(kb)) peakRssMB = kb / 1024;
      }
      resolvePromise({ seconds, peakRssMB, stdout, stderr });
    });
  });
}

// ---------------------------------------------------------------------------------------------------
// Corpus: generated once per size. The marker is written only after the generator succeeded, so an
// interrupted generation (no marker) is wiped and redone rather than benchmarked half-written.
// ---------------------------------------------------------------------------------------------------
const sizeLabel = (n) => (n % 1e6 === 0 ? `${n / 1e6}m` : n % 1e3 === 0 ? `${n / 1e3}k` : String(n));

async function ensureCorpus(events) {
  const dir = join(BENCH_DIR, `corpus-${sizeLabel(events)}`);
  const marker = join(dir, '.complete');
  if (existsSync(marker)) {
    log(`corpus ${rel(dir)} cached`);
    return { dir, events, cached: true, generationSeconds: JSON.parse(readFileSync(marker, 'utf8')).seconds ?? null };
  }
  rmSync(dir, { recursive: true, force: true });
  log(`generating ${events} events into ${rel(dir)} (once; ~30 s per million events)`);
  const { seconds } = await runMeasured('generate-corpus', process.execPath, [rel(GENERATOR), rel(dir), String(events)]);
  writeFileSync(marker, JSON.stringify({ events, seconds, generatedAt: new Date().toISOString() }) + '\n');
  log(`corpus generated in ${seconds.toFixed(1)} s`);
  return { dir, events, cached: false, generationSeconds: seconds };
}

/**
 * Read every corpus file once before timing, so neither engine pays for cold disk reads (whoever ran
 * first would otherwise be penalised after a reboot). 1M events is ~130 MB of gzip: a fraction of a second.
 */
function warmPageCache(dir) {
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) readFileSync(join(e.parentPath ?? e.path, e.name));
  }
}

/** Sigma rule files of the given dirs, recursively: *.yml but not the *.tests.yml fixtures. */
function ruleFiles(dirs) {
  const out = [];
  const walk = (d) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.yml') && !e.name.endsWith('.tests.yml')) out.push(p);
    }
  };
  for (const d of dirs) walk(d);
  return out.sort();
}

// ---------------------------------------------------------------------------------------------------
// Rows. Each returns { engine, label, rules, events, seconds, peakRssMB, matched, ... }; adding a row to
// the table (rule scaling, worker scaling) is one more call in main().
// ---------------------------------------------------------------------------------------------------

/** One `tideline hunt` run. The CLI's own stats file gives the event count and per-rule alerts. */
async function runTideline({ corpus, rulesDirs, workers, label = 'tideline' }) {
  const alerts = join(BENCH_DIR, 'alerts.jsonl'); // overwritten by each row: alerts can be large
  const stats = join(BENCH_DIR, 'stats.json');
  rmSync(stats, { force: true }); // never read a previous run's stats
  const args = [rel(CLI), 'hunt'];
  for (const d of rulesDirs) args.push('--rules', rel(d));
  args.push('--format', 'jsonl', '--output', rel(alerts), '--stats', rel(stats));
  if (workers) args.push('--workers', String(workers));
  args.push(rel(corpus.dir));

  const run = await runMeasured(label, process.execPath, args);
  if (!existsSync(stats)) throw new BenchError(`${label}: the CLI exited 0 but wrote no stats file ${rel(stats)}`);
  const s = JSON.parse(readFileSync(stats, 'utf8'));
  for (const k of ['files', 'records', 'alerts', 'errors']) {
    if (!Number.isFinite(s[k])) throw new BenchError(`${label}: stats file lacks numeric '${k}': ${JSON.stringify(s).slice(0, 300)}`);
  }
  return {
    engine: 'tideline', label, workers: workers ?? null, rules: ruleFiles(rulesDirs).length,
    events: s.records, seconds: run.seconds, peakRssMB: run.peakRssMB, matched: s.alerts,
    files: s.files, errors: s.errors, cliSeconds: s.seconds ?? null,
    cliPeakRssMB: Number.isFinite(s.peakRssBytes) ? s.peakRssBytes / 2 ** 20 : null,
    alertsByRule: s.alertsByRule ?? {},
  };
}

/** The DuckDB reference query (see duckdb.mjs for how rules become SQL), in its own child process. */
async function runDuckdb({ corpus, rulesDirs, label = 'duckdb' }) {
  const rules = loadRulePrefilters(ruleFiles(rulesDirs));
  const { variants, ruleColumns } = buildDuckdbQuery(corpus.dir, rules);
  const spec = join(BENCH_DIR, `${label}-query.json`); // kept, so the SQL can be inspected or rerun
  writeFileSync(spec, JSON.stringify({ threads: THREADS, variants }, null, 2));
  const run = await runMeasured(label, process.execPath, [rel(join(ROOT, 'bench', 'duckdb.mjs')), rel(spec)]);
  let out;
  try { out = JSON.parse(run.stdout.trim().split('\n').at(-1)); } catch {
    throw new BenchError(`${label}: unreadable output: ${run.stdout.slice(-500)}`);
  }
  return {
    engine: 'duckdb', label, threads: THREADS, rules: rules.length, events: out.row.total,
    seconds: run.seconds, querySeconds: out.querySeconds, peakRssMB: run.peakRssMB, matched: out.row.matched,
    variant: out.variant, failedVariants: out.failures, duckdbVersion: out.duckdbVersion,
    // per rule: prefilter values and DuckDB's count (null for rules not in the filter)
    perRule: rules.map((r, i) => ({ ...r, count: ruleColumns[i] ? out.row[ruleColumns[i]] : null })),
  };
}

// ---------------------------------------------------------------------------------------------------
// Reporting
// ---------------------------------------------------------------------------------------------------
const fmtInt = (n) => (n == null ? '-' : Math.round(n).toLocaleString('en-US'));

function printTable(rows, reference) {
  const refRate = reference.events / reference.seconds;
  const header = ['engine', 'rules', 'events', 'seconds', 'events/s', 'ratio', 'peak RSS MB'];
  const body = rows.map((r) => {
    const rate = r.events / r.seconds;
    return [r.label, String(r.rules), fmtInt(r.events), r.seconds.toFixed(2), fmtInt(rate), (rate / refRate).toFixed(2), r.peakRssMB == null ? '-' : r.peakRssMB.toFixed(0)];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  // first column left-aligned (text), numbers right-aligned
  const line = (cells) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const b of body) console.log(line(b));
}

/**
 * Both engines must have read the same events, and for `exact` rules (pure eventSource/eventName
 * selections) DuckDB's count must equal Tideline's alerts. Totals are not expected to match: DuckDB
 * counts events passing a prefilter, Tideline counts alerts (one per rule hit, all rule conditions).
 */
function sanityCheck(tideline, duckdb) {
  const problems = [];
  if (tideline.events !== duckdb.events) problems.push(`events read differ: tideline ${tideline.events}, duckdb ${duckdb.events}`);
  if (tideline.errors > 0) problems.push(`tideline reported ${tideline.errors} errors`);
  const exact = duckdb.perRule.filter((r) => r.exact);
  for (const r of exact) {
    const got = tideline.alertsByRule[r.title] ?? 0;
    if (got !== r.count) problems.push(`rule '${r.title}': tideline ${got} alerts, duckdb ${r.count} events`);
  }
  const inFilter = duckdb.perRule.filter((r) => r.count !== null);
  // The prefilter should bound every rule it holds; a rule above its bound is suspicious but only a
  // warning: a condition that ORs a selection without eventSource/eventName escapes the bound.
  const warnings = [];
  for (const r of inFilter.filter((x) => !x.exact)) {
    const got = tideline.alertsByRule[r.title] ?? 0;
    if (got > r.count) warnings.push(`rule '${r.title}': tideline ${got} alerts > ${r.count} candidate events in duckdb`);
  }
  const unfiltered = duckdb.perRule.filter((r) => r.count === null).map((r) => r.title);
  const alertsOf = (list) => list.reduce((a, r) => a + (tideline.alertsByRule[r.title] ?? 0), 0);

  const sumDuck = inFilter.reduce((a, r) => a + r.count, 0);
  const lines = [
    ["duckdb: events matching any rule's eventSource/eventName", fmtInt(duckdb.matched)],
    [`tideline: alerts of all ${tideline.rules} rules`, fmtInt(tideline.matched)],
    [`tideline: alerts of the ${inFilter.length} prefiltered rules`, fmtInt(alertsOf(inFilter))],
    ['duckdb: sum of those rules\' counts (upper bound)', fmtInt(inFilter.reduce((a, r) => a + r.count, 0))],
    [`exact rules compared one by one (${exact.length})`, problems.some((p) => p.startsWith('rule ')) ? 'MISMATCH' : `all equal, ${fmtInt(alertsOf(exact))} alerts`],
  ];
  const w = Math.max(...lines.map(([k]) => k.length));
  console.log('\nmatched (sanity check)');
  for (const [k, v] of lines) console.log(`  ${k.padEnd(w)}  ${v}`);
  console.log(`  not in the prefilter (no plain eventSource/eventName): ${unfiltered.join('; ') || 'none'}`);
  for (const w of warnings) console.log(`  warning: ${w}`);
  for (const p of problems) console.log(`  PROBLEM: ${p}`);
  return { ok: problems.length === 0, problems, warnings, exactRules: exact.length, unfilteredRules: unfiltered };
}

// ---------------------------------------------------------------------------------------------------
async function main() {
  const events = envInt('BENCH_EVENTS', 1_000_000);
  const workers = envInt('BENCH_WORKERS', undefined);
  if (!existsSync(SHARED)) throw new BenchError(`shared folder not found at ${SHARED} (expected ../shared next to the repo root)`);
  for (const p of [GENERATOR, SIGMA_RULES, BUNDLED_RULES]) if (!existsSync(p)) throw new BenchError(`missing ${p}`);
  if (!existsSync(CLI)) throw new BenchError(`${rel(CLI)} not found: build first (npm run build, or use npm run bench)`);
  if (!haveTime) log(`${TIME_BIN} not found: peak RSS will not be reported`);
  mkdirSync(BENCH_DIR, { recursive: true });

  const corpus = await ensureCorpus(events);
  const rulesDirs = [SIGMA_RULES, BUNDLED_RULES];
  warmPageCache(corpus.dir);

  // DuckDB first: its row is the reference for the ratio column.
  const duckdb = await runDuckdb({ corpus, rulesDirs });
  const rows = [await runTideline({ corpus, rulesDirs, workers, label: workers ? `tideline (${workers} workers)` : 'tideline' })];
  // Later rows go here, e.g.
  //   rows.push(await runTideline({ corpus, rulesDirs: [scaled600], label: 'tideline 600 rules' }));
  //   rows.push(await runTideline({ corpus, rulesDirs, workers: 1, label: 'tideline 1 worker' }));
  rows.push(duckdb);

  console.log(`\ncorpus ${rel(corpus.dir)}: ${fmtInt(corpus.events)} events; ${cpus().length} CPUs, node ${process.version}, DuckDB ${duckdb.duckdbVersion} (${THREADS} threads, ${duckdb.variant})\n`);
  printTable(rows, duckdb);
  console.log('ratio = events/s / DuckDB events/s; seconds = wall time of the child process (startup included)');
  const sanity = sanityCheck(rows[0], duckdb);

  const refRate = duckdb.events / duckdb.seconds;
  const results = {
    generatedAt: new Date().toISOString(),
    machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model, memoryMB: Math.round(totalmem() / 2 ** 20), node: process.version },
    corpus: { dir: rel(corpus.dir), events: corpus.events, cached: corpus.cached, generationSeconds: corpus.generationSeconds },
    rows: rows.map((r) => ({ ...r, eventsPerSecond: r.events / r.seconds, ratioToDuckdb: r.events / r.seconds / refRate })),
    sanity,
  };
  writeFileSync(join(BENCH_DIR, 'results.json'), JSON.stringify(results, null, 2) + '\n');
  log(`results written to ${rel(join(BENCH_DIR, 'results.json'))}`);
  if (!sanity.ok) { log('sanity check failed (see PROBLEM lines)'); process.exitCode = 1; }
}

main().catch((e) => {
  // BenchError messages are self-explanatory; anything else is a harness bug, so keep the stack
  console.error(`bench: ${e instanceof BenchError ? e.message : e.stack ?? e}`);
  process.exit(1);
});
