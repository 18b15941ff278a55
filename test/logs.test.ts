// Every supported CloudTrail input format, read through readLogFile / readLogStream, with the exact records and
// provenance (index) that must come out. Files are generated in a temp dir at test time.
import { mkdirSync, realpathSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JsonSplitter } from '../src/logs/scanner.js';
import { looksLikeNdjson } from '../src/logs/reader.js';
import { expandInputs } from '../src/logs/walk.js';
import type { JsonObject } from '../src/sigma/fields.js';
import { indexed, noise, prng, readChunks, readFile, rec, removeDir, stopLogging, tempDir, TRICKY } from './helpers/cloudtrail.js';

let dir: string;
beforeAll(() => {
  dir = tempDir('logs');
});
afterAll(() => removeDir(dir));

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);
const put = (name: string, data: string | Buffer): string => {
  const p = join(dir, name);
  mkdirSync(join(p, '..'), { recursive: true });
  writeFileSync(p, data);
  return p;
};
const ndjson = (recs: JsonObject[], eol = '\n') => recs.map((r) => JSON.stringify(r)).join(eol) + eol;

/** Reading this file yields exactly these records at indices 0.., no errors, nothing skipped. */
async function expectRecords(path: string, recs: JsonObject[]): Promise<void> {
  const got = await readFile(path);
  expect(got.errors).toEqual([]);
  expect(got.records).toEqual(indexed(recs));
  expect(got.summary).toEqual({ records: recs.length, errors: 0, bytes: statSync(path).size });
}

describe('CloudTrail delivery files {"Records":[...]}', () => {
  const doc = { Records: TRICKY };
  const variants: [string, string][] = [
    ['compact', JSON.stringify(doc)],
    ['pretty, 2 spaces', JSON.stringify(doc, null, 2)],
    ['pretty, 4 spaces, CRLF', JSON.stringify(doc, null, 4).replace(/\n/g, '\r\n')],
    ['pretty, tabs, trailing newline', JSON.stringify(doc, null, '\t') + '\n'],
  ];
  it.each(variants)('plain .json, %s', async (name, text) => {
    await expectRecords(put(`records-${name}.json`, text), TRICKY);
  });
  it.each(variants)('gzip .json.gz, %s', async (name, text) => {
    await expectRecords(put(`records-${name}.json.gz`, gzipSync(text)), TRICKY);
  });

  it('hand-written JSON escapes: \\u00e9, \\", trailing \\\\, \\/, surrogate pairs, nested "Records" key', async () => {
    const text = String.raw`{ "Records" : [
      {"eventSource":"s3.amazonaws.com","eventName":"GetObject","eventID":"h-0","k":"caf\u00e9 \"q\" \\","p":"a\/b","emoji":"\ud83d\ude00"},
      {"eventSource":"iam.amazonaws.com","eventName":"PutUserPolicy","eventID":"h-1","x":"a\\\\","y":"\\\"}]","z":"\"","requestParameters":{"Records":[{"eventName":"Nested"}],"Records2":[]}},
      {"eventSource":"ec2.amazonaws.com","eventName":"RunInstances","eventID":"h-2","e":{},"a":[],"deep":[[[{"Records":[]}]]]}
    ] }`;
    const expected: JsonObject[] = [
      { eventSource: 's3.amazonaws.com', eventName: 'GetObject', eventID: 'h-0', k: 'café "q" \\', p: 'a/b', emoji: '😀' },
      { eventSource: 'iam.amazonaws.com', eventName: 'PutUserPolicy', eventID: 'h-1', x: 'a\\\\', y: '\\"}]', z: '"', requestParameters: { Records: [{ eventName: 'Nested' }], Records2: [] } },
      { eventSource: 'ec2.amazonaws.com', eventName: 'RunInstances', eventID: 'h-2', e: {}, a: [], deep: [[[{ Records: [] }]]] },
    ];
    await expectRecords(put('handwritten.json', text), expected);
    await expectRecords(put('handwritten.json.gz', gzipSync(text)), expected);
  });

  it('other keys before and after Records are ignored', async () => {
    const text = `{"meta":{"Records":[{"eventName":"NotMe"}]},"list":[{"eventName":"NotMe"}],"note":"Records","Records":[${JSON.stringify(TRICKY[0])},${JSON.stringify(TRICKY[1])}],"n":1,"s":"]}"}`;
    await expectRecords(put('wrapped.json', text), TRICKY.slice(0, 2));
  });

  // BUG: after the Records (or Events) array closes, the splitter keeps capturing values at depth 2, so the elements
  // of a LATER array, or the member values of a later object, in the same top-level object come out as records/errors.
  // Repro: {"Records":[{"eventName":"A","eventSource":"s"}],"tail":[{"x":1}]} yields {"x":1} as record 1;
  //        {"Records":[...],"meta":{"count":5}} reports 'Records element is not an object' at record 1.
  it('an array after the Records array is not read as records', async () => {
    await expectRecords(put('tail-array.json', `{"Records":[${JSON.stringify(TRICKY[0])}],"tail":[{"x":1}]}`), TRICKY.slice(0, 1));
  });
  it('an object after the Records array is not read as records', async () => {
    await expectRecords(put('tail-object.json', `{"Records":[${JSON.stringify(TRICKY[0])}],"meta":{"count":5}}`), TRICKY.slice(0, 1));
  });

  it('several Records files concatenated into one file (cat a.json b.json), pretty and compact', async () => {
    const text = `${JSON.stringify({ Records: TRICKY.slice(0, 3) }, null, 2)}\n${JSON.stringify({ Records: TRICKY.slice(3) })}${JSON.stringify({ Records: [] })}`;
    await expectRecords(put('concatenated.json', text), TRICKY);
  });

  it('a UTF-8 BOM before the object, plain and gzip', async () => {
    const text = Buffer.concat([BOM, Buffer.from(JSON.stringify(doc, null, 2))]);
    await expectRecords(put('bom.json', text), TRICKY);
    await expectRecords(put('bom.json.gz', gzipSync(text)), TRICKY);
  });

  // A trail delivers {"Records":[]} when a file holds no events; lookup-events prints {"Events":[]} when nothing
  // matched. Neither is damaged input. BUG: both are reported as 'empty file (no JSON content)' (exit 2 in the CLI).
  it('an empty Records array is zero records, not an error', async () => {
    await expectRecords(put('empty-records.json', '{"Records":[]}'), []);
  });
});

