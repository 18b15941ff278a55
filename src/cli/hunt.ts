/** `tideline hunt`: run Sigma rules over CloudTrail logs and print alerts. */
import { readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { parse as parseYaml } from 'yaml';
import { ENGINES, poolSize, prepareRules, runHunt, startWorkers, type Engine, type HuntCallbacks, type HuntConfig } from '../detect/hunt.js';
import { listRuleFiles } from '../sigma/load.js';
import type { FileResult, InputError } from '../detect/file-hunt.js';
import { expandInputs } from '../logs/walk.js';
import { formatDiagnostic } from '../sigma/diagnostics.js';
import { LEVELS, type Level } from '../sigma/rule.js';
import { alertFormat, FORMATS, formatCounts, ruleCounts, type Format } from '../detect/format.js';
import { defaultFormat, Out, parseTime, UsageError } from './io.js';
import { Progress } from './progress.js';
import { bundledRulesDir } from '../paths.js';
import { AlertDedup } from '../detect/dedup.js';
import { CorrelationEngine, parseDisorder, type CorrelationAlert } from '../detect/correlation.js';
import type { DetectionRule } from '../sigma/rule.js';
import type { AthenaApi } from '../detect/sql-hunt.js';

export interface HuntFlags {
  rules?: string[];
  format?: string;
  output?: string;
  since?: string;
  until?: string;
  minLevel?: string;
  tag?: string[];
  workers?: string;
  stats?: string;
  placeholders?: string;
  progress?: boolean;
  dedup?: boolean;
  /** Only the number of alerts per rule (formatted as --format says), not the alerts. */
  count?: boolean;
  /** false with --no-fast-path: parse every record whole. */
  fastPath?: boolean;
  /** How far out of event-time order correlated records may arrive (duration, or `all`). */
  maxDisorder?: string;
  /** native (default), duckdb (converted SQL in embedded DuckDB), athena (converted SQL submitted to Athena). */
  engine?: string;
  database?: string;
  table?: string;
  workgroup?: string;
  outputLocation?: string;
  /** Athena status poll interval in ms (tests). */
  pollMs?: number;
}

/** Tests replace the Athena client with recorded answers. */
export const athenaApiFactory: { make: () => Promise<AthenaApi> } = { make: async () => (await sqlHunt()).sdkAthenaApi() };

/** The SQL engines' module (and the converters it needs), loaded only when a hunt uses one: 0.1 s of start-up. */
const sqlHunt = () => import('../detect/sql-hunt.js');

export async function huntCommand(logs: string[], flags: HuntFlags): Promise<number> {
  const started = process.hrtime.bigint();
  const format = defaultFormat(flags) as Format;
  if (!FORMATS.includes(format)) throw new UsageError(`--format must be one of ${FORMATS.join(', ')}`);
  if (flags.minLevel && !(LEVELS as readonly string[]).includes(flags.minLevel)) throw new UsageError(`--min-level must be one of ${LEVELS.join(', ')}`);
  const workers = flags.workers === undefined ? availableParallelism() : Number(flags.workers);
  if (!Number.isInteger(workers) || workers < 1) throw new UsageError('--workers must be a whole number of at least 1');
  const engine = (flags.engine ?? 'native') as Engine;
  if (!(ENGINES as readonly string[]).includes(engine)) throw new UsageError(`--engine must be one of ${ENGINES.join(', ')}`);
  if (engine === 'athena') {
    if (!flags.database || !flags.table) throw new UsageError('--engine athena needs --database and --table (the CloudTrail table whose DDL is in the README)');
    if (!flags.workgroup && !flags.outputLocation) throw new UsageError('--engine athena needs --workgroup or --output-location s3://... (where Athena writes results)');
    if (flags.outputLocation && !/^s3:\/\/[^/]+/.test(flags.outputLocation)) throw new UsageError('--output-location must be an s3://bucket/prefix/ URL');
    if (logs.length) throw new UsageError('--engine athena reads the table, not log files: give no LOGS');
  } else if (logs.length === 0) throw new UsageError('give at least one log file, directory, or - for stdin');
  // A batch hunt has all its input: by default every correlated match is put in event-time order first (streaming
  // workers, which never see the end, default to 15 minutes: src/detect/correlation.ts DEFAULT_MAX_DISORDER_MS).
  const maxDisorderMs = flags.maxDisorder === undefined ? Infinity : parseDisorder(flags.maxDisorder);
  if (maxDisorderMs === undefined) throw new UsageError('--max-disorder must be a duration (30s, 15m, 2h, 1d) or "all" (wait for the end of input)');
  const cfg: HuntConfig = {
    rulePaths: flags.rules?.length ? flags.rules : [bundledRulesDir()],
    compile: { placeholders: flags.placeholders ? readPlaceholders(flags.placeholders) : undefined },
    filter: { minLevel: flags.minLevel as Level | undefined, tags: flags.tag },
    window: {
      since: flags.since ? parseTime('--since', flags.since) : undefined,
      until: flags.until ? parseTime('--until', flags.until) : undefined,
    },
    format,
    color: format === 'table' && !flags.output && !!process.stdout.isTTY && !process.env.NO_COLOR,
    maxDisorderMs,
    plain: flags.fastPath === false,
    count: flags.count === true,
  };

  const walk = engine === 'athena' ? { files: [], skipped: [], errors: [] } : expandInputs(logs);
  // Worker threads start now, so their start-up overlaps the loading of the rules (which they receive after).
  const threadCount = engine === 'native' ? poolSize(workers, walk.files) : 0;
  const listed = listRuleFiles(cfg.rulePaths);
  const threads = threadCount ? startWorkers(threadCount, listed.files.length) : undefined;
  const rules = prepareRules(cfg, listed);
  const corrDiagnostics = rules.plan.problems.map((p) => ({ file: p.rule.file, line: p.rule.line, col: 1, severity: 'error' as const, message: p.message }));
  const ruleErrors = [...rules.set.diagnostics.filter((d) => d.severity === 'error'), ...corrDiagnostics];
  for (const d of [...rules.set.diagnostics, ...corrDiagnostics]) process.stderr.write(formatDiagnostic(d) + '\n');
  const nativeCorrelation = engine === 'native' && rules.correlations.length > 0;
  if (rules.correlations.length && engine !== 'native') {
    process.stderr.write(`tideline hunt: ${rules.correlations.length} correlation rules are evaluated by the native engine only (not with --engine ${engine})\n`);
  }
  if (rules.run.length === 0) {
    process.stderr.write(`tideline hunt: no rule to run (${rules.set.rules.length} loaded, ${rules.otherLogsource.length} for other log sources, filters left none)\n`);
  }

  const out = Out.open(flags.output);
  const fmt = alertFormat(format, cfg.color);
  const counting = cfg.count === true;
  if (!counting) out.write(fmt.header);
  const totalBytes = walk.files.reduce((a, f) => a + f.size, 0);
  const progress = new Progress(flags.progress !== false && !!process.stderr.isTTY, totalBytes, 'MB');
  const inputErrors: string[] = [];
  for (const e of walk.errors) {
    inputErrors.push(`${e.path}: ${e.message}`);
    progress.log(`${e.path}: error: ${e.message}`);
  }

  const perRule = new Map<string, { title: string; level: string; count: number }>();
  /** perRule's entries by index in rules.run (batches name rules by index: no lookup by id per alert). */
  const runCounts: ({ title: string; level: string; count: number } | undefined)[] = [];
  const dedup = flags.dedup !== false ? new AlertDedup() : undefined;
  // Correlations run here, on the main thread, over the matches of every file in input order (workers send them).
  const correlator = nativeCorrelation ? new CorrelationEngine(rules.correlations, rules.run, { maxDisorderMs }) : undefined;
  const byId = new Map<string, DetectionRule>(rules.run.map((r) => [r.id, r]));
  let held: CorrelationAlert[] = [];
  let correlationAlerts = 0;
  const writeCorrelations = (list: CorrelationAlert[]) => {
    for (const a of list) {
      if (alerts > 0) out.write(fmt.separator);
      alerts++;
      correlationAlerts++;
      const r = perRule.get(a.rule.id) ?? { title: a.rule.title, level: a.rule.level ?? '', count: 0 };
      r.count++;
      perRule.set(a.rule.id, r);
      if (!counting) out.write(fmt.correlation(a));
    }
  };
  let records = 0, alerts = 0, duplicates = 0, outOfWindow = 0, doneBytes = 0, doneFiles = 0;
  const skipped: string[] = walk.skipped.map((s) => `${s.path}: ${s.reason}`);
  const callbacks: HuntCallbacks = {
    onAlerts(b) {
      const n = b.ends.length;
      const keep = new Uint8Array(n).fill(1);
      let kept = n;
      if (dedup) {
        for (let i = 0; i < n; i++) {
          if (!dedup.firstBytes(b.rules[i]!, b.ids, i ? b.idEnds[i - 1]! : 0, b.idEnds[i]!, b.hashes[i]!)) (keep[i] = 0), kept--, duplicates++;
        }
      }
      for (let i = 0; i < n; i++) {
        if (!keep[i]) continue;
        const ri = b.rules[i]!;
        let r = runCounts[ri];
        if (!r) {
          const rule = rules.run[ri]!;
          r = runCounts[ri] = perRule.get(rule.id) ?? { title: rule.title, level: rule.level ?? '', count: 0 };
          perRule.set(rule.id, r);
        }
        r.count++;
      }
      if (counting) {
        alerts += kept;
        return;
      }
      // Common case: nothing dropped, nothing between alerts: the batch is written as it came.
      if (kept === n && !fmt.separator) {
        out.writeBytes(b.bytes);
        alerts += n;
        return;
      }
      for (let i = 0; i < n; i++) {
        if (!keep[i]) continue;
        if (alerts > 0 && fmt.separator) out.write(fmt.separator);
        alerts++;
        out.writeBytes(b.bytes.subarray(i ? b.ends[i - 1] : 0, b.ends[i]));
      }
    },
    onMatches(rec, ruleIds) {
      // Held until the file is done, so output is the same whatever the number of workers.
      if (correlator) held.push(...correlator.process(rec, ruleIds.map((id) => byId.get(id)!).filter(Boolean)));
    },
    onError(e: InputError) {
      const where = e.line !== undefined ? `line ${e.line}` : e.index !== undefined ? `record ${e.index}` : '';
      const line = `${e.file}${where ? `: ${where}` : ''}: error: ${e.message}`;
      inputErrors.push(line);
      progress.log(line);
    },
    onFileDone(r: FileResult, f) {
      writeCorrelations(held);
      held = [];
      records += r.records;
      outOfWindow += r.outOfWindow;
      if (r.skipped) skipped.push(`${r.file}: ${r.skipped}`);
      doneBytes += f.size;
      doneFiles++;
      progress.update(doneBytes, { files: doneFiles, alerts });
    },
  };
  if (engine === 'native') await runHunt(cfg, rules, walk.files, workers, callbacks, threads);
  else {
    const sql = await sqlHunt();
    try {
      if (engine === 'duckdb') await sql.runDuckdbHunt(cfg, rules, walk.files, callbacks);
      else await sql.runAthenaHunt(cfg, rules, { database: flags.database!, table: flags.table!, workgroup: flags.workgroup, outputLocation: flags.outputLocation, pollMs: flags.pollMs }, callbacks, await athenaApiFactory.make());
    } catch (e) {
      if (e instanceof sql.MissingPackageError) throw new UsageError(e.message);
      throw e;
    }
  }
  if (correlator) writeCorrelations(correlator.flush());
  if (counting) out.write(formatCounts(ruleCounts(rules.selected.filter((r) => !rules.silent.has(r.id)), correlator?.active ?? [], perRule), format));
  else out.write(fmt.footer);
  out.close();
  progress.stop();

  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const errors = inputErrors.length + ruleErrors.length;
  const lines: string[] = [];
  lines.push(`tideline hunt: ${walk.files.length} files, ${records} records, ${alerts} alerts, ${errors} errors in ${seconds.toFixed(2)}s (${Math.round(records / Math.max(seconds, 1e-9))} records/s)`);
  lines.push(`  rules: ${rules.selected.length} run${rules.otherLogsource.length ? `, ${rules.otherLogsource.length} skipped (not CloudTrail)` : ''}${ruleErrors.length ? `, ${ruleErrors.length} rule errors` : ''}${correlator ? `, ${correlator.active.length} correlation rules (${correlationAlerts} correlation alerts)` : ''}`);
  if (correlator?.stats.late) lines.push(`  ${correlator.stats.late} correlated records arrived more than --max-disorder ${flags.maxDisorder ?? '15m'} late and were not correlated (late; raise --max-disorder, or "all" for a batch)`);
  if (correlator?.stats.untimed) lines.push(`  ${correlator.stats.untimed} correlated records without eventTime were not correlated`);
  if (outOfWindow) lines.push(`  ${outOfWindow} records outside --since/--until (or without eventTime)`);
  if (duplicates) lines.push(`  ${duplicates} duplicate alerts suppressed (same rule and eventID)`);
  if (skipped.length) lines.push(`  skipped: ${skipped.length} (${skipped.slice(0, 3).join('; ')}${skipped.length > 3 ? '; …' : ''})`);
  const ranked = [...perRule.values()].sort((a, b) => LEVELS.indexOf(b.level as Level) - LEVELS.indexOf(a.level as Level) || b.count - a.count);
  if (ranked.length) {
    lines.push('  alerts by rule:');
    for (const r of ranked) lines.push(`    ${String(r.count).padStart(7)}  ${r.level.padEnd(13)} ${r.title}`);
  }
  if (errors) lines.push(`  ${errors} errors (listed above): exit status 2`);
  process.stderr.write(lines.join('\n') + '\n');

  if (flags.stats) {
    const alertsByRule: Record<string, number> = {};
    for (const r of perRule.values()) alertsByRule[r.title] = (alertsByRule[r.title] ?? 0) + r.count;
    writeFileSync(flags.stats, JSON.stringify({ files: walk.files.length, records, alerts, errors, ruleErrors: ruleErrors.length, inputErrors: inputErrors.length, duplicates, seconds, peakRssBytes: process.resourceUsage().maxRSS * 1024, rules: rules.selected.length, workers, alertsByRule, correlationRules: correlator?.active.length ?? 0, correlationAlerts, lateRecords: correlator?.stats.late ?? 0 }, null, 2) + '\n');
  }
  return errors ? 2 : 0;
}

function readPlaceholders(path: string): Record<string, string[]> {
  let doc: unknown;
  try {
    doc = parseYaml(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new UsageError(`--placeholders ${path}: ${(e as Error).message.split('\n')[0]}`);
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw new UsageError(`--placeholders ${path}: expected a mapping of name: [values]`);
  const out: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(doc)) out[k] = (Array.isArray(v) ? v : [v]).map(String);
  return out;
}
