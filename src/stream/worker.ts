/**
 * The streaming worker: a durable pull consumer shared by every worker of a partition (JetStream work-queue
 * semantics: each message goes to one of them), detection rules through the Detector, correlation rules through the
 * CorrelationEngine when loaded.
 *
 * Guarantees, per micro-batch of messages:
 *  1. every record is evaluated; a malformed message is published to the dead-letter subject with the reason;
 *  2. each alert is claimed in the KV bucket `tideline_alerts_<STREAM>` under (rule, eventID) with `create`, which
 *     only one worker can win; the claim holds the owner and the alert;
 *  3. the alerts this worker owns are appended to its JSONL file and fsync'd, and/or inserted in the store
 *     (`INSERT OR IGNORE` on UNIQUE(rule_id, event_id), synchronous=FULL);
 *  4. the correlation state of the partition is saved in the KV bucket `tideline_corr_<STREAM>`;
 *  5. only then are the messages acknowledged (and confirmed by the server).
 * A worker killed anywhere before 5 leaves its messages unacknowledged: JetStream redelivers them after ack-wait, to it
 * or another worker, and the claims make the second evaluation write nothing twice. A worker killed between 2 and 3
 * owns claims it has not written: on restart (same --name, default derived from --output) it writes them from the KV
 * before consuming. An alert is thus never lost and never written twice.
 */
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, writeSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { headers, type ConsumerMessages, type JsMsg, type KV, type NatsConnection } from 'nats';
import { buildAlert, type Alert } from '../detect/alert.js';
import { Detector } from '../detect/engine.js';
import { classify } from '../logs/records.js';
import type { Json, JsonObject } from '../sigma/fields.js';
import type { CorrelationRule, DetectionRule } from '../sigma/rule.js';
import { insertAlert, insertCorrelationAlert } from '../store/alerts.js';
import type { Db } from '../store/db.js';
import { WebhookQueue, type WebhookOptions } from '../deliver/webhook.js';
import { ocsfFinding, type AnyAlert } from '../deliver/ocsf.js';
import { StreamCorrelator, type CorrelationAlert, type PartitionState } from './correlate.js';
import { claimsBucket, dlqSubject, durableFor, ensureConsumer, ensureStreams, kvKey, stateBucket, SUBJECT_ROOT } from './subjects.js';

export interface WorkerOptions {
  stream: string;
  /** Subject filter of the partition this worker consumes (default `cloudtrail.>`: one consumer shared by all). */
  partition?: string;
  /** Detection rules to evaluate (those selected and those correlations need). */
  rules: DetectionRule[];
  correlations: CorrelationRule[];
  /** Ids of rules whose matches write no alert (generate: false building blocks of correlations). */
  silent?: Set<string>;
  output?: string;
  db?: Db;
  /** Stable worker identity owning its claims (default: from the output file, else host and pid). */
  name?: string;
  batch?: number;
  ackWaitMs?: number;
  maxDeliver?: number;
  maxDisorderMs?: number;
  /** Stop after this long without a message (benchmarks, one-shot runs). */
  idleExitMs?: number;
  /** Write alerts in OCSF Detection Finding shape to the JSONL file. */
  ocsf?: boolean;
  webhooks?: WebhookOptions[];
  log?: (line: string) => void;
}

export interface WorkerStats {
  messages: number;
  records: number;
  alerts: number;
  duplicates: number;
  deadLetters: number;
  correlationAlerts: number;
  recovered: number;
  batches: number;
}

export interface OwnedAlert {
  key: string;
  alert: AnyAlert;
}

export function detectionKey(ruleId: string, rec: JsonObject): string {
  const id = typeof rec.eventID === 'string' && rec.eventID ? rec.eventID : 'sha256:' + createHash('sha256').update(JSON.stringify(rec)).digest('hex');
  return kvKey('d', ruleId, id);
}
export function correlationKey(a: CorrelationAlert): string {
  return kvKey('c', a.rule.id, JSON.stringify([a.group, a.window.start, a.window.end]));
}
/** The dedup key of an alert line as written (either shape). */
function keyOfLine(o: JsonObject): string | undefined {
  if (o.class_uid === 2004) {
    const u = (o.finding_info as JsonObject | undefined)?.uid;
    return typeof u === 'string' ? u : undefined;
  }
  const rule = o.rule as JsonObject | undefined;
  if (!rule || typeof rule.id !== 'string') return undefined;
  if ('window' in o && 'events' in o && !('event' in o)) return correlationKey(o as unknown as CorrelationAlert);
  return o.event && typeof o.event === 'object' ? detectionKey(rule.id, o.event as JsonObject) : undefined;
}

