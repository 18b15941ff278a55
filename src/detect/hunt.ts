/**
 * A hunt: rules × inputs → formatted alerts, on N worker threads (one file at a time each) or inline.
 * Workers format alerts themselves (formatting is most of the cost of a noisy rule), so the main thread
 * only deduplicates and writes. Results are handed on in input order whatever the worker timing, so output
 * is deterministic. The oldest unfinished file's output streams out as it comes; later files' output waits, bounded
 * by a window of files per worker and by a byte budget past which a worker runs ahead no further (worker.ts).
 */
import { Worker } from 'node:worker_threads';
import type { CompileOptions } from '../sigma/values.js';
import { loadRules, type ListedRuleFiles, type RuleSet } from '../sigma/load.js';
import { fromPortable, toPortable, type PortableRuleSet } from '../sigma/portable.js';
import { LEVELS, type CorrelationRule, type DetectionRule } from '../sigma/rule.js';
import type { JsonObject } from '../sigma/fields.js';
import { planCorrelations, type CorrelationPlan } from './correlation.js';
import type { InputFile } from '../logs/walk.js';
import { Detector } from './engine.js';
import { huntFile, type FileResult, type HuntOptions, type InputError, type OnHit, type TimeWindow } from './file-hunt.js';
import { alertFormat, type Format } from './format.js';
import { AlertBatchWriter, type AlertBatch } from './alert-batch.js';
import { isCloudTrailRule, selectRules, type RuleFilter } from './selection.js';

/** Who runs a hunt's rules: this engine, or the rules converted to SQL (sql-hunt.ts, loaded only for those). */
export const ENGINES = ['native', 'duckdb', 'athena'] as const;
export type Engine = (typeof ENGINES)[number];

export interface HuntConfig {
  rulePaths: string[];
  compile: CompileOptions;
  filter: RuleFilter;
  window: TimeWindow;
  format: Format;
  color: boolean;
  /** `--count`: only the number of alerts per rule is wanted; alerts are noted (rule, eventID), never formatted. */
  count?: boolean;
  /** Correlation disorder tolerance (ms; Infinity: wait for the end of input). */
  maxDisorderMs?: number;
  /** Parse every record whole instead of member by member (the plain path, for verification). */
  plain?: boolean;
  /**
   * The rules as the main thread loaded them (sigma/portable.ts), as JSON text: workers compile these as records
   * need them instead of reading the YAML again. Text, because a string crosses to a worker in one copy: the objects
   * took 0.3 s to clone per worker at 3,000 rules, on the main thread, before any worker could start.
   */
  portableRules?: string;
}

/** How huntFile reads records for this configuration (see file-hunt.ts HuntOptions). */
export function huntOptions(cfg: HuntConfig): HuntOptions {
  return { wholeRecords: !cfg.count && (cfg.format === 'table' || cfg.format === 'csv'), plain: cfg.plain };
}

export interface HuntCallbacks {
  /** Formatted alerts, in input order; rule indexes refer to PreparedRules.run. */
  onAlerts(batch: AlertBatch): void;
  /** A record matched rules that feed correlations (ids), in input order with the alerts. */
  onMatches?(rec: JsonObject, ruleIds: string[]): void;
  onError(e: InputError): void;
  onFileDone(r: FileResult, file: InputFile): void;
}

export interface PreparedRules {
  set: RuleSet;
  /** Detection rules selected by the filters: their alerts are written (unless silent). */
  selected: DetectionRule[];
  otherLogsource: DetectionRule[];
  /** Correlations selected by the filters, with every correlation they build on. */
  correlations: CorrelationRule[];
  plan: CorrelationPlan;
  /** What the detector evaluates: the selected rules and every rule a correlation needs. */
  run: DetectionRule[];
  /** Rules whose matches write no alert: generate: false building blocks, rules run only for a correlation. */
  silent: Set<string>;
}

