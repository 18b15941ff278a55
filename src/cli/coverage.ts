/** `tideline simulate`, `tideline coverage` and `tideline docs`: the advisory's attack chain played, measured, rendered. */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { coverageOf, measureCoverage, type AdvisoryCoverage } from '../content/coverage.js';
import { loadContent, type ContentItem, type ContentSet } from '../content/load.js';
import type { Advisory } from '../content/model.js';
import { renderSite, writeSite } from '../docs/site.js';
import { readLogFile } from '../logs/reader.js';
import { expandInputs } from '../logs/walk.js';
import { formatDiagnostic } from '../sigma/diagnostics.js';
import { simulateAdvisory, type Simulation } from '../simulate/simulate.js';
import { writeS3Export } from '../simulate/s3-export.js';
import { bundledContentDir } from '../paths.js';
import { Out, UsageError } from './io.js';

function load(from: string[] | undefined): ContentSet {
  const set = loadContent(from?.length ? from : [bundledContentDir()]);
  for (const d of [...set.diagnostics, ...set.rules.diagnostics].filter((d) => d.severity === 'error')) process.stderr.write(formatDiagnostic(d) + '\n');
  return set;
}

/** An advisory by slug, UUID, name or file path. */
function findAdvisory(set: ContentSet, key: string): ContentItem & { kind: 'advisory' } {
  const advisories = set.objects.filter((o): o is ContentItem & { kind: 'advisory' } => o.kind === 'advisory');
  const hit = advisories.find((a) => a.uuid === key || a.doc.advisory?.slug === key || a.name === key || resolve(a.file) === resolve(key));
  if (hit) return hit;
  throw new UsageError(`no advisory '${key}' in the content (known: ${advisories.map((a) => a.doc.advisory?.slug).join(', ') || 'none'})`);
}

function parseStart(text: string | undefined): Date {
  if (!text) return new Date(Math.floor(Date.now() / 60_000) * 60_000 - 3_600_000);
  const d = new Date(text);
  if (Number.isNaN(d.getTime())) throw new UsageError(`--start: '${text}' is not an ISO-8601 date-time`);
  return d;
}

function parseCount(flag: string, text: string | undefined, dflt: number): number {
  if (text === undefined) return dflt;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0 || n > 1_000_000) throw new UsageError(`${flag}: '${text}' is not a whole number from 0 to 1000000`);
  return n;
}