describe('S3 export tree AWSLogs/<acct>/CloudTrail/<region>/YYYY/MM/DD/*.json.gz', () => {
  it('is walked recursively in sorted order; CloudTrail-Digest is skipped; hidden files ignored', async () => {
    const root = join(dir, 'trail');
    const acct = (a: string) => join(root, 'AWSLogs', a);
    const file = (a: string, region: string, day: string, stamp: string, ids: string[]) => {
      const name = `${a}_CloudTrail_${region}_2026100${day.slice(-1)}T${stamp}Z_${'x'.repeat(16)}.json.gz`;
      const p = join(acct(a), 'CloudTrail', region, '2026', '10', day, name);
      mkdirSync(join(p, '..'), { recursive: true });
      writeFileSync(p, gzipSync(JSON.stringify({ Records: ids.map((id) => rec(id, { awsRegion: region })) })));
      return p;
    };
    // Created out of order on purpose.
    const f4 = file('444455556666', 'us-east-1', '05', '0100', ['d']);
    const f3 = file('111122223333', 'us-east-1', '05', '0000', ['c1', 'c2']);
    const f2 = file('111122223333', 'eu-west-1', '06', '0000', ['b']);
    const f1 = file('111122223333', 'eu-west-1', '05', '2355', ['a1', 'a2', 'a3']);
    const f1b = file('111122223333', 'eu-west-1', '05', '0005', ['a0']);
    const digestDir = join(acct('111122223333'), 'CloudTrail-Digest', 'us-east-1', '2026', '10', '05');
    mkdirSync(digestDir, { recursive: true });
    writeFileSync(join(digestDir, '111122223333_CloudTrail-Digest_us-east-1_x_20261005T010000Z.json.gz'), gzipSync('{"digestStartTime":"x","logFiles":[]}'));
    writeFileSync(join(acct('111122223333'), '.DS_Store'), 'junk');
    mkdirSync(join(root, '.cache'));
    writeFileSync(join(root, '.cache', 'x.json'), '{"eventName":"Hidden","eventSource":"x"}');
    writeFileSync(join(root, 'AWSLogs', '.hidden.json.gz'), gzipSync('{"eventName":"Hidden","eventSource":"x"}'));

    const walk = expandInputs([root]);
    expect(walk.errors).toEqual([]);
    expect(walk.files.map((f) => f.path)).toEqual([f1b, f1, f2, f3, f4]);
    expect(walk.files.map((f) => f.size)).toEqual([f1b, f1, f2, f3, f4].map((p) => statSync(p).size));
    expect(walk.skipped).toEqual([{ path: join(acct('111122223333'), 'CloudTrail-Digest'), reason: expect.stringMatching(/digest/) }]);

    const ids: string[][] = [];
    for (const f of walk.files) {
      const got = await readFile(f.path);
      expect(got.errors).toEqual([]);
      expect(got.records.map((r) => r.index)).toEqual(got.records.map((_, i) => i));
      ids.push(got.records.map((r) => r.rec.eventID as string));
    }
    expect(ids).toEqual([['a0'], ['a1', 'a2', 'a3'], ['b'], ['c1', 'c2'], ['d']]);
  });

  it('files given directly and `-` are kept as given; a missing path is an error', () => {
    const p = put('direct/one.json', '{}');
    const hidden = put('direct/.hidden.json', '{}');
    const walk = expandInputs([hidden, '-', p, join(dir, 'direct', 'missing.json')]);
    expect(walk.files.map((f) => f.path)).toEqual([hidden, '-', p]);
    expect(walk.errors).toEqual([{ path: join(dir, 'direct', 'missing.json'), message: 'no such file or directory' }]);
  });

  it('a symlinked directory is followed', () => {
    const target = join(dir, 'linked-target');
    mkdirSync(join(target, 'sub'), { recursive: true });
    writeFileSync(join(target, 'sub', 'a.json'), '{}');
    symlinkSync(target, join(dir, 'linked'));
    expect(expandInputs([join(dir, 'linked')]).files.map((f) => f.path)).toEqual([join(dir, 'linked', 'sub', 'a.json')]);
  });

  it('a symbolic link back to a directory being walked is skipped and said, not followed round the loop', () => {
    const root = join(dir, 'looped');
    mkdirSync(join(root, 'sub'), { recursive: true });
    writeFileSync(join(root, 'sub', 'a.json'), '{}');
    symlinkSync(root, join(root, 'sub', 'again'));
    const walk = expandInputs([root]);
    expect(walk.files.map((f) => f.path)).toEqual([join(root, 'sub', 'a.json')]);
    expect(walk.skipped).toEqual([{ path: join(root, 'sub', 'again'), reason: `a symbolic link loop back to ${realpathSync(root)}` }]);
    expect(walk.errors).toEqual([]);
  });
});

