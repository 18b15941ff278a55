/**
 * OpenTide repositories in and out.
 *
 * OpenTide keeps one object per YAML file in family folders (`Objects/Threat Vectors/` since 2025, `Models/Threat Vector
 * Models/` before). Import and export copy each object's text unchanged: comments, key order, `# name` link comments and
 * fields Tideline does not know all survive, so a round trip changes nothing. Objects are parsed and checked on the way,
 * and what is wrong is reported without stopping the rest.
 */
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Diagnostic } from '../sigma/diagnostics.js';
import { contentFiles, loadContent } from './load.js';
import { kindOfSchema, type ObjectKind } from './model.js';
import { validateSchema } from './schema.js';
import { readYamlSource } from './source.js';

type OpenTideKind = Exclude<ObjectKind, 'advisory'>;

/** Where each kind lives: in OpenTide (current, then legacy folder names) and in a Tideline content directory. */
export const FOLDERS: Record<OpenTideKind, { opentide: string[]; tideline: string }> = {
  tvm: { opentide: ['Objects/Threat Vectors', 'Models/Threat Vector Models'], tideline: 'threat-vectors' },
  dom: { opentide: ['Objects/Detection Objectives'], tideline: 'detection-objectives' },
  cdm: { opentide: ['Objects/Detection Models', 'Models/Cyber Detection Models'], tideline: 'detection-models' },
  mdr: { opentide: ['Objects/Detection Rules', 'Models/Managed Detection Rules'], tideline: 'detection-rules' },
};

export interface TransferReport {
  written: { kind: OpenTideKind; from: string; to: string }[];
  skipped: { file: string; reason: string }[];
  diagnostics: Diagnostic[];
}

const isDir = (p: string) => existsSync(p) && statSync(p).isDirectory();

/** Write `text` to `to`, refusing to replace a different file unless forced (an import must not clobber edits). */
function place(to: string, text: string, force: boolean, report: TransferReport, from: string, kind: OpenTideKind): void {
  if (existsSync(to) && !force && readFileSync(to, 'utf8') !== text) {
    report.diagnostics.push({ file: from, line: 0, col: 0, severity: 'error', message: `not written: ${to} exists with different content (use --force to replace)` });
    return;
  }
  writeFileSync(to, text);
  report.written.push({ kind, from, to });
}

export function importOpenTide(src: string, out: string, opts: { force?: boolean } = {}): TransferReport {
  const report: TransferReport = { written: [], skipped: [], diagnostics: [] };
  const found = (Object.keys(FOLDERS) as OpenTideKind[]).flatMap((kind) =>
    FOLDERS[kind].opentide.filter((f) => isDir(join(src, f))).map((f) => ({ kind, dir: join(src, f) })),
  );
  if (found.length === 0) {
    throw new Error(`${src}: no OpenTide object folders (expected ${Object.values(FOLDERS).flatMap((f) => f.opentide).join(', ')})`);
  }
  for (const { kind: folderKind, dir } of found) {
    for (const file of contentFiles(dir)) {
      const text = readFileSync(file, 'utf8');
      const yaml = readYamlSource(file, text);
      if (yaml.errors.length) {
        report.diagnostics.push(...yaml.errors);
        continue;
      }
      const doc = yaml.value as { metadata?: { schema?: unknown }; meta?: { schema?: unknown } } | null;
      const kind = kindOfSchema(doc?.metadata?.schema ?? doc?.meta?.schema);
      if (!kind || kind === 'advisory') {
        report.diagnostics.push({ file, ...yaml.at(['metadata', 'schema']), severity: 'error', message: `not imported: not an OpenTide object (metadata.schema is ${JSON.stringify(doc?.metadata?.schema ?? null)})` });
        continue;
      }
      if (kind !== folderKind) report.diagnostics.push({ file, ...yaml.at(['metadata', 'schema']), severity: 'warning', message: `a ${kind.toUpperCase()} in the ${folderKind.toUpperCase()} folder; imported as a ${kind.toUpperCase()}` });
      // Real repositories drift from their own vocabularies; report it, import anyway (validate will show it again).
      for (const p of validateSchema(kind, doc)) report.diagnostics.push({ file, ...yaml.at(p.path, p.atKey), severity: 'warning', message: p.message });
      const target = join(out, FOLDERS[kind].tideline);
      mkdirSync(target, { recursive: true });
      place(join(target, basename(file)), text, opts.force ?? false, report, file, kind);
    }
  }
  return report;
}

export function exportOpenTide(from: string | string[], out: string, opts: { force?: boolean } = {}): TransferReport {
  const set = loadContent(from);
  const report: TransferReport = { written: [], skipped: [], diagnostics: [...set.diagnostics] };
  const names = new Map<string, string>();
  for (const item of set.objects) {
    if (item.kind === 'advisory') {
      report.skipped.push({ file: item.file, reason: 'advisories are Tideline objects, not OpenTide ones' });
      continue;
    }
    const dir = join(out, FOLDERS[item.kind].opentide[0]!);
    const to = join(dir, basename(item.file));
    const prev = names.get(to);
    if (prev) {
      report.diagnostics.push({ file: item.file, line: 0, col: 0, severity: 'error', message: `not exported: ${prev} has the same file name` });
      continue;
    }
    names.set(to, item.file);
    mkdirSync(dir, { recursive: true });
    place(to, item.src.text, opts.force ?? false, report, item.file, item.kind);
  }
  for (const f of set.rules.files) report.skipped.push({ file: f, reason: 'Sigma rules are linked from MDRs (configurations.sigma.rule), not OpenTide objects' });
  return report;
}
