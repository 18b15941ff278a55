// Web benchmark: the server under load on loopback, with 1,000 advisories and 10,000 alerts in the store.
// Run with `npm run bench:web` (builds first). Knobs: BENCH_ADVISORIES (1000), BENCH_ALERTS (10000), BENCH_SECONDS (10
// per route), BENCH_CONNECTIONS (10). The store is built once and cached in .bench/web-<advisories>-<alerts>/.
// Reference row: /healthz (no content query), the ceiling of the HTTP stack on this machine; ratios are against it.
import { spawn } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const dist = (p) => import(join(ROOT, 'dist', p));
const N_ADV = Number(process.env.BENCH_ADVISORIES ?? 1000);
const N_ALERTS = Number(process.env.BENCH_ALERTS ?? 10000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
const DATA = join(ROOT, '.bench', `web-${N_ADV}-${N_ALERTS}`);
const PASSWORD = 'bench password 1234';
const log = (m) => process.stderr.write(`bench:web: ${m}\n`);

const SEVERITIES = ['informational', 'low', 'medium', 'high', 'critical'];
const CALLS = [
  ['cloudtrail.amazonaws.com', 'StopLogging', 'T1562.008'],
  ['cloudtrail.amazonaws.com', 'DeleteTrail', 'T1562.008'],
  ['guardduty.amazonaws.com', 'DeleteDetector', 'T1562.001'],
  ['ec2.amazonaws.com', 'DeleteFlowLogs', 'T1562.008'],
  ['logs.amazonaws.com', 'DeleteLogGroup', 'T1070'],
  ['securityhub.amazonaws.com', 'DisableSecurityHub', 'T1562.001'],
  ['iam.amazonaws.com', 'CreateAccessKey', 'T1098.001'],
];

function uuid(i, salt) {
  const h = (n) => ((Math.imul(i + 1, 2654435761) ^ Math.imul(n + salt, 40503)) >>> 0).toString(16).padStart(8, '0');
  return `${h(1)}-${h(2).slice(0, 4)}-4${h(3).slice(0, 3)}-a${h(4).slice(0, 3)}-${h(5)}${h(6).slice(0, 4)}`;
}

function advisoryYaml(i) {
  const sev = SEVERITIES[i % 5];
  const a = CALLS[i % CALLS.length];
  const b = CALLS[(i * 3 + 1) % CALLS.length];
  const day = String(1 + (i % 28)).padStart(2, '0');
  const month = String(1 + (Math.floor(i / 28) % 12)).padStart(2, '0');
  const tlp = i % 10 === 0 ? 'amber' : 'clear';
  return `name: "Synthetic advisory ${i}, ${a[1]} then ${b[1]}"
metadata:
  uuid: ${uuid(i, 7)}
  schema: advisory::1.0
  version: 1
  created: 2025-${month}-${day}
  modified: 2025-${month}-${day}
  tlp: ${tlp}
  organisation:
    uuid: 7c0f8a52-5d1e-4b9a-9f3e-2a6d4c8b1e07
    name: Tideline
advisory:
  slug: synthetic-advisory-${i}
  severity: ${sev}
  status: published
  summary: An actor calls ${a[1]} and then ${b[1]} to impair monitoring (synthetic advisory number ${i} for load tests).
  description: |
    Synthetic advisory ${i}. The actor first uses **${a[1]}** on ${a[0]}, then **${b[1]}**.
  attack_chain:
    - name: Obtain access
      description: Outside AWS.
      att&ck: [T1078.004]
      note: No CloudTrail call.
    - name: ${a[1]}
      description: The first impairment.
      att&ck: [${a[2]}]
      calls:
        - eventSource: ${a[0]}
          eventName: ${a[1]}
    - name: ${b[1]}
      description: The second.
      att&ck: [${b[2]}]
      calls:
        - eventSource: ${b[0]}
          eventName: ${b[1]}
  impact: Loss of visibility.
  recommendations:
    - Alert on ${a[1]} and ${b[1]}.
  att&ck: [${a[2]}, ${b[2]}]
  logsources:
    - product: aws
      service: cloudtrail
`;
}

async function buildStore() {
  if (existsSync(join(DATA, 'ready'))) return log(`store cached in ${DATA}`);
  rmSync(DATA, { recursive: true, force: true });
  const { openDb } = await dist('store/db.js');
  const { seedStore } = await dist('server/serve.js');
  const { putObject, refreshDerived, storedRules } = await dist('store/content.js');
  const { readYamlSource } = await dist('content/source.js');
  const { insertAlert } = await dist('store/alerts.js');
  const { simulateAdvisory } = await dist('simulate/simulate.js');
  const { buildAlert } = await dist('detect/alert.js');
  const { Detector } = await dist('detect/engine.js');
  const db = openDb(join(DATA, 'tideline.db'));
  const t0 = Date.now();
  await seedStore(db, { TIDELINE_ADMIN_PASSWORD: PASSWORD });
  db.transaction(() => {
    for (let i = 0; i < N_ADV; i++) {
      const src = readYamlSource(`advisories/synthetic-advisory-${i}.yaml`, advisoryYaml(i));
      putObject(db, { kind: 'advisory', doc: src.value, file: src.file, src, uuid: src.value.metadata.uuid, name: src.value.name }, src.file, 'bench');
    }
    refreshDerived(db);
  })();
  log(`${N_ADV} advisories stored with measured coverage in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  // Alerts: simulated attack events of the synthetic advisories, matched by the bundled rules (real alerts, real rows).
  const rules = storedRules(db).rules;
  const detector = new Detector(rules);
  let made = 0;
  db.transaction(() => {
    for (let i = 0; made < N_ALERTS; i++) {
      const src = readYamlSource('x.yaml', advisoryYaml(i % N_ADV));
      const sim = simulateAdvisory(src.value, { seed: `bench-${i}`, start: new Date(Date.UTC(2026, 0, 1) + i * 60_000), noise: 0 });
      for (const [k, rec] of sim.records.entries()) for (const r of detector.match(rec)) if (made < N_ALERTS && insertAlert(db, buildAlert(r, rec, `sim-${i}.json.gz`, k))) made++;
    }
  })();
  log(`${made} alerts stored`);
  db.close();
  (await import('node:fs')).writeFileSync(join(DATA, 'ready'), '');
}

async function startServer(port) {
  const child = spawn(process.execPath, [join(ROOT, 'dist/cli/main.js'), 'serve', '--data', DATA, '--port', String(port), '--no-seed', '--log-level', 'warn'], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise((res, rej) => {
    child.stdout.on('data', (d) => String(d).includes('serving') && res());
    child.on('exit', (c) => rej(new Error(`server exited ${c}`)));
  });
  return child;
}

async function login(base) {
  const pre = await fetch(`${base}/login`);
  const csrfCookie = pre.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  const csrf = /name="_csrf" value="([^"]+)"/.exec(await pre.text())[1];
  const r = await fetch(`${base}/login`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: csrfCookie }, body: new URLSearchParams({ _csrf: csrf, username: 'admin', password: PASSWORD }) });
  return r.headers.getSetCookie().map((c) => c.split(';')[0]).find((c) => c.startsWith('tl_session='));
}

function load(url, headers = {}) {
  return new Promise((res, rej) => {
    autocannon({ url, connections: CONNECTIONS, duration: SECONDS, headers }, (err, r) => (err ? rej(err) : res(r)));
  });
}

async function main() {
  if (!existsSync(join(ROOT, 'dist/cli/main.js'))) throw new Error('build first (npm run bench:web builds)');
  await buildStore();
  const port = 18000 + Math.floor(Math.random() * 1000);
  const base = `http://127.0.0.1:${port}`;
  const server = await startServer(port);
  try {
    const session = await login(base);
    const routes = [
      ['reference: /healthz (no content query)', '/healthz', {}],
      ['feed page, anonymous (first page)', '/', {}],
      ['feed page, admin, severity filter, page 5', '/?severity=high&page=5', { cookie: session }],
      ['advisory page, anonymous', '/advisories/synthetic-advisory-501', {}],
      ['advisory API GET /api/v1/advisories/{slug}', '/api/v1/advisories/synthetic-advisory-501', { cookie: session }],
      ['advisory API list ?limit=20&technique=T1562.008', '/api/v1/advisories?limit=20&technique=T1562.008', { cookie: session }],
      ['alerts page, admin, status=open', '/alerts?status=open', { cookie: session }],
    ];
    const rows = [];
    for (const [label, path, headers] of routes) {
      const check = await fetch(base + path, { headers, redirect: 'manual' });
      if (check.status !== 200) throw new Error(`${path}: HTTP ${check.status}`);
      log(`${label}: ${SECONDS}s with ${CONNECTIONS} connections`);
      const r = await load(base + path, headers);
      rows.push({ label, path, rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, errors: r.errors + r.non2xx });
    }
    const ref = rows[0].rps;
    console.log(`\n${N_ADV} advisories, ${N_ALERTS} alerts; ${cpus().length} CPUs, node ${process.version}; autocannon ${CONNECTIONS} connections, ${SECONDS}s per route\n`);
    console.log(`${'route'.padEnd(52)} ${'req/s'.padStart(8)} ${'p50 ms'.padStart(7)} ${'p99 ms'.padStart(7)} ${'vs ref'.padStart(7)} errors`);
    for (const r of rows) console.log(`${r.label.padEnd(52)} ${Math.round(r.rps).toString().padStart(8)} ${String(r.p50).padStart(7)} ${String(r.p99).padStart(7)} ${(r.rps / ref).toFixed(2).padStart(7)} ${r.errors}`);
    if (rows.some((r) => r.errors)) process.exitCode = 1;
  } finally {
    server.kill('SIGTERM');
  }
}

main().catch((e) => {
  console.error(`bench:web: ${e.stack ?? e}`);
  process.exit(1);
});
