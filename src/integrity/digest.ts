/**
 * CloudTrail digest files, as AWS documents them (see ../shared/cloudtrail/README.md §3): object names, the JSON
 * fields, the data-signing string, SHA256withRSA verification and the public keys of `aws cloudtrail list-public-keys`.
 */
import { createHash, createPublicKey, verify as rsaVerify, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';

export const DIGEST_ALGORITHM = 'SHA256withRSA';

/** The fields of a digest file (the AWS names). Null where a starting or empty digest has none. */
export interface DigestLogFile {
  s3Bucket: string;
  s3Object: string;
  hashValue: string;
  hashAlgorithm: string;
  newestEventTime: string | null;
  oldestEventTime: string | null;
}

export interface Digest {
  awsAccountId: string;
  digestStartTime: string;
  digestEndTime: string;
  digestS3Bucket: string;
  digestS3Object: string;
  digestPublicKeyFingerprint: string;
  digestSignatureAlgorithm: string;
  newestEventTime: string | null;
  oldestEventTime: string | null;
  previousDigestS3Bucket: string | null;
  previousDigestS3Object: string | null;
  previousDigestHashValue: string | null;
  previousDigestHashAlgorithm: string | null;
  previousDigestSignature: string | null;
  logFiles: DigestLogFile[];
}

/** `<acct>_CloudTrail-Digest_<region>_<trail>_<home-region>_<YYYYMMDDTHHMMSSZ>.json.gz` */
const REGION = '[a-z]{2}(?:-[a-z]+)+-\\d+';
const DIGEST_NAME = new RegExp(`^(\\d{12})_CloudTrail-Digest_(${REGION})_(.+)_(${REGION})_(\\d{8}T\\d{6}Z)\\.json(?:\\.gz)?$`);
/** `<acct>_CloudTrail_<region>_<YYYYMMDDTHHmmZ>_<16 chars>.json.gz` */
const LOG_NAME = new RegExp(`^(\\d{12})_CloudTrail_(${REGION})_(\\d{8}T\\d{4}Z)_([A-Za-z0-9]+)\\.json(?:\\.gz)?$`);

export interface DigestName {
  account: string;
  region: string;
  trail: string;
  homeRegion: string;
  /** End time from the name, ms. */
  end: number;
  stamp: string;
}
export interface LogName {
  account: string;
  region: string;
  /** Delivery minute from the name, ms. */
  delivered: number;
  stamp: string;
}

const base = (key: string) => key.slice(key.lastIndexOf('/') + 1);

export function parseDigestName(key: string): DigestName | null {
  const m = DIGEST_NAME.exec(base(key));
  if (!m) return null;
  const end = stampTime(m[5]!);
  return end === null ? null : { account: m[1]!, region: m[2]!, trail: m[3]!, homeRegion: m[4]!, end, stamp: m[5]! };
}

export function parseLogName(key: string): LogName | null {
  const m = LOG_NAME.exec(base(key));
  if (!m) return null;
  const delivered = stampTime(m[3]!);
  return delivered === null ? null : { account: m[1]!, region: m[2]!, delivered, stamp: m[3]! };
}

/** `20261006T0215Z` or `20261006T021531Z` to ms. */
export function stampTime(s: string): number | null {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})?Z$/.exec(s);
  if (!m) return null;
  const t = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, m[6] ? +m[6] : 0);
  return Number.isNaN(t) ? null : t;
}

/** The digest-name form of a time: `YYYYMMDDTHHMMSSZ`. */
export function digestStamp(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z').replace(/[-:]/g, '');
}

/** The part of an S3 key (or local path) from `AWSLogs/` on; the base name when there is no `AWSLogs/`. */
export function keyTail(key: string): string {
  const k = key.replace(/\\/g, '/');
  const i = k.startsWith('AWSLogs/') ? 0 : k.indexOf('/AWSLogs/');
  return i < 0 ? base(k) : k.slice(i === 0 ? 0 : i + 1);
}

