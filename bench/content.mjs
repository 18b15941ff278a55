// Content benchmark: `tideline validate` and `tideline docs` on a large OpenTide repository, against the reference a
// team would otherwise script: parse each YAML file and check it with ajv against the same schema (no positions, no
// vocabularies, no ATT&CK, no links). The ratio shows what located, cross-object checking costs.
// Run with `npm run bench:content` (builds first). BENCH_TVMS sets the repository size (default 2000 TVMs, made from
// the 40 real ShareTide TVMs in ../shared/opentide/samples with fresh UUIDs; cached in .bench/).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createHash } from 'node:crypto';
import { parse } from 'yaml';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SAMPLES = resolve(ROOT, '..', 'shared', 'opentide', 'samples', 'Objects', 'Threat Vectors');
const CLI = join(ROOT, 'dist', 'cli', 'main.js');
const N = Number(process.env.BENCH_TVMS ?? 2000);
const DIR = join(ROOT, '.bench', `content-${N}`);

function uuidFor(seed) {
  const h = createHash('sha256').update(seed).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

function buildRepo() {
  if (existsSync(join(DIR, 'done'))) return;
  rmSync(DIR, { recursive: true, force: true });
  mkdirSync(join(DIR, 'Objects', 'Threat Vectors'), { recursive: true });
  const samples = readdirSync(SAMPLES).filter((f) => f.endsWith('.yaml')).sort().map((f) => readFileSync(join(SAMPLES, f), 'utf8'));
  for (let i = 0; i < N; i++) {
    const text = samples[i % samples.length].replace(/^(\s+uuid:\s*)([0-9a-f-]{36})/m, (_, p) => `${p}${uuidFor(`tvm-${i}`)}`).replace(/^name: (.*)$/m, (_, n) => `name: ${n} ${i}`);
    writeFileSync(join(DIR, 'Objects', 'Threat Vectors', `tvm-${String(i).padStart(5, '0')}.yaml`), text);
  }
  writeFileSync(join(DIR, 'done'), '');
}

function time(fn) {
  const t = process.hrtime.bigint();
  const r = fn();
  return { seconds: Number(process.hrtime.bigint() - t) / 1e9, r };
}

function reference() {
  const ajv = new Ajv({ allErrors: true, strict: false });
  (addFormats.default ?? addFormats)(ajv);
  for (const f of readdirSync(join(ROOT, 'data', 'schemas'))) ajv.addSchema(JSON.parse(readFileSync(join(ROOT, 'data', 'schemas', f), 'utf8')), f);
  ajv.addKeyword({ keyword: 'tideVocab' });
  ajv.addKeyword({ keyword: 'tideAttack' });
  const validate = ajv.getSchema('tvm.schema.json');
  const dir = join(DIR, 'Objects', 'Threat Vectors');
  let invalid = 0;
  for (const f of readdirSync(dir)) if (!validate(parse(readFileSync(join(dir, f), 'utf8')))) invalid++;
  return invalid;
}

function cli(...args) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', maxBuffer: 1 << 28 });
  if (r.status !== 0 && r.status !== 2) throw new Error(`tideline ${args.join(' ')} failed: ${r.stderr.slice(-2000)}`);
  return r;
}

buildRepo();
const imported = join(DIR, 'imported');
rmSync(imported, { recursive: true, force: true });
const rows = [];
rows.push({ label: 'reference: yaml.parse + ajv (schema only)', ...time(reference) });
rows.push({ label: 'tideline import opentide', ...time(() => cli('import', 'opentide', DIR, '--out', imported)) });
rows.push({ label: 'tideline validate (schema, vocab, ATT&CK, links, positions)', ...time(() => cli('validate', '-q', imported)) });
const site = join(DIR, 'site');
rmSync(site, { recursive: true, force: true });
rows.push({ label: 'tideline docs (Markdown site)', ...time(() => cli('docs', site, '--from', imported)) });
const ref = rows[0].seconds;
console.log(`\n${N} TVMs (from the 40 ShareTide samples); node ${process.version}\n`);
console.log(`${'run'.padEnd(62)} ${'seconds'.padStart(8)} ${'objects/s'.padStart(10)} ${'vs reference'.padStart(13)}`);
for (const r of rows) console.log(`${r.label.padEnd(62)} ${r.seconds.toFixed(2).padStart(8)} ${Math.round(N / r.seconds).toLocaleString('en-US').padStart(10)} ${(ref / r.seconds).toFixed(2).padStart(13)}`);
console.log('\nvs reference = reference seconds / run seconds (CLI runs include node startup)');
