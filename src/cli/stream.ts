/** `tideline worker` and `tideline publish`: the streaming service on NATS JetStream (src/stream). */
import { join } from 'node:path';
import { mkdirSync } from 'node:fs';
import { connect, type NatsConnection } from 'nats';
import { prepareRules } from '../detect/hunt.js';
import { DEFAULT_MAX_DISORDER_MS } from '../detect/correlation.js';
import { formatDiagnostic } from '../sigma/diagnostics.js';
import { bundledRulesDir } from '../paths.js';
import { openDb } from '../store/db.js';
import { publishInputs } from '../stream/publisher.js';
import { DEFAULT_STREAM } from '../stream/subjects.js';
import { StreamWorker } from '../stream/worker.js';
import type { WebhookFormat } from '../deliver/webhook.js';
import { UsageError } from './io.js';

function parseDuration(v: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(v.trim());
  return m ? Number(m[1]) * { ms: 1, s: 1e3, m: 6e4, h: 36e5 }[m[2] as 'ms' | 's' | 'm' | 'h'] : undefined;
}

export interface WorkerFlags {
  nats?: string;
  stream?: string;
  rules?: string[];
  output?: string;
  data?: string;
  name?: string;
  partition?: string;
  batch?: string;
  ackWait?: string;
  maxDisorder?: string;
  idleExit?: string;
  ocsf?: boolean;
  webhook?: string[];
  webhookFormat?: string;
  slackWebhook?: string[];
}

async function connectTo(url: string | undefined): Promise<NatsConnection> {
  if (!url) throw new UsageError('--nats URL is required (e.g. nats://127.0.0.1:4222)');
  try {
    return await connect({ servers: url.split(','), name: 'tideline', maxReconnectAttempts: -1 });
  } catch (e) {
    throw new UsageError(`cannot connect to NATS at ${url}: ${(e as Error).message}`);
  }
}

const num = (flag: string, v: string | undefined, dflt: number): number => {
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new UsageError(`${flag} must be a non-negative number`);
  return n;
};
const ms = (flag: string, v: string | undefined, dflt: number): number => {
  if (v === undefined) return dflt;
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const d = parseDuration(v);
  if (d === undefined) throw new UsageError(`${flag} must be a duration (30s, 5m) or seconds`);
  return d;
};

export async function workerCommand(flags: WorkerFlags): Promise<number> {
  if (!flags.output && !flags.data) throw new UsageError('give --output FILE (JSONL alerts) and/or --data DIR (the platform store)');
  const rules = prepareRules({ rulePaths: flags.rules?.length ? flags.rules : [bundledRulesDir()], compile: {}, filter: {} });
  const ruleErrors = rules.set.diagnostics.filter((d) => d.severity === 'error');
  for (const d of rules.set.diagnostics) process.stderr.write(formatDiagnostic(d) + '\n');
  const nc = await connectTo(flags.nats);
  let db;
  if (flags.data) {
    mkdirSync(flags.data, { recursive: true });
    db = openDb(join(flags.data, 'tideline.db'));
    db.pragma('synchronous = FULL'); // an acknowledged message's alerts survive power loss, not only a crash
  }
  const webhooks = [
    ...(flags.webhook ?? []).map((url) => ({ url, format: (flags.webhookFormat ?? 'json') as WebhookFormat, ocsf: flags.ocsf })),
    ...(flags.slackWebhook ?? []).map((url) => ({ url, format: 'slack' as const })),
  ];
  const log = (l: string) => process.stderr.write(`tideline worker: ${l}\n`);
  const w = new StreamWorker(nc, {
    stream: flags.stream ?? DEFAULT_STREAM,
    partition: flags.partition,
    rules: rules.run,
    correlations: rules.correlations,
    silent: rules.silent,
    output: flags.output,
    db,
    name: flags.name,
    batch: num('--batch', flags.batch, 256),
    ackWaitMs: ms('--ack-wait', flags.ackWait, 30_000),
    maxDisorderMs: ms('--max-disorder', flags.maxDisorder, DEFAULT_MAX_DISORDER_MS),
    idleExitMs: flags.idleExit ? ms('--idle-exit', flags.idleExit, 0) : undefined,
    ocsf: flags.ocsf,
    webhooks,
    log,
  });
  await w.start();
  log(`${w.workerName}: ${rules.run.length} rules, ${rules.correlations.length} correlation rules, consuming ${flags.partition ?? 'cloudtrail.>'} of ${flags.stream ?? DEFAULT_STREAM}`);
  const stop = () => w.stop();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    await w.run();
  } finally {
    w.close();
    await nc.drain().catch(() => undefined);
    db?.close();
  }
  const s = w.stats;
  process.stderr.write(`tideline worker: ${s.messages} messages, ${s.records} records, ${s.alerts} alerts, ${s.correlationAlerts} correlation alerts, ${s.duplicates} duplicates suppressed, ${s.deadLetters} dead letters${s.recovered ? `, ${s.recovered} recovered` : ''}\n`);
  return ruleErrors.length ? 2 : 0;
}

export interface PublishFlags {
  nats?: string;
  stream?: string;
}

export async function publishCommand(logs: string[], flags: PublishFlags): Promise<number> {
  if (!logs.length) throw new UsageError('give at least one log file, directory, or - for stdin');
  const nc = await connectTo(flags.nats);
  const started = process.hrtime.bigint();
  try {
    const s = await publishInputs(nc, logs, { stream: flags.stream ?? DEFAULT_STREAM, onError: (m) => process.stderr.write(`tideline publish: ${m}\n`) });
    const secs = Number(process.hrtime.bigint() - started) / 1e9;
    process.stderr.write(`tideline publish: ${s.files} files, ${s.records} records, ${s.published} published, ${s.duplicates} duplicates (already in the stream), ${s.errors} errors in ${secs.toFixed(2)}s (${Math.round(s.records / Math.max(secs, 1e-9))} records/s)\n`);
    return s.errors ? 2 : 0;
  } finally {
    await nc.drain().catch(() => undefined);
  }
}
