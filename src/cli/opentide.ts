/** `tideline import opentide` / `tideline export opentide`. */
import { formatDiagnostic } from '../sigma/diagnostics.js';
import { exportOpenTide, importOpenTide, type TransferReport } from '../content/opentide.js';
import { bundledContentDir } from '../paths.js';
import { UsageError } from './io.js';

function summarise(verb: string, r: TransferReport): number {
  for (const d of r.diagnostics) process.stdout.write(formatDiagnostic(d) + '\n');
  const byKind = new Map<string, number>();
  for (const w of r.written) byKind.set(w.kind, (byKind.get(w.kind) ?? 0) + 1);
  const kinds = ['tvm', 'dom', 'cdm', 'mdr'].filter((k) => byKind.has(k)).map((k) => `${byKind.get(k)} ${k.toUpperCase()}`).join(', ') || 'nothing';
  const errors = r.diagnostics.filter((d) => d.severity === 'error').length;
  const warnings = r.diagnostics.length - errors;
  process.stderr.write(`tideline ${verb}: ${kinds} written${r.skipped.length ? `, ${r.skipped.length} files not OpenTide objects (advisories, Sigma rules) left out` : ''}; ${errors} errors, ${warnings} warnings\n`);
  return errors ? 2 : 0;
}

export function importCommand(format: string, src: string, flags: { out?: string; force?: boolean }): number {
  if (format !== 'opentide') throw new UsageError(`unknown import format '${format}' (supported: opentide, content)`);
  if (!flags.out) throw new UsageError('--out DIR is required');
  try {
    return summarise('import', importOpenTide(src, flags.out, flags));
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

export function exportCommand(format: string, out: string, flags: { from?: string[]; force?: boolean }): number {
  if (format !== 'opentide') throw new UsageError(`unknown export format '${format}' (supported: opentide, content)`);
  return summarise('export', exportOpenTide(flags.from?.length ? flags.from : [bundledContentDir()], out, flags));
}