describe('NDJSON', () => {
  // Not the trailing {}: a bare {} on its own line is not a record (no eventName/eventSource), unlike a Records element.
  const recs = TRICKY.slice(0, 7);
  it('.jsonl plain, with line numbers on errors only', async () => {
    await expectRecords(put('a.jsonl', ndjson(recs)), recs);
  });
  it('.ndjson gzip', async () => {
    await expectRecords(put('a.ndjson.gz', gzipSync(ndjson(recs))), recs);
  });
  it('CRLF line endings, blank lines, whitespace-only lines, no final newline', async () => {
    const lines = recs.map((r) => JSON.stringify(r));
    const text = ['', lines[0], '   ', lines[1], '', '\t', ...lines.slice(2)].join('\r\n');
    await expectRecords(put('crlf.jsonl', text), recs);
    await expectRecords(put('crlf.jsonl.gz', gzipSync(text)), recs);
  });
  it('a BOM before the first line', async () => {
    await expectRecords(put('bom.jsonl', Buffer.concat([BOM, Buffer.from(ndjson(recs))])), recs);
  });
  it('format comes from content: NDJSON named .json.gz, Records named .jsonl, NDJSON named .json', async () => {
    await expectRecords(put('lies.json.gz', gzipSync(ndjson(recs))), recs);
    await expectRecords(put('lies.jsonl', JSON.stringify({ Records: recs }, null, 2)), recs);
    await expectRecords(put('lies-compact.jsonl', JSON.stringify({ Records: recs })), recs);
    await expectRecords(put('lies.json', ndjson(recs)), recs);
  });
  it('a line holding a whole Records object yields its records in order', async () => {
    const text = `${JSON.stringify({ Records: recs.slice(0, 3) })}\n${JSON.stringify(recs[3])}\n${JSON.stringify({ Records: recs.slice(4) })}\n`;
    await expectRecords(put('mixed.jsonl', text), recs);
  });
  it('errors carry the line number; blank lines count as lines', async () => {
    const text = `${JSON.stringify(recs[0])}\n\n{"eventName": broken\n${JSON.stringify(recs[1])}\n`;
    const got = await readFile(put('err.jsonl', text));
    expect(got.records).toEqual([
      { index: 0, rec: recs[0] },
      { index: 2, rec: recs[1] },
    ]);
    expect(got.errors).toEqual([{ message: expect.stringMatching(/^invalid JSON/), index: 1, line: 3 }]);
  });
  it('looksLikeNdjson: pretty-printed JSON and single-line JSON are not NDJSON', () => {
    expect(looksLikeNdjson(Buffer.from(JSON.stringify({ Records: recs }, null, 2)))).toBe(false);
    expect(looksLikeNdjson(Buffer.from(JSON.stringify({ Records: recs }) + '\n'))).toBe(false);
    expect(looksLikeNdjson(Buffer.from(JSON.stringify(recs, null, 2)))).toBe(false);
    expect(looksLikeNdjson(Buffer.from(ndjson(recs)))).toBe(true);
    expect(looksLikeNdjson(Buffer.from(ndjson(recs, '\r\n')))).toBe(true);
  });
});

