/**
 * Reading one log file: gzip or not, JSON or NDJSON, decided from the content, never the file name.
 * Records go to a sink one by one with their provenance; every problem is reported to the sink with the record
 * or line it concerns, and reading goes on where it can. Memory is bounded by one record (see scanner.ts).
 */
import { createReadStream, openSync, readSync, closeSync, fstatSync } from 'node:fs';
import { Readable } from 'node:stream';
import { isAscii, isUtf8 } from 'node:buffer';
import { constants as zconst, createGunzip, gunzipSync } from 'node:zlib';
import type { Json, JsonObject } from '../sigma/fields.js';
import { JsonSplitter, type Members, type SliceKind } from './scanner.js';
import { classify, classifyElement } from './records.js';

export interface RecordSink {
  /**
   * Optional fast path for the elements of a delivery file's `Records` array (the S3 export, the main input): the
   * sink reads the record member by member (see projected.ts) instead of receiving it parsed: `members` says where
   * each top-level member lies, and is valid during the call only. May throw SyntaxError for a member that is not
   * valid JSON, reported like any invalid record.
   */
  projected?(buf: Buffer, start: number, end: number, members: Members, index: number): void;
  /** `raw` is the record's own JSON text (UTF-8) when the input held it verbatim (saves re-serialising it). */
  record(rec: JsonObject, index: number, raw?: Buffer): void;
  error(message: string, where?: { index?: number; line?: number }): void;
}

export interface FileSummary {
  /** Records seen, including those the prefilter skipped. */
  records: number;
  errors: number;
  /** Set when the file is not a log file to hunt (a CloudTrail digest). */
  skipped?: string;
  bytes: number;
}

/** Files up to this compressed size are read and inflated in one go (fastest); larger ones are streamed. */
const WHOLE_FILE_LIMIT = 8 * 1024 * 1024;
const SNIFF = 256 * 1024;

export async function readLogFile(path: string, sink: RecordSink): Promise<FileSummary> {
  const summary: FileSummary = { records: 0, errors: 0, bytes: 0 };
  const err = (message: string, where?: { index?: number; line?: number }) => {
    summary.errors++;
    sink.error(message, where);
  };
  // One open per file (opening costs more than reading a small file on some filesystems): small files are read
  // whole through the same descriptor, large ones streamed from it.
  let fd: number | undefined;
  let size: number;
  let whole: Buffer | undefined;
  try {
    fd = openSync(path, 'r');
    const st = fstatSync(fd);
    if (!st.isFile()) throw Object.assign(new Error('not a regular file'), { code: 'EISDIR' });
    size = st.size;
    if (size <= WHOLE_FILE_LIMIT) {
      whole = readFully(fd, size);
      closeSync(fd);
      fd = undefined;
    }
  } catch (e) {
    if (fd !== undefined) closeSync(fd);
    err(`cannot read: ${describeFsError(e)}`);
    return summary;
  }
  summary.bytes = size;
  if (size === 0) {
    if (fd !== undefined) closeSync(fd);
    err('empty file');
    return summary;
  }
  const decoder = new Decoder(sink, summary, err);
  if (whole) {
    const gz = whole.length >= 2 && whole[0] === 0x1f && whole[1] === 0x8b;
    let data: { data: Buffer; truncated: boolean } | undefined;
    try {
      data = gz ? inflate(whole) : { data: whole, truncated: false };
    } catch {
      data = undefined; // corrupt: fall through to the streaming path, which keeps the records before the damage
    }
    if (data) {
      decoder.feed(data.data);
      if (data.truncated) {
        decoder.flushPartial();
        err(`truncated gzip: the compressed stream ends early (after ${summary.records} records)`);
      } else decoder.finish();
      return summary;
    }
    // Small chunks after damage, so records before it still come out.
    await decodeStream(Readable.from(chunks(whole, 1 << 14)), gz, decoder, summary, err, 1 << 14);
    return summary;
  }
  const head = Buffer.alloc(2);
  readSync(fd!, head, 0, 2, 0);
  const gz = head[0] === 0x1f && head[1] === 0x8b;
  await decodeStream(createReadStream(path, { fd, start: 0, highWaterMark: 1 << 20 }), gz, decoder, summary, err, 1 << 18);
  return summary;
}

function readFully(fd: number, size: number): Buffer {
  const buf = Buffer.allocUnsafe(size);
  let off = 0;
  while (off < size) {
    const n = readSync(fd, buf, off, size - off, off);
    if (n === 0) return buf.subarray(0, off); // the file shrank while we read it
    off += n;
  }
  return buf;
}

function* chunks(buf: Buffer, size: number): Generator<Buffer> {
  for (let i = 0; i < buf.length; i += size) yield buf.subarray(i, i + size);
}