export class StreamWorker {
  readonly stats: WorkerStats = { messages: 0, records: 0, alerts: 0, duplicates: 0, deadLetters: 0, correlationAlerts: 0, recovered: 0, batches: 0 };
  private readonly detector: Detector;
  private readonly name: string;
  private readonly partition: string;
  private claims?: KV;
  private state?: KV;
  private correlator?: StreamCorrelator;
  private fd?: number;
  private readonly written = new Set<string>();
  private messages?: ConsumerMessages;
  private stopping = false;
  private idled = false;
  private readonly webhooks?: WebhookQueue;
  private readonly log: (l: string) => void;
  /** Latency probe for benchmarks: called with each record's publish-to-ack delay source (the JetStream timestamp). */
  onAcked?: (msgs: JsMsg[]) => void;

  constructor(
    private readonly nc: NatsConnection,
    private readonly o: WorkerOptions,
  ) {
    this.detector = new Detector(o.rules);
    this.partition = o.partition ?? `${SUBJECT_ROOT}.>`;
    this.name = o.name ?? (o.output ? 'w-' + createHash('sha256').update(resolve(o.output)).digest('hex').slice(0, 16) : `w-${hostname().replace(/[^A-Za-z0-9_-]/g, '_')}-${process.pid}`);
    this.log = o.log ?? (() => {});
    if (o.webhooks?.length) this.webhooks = new WebhookQueue(o.webhooks, (a, h, r) => this.log(`webhook ${h.url}: ${a.rule.title}: not delivered after ${r.attempts} attempts (${r.error ?? r.status})`));
  }

  get workerName(): string {
    return this.name;
  }

  async start(): Promise<void> {
    const jsm = await this.nc.jetstreamManager();
    await ensureStreams(jsm, this.o.stream);
    const js = this.nc.jetstream();
    if (this.o.output) {
      this.claims = await js.views.kv(claimsBucket(this.o.stream), { history: 1 });
      this.fd = openSync(this.o.output, 'a');
      this.loadWritten();
      await this.recover();
    }
    if (this.o.correlations.length) {
      this.state = await js.views.kv(stateBucket(this.o.stream), { history: 1 });
      const saved = await this.state.get(this.stateKey());
      const st = saved?.value.length ? (JSON.parse(saved.string()) as PartitionState) : undefined;
      this.correlator = StreamCorrelator.create(this.o.correlations, this.o.rules, st, this.o.maxDisorderMs ?? 0);
      if (st) this.log(`correlation state restored at stream sequence ${st.watermark}`);
    }
    await ensureConsumer(jsm, this.o.stream, { filter: this.partition, ackWaitMs: this.o.ackWaitMs ?? 30_000, maxDeliver: this.o.maxDeliver ?? -1 });
  }

  private stateKey(): string {
    return kvKey(this.partition);
  }

  /** Keys of the alerts already in our file (a restart appends to it). */
  private loadWritten(): void {
    if (!this.o.output || !existsSync(this.o.output)) return;
    const text = readFileSync(this.o.output, 'utf8');
    for (const line of text.split('\n')) {
      if (!line.trim()) continue;
      try {
        const k = keyOfLine(JSON.parse(line) as JsonObject);
        if (k) this.written.add(k);
      } catch {
        /* a line torn by a crash: its alert is rewritten by recover() from the claim */
      }
    }
  }

