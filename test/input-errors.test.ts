// Bad inputs, through the real CLI and through readLogFile: each is named on stderr with its file and record/line,
// counted in the summary, makes the exit status 2, and never stops the OTHER inputs of the run from producing
// their alerts. Each bad file sits next to a good file holding a StopLogging event (the bundled rule
// "AWS CloudTrail Logging Stopped" fires on it). Usage errors exit 1 with a one-line message.
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, symlinkSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { createGunzip, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JsonObject } from '../src/sigma/fields.js';
import { cli, ensureBuilt, hunt, indexed, noise, prng, readFile, rec, removeDir, stopLogging, tempDir, type CliRun } from './helpers/cloudtrail.js';

const RULE = 'AWS CloudTrail Logging Stopped';
let dir: string;
beforeAll(() => {
  ensureBuilt();
  dir = tempDir('input-errors');
});
afterAll(() => removeDir(dir));

const put = (name: string, data: string | Buffer): string => {
  const p = join(dir, name);
  mkdirSync(join(p, '..'), { recursive: true });
  writeFileSync(p, data);
  return p;
};
const records = (recs: JsonObject[]) => JSON.stringify({ Records: recs });
const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A good delivery file next to the bad one: record 1 is a StopLogging. */
function goodFile(caseName: string): string {
  return put(`${caseName}/good.json`, records([rec(`${caseName}-g0`), stopLogging(`${caseName}-good-stop`)]));
}

/** Alerts of the rule from this file, as "index:eventID". */
const alertsFrom = (run: CliRun, file: string) =>
  run.alerts.filter((a) => a.rule.title === RULE && a.source.file === file).map((a) => `${a.source.index}:${String(a.event.eventID)}`);

/** The common contract: exit 2, the bad file named with where/what on stderr, errors counted, good file's alert out. */
function expectBadInput(run: CliRun, bad: string, good: string, caseName: string, line: RegExp, errors = 1): void {
  expect(run.status, run.stderr).toBe(2);
  expect(run.stderr).toMatch(new RegExp(`^${esc(bad)}: ${line.source}`, 'm'));
  expect(run.summary, run.stderr).toMatchObject({ errors });
  expect(run.stderr).toContain(`${errors} errors (listed above): exit status 2`);
  expect(alertsFrom(run, good)).toEqual([`1:${caseName}-good-stop`]);
}

/** A bigger delivery file of noisy (low-compressibility) records: record 0 is a StopLogging. */
function noisyRecords(name: string, n: number, seed: number): JsonObject[] {
  const rand = prng(seed);
  const recs = [stopLogging(`${name}-stop-0`)];
  for (let i = 1; i < n; i++) recs.push(rec(`${name}-${i}`, { requestParameters: { blob: noise(rand, 96) } }));
  return recs;
}

/** Flip 8 bytes in the middle of a buffer. */
function corrupt(buf: Buffer): Buffer {
  const c = Buffer.from(buf);
  const mid = c.length >> 1;
  for (let i = 0; i < 8; i++) c[mid + i] = c[mid + i]! ^ 0xa5;
  return c;
}

/** How many of these records gunzip can still recover in order from damaged gzip (same stream options as reader.ts). */
function recoverable(damaged: Buffer, recs: JsonObject[]): Promise<number> {
  return new Promise((resolve) => {
    const parts: Buffer[] = [];
    const g = createGunzip({ chunkSize: 1 << 18 });
    const done = () => {
      const text = Buffer.concat(parts).toString('latin1');
      let pos = '{"Records":['.length;
      let n = 0;
      for (const r of recs) {
        const s = (n ? ',' : '') + JSON.stringify(r);
        if (text.slice(pos, pos + s.length) !== s) break;
        pos += s.length;
        n++;
      }
      resolve(n);
    };
    g.on('data', (d: Buffer) => parts.push(d));
    g.on('error', done);
    g.on('end', done);
    g.end(damaged);
  });
}