/** Read records from a stream (stdin as `-`); gzip is recognised from the first bytes. */
export async function readLogStream(input: Readable, sink: RecordSink): Promise<FileSummary> {
  const summary: FileSummary = { records: 0, errors: 0, bytes: 0 };
  const err = (message: string, where?: { index?: number; line?: number }) => {
    summary.errors++;
    sink.error(message, where);
  };
  const it = input[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  // Gather at least the two bytes that tell gzip from text (a pipe may deliver 1 byte, or none, first).
  let head = Buffer.alloc(0);
  while (head.length < 2) {
    const n = await it.next();
    if (n.done) break;
    head = Buffer.concat([head, Buffer.from(n.value)]);
  }
  if (head.length === 0) {
    err('empty input');
    return summary;
  }
  const gz = head[0] === 0x1f && head[1] === 0x8b;
  const all = Readable.from(
    (async function* () {
      yield head;
      for (;;) {
        const n = await it.next();
        if (n.done) return;
        yield n.value;
      }
    })(),
  );
  await decodeStream(all, gz, new Decoder(sink, summary, err), summary, err);
  return summary;
}

function decodeStream(raw: Readable, gz: boolean, decoder: Decoder, summary: FileSummary, err: (m: string) => void, chunkSize = 1 << 18): Promise<void> {
  return new Promise<void>((resolve) => {
    const stream = gz ? raw.pipe(createGunzip({ chunkSize })) : raw;
    let failed = false;
    const fail = (e: unknown) => {
      if (failed) return;
      failed = true;
      raw.destroy();
      decoder.flushPartial();
      const what = describeFsError(e);
      if (gz && /unexpected end of file/.test(what)) err(`truncated gzip: the compressed stream ends early (after ${summary.records} records)`);
      else err(`${gz ? 'corrupt gzip' : 'read error'}: ${what} (after ${summary.records} records)`);
      resolve();
    };
    raw.on('error', fail);
    stream.on('error', fail);
    stream.on('data', (chunk: Buffer) => {
      if (failed) return;
      decoder.feed(chunk);
      if (decoder.stopped) {
        failed = true;
        raw.destroy();
        resolve();
      }
    });
    stream.on('end', () => {
      if (failed) return;
      decoder.finish();
      resolve();
    });
  });
}

/** Inflate a whole gzip file; when the stream just stops early, what inflated before the cut is kept. */
function inflate(raw: Buffer): { data: Buffer; truncated: boolean } {
  // gzip ends with the inflated size (ISIZE, mod 2^32, of the last member): an output chunk that large inflates in one
  // piece, with no concatenation of partial chunks (a copy of every byte). A wrong hint only costs that copy.
  const isize = raw.length >= 18 ? raw.readUInt32LE(raw.length - 4) : 0;
  const chunkSize = Math.max(Math.min(isize + 1, raw.length * 64, 1 << 26), 1 << 16);
  try {
    return { data: gunzipSync(raw, { chunkSize }), truncated: false };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'Z_BUF_ERROR') throw e;
    return { data: gunzipSync(raw, { finishFlush: zconst.Z_SYNC_FLUSH }), truncated: true };
  }
}

function describeFsError(e: unknown): string {
  const x = e as NodeJS.ErrnoException;
  if (x.code === 'ENOENT') return 'no such file';
  if (x.code === 'EACCES') return 'permission denied';
  if (x.code === 'EISDIR') return 'not a regular file';
  if (x.code === 'Z_DATA_ERROR' || x.code === 'Z_BUF_ERROR') return x.message;
  return x.message ?? String(e);
}

/** Turns decompressed bytes into records: sniffs JSON vs NDJSON once, then splits and classifies. */
class Decoder {
  private mode: 'unknown' | 'json' | 'lines' = 'unknown';
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private splitter: JsonSplitter;
  private lineCarry: Buffer | null = null;
  private line = 0;
  private sawContent = false;
  stopped: string | undefined;

  constructor(
    private readonly sink: RecordSink,
    private readonly summary: FileSummary,
    private readonly err: (m: string, where?: { index?: number; line?: number }) => void,
  ) {
    this.splitter = new JsonSplitter((buf, s, e, kind, members) => this.onSlice(buf, s, e, kind, members));
  }

  feed(chunk: Buffer): void {
    if (this.stopped) return;
    if (this.mode === 'unknown') {
      this.pending.push(chunk);
      this.pendingBytes += chunk.length;
      if (this.pendingBytes < SNIFF) return;
      this.decide();
      return;
    }
    this.dispatch(chunk);
  }

  /** On damage: pass on what is buffered for sniffing, without end-of-input checks. */
  flushPartial(): void {
    if (this.mode === 'unknown' && !this.stopped) this.decide();
  }

  finish(): void {
    if (this.mode === 'unknown') this.decide();
    if (this.stopped) return;
    if (this.mode === 'lines') {
      if (this.lineCarry && this.lineCarry.length) this.onLine(this.lineCarry, 0, this.lineCarry.length);
      this.lineCarry = null;
    } else {
      try {
        this.splitter.end();
      } catch (e) {
        this.err(`${(e as Error).message} after ${this.summary.records} records`);
      }
    }
    if (!this.sawContent && this.splitter.topValues === 0 && !this.stopped) this.err('empty file (no JSON content)');
  }