describe('EventBridge envelopes yield the detail record', () => {
  const envelope = (r: JsonObject, type = 'AWS API Call via CloudTrail'): JsonObject => ({
    version: '0',
    id: `env-${String(r.eventID)}`,
    'detail-type': type,
    source: `aws.${String(r.eventSource).split('.')[0]}`,
    account: '111122223333',
    time: '2026-10-05T10:00:00Z',
    region: 'us-east-1',
    resources: [],
    detail: r,
  });
  const recs = [stopLogging('eb-0'), rec('eb-1', { eventType: 'AwsConsoleSignIn', eventName: 'ConsoleLogin', eventSource: 'signin.amazonaws.com' }), TRICKY[2]!, TRICKY[3]!];
  const envs = [envelope(recs[0]!), envelope(recs[1]!, 'AWS Console Sign In via CloudTrail'), envelope(recs[2]!), envelope(recs[3]!)];
  it('a single envelope file, pretty-printed and compact', async () => {
    await expectRecords(put('eb-one.json', JSON.stringify(envs[0], null, 2)), [recs[0]!]);
    await expectRecords(put('eb-one-compact.json.gz', gzipSync(JSON.stringify(envs[1]))), [recs[1]!]);
  });
  it('NDJSON of envelopes', async () => {
    await expectRecords(put('eb.jsonl', ndjson(envs)), recs);
  });
  it('a JSON array of envelopes', async () => {
    await expectRecords(put('eb-array.json', JSON.stringify(envs, null, 2)), recs);
    await expectRecords(put('eb-array-compact.json.gz', gzipSync(JSON.stringify(envs))), recs);
  });
});

