/** `tideline hunt`: run Sigma rules over CloudTrail logs and print alerts. */
import { readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { parse as parseYaml } from 'yaml';
import { prepareRules, runHunt, type HuntConfig } from '../detect/hunt.js';
import type { FileResult, InputError } from '../detect/file-hunt.js';
import { expandInputs } from '../logs/walk.js';
import { formatDiagnostic } from '../sigma/diagnostics.js';
import { LEVELS, type Level } from '../sigma/rule.js';
import { alertFormat, FORMATS, type Format } from '../detect/format.js';
import { Out, parseTime, UsageError } from './io.js';
import { Progress } from './progress.js';
import { bundledRulesDir } from '../paths.js';

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
}

export async function huntCommand(logs: string[], flags: HuntFlags): Promise<number> {
  const started = process.hrtime.bigint();
  const format = (flags.format ?? (process.stdout.isTTY && !flags.output ? 'table' : 'jsonl')) as Format;
  if (!FORMATS.includes(format)) throw new UsageError(`--format must be one of ${FORMATS.join(', ')}`);
  if (flags.minLevel && !(LEVELS as readonly string[]).includes(flags.minLevel)) throw new UsageError(`--min-level must be one of ${LEVELS.join(', ')}`);
  const workers = flags.workers === undefined ? availableParallelism() : Number(flags.workers);
  if (!Number.isInteger(workers) || workers < 1) throw new UsageError('--workers must be a whole number of at least 1');
  if (logs.length === 0) throw new UsageError('give at least one log file, directory, or - for stdin');
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
  };

  const rules = prepareRules(cfg);
  const ruleErrors = rules.set.diagnostics.filter((d) => d.severity === 'error');
  for (const d of rules.set.diagnostics) process.stderr.write(formatDiagnostic(d) + '\n');
  if (rules.set.correlations.length) {
    for (const c of rules.set.correlations) process.stderr.write(`${c.file}:${c.line}:1: note: correlation rule '${c.title}' (${c.type}) is not evaluated yet\n`);
  }
  if (rules.selected.length === 0) {
    process.stderr.write(`tideline hunt: no rule to run (${rules.set.rules.length} loaded, ${rules.otherLogsource.length} for other log sources, filters left none)\n`);
  }

  const walk = expandInputs(logs);
  const out = Out.open(flags.output);
  const fmt = alertFormat(format, cfg.color);
  out.write(fmt.header);
  const totalBytes = walk.files.reduce((a, f) => a + f.size, 0);
  const progress = new Progress(flags.progress !== false && !!process.stderr.isTTY, totalBytes, 'MB');
  const inputErrors: string[] = [];
  for (const e of walk.errors) {
    inputErrors.push(`${e.path}: ${e.message}`);
    progress.log(`${e.path}: error: ${e.message}`);
  }

  const perRule = new Map<string, { title: string; level: string; count: number }>();
  const seen = new Set<string>();
  let records = 0, alerts = 0, duplicates = 0, outOfWindow = 0, doneBytes = 0, doneFiles = 0;
  const skipped: string[] = walk.skipped.map((s) => `${s.path}: ${s.reason}`);
  await runHunt(cfg, rules, walk.files, workers, {
    onAlert(a) {
      if (flags.dedup !== false && a.eventId) {
        // CloudTrail may deliver an event twice, and inputs may overlap: one alert per rule and eventID.
        const key = `${a.ruleId}\u0000${a.eventId}`;
        if (seen.has(key)) {
          duplicates++;
          return;
        }
        seen.add(key);
      }
      if (alerts > 0) out.write(fmt.separator);
      alerts++;
      const r = perRule.get(a.ruleId) ?? { title: a.ruleTitle, level: a.level, count: 0 };
      r.count++;
      perRule.set(a.ruleId, r);
      out.write(a.text);
    },
    onError(e: InputError) {
      const where = e.line !== undefined ? `line ${e.line}` : e.index !== undefined ? `record ${e.index}` : '';
      const line = `${e.file}${where ? `: ${where}` : ''}: error: ${e.message}`;
      inputErrors.push(line);
      progress.log(line);
    },
    onFileDone(r: FileResult, f) {
      records += r.records;
      outOfWindow += r.outOfWindow;
      if (r.skipped) skipped.push(`${r.file}: ${r.skipped}`);
      doneBytes += f.size;
      doneFiles++;
      progress.update(doneBytes, { files: doneFiles, alerts });
    },
  });
  out.write(fmt.footer);
  out.close();
  progress.stop();

  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const errors = inputErrors.length + ruleErrors.length;
  const lines: string[] = [];
  lines.push(`tideline hunt: ${walk.files.length} files, ${records} records, ${alerts} alerts, ${errors} errors in ${seconds.toFixed(2)}s (${Math.round(records / Math.max(seconds, 1e-9))} records/s)`);
  lines.push(`  rules: ${rules.selected.length} run${rules.otherLogsource.length ? `, ${rules.otherLogsource.length} skipped (not CloudTrail)` : ''}${ruleErrors.length ? `, ${ruleErrors.length} rule errors` : ''}${rules.set.correlations.length ? `, ${rules.set.correlations.length} correlation rules not evaluated yet` : ''}`);
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
    writeFileSync(flags.stats, JSON.stringify({ files: walk.files.length, records, alerts, errors, ruleErrors: ruleErrors.length, inputErrors: inputErrors.length, duplicates, seconds, peakRssBytes: process.resourceUsage().maxRSS * 1024, rules: rules.selected.length, workers, alertsByRule }, null, 2) + '\n');
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