export function simulateCommand(key: string, flags: { from?: string[]; out?: string; seed?: string; start?: string; noise?: string; account?: string; region?: string }): number {
  const set = load(flags.from);
  const adv = findAdvisory(set, key);
  if (flags.account && !/^\d{12}$/.test(flags.account)) throw new UsageError(`--account: '${flags.account}' is not a 12-digit AWS account id`);
  const sim = simulateAdvisory(adv.doc, { seed: flags.seed, start: parseStart(flags.start), noise: parseCount('--noise', flags.noise, 500), account: flags.account, region: flags.region });
  if (flags.out) {
    try {
      const { files } = writeS3Export(sim, flags.out, { account: sim.account, region: sim.region });
      process.stderr.write(`tideline simulate: ${adv.name}: ${sim.steps.reduce((n, s) => n + s.eventIDs.length, 0)} attack events in ${sim.steps.filter((s) => s.eventIDs.length).length} steps, ${sim.noiseEventIDs.length} benign events; ${files.length - 1} CloudTrail files and simulation.json in ${flags.out}\n`);
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
  } else {
    const out = Out.open(undefined);
    for (const r of sim.records) out.write(JSON.stringify(r) + '\n');
    out.close();
    process.stderr.write(`tideline simulate: ${adv.name}: ${sim.records.length} events as NDJSON on stdout (use --out DIR for an S3 export tree)\n`);
  }
  return 0;
}

/** Read back a `tideline simulate --out` tree: its manifest and the records the reader parses from the files. */
async function readRun(dir: string): Promise<Pick<Simulation, 'records' | 'steps' | 'noiseEventIDs'> & { advisory: { uuid: string } }> {
  let manifest: { advisory: { uuid: string }; steps: Simulation['steps'] };
  try {
    manifest = JSON.parse(readFileSync(join(dir, 'simulation.json'), 'utf8'));
  } catch (e) {
    throw new UsageError(`${dir}: not a tideline simulate output (simulation.json: ${(e as Error).message})`);
  }
  const records: Record<string, unknown>[] = [];
  const { files } = expandInputs([dir]);
  let errors = 0;
  for (const { path: f } of files) {
    await readLogFile(f, {
      record: (rec) => void records.push(rec),
      error: (message, where) => {
        errors++;
        process.stderr.write(`${f}${where?.index !== undefined ? ` record ${where.index}` : ''}: ${message}\n`);
      },
    });
  }
  if (errors) throw new UsageError(`${dir}: ${errors} unreadable records`);
  const attack = new Set(manifest.steps.flatMap((s) => s.eventIDs));
  return { advisory: manifest.advisory, records, steps: manifest.steps, noiseEventIDs: records.map((r) => String(r.eventID)).filter((id) => !attack.has(id)) };
}

export async function coverageCommand(key: string | undefined, flags: { from?: string[]; events?: string; format?: string; seed?: string }): Promise<number> {
  const set = load(flags.from);
  let results: AdvisoryCoverage[];
  if (flags.events) {
    const run = await readRun(flags.events);
    const adv = findAdvisory(set, key ?? run.advisory.uuid);
    results = [coverageOf(adv.doc, run, set.rules.rules)];
  } else {
    const advisories = key ? [findAdvisory(set, key)] : set.objects.filter((o): o is ContentItem & { kind: 'advisory' } => o.kind === 'advisory');
    if (!advisories.length) throw new UsageError('no advisory in the content');
    results = advisories.map((a) => measureCoverage(a.doc as Advisory, set.rules.rules, { seed: flags.seed }));
  }
  if (flags.format === 'json') process.stdout.write(JSON.stringify(results, null, 2) + '\n');
  else for (const c of results) process.stdout.write(coverageText(c));
  const gaps = results.reduce((n, c) => n + c.steps.filter((s) => s.status === 'gap').length, 0);
  process.stderr.write(`tideline coverage: ${results.length} advisories; ${results.reduce((n, c) => n + c.coveredSteps, 0)} of ${results.reduce((n, c) => n + c.stepsWithEvents, 0)} steps with CloudTrail events detected, ${gaps} gaps\n`);
  return gaps ? 2 : 0;
}

const MARK = { covered: 'DETECTED', gap: 'GAP', 'no-events': 'NO CALLS' } as const;

function coverageText(c: AdvisoryCoverage): string {
  const out = [`${c.advisory.name} (${c.advisory.slug}): ${c.coveredSteps}/${c.stepsWithEvents} steps with CloudTrail events detected`];
  for (const s of c.steps) {
    out.push(`  ${String(s.index).padStart(2)}. ${MARK[s.status].padEnd(9)} ${s.name}${s.events ? `  [${s.events} events]` : ''}`);
    if (s.techniques.length) out.push(`               ATT&CK ${s.techniques.join(', ')}`);
    for (const r of s.rules) out.push(`               ${r.level ?? ''} ${r.title} (${r.events} of ${s.events} events)`);
    for (const r of s.builtin ?? []) out.push(`               ${r.level ?? ''} ${r.title} [built-in] (${r.events} of ${s.events} events)`);
    for (const m of s.missed) out.push(`               missed ${m.eventSource.replace('.amazonaws.com', '')}:${m.eventName} ${m.eventID}`);
    if (s.status === 'no-events' && s.note) out.push(`               ${s.note.trim().replace(/\s+/g, ' ')}`);
  }
  out.push(c.noise.length ? `  false positives on ${c.noiseEvents} benign events: ${c.noise.map((n) => `${n.title} (${n.events})`).join(', ')}` : `  no alert on ${c.noiseEvents} benign events`);
  return out.join('\n') + '\n\n';
}

export function docsCommand(out: string, flags: { from?: string[] }): number {
  const set = load(flags.from);
  const pages = renderSite(set);
  writeSite(pages, out);
  process.stderr.write(`tideline docs: ${pages.length} pages in ${out} (start at ${join(out, 'index.md')})\n`);
  return set.diagnostics.some((d) => d.severity === 'error') || set.rules.diagnostics.some((d) => d.severity === 'error') ? 2 : 0;
}