/** `listed`: the rule files, when the caller has listed them already (see loadRules). */
export function prepareRules(cfg: Pick<HuntConfig, 'rulePaths' | 'compile' | 'filter' | 'portableRules'>, listed?: ListedRuleFiles): PreparedRules {
  const set = cfg.portableRules ? fromPortable(JSON.parse(cfg.portableRules) as PortableRuleSet, cfg.compile) : loadRules(cfg.rulePaths, cfg.compile, {}, listed);
  const sel = selectRules(set.rules, cfg.filter);
  const correlations = selectCorrelations(set.correlations, cfg.filter);
  const plan = planCorrelations(correlations, set.rules.filter(isCloudTrailRule));
  const selectedIds = new Set(sel.selected.map((r) => r.id));
  const run = set.rules.filter((r) => selectedIds.has(r.id) || plan.correlated.has(r.id));
  const silent = new Set(plan.silent);
  for (const r of run) if (!selectedIds.has(r.id)) silent.add(r.id);
  return { set, ...sel, correlations, plan, run, silent };
}

/** Correlations passing --min-level / --tag, plus the correlations they refer to (intermediate steps of a chain). */
function selectCorrelations(all: CorrelationRule[], f: RuleFilter): CorrelationRule[] {
  const min = f.minLevel ? LEVELS.indexOf(f.minLevel) : 0;
  const tags = f.tags?.map((t) => t.toLowerCase());
  const keep = new Set<CorrelationRule>();
  const add = (c: CorrelationRule) => {
    if (keep.has(c)) return;
    keep.add(c);
    for (const ref of c.rules) {
      const d = all.find((x) => x.id === ref) ?? all.find((x) => x.name === ref);
      if (d) add(d);
    }
  };
  for (const c of all) {
    if (min > 0 && LEVELS.indexOf(c.level ?? 'informational') < min) continue;
    if (tags && !c.tags.some((t) => tags.some((want) => t.toLowerCase() === want || t.toLowerCase().startsWith(want + '.')))) continue;
    add(c);
  }
  return all.filter((c) => keep.has(c));
}

/** The huntFile hooks for a prepared rule set, or undefined when no correlation is evaluated. */
export function correlationHooks(rules: PreparedRules, onMatches: (rec: JsonObject, rules: DetectionRule[]) => void) {
  if (!rules.plan.correlated.size && !rules.silent.size) return undefined;
  return { correlated: rules.plan.correlated, silent: rules.silent, onMatches };
}

/** A writer formatting this hunt's alerts to bytes (workers and the inline path alike). */
export function alertWriter(cfg: HuntConfig, rules: PreparedRules): AlertBatchWriter {
  return new AlertBatchWriter(alertFormat(cfg.format, cfg.color), new Map(rules.run.map((r, i) => [r.id, i])), cfg.count);
}

/** The worker threads a native hunt of these files runs on: 0 when it runs inline (see runHunt). */
export function poolSize(workers: number, files: readonly InputFile[]): number {
  // stdin cannot move to a worker; one file is not worth the thread start-up.
  if (workers <= 1 || files.length <= 1 || files.some((f) => f.path === '-')) return 0;
  return Math.min(workers, files.length);
}

/**
 * `threads` (from startWorkers) when the caller started them before loading the rules; they must number
 * poolSize(workers, files). Without, runHunt starts its own.
 */
export async function runHunt(cfg: HuntConfig, rules: PreparedRules, files: InputFile[], workers: number, cb: HuntCallbacks, threads?: HuntWorkers): Promise<void> {
  const n = poolSize(workers, files);
  if (n === 0) {
    await threads?.terminate();
    const detector = new Detector(rules.run);
    const writer = alertWriter(cfg, rules);
    const flush = () => {
      if (!writer.count) return;
      const batch = writer.take();
      cb.onAlerts(batch);
      writer.recycle(batch.bytes.buffer as ArrayBuffer, batch.ids.buffer as ArrayBuffer);
    };
    const hooks = correlationHooks(rules, (rec, hit) => cb.onMatches?.(rec, hit.map((r) => r.id)));
    for (const f of files) {
      const onHit: OnHit = (rule, rec, index, raw) => {
        writer.hit(rule, rec, f.path, index, raw);
        if (writer.full) flush();
      };
      const res = await huntFile(f.path, detector, cfg.window, onHit, cb.onError, hooks, huntOptions(cfg));
      flush();
      cb.onFileDone(res, f);
    }
    return;
  }
  threads ??= startWorkers(n, rules.run.length);
  if (threads.pool.length !== n) throw new Error(`${threads.pool.length} workers started for a hunt on ${n}`);
  await runPool({ ...cfg, portableRules: JSON.stringify(toPortable(rules.set)) }, files, threads, cb);
}

