/** `tideline rules lint|list`: check rules the way the engine will load them. */
import { formatDiagnostic } from '../sigma/diagnostics.js';
import { loadRules } from '../sigma/load.js';
import { isCloudTrailRule } from '../detect/selection.js';
import { planCorrelations } from '../detect/correlation.js';
import type { Diagnostic } from '../sigma/diagnostics.js';
import { bundledRulesDir } from '../paths.js';

export function lintCommand(paths: string[], flags: { strict?: boolean; quiet?: boolean }): number {
  const set = loadRules(paths.length ? paths : [bundledRulesDir()]);
  // Correlations are checked as hunt runs them: references resolved (among the rules given), conditions, chains.
  const diagnostics: Diagnostic[] = [...set.diagnostics, ...correlationDiagnostics(set)];
  const errors = diagnostics.filter((d) => d.severity === 'error');
  const warnings = diagnostics.filter((d) => d.severity === 'warning');
  for (const d of diagnostics) if (!flags.quiet || d.severity === 'error') process.stdout.write(formatDiagnostic(d) + '\n');
  const badFiles = new Set(errors.map((e) => e.file)).size;
  process.stderr.write(
    `tideline rules lint: ${set.files.length} files, ${set.rules.length} detection rules, ${set.filters.length} filters, ${set.correlations.length} correlation rules; ` +
      `${errors.length} errors in ${badFiles} files, ${warnings.length} warnings\n`,
  );
  return errors.length || (flags.strict && warnings.length) ? 2 : 0;
}

function correlationDiagnostics(set: ReturnType<typeof loadRules>): Diagnostic[] {
  if (!set.correlations.length) return [];
  return planCorrelations(set.correlations, set.rules.filter(isCloudTrailRule)).problems.map((p) => ({ file: p.rule.file, line: p.rule.line, col: 1, severity: 'error', message: p.message }));
}

export function listCommand(paths: string[], flags: { format?: string }): number {
  const set = loadRules(paths.length ? paths : [bundledRulesDir()]);
  const rows = [
    ...set.rules.map((r) => ({ id: r.id, kind: 'detection', level: r.level ?? '', title: r.title, cloudtrail: isCloudTrailRule(r), index: r.detection.witness ? `${r.detection.witness.field} (${r.detection.witness.values.size})` : 'none', file: r.file, tags: r.tags })),
    ...set.filters.map((r) => ({ id: r.id, kind: 'filter', level: '', title: r.title, cloudtrail: true, index: '', file: r.file, tags: r.tags })),
    ...set.correlations.map((r) => ({ id: r.id, kind: `correlation (${r.type})`, level: r.level ?? '', title: r.title, cloudtrail: true, index: '', file: r.file, tags: r.tags })),
  ];
  if (flags.format === 'json') process.stdout.write(JSON.stringify(rows, null, 2) + '\n');
  else if (flags.format === 'jsonl') for (const r of rows) process.stdout.write(JSON.stringify(r) + '\n');
  else {
    process.stdout.write(`${'ID'.padEnd(36)}  ${'LEVEL'.padEnd(13)} ${'INDEXED BY'.padEnd(24)} TITLE\n`);
    for (const r of rows) process.stdout.write(`${r.id.padEnd(36)}  ${r.level.padEnd(13)} ${r.index.padEnd(24)} ${r.title}${r.kind !== 'detection' ? `  [${r.kind}]` : ''}\n`);
  }
  const errors = [...set.diagnostics, ...correlationDiagnostics(set)].filter((d) => d.severity === 'error');
  for (const d of errors) process.stderr.write(formatDiagnostic(d) + '\n');
  return errors.length ? 2 : 0;
}
