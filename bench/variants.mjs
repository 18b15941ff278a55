// Rule variants for the rule-scaling rows: N realistic Sigma rules derived from the real SigmaHQ AWS rules, written
// to OUT/variant-NNNNN.yml. Deterministic (seeded): the first N variants of a larger set are the N-variant set, so
// 60 ⊂ 600 ⊂ 3000 and the three runs can be compared rule by rule.
//
//   node bench/variants.mjs OUT_DIR N [SEED]     (run.mjs imports writeVariants instead)
//
// A variant takes one real rule and changes it the way a detection engineer adapts a rule:
//   - other API calls: every eventSource/eventName of the rule is replaced by another service and 1-3 of its calls
//     (names from the rules themselves and from the corpus generator's vocabulary); a rule without any (user-agent
//     or identity rules) gets an API selection added;
//   - other matching: adds a selection or a filter on userAgent, userIdentity.arn, requestParameters.bucketName or
//     sourceIPAddress with contains / startswith / endswith / re (cidr for addresses), or swaps the modifier and value
//     of such an item the rule already has;
//   - new id (uuid) and title.
// Most variants use API calls the corpus never or rarely holds, as most real rules do; one in 25 uses a call the
// corpus is full of (GetObject, AssumeRole, Decrypt...) and then always requires a known identity AND a tool,
// bucket or address item, so some variants fire without turning the run into an alert-writing benchmark
// (on the 1M corpus: 2 of 60, 10 of 600, 54 of 3000 variants fire, 0.5 to 9 thousand alerts).
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, basename, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';

export const VARIANTS_VERSION = 3; // bump when the generator changes: cached sets are regenerated

/** mulberry32: small, fast, good enough to pick realistically; seeded so the sets are reproducible. */
function rng(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
  const pick = (xs) => xs[Math.floor(next() * xs.length)];
  const uuid = () => {
    const h = Array.from({ length: 32 }, () => Math.floor(next() * 16).toString(16));
    h[12] = '4'; // version 4
    h[16] = '89ab'[Math.floor(next() * 4)]; // RFC 4122 variant
    const s = h.join('');
    return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
  };
  const shuffle = (xs) => {
    const a = [...xs];
    for (let i = a.length - 1; i > 0; i--) {
      const j = Math.floor(next() * (i + 1));
      [a[i], a[j]] = [a[j], a[i]];
    }
    return a;
  };
  return { next, pick, uuid, shuffle, chance: (p) => next() < p };
}

