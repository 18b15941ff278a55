/** `tideline convert`: Sigma rules to target queries (src/convert), one block per rule; rules that cannot convert are reported. */
import { formatDiagnostic } from '../sigma/diagnostics.js';
import { loadRules } from '../sigma/load.js';
import { bundledRulesDir } from '../paths.js';
import { convertRule, findTarget, TARGETS, type Conversion } from '../convert/index.js';
import { bundledPipelines, resolvePipeline } from '../convert/pipeline.js';
import { SIEM_EXT } from '../convert/siem/index.js';
import { UsageError } from './io.js';
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';

export interface ConvertFlags {
  target?: string;
  pipeline?: string[];
  format?: string;
  listTargets?: boolean;
  table?: string;
  column?: string;
  placeholders?: string;
}

export function convertCommand(paths: string[], flags: ConvertFlags): number {
  if (flags.listTargets) {
    const pipes = bundledPipelines();
    const rows = TARGETS.map((t) => ({ target: t.name, pipeline: t.pipeline, description: t.description }));
    if (flags.format === 'json') process.stdout.write(JSON.stringify({ targets: rows, pipelines: [...pipes.values()].map((p) => ({ name: p.name, schema: p.schema, targets: p.targets, description: p.description })) }, null, 2) + '\n');
    else {
      process.stdout.write(`${'TARGET'.padEnd(15)} ${'PIPELINE'.padEnd(18)} DESCRIPTION\n`);
      for (const r of rows) process.stdout.write(`${r.target.padEnd(15)} ${r.pipeline.padEnd(18)} ${r.description}\n`);
      process.stdout.write(`\npipelines (data/pipelines, add with --pipeline NAME|FILE):\n`);
      for (const p of pipes.values()) process.stdout.write(`  ${p.name.padEnd(18)} ${p.description}${p.targets.length ? ` [${p.targets.join(', ')}]` : ''}\n`);
    }
    return 0;
  }
  if (!flags.target) throw new UsageError('convert needs --target (see --list-targets)');
  let target;
  let pipelines;
  try {
    target = findTarget(flags.target);
    pipelines = (flags.pipeline ?? []).map(resolvePipeline);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  let placeholders: Record<string, string[]> | undefined;
  if (flags.placeholders) {
    try {
      placeholders = parseYaml(readFileSync(flags.placeholders, 'utf8')) as Record<string, string[]>;
    } catch (e) {
      throw new UsageError(`cannot read placeholders ${flags.placeholders}: ${(e as Error).message}`);
    }
  }
  const set = loadRules(paths.length ? paths : [bundledRulesDir()], placeholders ? { placeholders } : {});
  const errors = set.diagnostics.filter((d) => d.severity === 'error');
  for (const d of errors) process.stderr.write(formatDiagnostic(d) + '\n');
  const results: Conversion[] = [...set.rules, ...set.correlations].map((r) =>
    convertRule(r, target, set.filters, pipelines, { table: flags.table, column: flags.column }),
  );
  if (flags.format === 'json') {
    process.stdout.write(JSON.stringify(results.map((r) => ({ id: r.id, title: r.title, file: r.file, target: r.target, query: r.query ?? null, warnings: r.warnings, error: r.error ?? null })), null, 2) + '\n');
  } else {
    for (const r of results) {
      process.stdout.write(`-- ${r.title} (${r.id})\n-- ${r.file}\n`);
      for (const w of r.warnings) process.stdout.write(`-- warning: ${w}\n`);
      if (r.query) process.stdout.write(`${r.query}${SIEM_EXT[r.target] ? '' : ';'}\n\n`);
      else process.stdout.write(`-- NOT CONVERTED: ${r.error}\n\n`);
    }
  }
  const failed = results.filter((r) => r.error);
  for (const r of failed) process.stderr.write(`${r.file}: ${r.title}: not converted to ${r.target}: ${r.error}\n`);
  process.stderr.write(`tideline convert: ${results.length - failed.length} of ${results.length} rules converted to ${target.name}${errors.length ? `; ${errors.length} rule load errors` : ''}\n`);
  return failed.length || errors.length ? 2 : 0;
}