/** Worker threads started ahead of their rules (startWorkers), and the head they share (see runPool). */
export interface HuntWorkers {
  pool: Worker[];
  /** The first error a worker raised before runPool listened (it then fails the hunt). */
  failed?: Error;
  /** The sequence number of the file whose output is being written (-1: stopping). */
  head: Int32Array;
  terminate(): Promise<void>;
}

/** What a worker is started with; the hunt itself (rules, options) follows as its first message. */
export interface WorkerData {
  head: Int32Array;
}

/**
 * Start n hunt workers before the rules are loaded: a fresh isolate takes some 0.2 s to start and import the engine,
 * which then overlaps the main thread's loading instead of following it. `rules` (an estimate: the rule files found)
 * sizes their young generation.
 */
export function startWorkers(n: number, rules: number): HuntWorkers {
  const head = new Int32Array(new SharedArrayBuffer(4));
  const data: WorkerData = { head };
  const pool = Array.from({ length: n }, () => new Worker(new URL('./worker.js', import.meta.url), { workerData: data, resourceLimits: { maxYoungGenerationSizeMb: workerYoungMb(rules) } }));
  const threads: HuntWorkers = {
    pool, head,
    terminate() {
      Atomics.store(head, 0, -1);
      Atomics.notify(head, 0); // no worker stays blocked while terminating
      return Promise.all(pool.map((w) => w.terminate())).then(() => undefined);
    },
  };
  for (const w of pool) {
    w.unref(); // until runPool: a hunt that never begins (a usage error) must not be kept open by its workers
    w.on('error', (e) => (threads.failed ??= e));
  }
  return threads;
}

/**
 * What the main thread sends a worker: the hunt (first, once), a file to hunt, or a batch's buffers back once written
 * (see recycle).
 */
export type ToWorker =
  | { type: 'hunt'; cfg: HuntConfig }
  | { type: 'file'; seq: number; path: string }
  | { type: 'recycle'; bytes: ArrayBuffer; ids: ArrayBuffer };

export type WorkerMessage =
  | { type: 'ready' }
  | { type: 'alert'; seq: number; batch: AlertBatch }
  | { type: 'matches'; seq: number; matches: { rec: JsonObject; rules: string[] }[] }
  | { type: 'error'; seq: number; error: InputError }
  | { type: 'done'; seq: number; result: FileResult }
  | { type: 'fatal'; message: string };

interface Pending {
  alerts: { batch: AlertBatch; from: Worker }[];
  matches: { rec: JsonObject; rules: string[] }[];
  errors: InputError[];
  result?: FileResult;
}

/**
 * A worker's young generation (V8's nursery), in MB. Small keeps memory low: 16 MB costs no speed with the SigmaHQ
 * rules and keeps a 2-worker hunt some 60 MB under V8's default. But each record's garbage grows with the candidate
 * rules it meets, and with thousands of rules a small nursery promotes it to the old generation, whose collections
 * then scan every compiled rule: at 3,000 rules, 16 MB took 41 CPU-seconds on the 1M-event bench, 32 MB 26.
 */
export function workerYoungMb(rules: number): number {
  return Math.min(64, 16 + Math.floor(rules / 100));
}

/**
 * Files dispatched beyond the oldest unfinished one, per worker: bounds what waits to be written in order (the byte
 * budget in worker.ts bounds it too). Two per worker made the faster worker idle whenever the other one's file was
 * slower: 10-35% of a core on the 1M-event `--count` hunt, measured by profile, more when the VM's cores run unevenly.
 */