describe('corrupt gzip', () => {
  it('bytes flipped in the middle of a large .json.gz: named, counted, exit 2; records before the damage come out', async () => {
    const recs = noisyRecords('cz', 6000, 1);
    const bad = put('corrupt-large/bad.json.gz', corrupt(gzipSync(records(recs))));
    const good = goodFile('corrupt-large');
    const canRecover = await recoverable(readFileSync(bad), recs);
    expect(canRecover).toBeGreaterThan(1000);

    const got = await readFile(bad);
    // Every record gunzip could still recover comes out, exactly, at its index. (Note: gzip checks its CRC only at the
    // end of the member, so a record decoded from the damaged bytes can still parse and come out altered before the
    // 'corrupt gzip' error; with this seed record 2998 does. The error is what tells the user not to trust the file.)
    const clean = got.records.filter((r) => r.index < canRecover);
    expect(clean.length).toBe(canRecover);
    expect(clean.every((r, i) => r.index === i && JSON.stringify(r.rec) === JSON.stringify(recs[i]))).toBe(true);
    expect(got.errors.at(-1)).toEqual({ message: expect.stringMatching(/^corrupt gzip: .* \(after \d+ records\)$/) });

    const run = hunt(bad, good);
    expectBadInput(run, bad, good, 'corrupt-large', /error: corrupt gzip: /, got.summary.errors);
    expect(alertsFrom(run, bad)).toEqual(['0:cz-stop-0']);
  });

  it('bytes flipped in the middle of a small .json.gz: named, counted, exit 2', async () => {
    const recs = noisyRecords('cs', 150, 2);
    const bad = put('corrupt-small/bad.json.gz', corrupt(gzipSync(records(recs))));
    const good = goodFile('corrupt-small');
    const run = hunt(bad, good);
    const got = await readFile(bad);
    expect(got.errors.at(-1)).toEqual({ message: expect.stringMatching(/^corrupt gzip: /) });
    expectBadInput(run, bad, good, 'corrupt-small', /error: corrupt gzip: /, got.summary.errors);
  });

  // BUG: for a typical (small) delivery file nothing before the damage comes out. The whole-file path falls back to
  // the stream path "which keeps the records before the damage" (reader.ts), but (1) Decoder buffers everything
  // under the 256 KB sniff window and the stream's failure handler never flushes it, and (2) with
  // chunkSize 256 KB zlib hands over no output at all before the CRC error of a small member.
  it('records before the damage come out of a small corrupt .json.gz', async () => {
    const recs = noisyRecords('cs2', 150, 2);
    const bad = put('corrupt-small-2/bad.json.gz', corrupt(gzipSync(records(recs))));
    const got = await readFile(bad);
    expect(got.records[0]).toEqual({ index: 0, rec: recs[0] });
  });
});

describe('truncated gzip', () => {
  it('a large .json.gz cut at half: records before the cut come out exactly, then one error', async () => {
    const recs = noisyRecords('tz', 6000, 3);
    const gz = gzipSync(records(recs));
    const bad = put('trunc-gz-large/bad.json.gz', gz.subarray(0, gz.length >> 1));
    const good = goodFile('trunc-gz-large');
    const got = await readFile(bad);
    expect(got.records.length).toBeGreaterThan(2000);
    expect(got.records).toEqual(indexed(recs.slice(0, got.records.length)));
    expect(got.errors).toEqual([{ message: `truncated gzip: the compressed stream ends early (after ${got.records.length} records)` }]);

    const run = hunt(bad, good);
    expectBadInput(run, bad, good, 'trunc-gz-large', /error: truncated gzip: the compressed stream ends early/);
    expect(alertsFrom(run, bad)).toEqual(['0:tz-stop-0']);
  });

  it('a small .json.gz cut at half: named, counted, exit 2', async () => {
    const gz = gzipSync(records(noisyRecords('ts', 150, 4)));
    const bad = put('trunc-gz-small/bad.json.gz', gz.subarray(0, gz.length >> 1));
    const good = goodFile('trunc-gz-small');
    expectBadInput(hunt(bad, good), bad, good, 'trunc-gz-small', /error: truncated gzip: the compressed stream ends early/);
  });

  // BUG: gunzip does hand over the first ~half of the JSON of a truncated small file (the stream 'data' events come
  // before the 'unexpected end of file' error), but Decoder is still in its sniff phase (< 256 KB buffered) and
  // decodeStream's fail() never flushes it: 0 records instead of the ~75 complete ones before the cut.
  // Repro: gzip a 40 KB {"Records":[...]}, keep the first half of the bytes, readLogFile -> records 0, errors 1.
  it('records before the cut come out of a small truncated .json.gz', async () => {
    const recs = noisyRecords('ts2', 150, 4);
    const gz = gzipSync(records(recs));
    const bad = put('trunc-gz-small-2/bad.json.gz', gz.subarray(0, gz.length >> 1));
    const got = await readFile(bad);
    expect(got.records.length).toBeGreaterThan(0);
    expect(got.records).toEqual(indexed(recs.slice(0, got.records.length)));
  });
});

