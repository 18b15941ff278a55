/** Small I/O helpers for the CLI: blocking writes (which give workers natural back-pressure), user errors. */
import { closeSync, openSync, writeSync } from 'node:fs';

/** An error the user can fix (bad flag, missing file): printed as one line, no stack trace. */
export class UsageError extends Error {}

const OUT_BUFFER = 1 << 20;

/** Buffered output to a file or stdout; text and ready-made bytes (alert batches) alike. */
export class Out {
  private buf = Buffer.allocUnsafe(OUT_BUFFER);
  private used = 0;
  constructor(private readonly fd: number, private readonly owned: boolean) {}

  static open(path: string | undefined): Out {
    if (!path || path === '-') return new Out(1, false);
    try {
      return new Out(openSync(path, 'w'), true);
    } catch (e) {
      throw new UsageError(`cannot write ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
  }

  write(s: string): void {
    if (s.length * 3 > OUT_BUFFER - this.used) {
      this.flush();
      if (s.length * 3 > OUT_BUFFER) return writeFully(this.fd, Buffer.from(s, 'utf8'));
    }
    this.used += this.buf.write(s, this.used, 'utf8');
  }

  writeBytes(b: Uint8Array): void {
    if (b.length > OUT_BUFFER - this.used) {
      this.flush();
      if (b.length > OUT_BUFFER / 2) return writeFully(this.fd, b);
    }
    this.buf.set(b, this.used);
    this.used += b.length;
  }

  flush(): void {
    if (!this.used) return;
    writeFully(this.fd, this.buf.subarray(0, this.used));
    this.used = 0;
  }

  close(): void {
    this.flush();
    if (this.owned) closeSync(this.fd);
  }
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));
/** Write all bytes, waiting when a non-blocking pipe is full (EAGAIN) instead of failing. */
function writeFully(fd: number, data: Uint8Array): void {
  let off = 0;
  while (off < data.length) {
    try {
      off += writeSync(fd, data, off, data.length - off);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EAGAIN') {
        Atomics.wait(sleeper, 0, 0, 2);
        continue;
      }
      if (code === 'EPIPE') process.exit(0); // reader went away (e.g. `| head`): stop quietly
      throw e;
    }
  }
}

/** Parse `--since/--until`: an ISO-8601 date-time or a duration back from now (`90m`, `24h`, `7d`). */
export function parseTime(flag: string, text: string, now = Date.now()): number {
  const rel = /^(\d+)([smhdw])$/.exec(text.trim());
  if (rel) {
    const unit = { s: 1e3, m: 6e4, h: 36e5, d: 864e5, w: 6048e5 }[rel[2] as 's' | 'm' | 'h' | 'd' | 'w'];
    return now - Number(rel[1]) * unit;
  }
  if (/^\d{4}-\d{2}-\d{2}/.test(text)) {
    const t = Date.parse(/T|\s/.test(text) || text.length > 10 ? text : `${text}T00:00:00Z`);
    if (!Number.isNaN(t)) return t;
  }
  throw new UsageError(`${flag}: '${text}' is not an ISO-8601 time (2026-10-06T02:00:00Z, 2026-10-06) or a duration (90m, 24h, 7d)`);
}

/** The output format when none is asked for: a table for a person at a terminal, JSONL when piped or written to a file. */
export const defaultFormat = (flags: { format?: string; output?: string }): string => flags.format ?? (process.stdout.isTTY && !flags.output ? 'table' : 'jsonl');