  /** Alerts claimed by this worker (same name) but not in its file: a crash between claim and write. */
  private async recover(): Promise<void> {
    const kv = this.claims!;
    const missing: OwnedAlert[] = [];
    for await (const k of await kv.keys()) {
      if (this.written.has(k)) continue;
      const e = await kv.get(k);
      if (!e?.value.length) continue;
      const v = JSON.parse(e.string()) as { owner: string; alert: AnyAlert };
      if (v.owner === this.name) missing.push({ key: k, alert: v.alert });
    }
    if (missing.length) {
      this.writeFile(missing);
      this.insertStore(missing);
      this.stats.recovered += missing.length;
      this.log(`recovered ${missing.length} claimed alerts not yet written`);
    }
  }

  /** Consume until stop() (or --idle-exit). */
  async run(): Promise<void> {
    const js = this.nc.jetstream();
    const consumer = await js.consumers.get(this.o.stream, durableFor(this.partition));
    const batch = this.o.batch ?? 256;
    this.messages = await consumer.consume({ max_messages: Math.max(batch * 2, 64), idle_heartbeat: 5_000 });
    let buf: JsMsg[] = [];
    let idleTimer: NodeJS.Timeout | undefined;
    let flushing: Promise<void> = Promise.resolve();
    let failed: Error | undefined;
    const flush = () => {
      const take = buf;
      buf = [];
      if (!take.length) return flushing;
      flushing = flushing.then(() => this.processBatch(take)).catch((e: Error) => {
        failed = e;
        this.messages?.stop();
      });
      return flushing;
    };
    const armIdle = () => {
      if (!this.o.idleExitMs) return;
      clearTimeout(idleTimer);
      idleTimer = setTimeout(() => void flush().then(() => ((this.idled = true), this.stop())), this.o.idleExitMs);
    };
    armIdle();
    // One more recovery scan shortly after start, between batches, for the same late claims (see the end of run()).
    const rescan = this.claims ? setTimeout(() => void (flushing = flushing.then(() => this.recover())), 3_000) : undefined;
    let tick: NodeJS.Immediate | undefined;
    for await (const m of this.messages) {
      buf.push(m);
      armIdle();
      if (buf.length >= batch) {
        clearImmediate(tick);
        tick = undefined;
        await flush();
      } else if (!tick) {
        // Flush what arrived once the messages already received are taken (low latency when traffic is light).
        tick = setImmediate(() => {
          tick = undefined;
          void flush();
        });
      }
      if (this.stopping) break;
    }
    clearTimeout(idleTimer);
    clearTimeout(rescan);
    clearImmediate(tick);
    await flush();
    await flushing;
    if (failed) throw failed;
    // Claims of this worker's previous incarnation that the server processed after the start-up scan (a SIGKILLed
    // process's last requests can still be in flight) are written now, before exit.
    if (this.claims) await this.recover();
    // A plain stop does not flush the windows (a restart resumes them from the snapshot); --idle-exit is the end of
    // the input, as for hunt: alerts held back by the disorder tolerance are emitted.
    if (this.correlator && this.idled) {
      const mine = await this.claim(this.correlator.flush().map((ca) => ({ key: correlationKey(ca), alert: ca })));
      this.writeFile(mine);
      this.insertStore(mine);
      if (this.state) await this.state.put(this.stateKey(), JSON.stringify(this.correlator.snapshot()));
      this.webhooks?.push(mine.map((x) => x.alert));
    }
    await this.webhooks?.idle();
  }