describe('truncated JSON', () => {
  it('a Records file cut mid-record: the complete records before the cut come out; the error says truncated', async () => {
    const recs = [stopLogging('tj-stop-0'), rec('tj-1'), rec('tj-2', { userAgent: 'x"}]' }), rec('tj-3')];
    const text = records(recs);
    const cut = text.indexOf('tj-3') - 20;
    const bad = put('trunc-json/bad.json', text.slice(0, cut));
    const good = goodFile('trunc-json');
    const got = await readFile(bad);
    expect(got.records).toEqual(indexed(recs.slice(0, 3)));
    expect(got.errors).toEqual([{ message: 'truncated JSON: input ends inside a string (depth 3) after 3 records' }]);

    const run = hunt(bad, good);
    expectBadInput(run, bad, good, 'trunc-json', /error: truncated JSON: .* after 3 records$/);
    expect(alertsFrom(run, bad)).toEqual(['0:tj-stop-0']);
  });

  it('a 9 MB Records file (streaming path) cut mid-record', async () => {
    const recs = noisyRecords('tjl', 60_000, 5);
    const text = records(recs);
    const cut = text.indexOf('"tjl-59000"') - 30;
    const bad = put('trunc-json-large/bad.json', text.slice(0, cut));
    expect(cut).toBeGreaterThan(8 * 1024 * 1024);
    const got = await readFile(bad);
    expect(got.records.length).toBe(59_000); // records 0..58999 are complete; 59000 is cut
    expect(got.records.every((r, i) => r.index === i && r.rec.eventID === recs[i]!.eventID)).toBe(true);
    expect(got.errors).toEqual([{ message: expect.stringMatching(/^truncated JSON: input ends inside .* after 59000 records$/) }]);
  });
});

