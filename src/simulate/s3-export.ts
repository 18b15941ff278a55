/**
 * Writes a simulation the way CloudTrail delivers a trail to S3, so any tool that reads a trail export reads it:
 * `AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/<account>_CloudTrail_<region>_<YYYYMMDDTHHmmZ>_<16 random>.json.gz`,
 * one gzip'd `{"Records":[...]}` file per account, region and 5-minute window that saw events, named after its
 * delivery minute (the end of the window), plus `simulation.json` at the root (what was played, and the eventIDs of
 * each step). Deterministic: file name suffixes come from the simulation's seed and gzip output has no timestamp.
 */
import { mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { constants as zc, gzipSync } from 'node:zlib';
import { MINUTE } from './aws.js';
import { ALNUM, Rng } from './rng.js';
import type { Simulation } from './simulate.js';

const WINDOW = 5 * MINUTE;
const pad = (n: number) => String(n).padStart(2, '0');

/**
 * Write `sim` under `outDir`, which must be absent or an empty directory. Records are grouped by their own
 * recipientAccountId and awsRegion (global services such as IAM land in us-east-1, as CloudTrail delivers them);
 * `opts` gives the account and region recorded in simulation.json and used for records that lack them.
 * Returns the files written: the log files in path order, then simulation.json.
 */
export function writeS3Export(sim: Simulation, outDir: string, opts: { account: string; region: string }): { files: string[] } {
  let st;
  try {
    st = statSync(outDir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw new Error(`cannot use ${outDir} as output directory: ${(e as Error).message}`);
  }
  if (st) {
    if (!st.isDirectory()) throw new Error(`output path ${outDir} exists and is not a directory`);
    if (readdirSync(outDir).length > 0) throw new Error(`output directory ${outDir} is not empty; refusing to write a simulation into it`);
  }
  mkdirSync(outDir, { recursive: true });

  const groups = new Map<string, Map<number, Record<string, unknown>[]>>();
  for (const rec of sim.records) {
    const acct = typeof rec.recipientAccountId === 'string' ? rec.recipientAccountId : opts.account;
    const region = typeof rec.awsRegion === 'string' ? rec.awsRegion : opts.region;
    const t = Date.parse(String(rec.eventTime));
    if (!Number.isFinite(t)) throw new Error(`record ${String(rec.eventID)} has no valid eventTime`);
    const key = `${acct}|${region}`;
    let windows = groups.get(key);
    if (!windows) groups.set(key, (windows = new Map()));
    const w = Math.floor(t / WINDOW) * WINDOW;
    const list = windows.get(w);
    if (list) list.push(rec);
    else windows.set(w, [rec]);
  }

  const r = new Rng(sim.seed, 'export');
  const files: string[] = [];
  for (const key of [...groups.keys()].sort()) {
    const [acct, region] = key.split('|') as [string, string];
    const windows = groups.get(key)!;
    for (const w of [...windows.keys()].sort((a, b) => a - b)) {
      const delivered = new Date(w + WINDOW);
      const y = delivered.getUTCFullYear();
      const m = pad(delivered.getUTCMonth() + 1);
      const d = pad(delivered.getUTCDate());
      const stamp = `${y}${m}${d}T${pad(delivered.getUTCHours())}${pad(delivered.getUTCMinutes())}Z`;
      const dir = join(outDir, 'AWSLogs', acct, 'CloudTrail', region, String(y), m, d);
      mkdirSync(dir, { recursive: true });
      const file = join(dir, `${acct}_CloudTrail_${region}_${stamp}_${r.chars(16, ALNUM)}.json.gz`);
      const body = JSON.stringify({ Records: windows.get(w) });
      writeFileSync(file, gzipSync(body, { level: 9, memLevel: 9, strategy: zc.Z_DEFAULT_STRATEGY }));
      files.push(file);
    }
  }

  const manifest = {
    advisory: sim.advisory,
    seed: sim.seed,
    start: sim.start,
    account: opts.account,
    region: opts.region,
    steps: sim.steps.map((s) => ({ index: s.index, name: s.name, eventIDs: s.eventIDs })),
    noiseEvents: sim.noiseEventIDs.length,
  };
  const manifestPath = join(outDir, 'simulation.json');
  writeFileSync(manifestPath, JSON.stringify(manifest, null, 2) + '\n');
  files.push(manifestPath);
  return { files };
}