export const sha256Hex = (b: Buffer | string): string => createHash('sha256').update(b).digest('hex');

/** A file's content as AWS hashes it: gunzipped when gzip, as is otherwise. Throws on a damaged gzip. */
export function uncompressed(raw: Buffer): Buffer {
  return raw.length >= 2 && raw[0] === 0x1f && raw[1] === 0x8b ? gunzipSync(raw) : raw;
}

const isStr = (v: unknown): v is string => typeof v === 'string';
const strOrNull = (v: unknown): v is string | null => v === null || typeof v === 'string';

/** Parse a digest's uncompressed bytes; a message naming the first problem when it is not a digest. */
export function parseDigest(bytes: Buffer): { digest: Digest } | { error: string } {
  let v: unknown;
  try {
    v = JSON.parse(bytes.toString('utf8'));
  } catch (e) {
    return { error: `not JSON: ${(e as Error).message}` };
  }
  if (!v || typeof v !== 'object' || Array.isArray(v)) return { error: 'not a JSON object' };
  const o = v as Record<string, unknown>;
  for (const k of ['awsAccountId', 'digestStartTime', 'digestEndTime', 'digestS3Bucket', 'digestS3Object', 'digestPublicKeyFingerprint', 'digestSignatureAlgorithm']) {
    if (!isStr(o[k])) return { error: `field ${k} missing or not a string` };
  }
  for (const k of ['newestEventTime', 'oldestEventTime', 'previousDigestS3Bucket', 'previousDigestS3Object', 'previousDigestHashValue', 'previousDigestHashAlgorithm', 'previousDigestSignature']) {
    if (o[k] !== undefined && !strOrNull(o[k])) return { error: `field ${k} is not a string or null` };
  }
  if (!Array.isArray(o.logFiles)) return { error: 'field logFiles missing or not an array' };
  for (const [i, f] of o.logFiles.entries()) {
    const lf = f as Record<string, unknown>;
    if (!lf || typeof lf !== 'object' || !isStr(lf.s3Object) || !isStr(lf.hashValue)) return { error: `logFiles[${i}] has no s3Object/hashValue string` };
  }
  for (const k of ['digestStartTime', 'digestEndTime']) if (Number.isNaN(Date.parse(o[k] as string))) return { error: `${k} is not a time: ${String(o[k])}` };
  const norm = (k: string) => (o[k] === undefined ? null : (o[k] as string | null));
  return {
    digest: {
      ...(o as unknown as Digest),
      newestEventTime: norm('newestEventTime'),
      oldestEventTime: norm('oldestEventTime'),
      previousDigestS3Bucket: norm('previousDigestS3Bucket'),
      previousDigestS3Object: norm('previousDigestS3Object'),
      previousDigestHashValue: norm('previousDigestHashValue'),
      previousDigestHashAlgorithm: norm('previousDigestHashAlgorithm'),
      previousDigestSignature: norm('previousDigestSignature'),
    },
  };
}

/**
 * The data-signing string: digestEndTime, bucket/object, hex SHA-256 of the uncompressed digest bytes as stored, and
 * the previous digest's signature (the literal `null` for a starting digest), joined by `\n`, no trailing newline.
 */
export function signingString(d: Pick<Digest, 'digestEndTime' | 'digestS3Bucket' | 'digestS3Object' | 'previousDigestSignature'>, uncompressedHashHex: string): string {
  return `${d.digestEndTime}\n${d.digestS3Bucket}/${d.digestS3Object}\n${uncompressedHashHex}\n${d.previousDigestSignature ?? 'null'}`;
}

export function verifySignature(signing: string, key: KeyObject, signatureHex: string): boolean {
  if (!/^[0-9a-fA-F]+$/.test(signatureHex) || signatureHex.length % 2) return false;
  try {
    return rsaVerify('sha256', Buffer.from(signing, 'utf8'), key, Buffer.from(signatureHex, 'hex'));
  } catch {
    return false;
  }
}