describe('aws cloudtrail lookup-events output', () => {
  const recs = [stopLogging('lk-0'), TRICKY[0]!, TRICKY[2]!, TRICKY[3]!];
  const events = recs.map((r, i) => ({
    EventId: String(r.eventID),
    EventName: String(r.eventName),
    ReadOnly: 'false',
    EventTime: 1759658400 + i,
    EventSource: String(r.eventSource),
    Username: 'alice',
    Resources: [{ ResourceType: 'AWS::CloudTrail::Trail', ResourceName: 'main' }],
    CloudTrailEvent: JSON.stringify(r),
  }));
  it('NextToken before Events (pretty, as the CLI prints it)', async () => {
    await expectRecords(put('lookup-before.json', JSON.stringify({ NextToken: 'eyJ0b2tlbiI6ICJ9XSJ9', Events: events }, null, 4)), recs);
  });
  it('NextToken after Events (compact, gzip)', async () => {
    await expectRecords(put('lookup-after.json.gz', gzipSync(JSON.stringify({ Events: events, NextToken: '"]}{[' }))), recs);
  });
  it('several pages as NDJSON', async () => {
    const text = `${JSON.stringify({ Events: events.slice(0, 2), NextToken: 't1' })}\n${JSON.stringify({ Events: events.slice(2) })}\n`;
    await expectRecords(put('lookup-pages.jsonl', text), recs);
  });
  it('a bad CloudTrailEvent string is an error at its index; the others still come out', async () => {
    const bad = [events[0], { ...events[1], CloudTrailEvent: '{"eventName": nope' }, events[2]];
    const got = await readFile(put('lookup-bad.json', JSON.stringify({ Events: bad })));
    expect(got.records).toEqual([
      { index: 0, rec: recs[0] },
      { index: 2, rec: recs[2] },
    ]);
    expect(got.errors).toEqual([{ message: expect.stringMatching(/^CloudTrailEvent is not valid JSON/), index: 1 }]);
  });
  it('no events found ({"Events":[]}) is zero records, not an error', async () => {
    await expectRecords(put('lookup-empty.json', JSON.stringify({ Events: [] }, null, 4)), []);
  });
});

describe('bare records and arrays', () => {
  it('a single bare record object, compact and pretty', async () => {
    await expectRecords(put('bare.json', JSON.stringify(TRICKY[1])), [TRICKY[1]!]);
    await expectRecords(put('bare-pretty.json.gz', gzipSync(JSON.stringify(TRICKY[6], null, 2) + '\n')), [TRICKY[6]!]);
  });
  it('a JSON array of records', async () => {
    const recs = TRICKY.slice(0, 7);
    await expectRecords(put('array.json', JSON.stringify(recs)), recs);
    await expectRecords(put('array-pretty.json.gz', gzipSync(JSON.stringify(recs, null, 2))), recs);
  });
  it('a BOM before a bare record and before an array', async () => {
    await expectRecords(put('bom-bare.json', Buffer.concat([BOM, Buffer.from(JSON.stringify(TRICKY[0]))])), [TRICKY[0]!]);
    await expectRecords(put('bom-array.json.gz', gzipSync(Buffer.concat([BOM, Buffer.from(JSON.stringify(TRICKY.slice(0, 3), null, 2))]))), TRICKY.slice(0, 3));
  });
  // BUG (minor, same family as {"Records":[]}): an empty top-level array is reported as
  // 'expected a JSON object, found an array' at record 0 instead of zero records.
  it('an empty JSON array is zero records', async () => {
    await expectRecords(put('empty-array.json', '[]\n'), []);
  });

  it('an array of Records files is flattened in order', async () => {
    await expectRecords(put('array-of-files.json', JSON.stringify([{ Records: TRICKY.slice(0, 2) }, { Records: TRICKY.slice(2, 5) }])), TRICKY.slice(0, 5));
  });
});

/** A file bigger than the reader's 256 KB sniff window, so chunks really reach the splitter one by one. */
function bigTrickyDoc(): { recs: JsonObject[]; text: Buffer } {
  const recs: JsonObject[] = [];
  for (let i = 0; i < 3000; i++) {
    const t = TRICKY[i % 7]!;
    recs.push({ ...t, eventID: `big-${i}`, eventName: i % 2 ? 'ListBuckets' : 'PutObject', eventSource: 's3.amazonaws.com' });
  }
  return { recs, text: Buffer.from(JSON.stringify({ Records: recs })) };
}

