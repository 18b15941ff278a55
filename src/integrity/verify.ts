/**
 * Offline CloudTrail log file integrity validation over a local copy of the bucket (the S3 export tree), as
 * `aws cloudtrail validate-logs` does online: each digest's signature, the chain of digests, each listed log file's
 * SHA-256, plus what the CLI cannot see from S3 listings alone: files present that no digest lists, digests out of
 * order or overlapping, digests found somewhere other than where they say they were written.
 */
import { readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Json, JsonObject } from '../sigma/fields.js';
import type { Alert } from '../detect/alert.js';
import { builtinAlert, INTEGRITY_FAILURE, syntheticEventId } from './builtin.js';
import { OpenDirectories } from '../logs/walk.js';
import {
  DIGEST_ALGORITHM,
  keyTail,
  parseDigest,
  parseDigestName,
  parseLogName,
  sha256Hex,
  signingString,
  uncompressed,
  verifySignature,
  type Digest,
  type PublicKey,
} from './digest.js';

export type Severity = 'failure' | 'warning' | 'info';

/** Every finding class, with its severity. Failures make `tideline verify` exit 2. */
export const FINDINGS = {
  'missing-log': { severity: 'failure', name: 'LogFileMissing', what: 'a log file a digest lists is not there (deleted)' },
  'modified-log': { severity: 'failure', name: 'LogFileModified', what: "a log file's SHA-256 differs from the digest's hashValue (edited, truncated or replaced)" },
  'unlisted-log': { severity: 'failure', name: 'LogFileUnlisted', what: 'a log file was delivered, by its name, within a digest window of its account and region, but no digest lists it (added or renamed)' },
  'missing-digest': { severity: 'failure', name: 'DigestMissing', what: 'a digest names a previous digest that is not there: a gap in the chain (deleted)' },
  'broken-link': { severity: 'failure', name: 'DigestChainBroken', what: "a digest's previousDigestHashValue or previousDigestSignature does not match the previous digest (edited or replaced)" },
  'bad-signature': { severity: 'failure', name: 'DigestSignatureInvalid', what: "the digest's signature does not verify with the public key it names (the digest was edited, or the signature is wrong)" },
  'unknown-key': { severity: 'failure', name: 'DigestKeyUnknown', what: "no public key given has the digest's digestPublicKeyFingerprint" },
  'digest-moved': { severity: 'failure', name: 'DigestMoved', what: 'the digest was found at another path than the digestS3Object it signs (moved, renamed or swapped)' },
  'digest-order': { severity: 'failure', name: 'DigestChainReordered', what: 'the digests are out of order: the chain link, the name time and the digest times disagree' },
  'window-overlap': { severity: 'failure', name: 'DigestWindowsOverlap', what: 'two digests of one trail and region cover overlapping delivery windows' },
  'window-hole': { severity: 'failure', name: 'DigestWindowHole', what: 'a digest does not start where the previous digest it names ended' },
  'invalid-digest': { severity: 'failure', name: 'DigestUnreadable', what: 'a digest file is not a readable CloudTrail digest' },
  'duplicate-digest': { severity: 'failure', name: 'DigestDuplicated', what: 'two files claim to be the same digest object' },
  'unsupported-algorithm': { severity: 'failure', name: 'DigestAlgorithmUnsupported', what: 'a digest or log file uses an algorithm other than SHA256withRSA / SHA-256' },
  'unsigned-digest': { severity: 'warning', name: 'DigestSignatureUnavailable', what: "the digest's signature is not available (no later digest carries it, no .sig file or --signatures entry): its content is not verified" },
  'uncovered-log': { severity: 'warning', name: 'LogFileUnverified', what: 'no digest covers the delivery time of this log file (validation off then, or digests not downloaded): not verified' },
  'key-not-valid': { severity: 'warning', name: 'DigestKeyOutOfValidity', what: "the digest's end time is outside the validity period of its public key" },
  'chain-restart': { severity: 'info', name: 'DigestChainRestarted', what: 'a starting digest after earlier digests: logging or log file validation was off in between (no digests, as after StopLogging)' },
} as const satisfies Record<string, { severity: Severity; name: string; what: string }>;
export type FindingCode = keyof typeof FINDINGS;

