#!/usr/bin/env node
// npm run bench:stream — records/s through publish → workers → alerts (JSONL, fsync'd, claims in KV) with 1 and 2
// workers, and end-to-end latency p50/p99 (JetStream publish timestamp → message acknowledged after its alerts are
// durable). Corpus: ../shared/tools/gen-cloudtrail.mjs (EVENTS, default 100000) plus the bundled sample.
// Rules: the bundled rules and SigmaHQ's AWS rules (../shared/sigma-aws-rules), a noisy set: most generated records
// raise an alert, so the alert path (KV claim + fsync) is exercised, not only matching.
import { spawn, spawnSync, fork } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { connect } from 'nats';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const EVENTS = Number(process.env.EVENTS ?? 100_000);
const NATS = ['/usr/sbin/nats-server', '/usr/bin/nats-server'].find((p) => existsSync(p));
if (!NATS) throw new Error('nats-server not found: apt-get install nats-server');
const RULES = [join(ROOT, 'content/rules'), ...(process.env.BUNDLED_ONLY ? [] : [join(ROOT, '..', 'shared', 'sigma-aws-rules')])];
const dir = mkdtempSync(join(tmpdir(), 'tideline-bench-stream-'));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const port = () => new Promise((res) => { const s = createServer(); s.listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => res(p)); }); });
const q = (a, p) => a[Math.min(a.length - 1, Math.floor(p * a.length))];

spawnSync(process.execPath, [join(ROOT, '..', 'shared', 'tools', 'gen-cloudtrail.mjs'), join(dir, 'gen'), String(EVENTS), '2000', '42'], { stdio: 'ignore' });
const inputs = [join(dir, 'gen'), join(ROOT, 'content/samples/cloudtrail')];

async function run(n) {
  const p = await port();
  const url = `nats://127.0.0.1:${p}`;
  const server = spawn(NATS, ['-js', '-a', '127.0.0.1', '-p', String(p), '-sd', join(dir, `js-${n}`)], { stdio: 'ignore' });
  let nc;
  for (let i = 0; !nc; i++) { try { nc = await connect({ servers: url, reconnect: false }); } catch (e) { if (i > 100) throw e; await sleep(100); } }
  const workers = [];
  for (let i = 0; i < n; i++) {
    const w = fork(join(ROOT, 'bench/stream-worker.mjs'), [url, 'CLOUDTRAIL', join(dir, `alerts-${n}-${i}.jsonl`), join(dir, `lat-${n}-${i}.json`), ...RULES], { stdio: 'ignore' });
    await new Promise((r) => w.once('message', r));
    workers.push(w);
  }
  const t0 = Date.now();
  const pub = spawnSync(process.execPath, [join(ROOT, 'dist/cli/main.js'), 'publish', '--nats', url, ...inputs], { encoding: 'utf8' });
  const tPub = Date.now();
  const records = Number(/(\d+) records,/.exec(pub.stderr)?.[1] ?? 0);
  await Promise.all(workers.map((w) => new Promise((r) => w.once('exit', r))));
  const lat = [];
  let last = 0, alerts = 0;
  for (let i = 0; i < n; i++) {
    const r = JSON.parse(readFileSync(join(dir, `lat-${n}-${i}.json`), 'utf8'));
    lat.push(...r.lat);
    last = Math.max(last, r.last);
    alerts += r.stats.alerts;
  }
  lat.sort((a, b) => a - b);
  await nc.close();
  server.kill('SIGTERM');
  await new Promise((r) => server.once('exit', r));
  return { workers: n, records, alerts, publishPerSec: Math.round(records / ((tPub - t0) / 1000)), endToEndPerSec: Math.round(records / ((last - t0) / 1000)), p50ms: Math.round(q(lat, 0.5)), p99ms: Math.round(q(lat, 0.99)) };
}

try {
  const rows = [];
  for (const n of [1, 2]) rows.push(await run(n));
  console.log(`corpus: ${EVENTS} generated events + bundled sample; rules: ${RULES.map((r) => r.replace(dirname(ROOT) + '/', '../').replace('../main/', '')).join(', ')}`);
  console.log('| workers | records | alerts | publish records/s | publish → durable alerts → ack, records/s | latency p50 | latency p99 |');
  console.log('|---|---|---|---|---|---|---|');
  for (const r of rows) console.log(`| ${r.workers} | ${r.records} | ${r.alerts} | ${r.publishPerSec} | ${r.endToEndPerSec} | ${r.p50ms} ms | ${r.p99ms} ms |`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
