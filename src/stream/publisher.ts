/**
 * `tideline publish`: records from any input the readers support, one JetStream message each on
 * `cloudtrail.<account>.<region>`, with `Nats-Msg-Id` = eventID so the server drops a record published twice within
 * its duplicate window. Publishes are pipelined (a bounded number awaiting their acknowledgement).
 */
import { createHash } from 'node:crypto';
import type { NatsConnection } from 'nats';
import { readLogFile, readLogStream } from '../logs/reader.js';
import { expandInputs } from '../logs/walk.js';
import type { JsonObject } from '../sigma/fields.js';
import { ensureStreams, subjectOf } from './subjects.js';

export interface PublishOptions {
  stream: string;
  /** Publishes awaiting their ack at once. */
  inflight?: number;
  onError?: (message: string) => void;
}

export interface PublishStats {
  files: number;
  records: number;
  published: number;
  duplicates: number;
  errors: number;
  skipped: string[];
}

export function msgIdOf(rec: JsonObject, raw: string): string {
  return typeof rec.eventID === 'string' && rec.eventID ? rec.eventID : 'sha256:' + createHash('sha256').update(raw).digest('hex');
}

export async function publishInputs(nc: NatsConnection, inputs: string[], o: PublishOptions): Promise<PublishStats> {
  const jsm = await nc.jetstreamManager();
  await ensureStreams(jsm, o.stream);
  const js = nc.jetstream();
  const inflight = o.inflight ?? 512;
  const stats: PublishStats = { files: 0, records: 0, published: 0, duplicates: 0, errors: 0, skipped: [] };
  const err = (m: string) => {
    stats.errors++;
    o.onError?.(m);
  };
  const pending = new Set<Promise<void>>();
  const send = async (rec: JsonObject, raw: string) => {
    const p = js.publish(subjectOf(rec), raw, { msgID: msgIdOf(rec, raw), expect: { streamName: o.stream } }).then(
      (ack) => {
        if (ack.duplicate) stats.duplicates++;
        else stats.published++;
      },
      (e: Error) => err(`publish failed: ${e.message}`),
    );
    pending.add(p);
    void p.finally(() => pending.delete(p));
    if (pending.size >= inflight) await Promise.race(pending);
  };
  const walk = expandInputs(inputs);
  for (const e of walk.errors) err(`${e.path}: ${e.message}`);
  stats.skipped.push(...walk.skipped.map((s) => `${s.path}: ${s.reason}`));
  for (const f of walk.files) {
    const batch: [JsonObject, string][] = [];
    const sink = {
      record: (rec: JsonObject, _i: number, raw?: Buffer) => void batch.push([rec, raw ? raw.toString('utf8') : JSON.stringify(rec)]),
      error: (m: string, where?: { index?: number; line?: number }) => err(`${f.path}${where?.line !== undefined ? `: line ${where.line}` : where?.index !== undefined ? `: record ${where.index}` : ''}: ${m}`),
    };
    // A file's records are gathered first (bounded by the reader's file handling), then published with backpressure.
    const summary = f.path === '-' ? await readLogStream(process.stdin, sink) : await readLogFile(f.path, sink);
    stats.files++;
    if (summary.skipped) stats.skipped.push(`${f.path}: ${summary.skipped}`);
    stats.records += batch.length;
    for (const [rec, raw] of batch) await send(rec, raw);
  }
  await Promise.all(pending);
  return stats;
}