export interface Finding {
  code: FindingCode;
  severity: Severity;
  /** Local path when there is one, else the S3 key. */
  file: string;
  s3Object?: string;
  account?: string;
  region?: string;
  /** The time the finding concerns (digest end, log delivery). */
  time?: string;
  message: string;
  details?: Record<string, Json>;
}

export interface FileResult {
  kind: 'digest' | 'log';
  file: string;
  s3Object?: string;
  account?: string;
  region?: string;
  status: 'valid' | 'invalid' | 'missing' | 'unlisted' | 'unverified';
  findings: FindingCode[];
}

export interface VerifyOptions {
  keys?: PublicKey[];
  /** Saved signatures (S3 metadata), by key tail. */
  signatures?: Map<string, string>;
  from?: number;
  to?: number;
}

export interface VerifyReport {
  requested: { from: string | null; to: string | null };
  found: { from: string | null; to: string | null };
  digests: { total: number; valid: number };
  logs: { listed: number; valid: number; unlisted: number; unverified: number };
  signatures: 'checked' | 'unchecked';
  files: FileResult[];
  findings: Finding[];
  failures: number;
  warnings: number;
  /** Paths that could not be read (listed with the reason), counted as failures too. */
  inputErrors: string[];
}

interface LocalLog {
  path: string;
  tail: string;
  account: string;
  region: string;
  delivered: number;
  listed: boolean;
  result?: FileResult;
}