/** Offsets after `from` where a split is awkward: inside a string, right after a backslash, inside \", inside UTF-8. */
function awkwardOffsets(buf: Buffer, from: number): number[] {
  const find = (needle: Buffer, plus: number) => buf.indexOf(needle, from) + plus;
  const offs = [
    find(Buffer.from('quote \\" inside'), 3), // inside a string
    find(Buffer.from('\\"'), 1), // right after the backslash of \"
    find(Buffer.from('\\\\\\\\'), 1), // between the backslashes of an escaped backslash
    find(Buffer.from('\\\\"'), 2), // after an escaped backslash, before the closing quote
    find(Buffer.from('é'), 1), // inside a 2-byte UTF-8 character
    find(Buffer.from('日'), 2), // inside a 3-byte character
    find(Buffer.from('😀'), 3), // inside a 4-byte character
    find(Buffer.from('"Records"'), 3), // inside a nested "Records" key
  ];
  for (const o of offs) expect(o).toBeGreaterThan(from);
  return [...new Set(offs)].sort((a, b) => a - b);
}

const splitAt = (buf: Buffer, offs: number[]) => {
  const parts: Buffer[] = [];
  let prev = 0;
  for (const o of offs) {
    parts.push(buf.subarray(prev, o));
    prev = o;
  }
  parts.push(buf.subarray(prev));
  return parts;
};

describe('stdin (readLogStream)', () => {
  it('plain and gzip, one chunk', async () => {
    const text = Buffer.from(JSON.stringify({ Records: TRICKY }));
    for (const input of [text, gzipSync(text)]) {
      const got = await readChunks([input]);
      expect(got.errors).toEqual([]);
      expect(got.records).toEqual(indexed(TRICKY));
      expect(got.summary).toEqual({ records: TRICKY.length, errors: 0, bytes: 0 });
    }
  });

  it('plain, chunked at awkward boundaries (inside strings, after a backslash, inside \\", inside UTF-8)', async () => {
    const { recs, text } = bigTrickyDoc();
    const offs = [...awkwardOffsets(text, 300_000), text.indexOf('},{', 300_000) + 1].sort((a, b) => a - b);
    const got = await readChunks(splitAt(text, offs));
    expect(got.errors).toEqual([]);
    expect(got.records).toEqual(indexed(recs));
  });

  it('plain, in 997-byte chunks', async () => {
    const { recs, text } = bigTrickyDoc();
    const offs: number[] = [];
    for (let o = 997; o < text.length; o += 997) offs.push(o);
    const got = await readChunks(splitAt(text, offs));
    expect(got.errors).toEqual([]);
    expect(got.records).toEqual(indexed(recs));
  });

  it('gzip, chunked at every 1000th compressed byte and at 2 and 3', async () => {
    const { recs, text } = bigTrickyDoc();
    const gz = gzipSync(text);
    const offs = [2, 3];
    for (let o = 1000; o < gz.length; o += 1000) offs.push(o);
    const got = await readChunks(splitAt(gz, offs));
    expect(got.errors).toEqual([]);
    expect(got.records).toEqual(indexed(recs));
  });

  it('NDJSON over stdin, CRLF split between \\r and \\n and inside UTF-8', async () => {
    const { recs } = bigTrickyDoc();
    const text = Buffer.from(ndjson(recs, '\r\n'));
    const cr = text.indexOf('\r\n', 300_000) + 1;
    const offs = [...awkwardOffsets(text, 300_000).filter((o) => o !== cr), cr].sort((a, b) => a - b);
    const got = await readChunks(splitAt(text, offs));
    expect(got.errors).toEqual([]);
    expect(got.records).toEqual(indexed(recs));
  });

  it('a small gzip input split at every compressed byte offset from 2 on', async () => {
    const gz = gzipSync(JSON.stringify({ Records: TRICKY }));
    for (let k = 2; k < gz.length; k++) {
      const got = await readChunks([gz.subarray(0, k), gz.subarray(k)]);
      expect(got.errors, `split at ${k}`).toEqual([]);
      expect(got.records.length, `split at ${k}`).toBe(TRICKY.length);
    }
  });

  // BUG: readLogStream decides gzip from `head[0] === 0x1f && head[1] === 0x8b` on the FIRST CHUNK only; a 1-byte
  // first chunk (possible on a pipe) makes the gzip bytes be parsed as text: errors, no records.
  it('gzip on stdin whose first chunk is a single byte', async () => {
    const gz = gzipSync(JSON.stringify({ Records: TRICKY }));
    const got = await readChunks([gz.subarray(0, 1), gz.subarray(1)]);
    expect(got.errors).toEqual([]);
    expect(got.records).toEqual(indexed(TRICKY));
  });

  // BUG: NDJSON is recognised only when a whole first line fits in the 256 KB sniff window. On the streaming paths
  // (stdin, files > 8 MB compressed) an NDJSON file whose first record is larger than that is split as one JSON
  // stream instead, so a broken line swallows every line after it (reported as 'truncated JSON', no line number).
  it.fails('NDJSON whose first line is larger than 256 KB, with a broken line, over stdin', async () => {
    const first = rec('huge-0', { requestParameters: { blob: 'y'.repeat(300_000) } });
    const last = stopLogging('after-broken');
    const text = Buffer.from(`${JSON.stringify(first)}\n{"eventName": broken\n${JSON.stringify(last)}\n`);
    const offs: number[] = [];
    for (let o = 65536; o < text.length; o += 65536) offs.push(o);
    const got = await readChunks(splitAt(text, offs));
    expect(got.records).toEqual([
      { index: 0, rec: first },
      { index: 2, rec: last },
    ]);
    expect(got.errors).toEqual([{ message: expect.stringMatching(/^invalid JSON/), index: 1, line: 2 }]);
  });

  // BUG (minor): a zero-length first chunk is taken for end of input ('empty input') and the rest is never read.
  it('an empty first chunk is not end of input', async () => {
    const got = await readChunks([Buffer.alloc(0), Buffer.from(JSON.stringify({ Records: TRICKY }))]);
    expect(got.errors).toEqual([]);
    expect(got.records).toEqual(indexed(TRICKY));
  });
});