export interface PublicKey {
  fingerprint: string;
  key: KeyObject;
  validFrom: number | null;
  validTo: number | null;
  source: string;
}

/** Fingerprint as AWS computes it (not documented; reproduces the docs' examples): MD5 of the DER bytes, hex. */
export const fingerprintOf = (der: Buffer): string => createHash('md5').update(der).digest('hex');

function derKey(der: Buffer): KeyObject {
  try {
    return createPublicKey({ key: der, format: 'der', type: 'pkcs1' });
  } catch {
    return createPublicKey({ key: der, format: 'der', type: 'spki' });
  }
}

const timeOf = (v: unknown): number | null => {
  if (typeof v === 'number') return v < 1e12 ? v * 1000 : v; // the v1 CLI prints epoch seconds
  if (typeof v === 'string') {
    const t = Date.parse(v);
    return Number.isNaN(t) ? null : t;
  }
  return null;
};

/**
 * Public keys from a file: the JSON of `aws cloudtrail list-public-keys` ({PublicKeyList:[{Value (base64 DER),
 * ValidityStartTime, ValidityEndTime, Fingerprint}]}, or the bare list), or PEM (one or more PUBLIC KEY /
 * RSA PUBLIC KEY blocks; fingerprints computed from both DER encodings). Throws with a message on a bad file.
 */
export function loadPublicKeys(path: string): PublicKey[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new Error(`cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const out: PublicKey[] = [];
  if (text.includes('-----BEGIN')) {
    const blocks = text.match(/-----BEGIN (RSA )?PUBLIC KEY-----[\s\S]*?-----END (RSA )?PUBLIC KEY-----/g) ?? [];
    if (!blocks.length) throw new Error('no PUBLIC KEY block in the PEM file');
    for (const pem of blocks) {
      const key = createPublicKey(pem);
      for (const type of ['spki', 'pkcs1'] as const) {
        out.push({ fingerprint: fingerprintOf(key.export({ type, format: 'der' })), key, validFrom: null, validTo: null, source: path });
      }
    }
    return out;
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new Error(`neither PEM nor JSON: ${(e as Error).message}`);
  }
  const list = Array.isArray(doc) ? doc : (doc as { PublicKeyList?: unknown })?.PublicKeyList;
  if (!Array.isArray(list)) throw new Error('expected the output of `aws cloudtrail list-public-keys` ({"PublicKeyList": [...]})');
  for (const [i, e] of list.entries()) {
    const entry = e as Record<string, unknown>;
    if (!entry || typeof entry.Value !== 'string') throw new Error(`PublicKeyList[${i}] has no Value`);
    const der = Buffer.from(entry.Value, 'base64');
    let key: KeyObject;
    try {
      key = derKey(der);
    } catch (err) {
      throw new Error(`PublicKeyList[${i}]: Value is not an RSA public key (PKCS#1 or SPKI DER): ${(err as Error).message}`);
    }
    const fp = typeof entry.Fingerprint === 'string' ? entry.Fingerprint.toLowerCase() : fingerprintOf(der);
    out.push({ fingerprint: fp, key, validFrom: timeOf(entry.ValidityStartTime), validTo: timeOf(entry.ValidityEndTime), source: path });
  }
  return out;
}

/** Signatures saved beside a download: `{"<s3Object>": {"signature": "<hex>", "signatureAlgorithm": "SHA256withRSA"}}`. */
export function loadSignatureManifest(path: string): Map<string, string> {
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new Error(`cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw new Error('expected {"<s3Object>": {"signature": "<hex>"}}');
  const out = new Map<string, string>();
  for (const [k, v] of Object.entries(doc as Record<string, unknown>)) {
    const sig = typeof v === 'string' ? v : (v as { signature?: unknown })?.signature;
    if (typeof sig === 'string') out.set(keyTail(k), sig.trim());
  }
  return out;
}