interface LocalDigest {
  path: string;
  tail: string;
  raw?: Buffer;
  hash?: string;
  digest?: Digest;
  start: number;
  end: number;
  stream: string;
  account: string;
  region: string;
  result: FileResult;
  /** The signature vouched for by the next digest of the chain. */
  chainSignature?: string;
}

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** Walk the inputs: digests (and `.sig` sidecars) and CloudTrail log files, by name; everything else is ignored. */
function inventory(inputs: string[], errors: string[]): { digests: string[]; logs: string[]; sidecars: Map<string, string> } {
  const digests: string[] = [];
  const logs: string[] = [];
  const sidecars = new Map<string, string>();
  const open = new OpenDirectories();
  const visit = (p: string) => {
    let st;
    try {
      st = statSync(p);
    } catch (e) {
      errors.push(`${p}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or directory' : (e as Error).message}`);
      return;
    }
    if (st.isDirectory()) {
      let names: string[];
      let real: string;
      try {
        real = realpathSync.native(p);
        names = readdirSync(p).sort();
      } catch (e) {
        errors.push(`${p}: cannot list directory: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
        return;
      }
      if (!open.enter(real)) return; // a symbolic link loop: everything in it is walked once already
      for (const n of names) if (!n.startsWith('.')) visit(join(p, n));
      open.leave(real);
      return;
    }
    if (!st.isFile()) return;
    const name = basename(p);
    if (name.endsWith('.sig')) sidecars.set(p.slice(0, -4), p);
    else if (parseDigestName(name) || (/\/CloudTrail-Digest\//.test(p.replace(/\\/g, '/')) && /\.json(\.gz)?$/.test(name))) digests.push(p);
    else if (parseLogName(name)) logs.push(p);
  };
  for (const i of inputs) visit(i);
  return { digests, logs, sidecars };
}

export function verifyTrail(inputs: string[], opts: VerifyOptions = {}): VerifyReport {
  const inputErrors: string[] = [];
  const inv = inventory(inputs, inputErrors);
  const findings: Finding[] = [];
  const keys = new Map<string, PublicKey>();
  for (const k of opts.keys ?? []) keys.set(k.fingerprint.toLowerCase(), k);
  const from = opts.from ?? -Infinity;
  const to = opts.to ?? Infinity;

  const add = (f: Omit<Finding, 'severity'>, result?: FileResult) => {
    findings.push({ ...f, severity: FINDINGS[f.code].severity });
    if (result && !result.findings.includes(f.code)) result.findings.push(f.code);
  };

  // ---- Local log files, by the S3 key tail and by name.
  const logsByTail = new Map<string, LocalLog>();
  const logsByName = new Map<string, LocalLog>();
  const allLogs: LocalLog[] = [];
  for (const p of inv.logs) {
    const n = parseLogName(p)!;
    const l: LocalLog = { path: p, tail: keyTail(p), account: n.account, region: n.region, delivered: n.delivered, listed: false };
    allLogs.push(l);
    logsByTail.set(l.tail, l);
    logsByName.set(basename(p), l);
  }

  // ---- Digests: read, parse, place in streams (account, region, trail, home region).
  const digests: LocalDigest[] = [];
  const byTail = new Map<string, LocalDigest>();
  for (const p of inv.digests) {
    const tail = keyTail(p);
    const nameInfo = parseDigestName(p);
    const result: FileResult = { kind: 'digest', file: p, status: 'valid', findings: [], account: nameInfo?.account, region: nameInfo?.region };
    const d: LocalDigest = { path: p, tail, start: NaN, end: nameInfo?.end ?? NaN, stream: '', account: nameInfo?.account ?? '?', region: nameInfo?.region ?? '?', result };
    let raw: Buffer;
    try {
      raw = uncompressed(readFileSync(p));
    } catch (e) {
      add({ code: 'invalid-digest', file: p, account: d.account, region: d.region, message: `${p}: cannot read or gunzip: ${(e as Error).message}` }, result);
      digests.push(d);
      continue;
    }
    const parsed = parseDigest(raw);
    if ('error' in parsed) {
      add({ code: 'invalid-digest', file: p, account: d.account, region: d.region, message: `${p}: not a CloudTrail digest: ${parsed.error}` }, result);
      digests.push(d);
      continue;
    }
    const dg = parsed.digest;
    d.raw = raw;
    d.hash = sha256Hex(raw);
    d.digest = dg;
    d.start = Date.parse(dg.digestStartTime);
    d.end = Date.parse(dg.digestEndTime);
    const signed = parseDigestName(dg.digestS3Object);
    d.account = dg.awsAccountId;
    d.region = signed?.region ?? nameInfo?.region ?? '?';
    d.stream = `${dg.awsAccountId}|${d.region}|${signed?.trail ?? nameInfo?.trail ?? '?'}|${signed?.homeRegion ?? nameInfo?.homeRegion ?? '?'}`;
    result.s3Object = dg.digestS3Object;
    result.account = d.account;
    result.region = d.region;
    digests.push(d);
  }
  const inRange = (d: LocalDigest) => d.digest !== undefined && d.end > from && d.start < to;
  const considered = digests.filter((d) => !d.digest || inRange(d));

  for (const d of considered) {
    if (!d.digest) continue;
    const own = keyTail(d.digest.digestS3Object);
    const other = byTail.get(own);
    if (other) {
      add({ code: 'duplicate-digest', file: d.path, s3Object: d.digest.digestS3Object, account: d.account, region: d.region, time: d.digest.digestEndTime, message: `${d.path}: same digestS3Object as ${other.path}` }, d.result);
      continue;
    }
    byTail.set(own, d);
  }

  // Signatures carried by later digests, also those after --to (so the last digest in range is still verified).
  const allByTail = new Map<string, LocalDigest>();
  for (const d of digests) if (d.digest && !allByTail.has(keyTail(d.digest.digestS3Object))) allByTail.set(keyTail(d.digest.digestS3Object), d);
  for (const d of digests) {
    const prevKey = d.digest?.previousDigestS3Object;
    const prev = prevKey ? allByTail.get(keyTail(prevKey)) : undefined;
    if (prev && d.digest!.previousDigestSignature && prev.chainSignature === undefined) prev.chainSignature = d.digest!.previousDigestSignature;
  }

  // ---- Each stream in time order: location, name time, windows, links.
  const streams = new Map<string, LocalDigest[]>();
  for (const d of considered) if (d.digest) (streams.get(d.stream) ?? streams.set(d.stream, []).get(d.stream)!).push(d);
  for (const list of streams.values()) {
    list.sort((a, b) => a.end - b.end || a.start - b.start || (a.path < b.path ? -1 : 1));
    for (let i = 0; i < list.length; i++) {
      const d = list[i]!;
      const dg = d.digest!;
      const where = { file: d.path, s3Object: dg.digestS3Object, account: d.account, region: d.region, time: dg.digestEndTime };
      const own = keyTail(dg.digestS3Object);
      // A local copy without the AWSLogs/ layout can only be compared by name.
      if (d.tail.includes('/') ? own !== d.tail : basename(own) !== d.tail) {
        add({ ...where, code: 'digest-moved', message: `${d.path}: the digest says it was written to ${dg.digestS3Object} (moved, renamed or swapped with another digest)`, details: { foundAt: d.tail, signedLocation: dg.digestS3Object } }, d.result);
      }
      const signedName = parseDigestName(dg.digestS3Object);
      if (signedName && signedName.end !== d.end) {
        add({ ...where, code: 'digest-order', message: `${d.path}: digestEndTime ${dg.digestEndTime} does not match the time in its name (${signedName.stamp})` }, d.result);
      }
      if (!(d.start < d.end)) add({ ...where, code: 'window-overlap', message: `${d.path}: digestStartTime ${dg.digestStartTime} is not before digestEndTime ${dg.digestEndTime}` }, d.result);
      if (dg.digestSignatureAlgorithm !== DIGEST_ALGORITHM) add({ ...where, code: 'unsupported-algorithm', message: `${d.path}: digestSignatureAlgorithm is ${dg.digestSignatureAlgorithm}, expected ${DIGEST_ALGORITHM}` }, d.result);
      const prev = i > 0 ? list[i - 1]! : undefined;
      if (prev && d.start < prev.end) {
        add({ ...where, code: 'window-overlap', message: `${d.path}: window ${dg.digestStartTime}–${dg.digestEndTime} overlaps ${prev.path} (${prev.digest!.digestStartTime}–${prev.digest!.digestEndTime})`, details: { other: prev.path } }, d.result);
      }
      const starting = dg.previousDigestS3Object === null && dg.previousDigestSignature === null && dg.previousDigestHashValue === null;
      if (starting) {
        if (prev) {
          add({ ...where, code: 'chain-restart', message: `${d.path}: chain restarts at ${dg.digestStartTime}; no digests since ${prev.digest!.digestEndTime} (logging or validation was off, e.g. StopLogging)`, details: { previousEnd: prev.digest!.digestEndTime, restart: dg.digestStartTime } });
        }
        continue;
      }
      if (dg.previousDigestS3Object === null) {
        add({ ...where, code: 'broken-link', message: `${d.path}: previousDigestS3Object is null but previousDigestSignature/HashValue are set` }, d.result);
        continue;
      }
      const prevTail = keyTail(dg.previousDigestS3Object);
      const named = byTail.get(prevTail);
      if (!named) {
        const prevName = parseDigestName(dg.previousDigestS3Object);
        const outside = prevName !== null && prevName.end <= from;
        const existsOutOfRange = digests.some((x) => x.digest && keyTail(x.digest.digestS3Object) === prevTail);
        if (!outside && !existsOutOfRange) {
          add({ ...where, code: 'missing-digest', file: dg.previousDigestS3Object, message: `${dg.previousDigestS3Object}: digest missing (named as previous by ${d.path}): the chain has a gap; the log files it listed cannot be checked`, details: { namedBy: d.path } }, d.result);
        }
        continue;
      }
      if (dg.previousDigestSignature) named.chainSignature = dg.previousDigestSignature;
      if (named !== prev) {
        add({ ...where, code: 'digest-order', message: `${d.path}: names ${named.path} as previous digest, but ${prev ? prev.path : 'no digest'} comes before it in time`, details: { namedPrevious: named.path, timePrevious: prev?.path ?? null } }, d.result);
      } else if (d.start > named.end) {
        add({ ...where, code: 'window-hole', message: `${d.path}: starts at ${dg.digestStartTime}, but the previous digest ended at ${named.digest!.digestEndTime}`, details: { previous: named.path } }, d.result);
      }
      if (dg.previousDigestHashValue !== null && dg.previousDigestHashValue.toLowerCase() !== named.hash) {
        add({ ...where, code: 'broken-link', file: named.path, s3Object: named.digest!.digestS3Object, time: named.digest!.digestEndTime, message: `${named.path}: SHA-256 of the digest (${named.hash}) differs from previousDigestHashValue in ${d.path} (${dg.previousDigestHashValue}): the previous digest was edited or replaced`, details: { namedBy: d.path, expected: dg.previousDigestHashValue, actual: named.hash ?? null } }, named.result);
      }
      if (dg.previousDigestHashAlgorithm !== null && dg.previousDigestHashAlgorithm !== 'SHA-256') {
        add({ ...where, code: 'unsupported-algorithm', message: `${d.path}: previousDigestHashAlgorithm is ${dg.previousDigestHashAlgorithm}` }, d.result);
      }
    }
  }

  // ---- Signatures.
  for (const d of considered) {
    if (!d.digest || d.result.findings.includes('duplicate-digest')) continue;
    const dg = d.digest;
    const where = { file: d.path, s3Object: dg.digestS3Object, account: d.account, region: d.region, time: dg.digestEndTime };
    let sig = d.chainSignature;
    let sigFrom = 'the next digest';
    if (sig === undefined) {
      const side = inv.sidecars.get(d.path);
      if (side) {
        sig = readFileSync(side, 'utf8').trim();
        sigFrom = side;
      } else if (opts.signatures?.has(keyTail(dg.digestS3Object))) {
        sig = opts.signatures.get(keyTail(dg.digestS3Object));
        sigFrom = '--signatures';
      }
    }
    if (sig === undefined) {
      add({ ...where, code: 'unsigned-digest', message: `${d.path}: signature not available (the newest digest of a chain keeps it only in S3 metadata: save it with head-object as ${basename(d.path)}.sig or --signatures); its content is not verified` }, d.result);
      continue;
    }
    if (keys.size === 0) continue; // said once in the summary
    const key = keys.get(dg.digestPublicKeyFingerprint.toLowerCase());
    if (!key) {
      add({ ...where, code: 'unknown-key', message: `${d.path}: no public key with fingerprint ${dg.digestPublicKeyFingerprint} (get the region's keys with aws cloudtrail list-public-keys)`, details: { fingerprint: dg.digestPublicKeyFingerprint } }, d.result);
      continue;
    }
    if ((key.validFrom !== null && d.end < key.validFrom) || (key.validTo !== null && d.end > key.validTo)) {
      add({ ...where, code: 'key-not-valid', message: `${d.path}: digestEndTime ${dg.digestEndTime} is outside the validity of key ${key.fingerprint}` }, d.result);
    }
    if (!verifySignature(signingString(dg, d.hash!), key.key, sig)) {
      add({ ...where, code: 'bad-signature', message: `${d.path}: signature (from ${sigFrom}) does not verify with key ${key.fingerprint}: the digest was edited or the signature is wrong`, details: { signatureFrom: sigFrom, fingerprint: key.fingerprint } }, d.result);
    }
  }

  // ---- Listed log files: present, and the SHA-256 of their uncompressed content matches.
  const logResults: FileResult[] = [];
  let listed = 0;
  let validLogs = 0;
  for (const d of considered) {
    const dg = d.digest;
    if (!dg || d.result.findings.includes('duplicate-digest')) continue;
    for (const lf of dg.logFiles) {
      listed++;
      const tail = keyTail(lf.s3Object);
      const local = logsByTail.get(tail) ?? logsByName.get(basename(lf.s3Object));
      const n = parseLogName(lf.s3Object);
      const where = { s3Object: lf.s3Object, account: n?.account ?? d.account, region: n?.region ?? d.region, time: n ? iso(n.delivered) : dg.digestEndTime };
      if (!local) {
        const r: FileResult = { kind: 'log', file: lf.s3Object, s3Object: lf.s3Object, account: where.account, region: where.region, status: 'missing', findings: [] };
        logResults.push(r);
        add({ ...where, code: 'missing-log', file: lf.s3Object, message: `${lf.s3Object}: listed by ${d.path} but not found (deleted)`, details: { digest: d.path, hashValue: lf.hashValue } }, r);
        continue;
      }
      local.listed = true;
      const r: FileResult = { kind: 'log', file: local.path, s3Object: lf.s3Object, account: where.account, region: where.region, status: 'valid', findings: [] };
      local.result = r;
      logResults.push(r);
      if (lf.hashAlgorithm !== undefined && lf.hashAlgorithm !== 'SHA-256') {
        r.status = 'invalid';
        add({ ...where, code: 'unsupported-algorithm', file: local.path, message: `${local.path}: hashAlgorithm ${lf.hashAlgorithm} in ${d.path}` }, r);
        continue;
      }
      let actual: string;
      let note = '';
      try {
        actual = sha256Hex(uncompressed(readFileSync(local.path)));
      } catch (e) {
        actual = sha256Hex(readFileSync(local.path));
        note = ` (not valid gzip: ${(e as Error).message})`;
      }
      if (actual !== lf.hashValue.toLowerCase()) {
        r.status = 'invalid';
        add({ ...where, code: 'modified-log', file: local.path, message: `${local.path}: SHA-256 ${actual} differs from ${lf.hashValue} listed by ${d.path}: modified${note}`, details: { digest: d.path, expected: lf.hashValue, actual } }, r);
      } else validLogs++;
    }
  }

  // ---- Log files present that no digest lists.
  const windows = new Map<string, [number, number][]>();
  for (const d of considered) if (d.digest && Number.isFinite(d.start)) (windows.get(`${d.account}|${d.region}`) ?? windows.set(`${d.account}|${d.region}`, []).get(`${d.account}|${d.region}`)!).push([d.start, d.end]);
  let unlisted = 0;
  let unverified = 0;
  for (const l of allLogs) {
    if (l.listed) continue;
    if (l.delivered + 60_000 <= from || l.delivered >= to) continue;
    // The name holds the delivery minute: covered when a digest window meets [minute, minute + 60 s).
    const covered = (windows.get(`${l.account}|${l.region}`) ?? []).some(([s, e]) => s < l.delivered + 60_000 && e > l.delivered);
    const where = { file: l.path, s3Object: l.tail, account: l.account, region: l.region, time: iso(l.delivered) };
    const r: FileResult = { kind: 'log', file: l.path, s3Object: l.tail, account: l.account, region: l.region, status: covered ? 'unlisted' : 'unverified', findings: [] };
    logResults.push(r);
    if (covered) {
      unlisted++;
      add({ ...where, code: 'unlisted-log', message: `${l.path}: delivered ${iso(l.delivered)} in ${l.account}/${l.region}, inside a digest window, but no digest lists it (added or renamed)` }, r);
    } else {
      unverified++;
      add({ ...where, code: 'uncovered-log', message: `${l.path}: no digest covers its delivery time ${iso(l.delivered)} in ${l.account}/${l.region}: not verified` }, r);
    }
  }

  const digestResults = considered.map((d) => d.result);
  for (const r of digestResults) if (r.findings.some((c) => FINDINGS[c].severity === 'failure')) r.status = 'invalid';
  const withTimes = considered.filter((d) => d.digest);
  const foundFrom = withTimes.length ? Math.min(...withTimes.map((d) => d.start)) : null;
  const foundTo = withTimes.length ? Math.max(...withTimes.map((d) => d.end)) : null;
  for (const e of inputErrors) findings.push({ code: 'invalid-digest', severity: 'failure', file: e.split(': ')[0]!, message: e });
  findings.sort((a, b) => (a.time ?? '').localeCompare(b.time ?? '') || a.file.localeCompare(b.file) || a.code.localeCompare(b.code));
  return {
    requested: { from: Number.isFinite(from) ? iso(from) : null, to: Number.isFinite(to) ? iso(to) : null },
    found: { from: foundFrom === null ? null : iso(foundFrom), to: foundTo === null ? null : iso(foundTo) },
    digests: { total: digestResults.length, valid: digestResults.filter((r) => r.status === 'valid').length },
    logs: { listed, valid: validLogs, unlisted, unverified },
    signatures: keys.size ? 'checked' : 'unchecked',
    files: [...digestResults.sort((a, b) => a.file.localeCompare(b.file)), ...logResults.sort((a, b) => a.file.localeCompare(b.file))],
    findings,
    failures: findings.filter((f) => f.severity === 'failure').length,
    warnings: findings.filter((f) => f.severity === 'warning').length,
    inputErrors,
  };
}

/** Each failure as an alert of the built-in detection "CloudTrail log integrity validation failed". */
export function integrityAlerts(report: VerifyReport): Alert[] {
  return report.findings
    .filter((f) => f.severity === 'failure')
    .map((f) => {
      const event: JsonObject = {
        eventSource: 'tideline.integrity',
        eventName: FINDINGS[f.code].name,
        eventTime: f.time ?? null,
        eventID: syntheticEventId('integrity', f.code, f.s3Object ?? f.file, f.file),
        recipientAccountId: f.account ?? null,
        awsRegion: f.region ?? null,
        finding: f.code,
        file: f.file,
        s3Object: f.s3Object ?? null,
        message: f.message,
        ...(f.details ? { details: f.details } : {}),
      };
      return builtinAlert(INTEGRITY_FAILURE, event, f.time ?? null, f.file, 0, { finding: f.code, file: f.file, ...(f.s3Object ? { s3Object: f.s3Object } : {}) });
    });
}