describe('JsonSplitter chunk boundaries', () => {
  /** The slices the splitter emits for these chunks, as text, with their kind. */
  function slices(chunks: Buffer[]): string[] {
    const out: string[] = [];
    const s = new JsonSplitter((buf, start, end, kind) => out.push(`${kind}:${buf.toString('utf8', start, end)}`));
    for (const c of chunks) s.push(c);
    s.end();
    return out;
  }
  const small = (recs: JsonObject[]) => Buffer.from(JSON.stringify({ Records: recs }, null, 1));

  const inputs: [string, Buffer, number][] = [
    ['a Records file', small(TRICKY), TRICKY.length],
    ['lookup-events output', Buffer.from(JSON.stringify({ NextToken: 'a\\"}', Events: [{ CloudTrailEvent: JSON.stringify(TRICKY[2]) }, { CloudTrailEvent: '{"a":"\\\\"}' }], After: 1 })), 2],
    ['a top-level array with scalars', Buffer.from(' [ {"a":"}"}, 12, "s\\\\", true, null, [1,[2]], -0.5e-3 ] '), 7],
    ['concatenated top-level values', Buffer.from('{"eventName":"a\\""} 42 "str\\\\" [1] {"Records":[{"x":"é"}]}\n'), 5],
  ];

  it.each(inputs)('%s: the same slices whatever the split, at every byte offset', (_n, buf, count) => {
    const whole = slices([buf]);
    expect(whole).toHaveLength(count);
    for (let k = 0; k <= buf.length; k++) {
      const got = slices([buf.subarray(0, k), buf.subarray(k)]);
      if (got.join('\u0001') !== whole.join('\u0001')) expect(got, `split at ${k}`).toEqual(whole);
    }
  });

  it.each(inputs)('%s: the same slices in 1-byte chunks and with empty chunks', (_n, buf) => {
    const whole = slices([buf]);
    const bytes: Buffer[] = [];
    for (let i = 0; i < buf.length; i++) bytes.push(buf.subarray(i, i + 1), Buffer.alloc(0));
    expect(slices(bytes)).toEqual(whole);
  });

  it('the Records slices of a small file parse back to the records, split at every offset (3 pieces)', () => {
    const buf = small(TRICKY.slice(0, 3));
    const expected = TRICKY.slice(0, 3);
    for (let a = 1; a < buf.length; a += 7) {
      for (let b = a; b < buf.length; b += 5) {
        const got = slices([buf.subarray(0, a), buf.subarray(a, b), buf.subarray(b)]);
        const parsed = got.map((s) => JSON.parse(s.slice('Records:'.length)) as JsonObject);
        if (JSON.stringify(parsed) !== JSON.stringify(expected)) expect(parsed, `split at ${a},${b}`).toEqual(expected);
      }
    }
  });

  it('end() reports a truncated value', () => {
    const s = new JsonSplitter(() => {});
    s.push(Buffer.from('{"Records":[{"a":"b'));
    expect(() => s.end()).toThrow(/truncated JSON: input ends inside a string/);
  });
});