describe('empty and non-CloudTrail inputs', () => {
  it('an empty file (0 bytes)', async () => {
    const bad = put('empty/bad.json', '');
    const good = goodFile('empty');
    expect((await readFile(bad)).errors).toEqual([{ message: 'empty file' }]);
    expectBadInput(hunt(bad, good), bad, good, 'empty', /error: empty file$/);
  });

  it('an empty .json.gz (gzip of nothing)', async () => {
    const bad = put('empty-gz/bad.json.gz', gzipSync(''));
    const good = goodFile('empty-gz');
    expect((await readFile(bad)).errors).toEqual([{ message: 'empty file (no JSON content)' }]);
    expectBadInput(hunt(bad, good), bad, good, 'empty-gz', /error: empty file/);
  });

  it('a whitespace-only file', async () => {
    const bad = put('blank/bad.json', ' \n\r\n\t  \n');
    const good = goodFile('blank');
    expect((await readFile(bad)).errors).toEqual([{ message: 'empty file (no JSON content)' }]);
    expectBadInput(hunt(bad, good), bad, good, 'blank', /error: empty file \(no JSON content\)$/);
  });

  it('non-CloudTrail JSON (a package.json)', async () => {
    const bad = put('package/package.json', JSON.stringify({ name: 'x', version: '1.0.0', dependencies: { a: '1' }, files: ['a', 'b'] }, null, 2));
    const good = goodFile('package');
    const got = await readFile(bad);
    expect(got.records).toEqual([]);
    expect(got.errors).toEqual([{ message: expect.stringMatching(/^not CloudTrail/), index: 0 }]);
    expectBadInput(hunt(bad, good), bad, good, 'package', /record 0: error: not CloudTrail/);
  });

  // BUG (see logs.test.ts): a delivery file with no events, {"Records":[]}, is reported as 'empty file (no JSON
  // content)' and turns the run's exit status to 2. Repro: echo '{"Records":[]}' > e.json; tideline hunt e.json; echo $?
  it('a delivery file with no events ({"Records":[]}) is not an error', () => {
    const none = put('no-events/none.json', '{"Records":[]}');
    const good = goodFile('no-events');
    const run = hunt(none, good);
    expect(run.stderr).not.toMatch(/: error:/);
    expect(run.status).toBe(0);
  });

  it('a CloudTrail digest file given directly is skipped, not an error', async () => {
    const digest = {
      awsAccountId: '111122223333',
      digestStartTime: '2026-10-05T00:00:00Z',
      digestEndTime: '2026-10-05T01:00:00Z',
      digestS3Bucket: 'trail-bucket',
      digestS3Object: 'AWSLogs/111122223333/CloudTrail-Digest/us-east-1/2026/10/05/111122223333_CloudTrail-Digest_us-east-1_main_us-east-1_20261005T010000Z.json.gz',
      digestPublicKeyFingerprint: '0123456789abcdef',
      digestSignatureAlgorithm: 'SHA256withRSA',
      newestEventTime: '2026-10-05T00:59:00Z',
      oldestEventTime: '2026-10-05T00:00:00Z',
      previousDigestS3Bucket: 'trail-bucket',
      previousDigestS3Object: 'x',
      previousDigestHashValue: 'ab',
      previousDigestHashAlgorithm: 'SHA-256',
      previousDigestSignature: 'cd',
      logFiles: [{ s3Bucket: 'trail-bucket', s3Object: 'AWSLogs/x.json.gz', hashValue: 'ef', hashAlgorithm: 'SHA-256', newestEventTime: 'x', oldestEventTime: 'y' }],
    };
    const digestFile = put('digest/111122223333_CloudTrail-Digest_us-east-1_main_us-east-1_20261005T010000Z.json.gz', gzipSync(JSON.stringify(digest)));
    const good = goodFile('digest');
    const got = await readFile(digestFile);
    expect(got.records).toEqual([]);
    expect(got.errors).toEqual([]);
    expect(got.summary.skipped).toMatch(/digest/);

    const run = hunt(digestFile, good);
    expect(run.status, run.stderr).toBe(0);
    expect(run.summary).toMatchObject({ files: 2, errors: 0 });
    expect(run.stderr).toMatch(new RegExp(`skipped: 1 \\(${esc(digestFile)}: CloudTrail digest file`));
    expect(run.stderr).not.toMatch(/: error:/);
    expect(alertsFrom(run, good)).toEqual(['1:digest-good-stop']);
  });
});