  private decide(): void {
    let head = this.pending.length === 1 ? this.pending[0]! : Buffer.concat(this.pending); // a whole file is one chunk: no copy
    this.pending = [];
    if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) head = head.subarray(3); // UTF-8 byte order mark
    // Only the sniff window is read: a one-line delivery file is one huge "first line" (decoding and parsing it
    // here cost as much as the whole hunt's parsing).
    this.mode = looksLikeNdjson(head.subarray(0, SNIFF)) ? 'lines' : 'json';
    if (head.length) this.dispatch(head);
  }

  private dispatch(chunk: Buffer): void {
    if (this.mode === 'lines') this.feedLines(chunk);
    else {
      try {
        this.splitter.push(chunk);
      } catch (e) {
        this.stopped = `${(e as Error).message}`;
        this.err(`invalid JSON: ${this.stopped} (after ${this.summary.records} records); rest of file not read`);
      }
    }
  }

  private feedLines(chunk: Buffer): void {
    let buf = chunk;
    if (this.lineCarry) {
      buf = Buffer.concat([this.lineCarry, chunk]);
      this.lineCarry = null;
    }
    let start = 0;
    for (;;) {
      const nl = buf.indexOf(0x0a, start);
      if (nl < 0) break;
      this.onLine(buf, start, nl);
      start = nl + 1;
    }
    if (start < buf.length) this.lineCarry = Buffer.from(buf.subarray(start));
  }

  private onLine(buf: Buffer, start: number, end: number): void {
    this.line++;
    let s = start;
    let e = end;
    while (s < e && isSpace(buf[s]!)) s++;
    while (e > s && isSpace(buf[e - 1]!)) e--;
    if (s === e) return;
    this.sawContent = true;
    this.onValue(buf, s, e, 'top', this.line);
  }

  private onSlice(buf: Buffer, start: number, end: number, kind: SliceKind, members: Members | undefined): void {
    this.sawContent = true;
    // Fast path (ASCII records, whose member keys compare byte for byte): the sink reads only what it needs.
    if (members?.ok && this.sink.projected && isAscii(buf.subarray(start, end))) {
      const index = this.summary.records++;
      try {
        this.sink.projected(buf, start, end, members, index);
      } catch (e) {
        if (!(e instanceof SyntaxError)) throw e;
        this.err(`invalid JSON: ${e.message}`, { index });
      }
      return;
    }
    this.onValue(buf, start, end, kind, undefined);
  }

  private onValue(buf: Buffer, start: number, end: number, kind: SliceKind, line: number | undefined): void {
    const index = this.summary.records;
    const where = line === undefined ? { index } : { index, line };
    const bytes = buf.subarray(start, end);
    const utf8 = isUtf8(bytes);
    if (!utf8) this.err('invalid UTF-8 (bytes replaced with U+FFFD)', where);
    let value: Json;
    const text = bytes.toString('utf8');
    try {
      value = JSON.parse(text) as Json;
    } catch (e) {
      this.summary.records++;
      this.err(`invalid JSON: ${(e as Error).message}`, where);
      return;
    }
    const c = kind === 'Records' || kind === 'Events' ? classifyElement(value, kind) : classify(value);
    if (c.kind === 'digest') {
      this.summary.skipped = 'CloudTrail digest file (integrity evidence, not events)';
      return;
    }
    if (c.kind === 'error') {
      this.summary.records++;
      this.err(c.message, where);
      return;
    }
    const verbatim = utf8 && c.records.length === 1 && c.records[0] === value ? bytes : undefined;
    for (const rec of c.records) {
      this.sink.record(rec, this.summary.records, verbatim);
      this.summary.records++;
    }
  }
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

/**
 * NDJSON when the first line is a complete JSON value and more content follows, or when at least two of the
 * first lines each look like a whole object. Pretty-printed JSON (`{` alone on the first line) is not NDJSON.
 */
export function looksLikeNdjson(head: Buffer): boolean {
  // A window without a newline is one long line (a delivery file as S3 delivers it): not NDJSON, and not decoded.
  if (head.indexOf(0x0a) < 0) return false;
  const text = head.toString('utf8').replace(/^\uFEFF/, '');
  const lines = text.split('\n').map((l) => l.trim());
  const nonEmpty = lines.slice(0, -1).filter((l) => l.length); // the last piece may be cut by the sniff window
  if (nonEmpty.length < 1) return false;
  const whole = (l: string) => l.startsWith('{') && l.endsWith('}');
  const rest = text.slice(text.indexOf(nonEmpty[0]!) + nonEmpty[0]!.length).trim();
  if (rest.length === 0) return false; // a single value, whatever its shape
  try {
    JSON.parse(nonEmpty[0]!);
    if (whole(nonEmpty[0]!)) return true;
  } catch {
    /* fall through to the shape test */
  }
  return nonEmpty.slice(0, 3).filter(whole).length >= 2;
}