  stop(): void {
    this.stopping = true;
    this.messages?.stop();
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  /** Evaluate, claim, write durably, save state, acknowledge. */
  async processBatch(msgs: JsMsg[]): Promise<void> {
    const js = this.nc.jetstream();
    const found: OwnedAlert[] = [];
    const dead: Promise<unknown>[] = [];
    let maxSeq = 0;
    for (const m of msgs) {
      this.stats.messages++;
      const seq = m.seq;
      if (seq > maxSeq) maxSeq = seq;
      let parsed: Json;
      try {
        parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(m.data)) as Json;
      } catch (e) {
        dead.push(this.deadLetter(js, m, `not valid JSON: ${(e as Error).message}`));
        continue;
      }
      const c = classify(parsed);
      if (c.kind !== 'records') {
        dead.push(this.deadLetter(js, m, c.kind === 'digest' ? 'a CloudTrail digest, not records' : c.message));
        continue;
      }
      for (const rec of c.records) {
        this.stats.records++;
        let hits: DetectionRule[];
        try {
          hits = this.detector.match(rec);
        } catch (e) {
          dead.push(this.deadLetter(js, m, `evaluation failed: ${(e as Error).message}`));
          continue;
        }
        for (const rule of hits) if (!this.o.silent?.has(rule.id)) found.push({ key: detectionKey(rule.id, rec), alert: buildAlert(rule, rec, m.subject, seq) });
        if (this.correlator) for (const ca of this.correlator.process(seq, rec, hits)) found.push({ key: correlationKey(ca), alert: ca });
      }
    }
    this.correlator?.advance(maxSeq);
    const mine = await this.claim(found);
    this.writeFile(mine);
    this.insertStore(mine);
    if (this.correlator && this.state) await this.state.put(this.stateKey(), JSON.stringify(this.correlator.snapshot()));
    await Promise.all(dead);
    await Promise.all(msgs.map((m) => m.ackAck()));
    this.stats.batches++;
    this.onAcked?.(msgs);
    this.webhooks?.push(mine.map((x) => x.alert));
  }

  /** The alerts this worker must write: claimed now, or claimed by it earlier and not written. */
  private async claim(found: OwnedAlert[]): Promise<OwnedAlert[]> {
    const unique = new Map<string, OwnedAlert>();
    for (const f of found) if (!unique.has(f.key)) unique.set(f.key, f);
    this.stats.duplicates += found.length - unique.size;
    const list = [...unique.values()];
    if (!this.claims) return list; // store only: its UNIQUE constraint deduplicates
    const kv = this.claims;
    const owned = await Promise.all(
      list.map(async (f) => {
        if (this.written.has(f.key)) return false;
        try {
          await kv.create(f.key, JSON.stringify({ owner: this.name, alert: f.alert }));
          return true;
        } catch (e) {
          const cur = await kv.get(f.key);
          if (!cur?.value.length) throw e;
          return (JSON.parse(cur.string()) as { owner: string }).owner === this.name;
        }
      }),
    );
    const out = list.filter((_, i) => owned[i]);
    this.stats.duplicates += list.length - out.length;
    return out;
  }

  private writeFile(list: OwnedAlert[]): void {
    if (this.fd === undefined || !list.length) return;
    const text = list.map((x) => JSON.stringify(this.o.ocsf ? ocsfFinding(x.alert, { uid: x.key }) : x.alert) + '\n').join('');
    const buf = Buffer.from(text);
    let off = 0;
    while (off < buf.length) off += writeSync(this.fd, buf, off, buf.length - off);
    fsyncSync(this.fd);
    for (const x of list) {
      this.written.add(x.key);
      if ('event' in x.alert) this.stats.alerts++;
      else this.stats.correlationAlerts++;
    }
  }

  private insertStore(list: OwnedAlert[]): void {
    const db = this.o.db;
    if (!db || !list.length) return;
    db.transaction(() => {
      for (const x of list) {
        if ('event' in x.alert) {
          const inserted = insertAlert(db, x.alert as Alert);
          if (this.fd === undefined) inserted ? this.stats.alerts++ : this.stats.duplicates++;
        } else {
          // A correlation alert is one row too, keyed by rule, group and window (store/alerts.ts).
          const inserted = insertCorrelationAlert(db, x.alert as CorrelationAlert, `stream:${this.partition}`);
          if (this.fd === undefined) inserted ? this.stats.correlationAlerts++ : this.stats.duplicates++;
        }
      }
    })();
  }

  private deadLetter(js: ReturnType<NatsConnection['jetstream']>, m: JsMsg, reason: string): Promise<unknown> {
    this.stats.deadLetters++;
    const h = headers();
    h.set('Tideline-Reason', reason.replace(/[\r\n]+/g, ' ').slice(0, 1000));
    h.set('Tideline-Subject', m.subject);
    h.set('Tideline-Stream-Seq', String(m.seq));
    h.set('Tideline-Worker', this.name);
    this.log(`dead letter: ${m.subject} #${m.seq}: ${reason}`);
    return js.publish(dlqSubject(this.o.stream), m.data, { headers: h, msgID: `dlq-${this.o.stream}-${m.seq}` });
  }
}