// Values for the added or swapped items. Most never match the synthetic corpus (as most detections never fire);
// some do (aws-cli/, Boto3/, :assumed-role/AdminRole/, cloudtrail-logs-...).
const MATCH_VALUES = {
  userAgent: {
    contains: ['TruffleHog', 'S3 Browser', 'kali', 'python-requests/', 'curl/', 'PowerShell', 'CloudShell', 'Boto3/1.34', 'aws-cli/1.', 'Pacu', 'aws-sdk-go-v2/1.25', 'Terraform/0.', 'ScoutSuite', 'md/Botocore#1.34'],
    startswith: ['aws-cli/', 'Boto3/', 'Terraform/', 'curl', 'aws-sdk-java/', 'Mozilla/5.0', 'python-requests', 'Go-http-client'],
    endswith: ['amzn.2023', 'os/linux', 'lang/go#1.22', '(Kali Linux)', 'exe/x86_64.ubuntu.22', 'Python/2.7.18'],
    re: ['^aws-cli/1\\.', 'Python/3\\.(8|9|10)\\b', '(?:kali|parrot|pentoo)', '^[Bb]oto3/1\\.2[0-9]\\.', 'terraform-provider-aws/[0-4]\\.', '^(curl|wget)/'],
  },
  'userIdentity.arn': {
    contains: [':assumed-role/AdminRole/', ':user/ci-deployer', ':root', ':assumed-role/OrganizationAccountAccessRole/', ':user/backup-svc', ':assumed-role/aws:', ':user/admin'],
    startswith: ['arn:aws:iam::111122223333:user/', 'arn:aws:sts::444455556666:assumed-role/', 'arn:aws:iam::999999999999:', 'arn:aws:sts::777788889999:assumed-role/EKSNodeRole/'],
    endswith: [':root', '/terraform', '/alice', '/break-glass', '/carol'],
    re: [':assumed-role/[A-Za-z]+Role/(alice|bob)$', '^arn:aws:iam::\\d{12}:user/(admin|root)', ':assumed-role/aws:', '^arn:aws:sts::\\d{12}:assumed-role/AWSReservedSSO_'],
  },
  'requestParameters.bucketName': {
    contains: ['cloudtrail', 'backup', 'exfil', 'logs-archive', 'secrets'],
    startswith: ['cloudtrail-logs-', 'prod-', 'tmp-', 'exfil-', 'aws-cloudtrail-logs-'],
    endswith: ['-111122223333', '-assets', '-archive', '-public', '-backup'],
    re: ['^cloudtrail-logs-\\d{12}$', '^(prod|staging)-', 'exfil|dump|leak', '^aws-cloudtrail-logs-\\d{12}-[0-9a-f]{8}$'],
  },
  sourceIPAddress: {
    contains: ['.amazonaws.com', 'Internal'],
    startswith: ['203.0.113.', '198.51.100.', '185.220.', '192.0.2.'],
    endswith: ['.255', '.amazonaws.com', '.0.1'],
    re: ['^185\\.(220|100)\\.', '^(10|172\\.(1[6-9]|2[0-9]|3[01])|192\\.168)\\.', '^45\\.(13[2-9])\\.'],
    cidr: ['203.0.113.0/24', '10.0.0.0/8', '185.220.100.0/22', '192.168.0.0/16'],
  },
};
const MATCH_FIELDS = Object.keys(MATCH_VALUES);
// Share of variants on calls the corpus is full of. Each of them carries an identity item AND another item, so it
// matches under 1% of its calls' events: at 3,000 rules the variants write a few alerts per hundred events.
const LIVE_EVERY = 25; // one variant in 25
// Identities a rule on a common call watches (an admin role, a CI user): principals the corpus has.
const LIVE_IDENTITIES = [
  ['contains', ':assumed-role/AdminRole/'], ['contains', ':user/ci-deployer'], ['contains', ':user/backup-svc'],
  ['startswith', 'arn:aws:iam::111122223333:user/'], ['startswith', 'arn:aws:sts::777788889999:assumed-role/EKSNodeRole/'],
  ['endswith', '/terraform'], ['endswith', ':user/carol'], ['re', ':assumed-role/[A-Za-z]+Role/(alice|bob)$'],
];

/**
 * (eventSource, eventName, weight) of the corpus generator, read from its source: its catalog (weighted, the
 * calls the corpus is full of) and its rare attack-like events (weight 0: a few per million).
 */