describe('damaged records', () => {
  it('invalid UTF-8 bytes inside a record string: reported with the record, the record still processed', async () => {
    const recs = [rec('u8-0'), stopLogging('u8-stop-1', { userAgent: 'XXBADXX' }), rec('u8-2')];
    const text = Buffer.from(records(recs));
    const at = text.indexOf('XXBADXX');
    Buffer.from([0x41, 0xff, 0xfe, 0xc3, 0x28, 0xed, 0xa0]).copy(text, at); // 'A', stray bytes, a bad sequence, a cut surrogate
    const bad = put('utf8/bad.json', text);
    const good = goodFile('utf8');
    const got = await readFile(bad);
    expect(got.errors).toEqual([{ message: 'invalid UTF-8 (bytes replaced with U+FFFD)', index: 1 }]);
    expect(got.records.map((r) => `${r.index}:${String(r.rec.eventID)}`)).toEqual(['0:u8-0', '1:u8-stop-1', '2:u8-2']);
    expect(got.records[1]!.rec.userAgent).toMatch(/^A\uFFFD+\(\uFFFD+$/);

    const run = hunt(bad, good);
    expectBadInput(run, bad, good, 'utf8', /record 1: error: invalid UTF-8/);
    expect(alertsFrom(run, bad)).toEqual(['1:u8-stop-1']);
  });

  it('an NDJSON file with one broken line in the middle: the lines after it still produce records', async () => {
    const lines = [JSON.stringify(rec('nd-0')), JSON.stringify(rec('nd-1')), '{"eventName":"StopLogging","eventSource":"cloudtrail.amazonaws.com",', JSON.stringify(stopLogging('nd-stop-3')), JSON.stringify(rec('nd-4'))];
    const bad = put('ndjson/bad.jsonl', lines.join('\n') + '\n');
    const good = goodFile('ndjson');
    const got = await readFile(bad);
    expect(got.records.map((r) => `${r.index}:${String(r.rec.eventID)}`)).toEqual(['0:nd-0', '1:nd-1', '3:nd-stop-3', '4:nd-4']);
    expect(got.errors).toEqual([{ message: expect.stringMatching(/^invalid JSON/), index: 2, line: 3 }]);

    const run = hunt(bad, good);
    expectBadInput(run, bad, good, 'ndjson', /line 3: error: invalid JSON/);
    expect(alertsFrom(run, bad)).toEqual(['3:nd-stop-3']);
  });

  it('a Records file with one unparsable record: the records after it still come out', async () => {
    const text = `{"Records":[${JSON.stringify(rec('rj-0'))},{"eventName":"X",,},${JSON.stringify(stopLogging('rj-stop-2'))}]}`;
    const bad = put('records-bad-element/bad.json', text);
    const good = goodFile('records-bad-element');
    const got = await readFile(bad);
    expect(got.records.map((r) => `${r.index}:${String(r.rec.eventID)}`)).toEqual(['0:rj-0', '2:rj-stop-2']);
    expect(got.errors).toEqual([{ message: expect.stringMatching(/^invalid JSON/), index: 1 }]);
    const run = hunt(bad, good);
    expectBadInput(run, bad, good, 'records-bad-element', /record 1: error: invalid JSON/);
    expect(alertsFrom(run, bad)).toEqual(['2:rj-stop-2']);
  });
});

describe('a 50 MB single file', () => {
  it('uncompressed Records JSON of ~50 MB: every record read, memory bounded', () => {
    const big = join(dir, 'big', 'big.json');
    mkdirSync(join(big, '..'), { recursive: true });
    const rand = prng(50);
    const fd = openSync(big, 'w');
    let n = 0;
    let size = 0;
    try {
      size += writeSync(fd, '{"Records":[\n');
      const batch: string[] = [];
      while (size < 50 * 1024 * 1024) {
        batch.push(JSON.stringify(rec(`big-${n++}`, { requestParameters: { blob: noise(rand, 1536) } })));
        if (batch.length === 500) {
          size += writeSync(fd, (n > 500 ? ',\n' : '') + batch.join(',\n'));
          batch.length = 0;
        }
      }
      if (batch.length) size += writeSync(fd, ',\n' + batch.join(',\n'));
      size += writeSync(fd, `,\n${JSON.stringify(stopLogging('big-last-stop'))}\n]}\n`);
      n++;
    } finally {
      closeSync(fd);
    }
    expect(size).toBeGreaterThan(50 * 1024 * 1024);
    const good = goodFile('big');
    const stats = join(dir, 'big', 'stats.json');
    try {
      const run = hunt('--stats', stats, big, good);
      expect(run.status, run.stderr).toBe(0);
      expect(run.summary).toMatchObject({ files: 2, records: n + 2, errors: 0 });
      expect(alertsFrom(run, big)).toEqual([`${n - 1}:big-last-stop`]);
      expect(alertsFrom(run, good)).toEqual(['1:big-good-stop']);
      const st = JSON.parse(readFileSync(stats, 'utf8')) as { records: number; peakRssBytes: number };
      expect(st.records).toBe(n + 2);
      // Streaming keeps memory near one record: well under what holding the 50 MB file (bytes + string + objects) costs.
      expect(st.peakRssBytes).toBeLessThan(200 * 1024 * 1024);
    } finally {
      rmSync(big, { force: true });
    }
  });
});

describe('unreadable inputs', () => {
  it('a dangling symlink and a path that does not exist', () => {
    const dangling = join(dir, 'unreadable', 'dangling.json.gz');
    mkdirSync(join(dangling, '..'), { recursive: true });
    symlinkSync(join(dir, 'unreadable', 'gone.json.gz'), dangling);
    const missing = join(dir, 'unreadable', 'missing.json');
    const good = goodFile('unreadable');
    const run = hunt(dangling, missing, good);
    expect(run.stderr).toMatch(new RegExp(`^${esc(dangling)}: error: no such file or directory$`, 'm'));
    expectBadInput(run, missing, good, 'unreadable', /error: no such file or directory$/, 2);
    expect(run.summary).toMatchObject({ files: 1 });
  });

  it('readLogFile on a missing file and on a directory reports, does not throw', async () => {
    expect((await readFile(join(dir, 'nope.json'))).errors).toEqual([{ message: 'cannot read: no such file' }]);
    mkdirSync(join(dir, 'adir'), { recursive: true });
    expect((await readFile(join(dir, 'adir'))).errors).toEqual([{ message: 'cannot read: not a regular file' }]);
  });

  it('stdin with bad content is named as -', () => {
    const r = cli(['hunt', '--rules', 'content/rules', '--format', 'jsonl', '--no-progress', '-'], { input: Buffer.from('{"Records":[{"eventName":') });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^-: error: truncated JSON/m);
  });
});

