/** Reading every record of the inputs (the hunt's readers and walk), with provenance, for the trail analyses. */
import { readLogFile, readLogStream } from '../logs/reader.js';
import { expandInputs } from '../logs/walk.js';
import type { JsonObject } from '../sigma/fields.js';

export interface ReadStats {
  files: number;
  records: number;
  /** `file[: record N | line N]: message`, as `tideline hunt` prints them. */
  errors: string[];
  skipped: string[];
}

export async function readEvents(
  inputs: string[],
  onRecord: (rec: JsonObject, file: string, index: number) => void,
  onFile?: (done: number, total: number, bytes: number) => void,
): Promise<ReadStats> {
  const walk = expandInputs(inputs);
  const stats: ReadStats = { files: walk.files.length, records: 0, errors: walk.errors.map((e) => `${e.path}: error: ${e.message}`), skipped: walk.skipped.map((s) => `${s.path}: ${s.reason}`) };
  let done = 0;
  let bytes = 0;
  for (const f of walk.files) {
    const name = f.path === '-' ? '<stdin>' : f.path;
    const sink = {
      record: (rec: JsonObject, index: number) => {
        stats.records++;
        onRecord(rec, name, index);
      },
      error: (message: string, where?: { index?: number; line?: number }) => {
        const at = where?.line !== undefined ? `: line ${where.line}` : where?.index !== undefined ? `: record ${where.index}` : '';
        stats.errors.push(`${name}${at}: error: ${message}`);
      },
    };
    const s = f.path === '-' ? await readLogStream(process.stdin, sink) : await readLogFile(f.path, sink);
    if (s.skipped) stats.skipped.push(`${name}: ${s.skipped}`);
    bytes += f.size;
    onFile?.(++done, walk.files.length, bytes);
  }
  return stats;
}

export const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
export const obj = (v: unknown): JsonObject | null => (v && typeof v === 'object' && !Array.isArray(v) ? (v as JsonObject) : null);

/** The account a record was delivered to (recipientAccountId, else the caller's account). */
export function accountOf(rec: JsonObject): string | null {
  return str(rec.recipientAccountId) ?? str(obj(rec.userIdentity)?.accountId) ?? null;
}

/** Who made the call, as an analyst reads it. */
export function actorOf(rec: JsonObject): string {
  const u = obj(rec.userIdentity);
  return str(u?.arn) ?? str(u?.userName) ?? str(u?.principalId) ?? str(u?.invokedBy) ?? str(u?.type) ?? '?';
}