export function generatorPairs(generatorFile) {
  const src = readFileSync(generatorFile, 'utf8');
  const pairs = [...src.matchAll(/\[\s*'([a-z0-9.-]+\.amazonaws\.com)',\s*'([A-Za-z0-9]+)',\s*([0-9.]+)?/g)]
    .map((m) => ({ source: m[1], name: m[2], weight: m[3] ? Number(m[3]) : 0 }));
  if (pairs.filter((p) => p.weight > 0).length < 10) throw new Error(`${generatorFile}: found only ${pairs.length} (eventSource, eventName) pairs; did its format change?`);
  return pairs;
}

const asList = (v) => (v === undefined || v === null ? [] : Array.isArray(v) ? v : [v]);

/** (eventSource, eventName) pairs the rules name together in one selection. */
function rulePairs(docs) {
  const out = [];
  for (const { doc } of docs) {
    for (const [id, sel] of Object.entries(doc.detection ?? {})) {
      if (id === 'condition') continue;
      for (const map of Array.isArray(sel) ? sel : [sel]) {
        if (!map || typeof map !== 'object') continue;
        const sources = asList(map.eventSource).map(String);
        for (const name of asList(map.eventName).map(String)) for (const source of sources) out.push({ source, name });
      }
    }
  }
  return out;
}

/** Pairs grouped by service, without duplicates: { source: [names] }. */
function byService(pairs) {
  const m = new Map();
  for (const { source, name } of pairs) {
    const names = m.get(source) ?? m.set(source, new Set()).get(source);
    names.add(name);
  }
  return [...m].map(([source, names]) => ({ source, names: [...names].sort() })).sort((a, b) => a.source.localeCompare(b.source));
}

const keyField = (key) => key.split('|')[0];

/** Selection names the condition negates (`not x`, `not 1 of x*`): their items describe what must NOT match. */
function negatedSelections(condition, ids) {
  const out = new Set();
  for (const m of String(condition).matchAll(/\bnot\s+(?:(?:1|all)\s+of\s+)?([\w*]+)/g)) {
    const re = new RegExp(`^${m[1].replaceAll('*', '.*')}$`);
    for (const id of ids) if (re.test(id)) out.add(id);
  }
  return out;
}

/** One variant of `template` (a parsed rule). Returns { doc, notes }. */
function makeVariant(template, r, vocab, index) {
  const doc = structuredClone(template.doc);
  const det = doc.detection;
  const notes = [];
  const ids = Object.keys(det).filter((k) => k !== 'condition' && k !== 'timeframe');
  const negated = negatedSelections(det.condition, ids);

  // 1. Other API calls. "Live" services (the corpus generator's) get a narrowing selection below.
  const live = index % LIVE_EVERY === LIVE_EVERY - 1; // evenly spread, so every prefix set (60, 600...) has its share
  const service = r.pick(live ? vocab.live : vocab.rules);
  const names = r.shuffle(service.names).slice(0, 1 + Math.floor(r.next() * Math.min(3, service.names.length)));
  let pinned = false;
  for (const id of ids) {
    if (negated.has(id)) continue; // filters keep their values (e.g. "not from AWS Internal")
    for (const map of Array.isArray(det[id]) ? det[id] : [det[id]]) {
      if (!map || typeof map !== 'object') continue;
      for (const key of Object.keys(map)) {
        const [field, ...mods] = key.split('|');
        if (field === 'eventSource') { map[key] = service.source; pinned = true; }
        if (field === 'eventName') {
          // eventName|startswith keeps its modifier: the verb of a call (Update, Delete, Put...)
          map[key] = mods.includes('startswith') ? names[0].match(/^[A-Z][a-z]+/)?.[0] ?? names[0] : names.length === 1 ? names[0] : [...names];
          pinned = true;
        }
      }
    }
  }
  let condition = String(det.condition);
  if (!pinned) {
    det.variant_api = { eventSource: service.source, eventName: names.length === 1 ? names[0] : [...names] };
    condition = `variant_api and (${condition})`;
  }
  notes.push(`${service.source} ${names.join('/')}`);

  // 2. Other matching: swap an existing userAgent/arn/bucket/address item, or add a selection or a filter.
  const swappable = [];
  for (const id of ids) {
    for (const map of Array.isArray(det[id]) ? det[id] : [det[id]]) {
      if (map && typeof map === 'object') for (const key of Object.keys(map)) if (MATCH_FIELDS.includes(keyField(key))) swappable.push({ map, key });
    }
  }
  const item = (only) => {
    const field = only ?? r.pick(MATCH_FIELDS);
    const mod = r.pick(Object.keys(MATCH_VALUES[field]));
    return { field, mod, value: r.pick(MATCH_VALUES[field][mod]) };
  };
  const op = live ? 'narrow' : swappable.length && r.chance(0.3) ? 'swap' : r.chance(0.7) ? 'select' : 'filter';
  if (op === 'narrow') {
    // a live call: an identity item and a tool/bucket/address item, both required
    const [mod, value] = r.pick(LIVE_IDENTITIES);
    const id = { field: 'userIdentity.arn', mod, value };
    let other = item();
    while (other.field === 'userIdentity.arn') other = item();
    det.variant_match = { [`${id.field}|${id.mod}`]: id.value, [`${other.field}|${other.mod}`]: other.value };
    condition = `(${condition}) and variant_match`;
    notes.push(`narrow ${Object.keys(det.variant_match).join(', ')}`);
  } else if (op === 'swap') {
    const { map, key } = r.pick(swappable);
    const field = keyField(key);
    const mod = r.pick(Object.keys(MATCH_VALUES[field]));
    delete map[key];
    map[`${field}|${mod}`] = r.pick(MATCH_VALUES[field][mod]);
    notes.push(`swapped ${key} for ${field}|${mod}`);
  } else {
    const a = item();
    const sel = { [`${a.field}|${a.mod}`]: a.value };
    if (op === 'select') {
      // a second item sometimes, as rules pinning an identity and a tool do
      if (r.chance(0.35)) { const b = item(); if (b.field !== a.field) sel[`${b.field}|${b.mod}`] = b.value; }
      det.variant_match = sel;
      condition = `(${condition}) and variant_match`;
    } else {
      det.variant_filter = sel;
      condition = `(${condition}) and not variant_filter`;
    }
    notes.push(`${op} ${Object.keys(sel).join(', ')}`);
  }
  // condition last, as in every Sigma rule
  delete det.condition;
  det.condition = condition;

  const out = {
    title: `${template.doc.title} (variant ${index + 1})`,
    id: r.uuid(),
    status: 'experimental',
    description: `Benchmark variant ${index + 1} of "${template.doc.title}" (${basename(template.file)}): ${notes.join('; ')}.`,
    references: template.doc.references,
    author: 'Tideline bench (generated)',
    date: template.doc.date,
    tags: template.doc.tags,
    logsource: template.doc.logsource,
    detection: det,
    falsepositives: template.doc.falsepositives,
    level: template.doc.level,
  };
  for (const k of Object.keys(out)) if (out[k] === undefined) delete out[k];
  return out;
}

/** Parse the template rules (single-document SigmaHQ files). */
export function loadTemplates(rulesDir) {
  return readdirSync(rulesDir)
    .filter((f) => f.endsWith('.yml') && !f.endsWith('.tests.yml'))
    .sort()
    .map((f) => ({ file: join(rulesDir, f), doc: parse(readFileSync(join(rulesDir, f), 'utf8')) }))
    .filter((t) => t.doc?.detection);
}

/** Write N variants into outDir (emptied first). Returns { files, templates, services }. */
export function writeVariants({ outDir, count, seed = 7, templatesDir, vocabularyDirs = [], generatorFile }) {
  const templates = loadTemplates(templatesDir);
  const vocabDocs = [templatesDir, ...vocabularyDirs].flatMap(loadTemplates);
  // live: the generator's catalog; rules: what the rules name, minus the catalog's calls (so a "rule" call is one
  // the corpus never or rarely holds: the generator's rare attack-like events stay in it)
  const gen = generatorPairs(generatorFile);
  const catalog = gen.filter((p) => p.weight > 0);
  const common = new Set(catalog.map((p) => p.name));
  const vocab = { live: byService(catalog), rules: byService([...rulePairs(vocabDocs), ...gen.filter((p) => p.weight === 0)].filter((p) => !common.has(p.name))) };
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  const r = rng(seed);
  const files = [];
  for (let i = 0; i < count; i++) {
    const doc = makeVariant(r.pick(templates), r, vocab, i);
    const file = join(outDir, `variant-${String(i + 1).padStart(5, '0')}.yml`);
    writeFileSync(file, stringify(doc, { lineWidth: 0, aliasDuplicateObjects: false }));
    files.push(file);
  }
  return { files, templates: templates.length, services: { live: vocab.live.length, rules: vocab.rules.length } };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const [out, n, seed] = process.argv.slice(2);
  if (!out || !n) { console.error('usage: node bench/variants.mjs OUT_DIR N [SEED]'); process.exit(2); }
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
  const res = writeVariants({
    outDir: out, count: Number(n), seed: seed ? Number(seed) : undefined,
    templatesDir: resolve(root, '..', 'shared', 'sigma-aws-rules'),
    vocabularyDirs: [resolve(root, 'content', 'rules')],
    generatorFile: resolve(root, '..', 'shared', 'tools', 'gen-cloudtrail.mjs'),
  });
  console.error(`wrote ${res.files.length} variants of ${res.templates} rules into ${out}`);
}