const WINDOW_PER_WORKER = 16;

function runPool(cfg: HuntConfig, files: InputFile[], threads: HuntWorkers, cb: HuntCallbacks): Promise<void> {
  return new Promise((resolve, reject) => {
    const pending = new Map<number, Pending>();
    let next = 0; // next file to dispatch
    let flushed = 0; // the head: the oldest file not yet handed on; its results stream out as they come
    let finished = false;
    const { pool, head } = threads;
    const n = pool.length;
    const assigned = new Map<Worker, number>(); // files given to each worker and not done
    const ready: Worker[] = [];
    const entry = (seq: number) => {
      let p = pending.get(seq);
      if (!p) pending.set(seq, (p = { alerts: [], matches: [], errors: [] }));
      return p;
    };
    const stop = (e?: Error) => {
      finished = true;
      threads.terminate().then(() => (e ? reject(e) : resolve()), reject);
    };
    /** Hand on what the head file has so far; when it is done, move on to the next file, and so on. */
    const flush = () => {
      for (;;) {
        const p = pending.get(flushed);
        if (!p) break;
        for (const e of p.errors) cb.onError(e);
        for (const { batch, from } of p.alerts) {
          cb.onAlerts(batch);
          // Written (copied or written out): the buffers go back to their worker for its next batches, so a hunt with
          // many alerts does not allocate (and collect) a quarter-megabyte buffer per batch on either side.
          if (batch.bytes.byteLength) {
            const back: ToWorker = { type: 'recycle', bytes: batch.bytes.buffer as ArrayBuffer, ids: batch.ids.buffer as ArrayBuffer };
            from.postMessage(back, [back.bytes, back.ids]);
          }
        }
        for (const m of p.matches) cb.onMatches?.(m.rec, m.rules);
        p.errors = [];
        p.alerts = [];
        p.matches = [];
        if (!p.result) break;
        cb.onFileDone(p.result, files[flushed]!);
        pending.delete(flushed);
        flushed++;
        Atomics.store(head, 0, flushed);
        Atomics.notify(head, 0);
      }
      if (flushed === files.length && !finished) stop();
      else fill();
    };
    /** Give each ready worker up to two files (one running, one queued), within the window ahead of the head. */
    const fill = () => {
      for (const w of ready) {
        while ((assigned.get(w) ?? 0) < 2 && next < files.length && next < flushed + WINDOW_PER_WORKER * n) {
          const seq = next++;
          assigned.set(w, (assigned.get(w) ?? 0) + 1);
          w.postMessage({ type: 'file', seq, path: files[seq]!.path } satisfies ToWorker);
        }
      }
    };
    // The head is shared with the workers: one that runs ahead of it with much unwritten output waits (worker.ts).
    Atomics.store(head, 0, 0);
    for (const w of pool) {
      w.ref();
      w.postMessage({ type: 'hunt', cfg } satisfies ToWorker);
      assigned.set(w, 0);
      w.on('message', (m: WorkerMessage) => {
        if (finished) return;
        switch (m.type) {
          case 'ready':
            ready.push(w); // a worker still compiling rules gets no file yet: the ready one takes them
            fill();
            return;
          case 'alert':
            entry(m.seq).alerts.push({ batch: m.batch, from: w });
            break;
          case 'matches':
            entry(m.seq).matches.push(...m.matches);
            break;
          case 'error':
            entry(m.seq).errors.push(m.error);
            break;
          case 'done':
            entry(m.seq).result = m.result;
            assigned.set(w, (assigned.get(w) ?? 1) - 1);
            break;
          case 'fatal':
            stop(new Error(`worker failed: ${m.message}`));
            return;
        }
        if (m.seq === flushed || m.type === 'done') flush();
      });
      w.on('error', (e) => {
        if (!finished) stop(e);
      });
    }
    if (threads.failed) stop(threads.failed);
  });
}
