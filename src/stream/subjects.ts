/**
 * Subjects, stream and bucket names of the streaming service (NATS JetStream).
 *
 * Records travel on `cloudtrail.<account>.<region>` (account = recipientAccountId, else userIdentity.accountId;
 * tokens that are not safe NATS subject tokens are replaced by `_`), so a consumer can be filtered to an account or
 * an account and region (`--partition cloudtrail.111122223333.>`). Malformed messages go to `tideline.dlq.<STREAM>`,
 * kept by the stream `<STREAM>_DLQ`.
 */
import { createHash } from 'node:crypto';
import { AckPolicy, DeliverPolicy, RetentionPolicy, StorageType, nanos, type JetStreamManager } from 'nats';
import type { JsonObject } from '../sigma/fields.js';

export const DEFAULT_STREAM = 'CLOUDTRAIL';
export const SUBJECT_ROOT = 'cloudtrail';
/** JetStream's publish-dedup window (Nats-Msg-Id = eventID): duplicates published within it are dropped by the server. */
export const DUPLICATE_WINDOW_MS = 10 * 60_000;

const SAFE = /^[A-Za-z0-9_-]{1,64}$/;
const token = (v: unknown): string => (typeof v === 'string' && SAFE.test(v) ? v : '_');

export function accountOf(rec: JsonObject): unknown {
  const u = rec.userIdentity as JsonObject | undefined;
  return rec.recipientAccountId ?? (u && typeof u === 'object' ? u.accountId : undefined);
}

export function subjectOf(rec: JsonObject): string {
  return `${SUBJECT_ROOT}.${token(accountOf(rec))}.${token(rec.awsRegion)}`;
}

export const dlqSubject = (stream: string): string => `tideline.dlq.${stream}`;
export const dlqStream = (stream: string): string => `${stream}_DLQ`;
/** KV bucket of alert claims (dedup on rule and eventID across workers and redeliveries). */
export const claimsBucket = (stream: string): string => `tideline_alerts_${stream}`;
/** KV bucket of correlation state snapshots, one key per partition. */
export const stateBucket = (stream: string): string => `tideline_corr_${stream}`;

/** A KV key for a value: itself when it is a safe key, else a hash. */
export function kvKey(...parts: string[]): string {
  return parts.map((p) => (/^[A-Za-z0-9_-]{1,100}$/.test(p) ? p : 'h' + createHash('sha256').update(p).digest('hex').slice(0, 40))).join('.');
}

/** Durable consumer name for a partition filter: workers with the same filter share it (work-queue semantics). */
export function durableFor(filter: string): string {
  if (filter === `${SUBJECT_ROOT}.>`) return 'tideline-workers';
  return 'tideline-' + createHash('sha256').update(filter).digest('hex').slice(0, 16);
}

/** Creates the record stream and its dead-letter stream when missing. */
export async function ensureStreams(jsm: JetStreamManager, stream: string): Promise<void> {
  await ensureStream(jsm, stream, [`${SUBJECT_ROOT}.>`]);
  await ensureStream(jsm, dlqStream(stream), [dlqSubject(stream)]);
}

async function ensureStream(jsm: JetStreamManager, name: string, subjects: string[]): Promise<void> {
  try {
    await jsm.streams.info(name);
    return;
  } catch (e) {
    if (!/not found/i.test((e as Error).message)) throw e;
  }
  try {
    await jsm.streams.add({ name, subjects, storage: StorageType.File, retention: RetentionPolicy.Limits, duplicate_window: nanos(DUPLICATE_WINDOW_MS) });
  } catch (e) {
    // Another process created it meanwhile.
    if (!/already in use|already exists/i.test((e as Error).message)) throw e;
  }
}

export interface ConsumerOptions {
  filter: string;
  ackWaitMs: number;
  maxDeliver: number;
}

/** The durable pull consumer shared by every worker of a partition filter. */
export async function ensureConsumer(jsm: JetStreamManager, stream: string, o: ConsumerOptions): Promise<string> {
  const durable = durableFor(o.filter);
  const cfg = {
    durable_name: durable,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    ack_wait: nanos(o.ackWaitMs),
    max_deliver: o.maxDeliver,
    max_ack_pending: 20_000,
    filter_subject: o.filter,
  };
  try {
    const info = await jsm.consumers.info(stream, durable);
    if (info.config.ack_wait !== cfg.ack_wait) await jsm.consumers.update(stream, durable, { ack_wait: cfg.ack_wait });
  } catch (e) {
    if (!/not found/i.test((e as Error).message)) throw e;
    try {
      await jsm.consumers.add(stream, cfg);
    } catch (e2) {
      if (!/already|exists/i.test((e2 as Error).message)) throw e2;
    }
  }
  return durable;
}