describe('a directory with one bad file among good ones', () => {
  it.each([['1'], ['3']])('--workers %s: the good files all alert, the bad one is named', (workers) => {
    const d = join(dir, `tree-${workers}`, 'AWSLogs', '111122223333', 'CloudTrail', 'us-east-1', '2026', '10', '05');
    mkdirSync(d, { recursive: true });
    const a = join(d, 'a.json.gz');
    const b = join(d, 'b.json.gz');
    const c = join(d, 'c.json');
    const e = join(d, 'e.jsonl');
    writeFileSync(a, gzipSync(records([stopLogging(`w${workers}-a`)])));
    const full = gzipSync(records([stopLogging(`w${workers}-b`), rec('b1')]));
    writeFileSync(b, full.subarray(0, full.length - 12));
    writeFileSync(c, records([rec('c0'), stopLogging(`w${workers}-c`)]));
    writeFileSync(e, `${JSON.stringify(rec('e0'))}\n${JSON.stringify(stopLogging(`w${workers}-e`))}\n`);
    const run = hunt('--workers', workers, join(dir, `tree-${workers}`));
    expect(run.status, run.stderr).toBe(2);
    expect(run.stderr).toMatch(new RegExp(`^${esc(b)}: error: truncated gzip: the compressed stream ends early`, 'm'));
    expect(run.summary).toMatchObject({ files: 4, errors: 1 });
    // b lost only its gzip trailer: the record before the damage still comes out (and alerts).
    expect(run.alerts.map((x) => `${x.source.file}#${x.source.index}`)).toEqual([`${a}#0`, `${b}#0`, `${c}#1`, `${e}#1`]);
  });
});

describe('usage errors: exit 1, one-line message, no stack trace', () => {
  const cases: [string, string[], RegExp][] = [
    ['unknown flag', ['hunt', '--bogus', 'x.json'], /^error: unknown option '--bogus'$/],
    ['bad --format', ['hunt', '--format', 'xml', 'x.json'], /^error: option '-f, --format <format>' argument 'xml' is invalid/],
    ['bad --since', ['hunt', '--since', 'yesterday', 'x.json'], /^tideline: --since: 'yesterday' is not an ISO-8601 time/],
    ['bad --until', ['hunt', '--until', '2026-13-45', 'x.json'], /^tideline: --until: /],
    ['bad --workers', ['hunt', '--workers', '0', 'x.json'], /^tideline: --workers must be a whole number of at least 1$/],
    ['no logs', ['hunt'], /^error: missing required argument 'logs'$/],
  ];
  it.each(cases)('%s', (_n, args, message) => {
    const r = cli(args);
    expect(r.status, r.stderr).toBe(1);
    expect(r.stdout).toBe('');
    const lines = r.stderr.split('\n').filter((l) => l.trim());
    expect(lines[0]).toMatch(message);
    // At most a hint to run --help after the message; never a stack trace.
    expect(lines.slice(1).every((l) => l === '(run with --help for usage)')).toBe(true);
    expect(r.stderr).not.toMatch(/^\s+at /m);
  });
});