describe('large and multi-member gzip files', () => {
  it('a .json.gz larger than 8 MB compressed (streaming path): every record, in order', async () => {
    const rand = prng(42);
    const recs: JsonObject[] = [];
    for (let i = 0; i < 5600; i++) recs.push(rec(`large-${i}`, { requestParameters: { blob: noise(rand, 1536), i } }));
    recs[1234] = stopLogging('large-1234', { userAgent: 'caf\u00e9 "q" \\' });
    const gz = gzipSync(JSON.stringify({ Records: recs }), { level: 1 });
    const p = put('large.json.gz', gz);
    expect(statSync(p).size).toBeGreaterThan(8 * 1024 * 1024);
    const got = await readFile(p);
    expect(got.errors).toEqual([]);
    expect(got.summary.records).toBe(recs.length);
    expect(got.records.length).toBe(recs.length);
    expect(got.records.every((r, i) => r.index === i && r.rec.eventID === `large-${i}`)).toBe(true);
    expect(got.records[1234]).toEqual({ index: 1234, rec: recs[1234] });
    expect(got.records[5599]).toEqual({ index: 5599, rec: recs[5599] });
  });

  it('an NDJSON .jsonl.gz larger than 8 MB compressed, through the streaming path', async () => {
    const rand = prng(7);
    const recs: JsonObject[] = [];
    for (let i = 0; i < 5600; i++) recs.push(rec(`nd-${i}`, { requestParameters: { blob: noise(rand, 1536) } }));
    const p = put('large.jsonl.gz', gzipSync(ndjson(recs, '\r\n'), { level: 1 }));
    expect(statSync(p).size).toBeGreaterThan(8 * 1024 * 1024);
    const got = await readFile(p);
    expect(got.errors).toEqual([]);
    expect(got.records.map((r) => `${r.index}:${String(r.rec.eventID)}`)).toEqual(recs.map((r, i) => `${i}:${String(r.eventID)}`));
  });

  it('multi-member gzip (two gzip streams concatenated, split mid-record), whole-file and stdin', async () => {
    const text = Buffer.from(JSON.stringify({ Records: TRICKY }, null, 2));
    const cut = text.indexOf('tricky-3');
    const gz = Buffer.concat([gzipSync(text.subarray(0, cut)), gzipSync(text.subarray(cut))]);
    await expectRecords(put('multi.json.gz', gz), TRICKY);
    const got = await readChunks([gz]);
    expect(got.errors).toEqual([]);
    expect(got.records).toEqual(indexed(TRICKY));
  });

  it('multi-member gzip larger than 8 MB (streaming path)', async () => {
    const rand = prng(99);
    const recs: JsonObject[] = [];
    for (let i = 0; i < 5600; i++) recs.push(rec(`mm-${i}`, { requestParameters: { blob: noise(rand, 1536) } }));
    const text = Buffer.from(ndjson(recs));
    const members: Buffer[] = [];
    for (let o = 0; o < text.length; o += 3_000_001) members.push(gzipSync(text.subarray(o, o + 3_000_001), { level: 1 }));
    const p = put('multi-large.jsonl.gz', Buffer.concat(members));
    expect(statSync(p).size).toBeGreaterThan(8 * 1024 * 1024);
    const got = await readFile(p);
    expect(got.errors).toEqual([]);
    expect(got.records.map((r) => `${r.index}:${String(r.rec.eventID)}`)).toEqual(recs.map((r, i) => `${i}:${String(r.eventID)}`));
  });
});
