/**
 * Test helpers for the CloudTrail readers: record factories, temp dirs, sinks that collect what a reader
 * emits (records with their index, errors with their place), a seeded PRNG for reproducible "random" data,
 * and a runner for the real CLI.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { readLogFile, readLogStream, type FileSummary } from '../../src/logs/reader.js';
import type { JsonObject } from '../../src/sigma/fields.js';
import { mulberry32 } from '../../src/simulate/rng.js';

export const ROOT = join(__dirname, '..', '..');

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `tideline-${prefix}-`));
}

export function removeDir(dir: string | undefined): void {
  if (dir) rmSync(dir, { recursive: true, force: true });
}

/** An ordinary CloudTrail record. */
export function rec(id: string, extra: JsonObject = {}): JsonObject {
  return {
    eventVersion: '1.08',
    userIdentity: { type: 'IAMUser', principalId: 'AIDAEXAMPLE', arn: 'arn:aws:iam::111122223333:user/alice', accountId: '111122223333', userName: 'alice' },
    eventTime: '2026-10-05T10:00:00Z',
    eventSource: 's3.amazonaws.com',
    eventName: 'GetObject',
    awsRegion: 'us-east-1',
    sourceIPAddress: '198.51.100.7',
    userAgent: 'aws-cli/2.15.0',
    requestParameters: { bucketName: 'logs', key: 'a/b.txt' },
    responseElements: null,
    eventID: id,
    eventType: 'AwsApiCall',
    recipientAccountId: '111122223333',
    ...extra,
  };
}

/** A StopLogging call: the bundled rule "AWS CloudTrail Logging Stopped" fires on it. */
export function stopLogging(id: string, extra: JsonObject = {}): JsonObject {
  return rec(id, {
    eventSource: 'cloudtrail.amazonaws.com',
    eventName: 'StopLogging',
    requestParameters: { name: 'arn:aws:cloudtrail:us-east-1:111122223333:trail/main' },
    responseElements: null,
    ...extra,
  });
}

/** Records whose strings and shapes are hard for a byte-level splitter. */
export const TRICKY: JsonObject[] = [
  rec('tricky-0', { requestParameters: { userName: 'quote " inside', path: 'ends with a backslash \\' } }),
  rec('tricky-1', {
    requestParameters: { policyDocument: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*"}]}' },
    userAgent: 'brace } bracket ] open { [ comma , colon :',
  }),
  rec('tricky-2', { requestParameters: { bsq: '\\"', two: '\\\\', mixed: 'a\\\\"b\\', lone: '\\' } }),
  rec('tricky-3', { userAgent: 'café ✓ 日本語 😀 \u00e9', requestParameters: { ctl: 'tab\tnl\ncr\r', nul: '\u0000', sep: '\u2028\u2029' } }),
  rec('tricky-4', {
    requestParameters: { a: [[1, [2, [3, []]]], {}, [], { b: { c: {} } }], e: {}, n: [0, -1.5e10, 3.14, true, false, null] },
    responseElements: {},
  }),
  rec('tricky-5', {
    requestParameters: { Records: [{ eventName: 'Fake', eventSource: 'fake' }], Events: ['x'], CloudTrailEvent: '{}' },
    responseElements: { Records: 'not an array', 'detail-type': 'x' },
  }),
  rec('tricky-6', { eventName: 'Records', requestParameters: { k: 'Records', '"quoted key"': '}]', '\\': '\\\\\\' } }),
  {},
];

export interface Collected {
  summary: FileSummary;
  records: { index: number; rec: JsonObject }[];
  errors: { message: string; index?: number; line?: number }[];
}

function sink(out: Omit<Collected, 'summary'>) {
  return {
    record(r: JsonObject, index: number) {
      out.records.push({ index, rec: r });
    },
    error(message: string, where?: { index?: number; line?: number }) {
      out.errors.push({ message, ...where });
    },
  };
}

export async function readFile(path: string): Promise<Collected> {
  const out = { records: [], errors: [] } as Omit<Collected, 'summary'>;
  const summary = await readLogFile(path, sink(out));
  return { summary, ...out };
}

export async function readChunks(chunks: Buffer[]): Promise<Collected> {
  const out = { records: [], errors: [] } as Omit<Collected, 'summary'>;
  const summary = await readLogStream(Readable.from(chunks), sink(out));
  return { summary, ...out };
}

/** What a reader should emit for these records: each with its position. */
export const indexed = (recs: JsonObject[], from = 0) => recs.map((r, i) => ({ index: from + i, rec: r }));

/** Small, fast, seeded PRNG (the simulator's mulberry32) so generated files are the same on every run. */
export const prng = (seed: number): (() => number) => mulberry32(seed);

/** Low-compressibility bytes from the seeded PRNG, as base64 text. */
export function noise(rand: () => number, bytes: number): string {
  const b = Buffer.alloc(bytes);
  for (let i = 0; i < bytes; i += 4) b.writeUInt32LE(Math.floor(rand() * 4294967296), Math.min(i, bytes - 4));
  return b.toString('base64');
}

export const MAIN_JS = join(ROOT, 'dist', 'cli', 'main.js');

/** Build dist/ with tsc when it is missing (type errors elsewhere do not stop tsc from emitting). */
export function ensureBuilt(): void {
  if (existsSync(MAIN_JS)) return;
  spawnSync('npx', ['tsc', '-p', '.'], { cwd: ROOT, encoding: 'utf8', stdio: 'pipe' });
  if (!existsSync(MAIN_JS)) throw new Error('dist/cli/main.js missing after `npx tsc -p .`');
}

export interface CliRun {
  status: number | null;
  stdout: string;
  stderr: string;
  /** Parsed JSONL alerts from stdout. */
  alerts: { rule: { title: string }; source: { file: string; index: number }; event: JsonObject }[];
  /** The numbers on the summary line `tideline hunt: F files, R records, A alerts, E errors ...`. */
  summary?: { files: number; records: number; alerts: number; errors: number };
}

export function cli(args: string[], opts: { input?: Buffer } = {}): CliRun {
  const r = spawnSync(process.execPath, [MAIN_JS, ...args], { cwd: ROOT, encoding: 'utf8', input: opts.input, maxBuffer: 256 << 20 });
  const alerts = r.stdout
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as CliRun['alerts'][number]);
  const m = /tideline hunt: (\d+) files, (\d+) records, (\d+) alerts, (\d+) errors/.exec(r.stderr);
  const summary = m ? { files: Number(m[1]), records: Number(m[2]), alerts: Number(m[3]), errors: Number(m[4]) } : undefined;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, alerts, summary };
}

/** `tideline hunt` with the bundled rules and JSONL output. */
export function hunt(...args: string[]): CliRun {
  return cli(['hunt', '--rules', 'content/rules', '--format', 'jsonl', '--no-progress', ...args]);
}
