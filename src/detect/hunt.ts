/**
 * A hunt: rules × inputs → alerts, on N worker threads (one file at a time each) or inline for one worker.
 * Results are handed on in input order whatever the worker timing, so output is deterministic; at most
 * `workers` files are in flight, which bounds the reorder buffer.
 */
import { Worker } from 'node:worker_threads';
import type { CompileOptions } from '../sigma/values.js';
import { loadRules, type RuleSet } from '../sigma/load.js';
import type { DetectionRule } from '../sigma/rule.js';
import type { InputFile } from '../logs/walk.js';
import type { Alert } from './alert.js';
import { Detector } from './engine.js';
import { huntFile, type FileResult, type InputError, type TimeWindow } from './file-hunt.js';
import { selectRules, type RuleFilter } from './selection.js';

export interface HuntConfig {
  rulePaths: string[];
  compile: CompileOptions;
  filter: RuleFilter;
  window: TimeWindow;
}

export interface HuntCallbacks {
  onAlert(a: Alert): void;
  onError(e: InputError): void;
  onFileDone(r: FileResult, file: InputFile): void;
}

export interface PreparedRules {
  set: RuleSet;
  selected: DetectionRule[];
  otherLogsource: DetectionRule[];
}

export function prepareRules(cfg: Pick<HuntConfig, 'rulePaths' | 'compile' | 'filter'>): PreparedRules {
  const set = loadRules(cfg.rulePaths, cfg.compile);
  return { set, ...selectRules(set.rules, cfg.filter) };
}

export async function runHunt(cfg: HuntConfig, rules: PreparedRules, files: InputFile[], workers: number, cb: HuntCallbacks): Promise<void> {
  // stdin cannot move to a worker; small jobs are not worth the thread start-up.
  if (workers <= 1 || files.length <= 1 || files.some((f) => f.path === '-')) {
    const detector = new Detector(rules.selected);
    for (const f of files) {
      const res = await huntFile(f.path, detector, cfg.window, cb.onAlert, cb.onError);
      cb.onFileDone(res, f);
    }
    return;
  }
  await runPool(cfg, files, Math.min(workers, files.length), cb);
}

export type WorkerMessage =
  | { type: 'ready' }
  | { type: 'alert'; seq: number; alerts: Alert[] }
  | { type: 'error'; seq: number; error: InputError }
  | { type: 'done'; seq: number; result: FileResult }
  | { type: 'fatal'; message: string };

interface Pending {
  alerts: Alert[];
  errors: InputError[];
  result?: FileResult;
}

function runPool(cfg: HuntConfig, files: InputFile[], n: number, cb: HuntCallbacks): Promise<void> {
  return new Promise((resolve, reject) => {
    const pending = new Map<number, Pending>();
    let next = 0; // next file to dispatch
    let flushed = 0; // next file to hand on
    let finished = false;
    const pool: Worker[] = [];
    const entry = (seq: number) => {
      let p = pending.get(seq);
      if (!p) pending.set(seq, (p = { alerts: [], errors: [] }));
      return p;
    };
    const flush = () => {
      for (;;) {
        const p = pending.get(flushed);
        if (!p?.result) break;
        for (const e of p.errors) cb.onError(e);
        for (const a of p.alerts) cb.onAlert(a);
        cb.onFileDone(p.result, files[flushed]!);
        pending.delete(flushed);
        flushed++;
      }
      if (flushed === files.length && !finished) {
        finished = true;
        Promise.all(pool.map((w) => w.terminate())).then(() => resolve(), reject);
      }
    };
    const dispatch = (w: Worker) => {
      if (next < files.length) {
        const seq = next++;
        w.postMessage({ seq, path: files[seq]!.path });
      }
    };
    for (let i = 0; i < n; i++) {
      const w = new Worker(new URL('./worker.js', import.meta.url), { workerData: cfg });
      pool.push(w);
      w.on('message', (m: WorkerMessage) => {
        switch (m.type) {
          case 'ready':
            dispatch(w);
            break;
          case 'alert':
            entry(m.seq).alerts.push(...m.alerts);
            break;
          case 'error':
            entry(m.seq).errors.push(m.error);
            break;
          case 'done':
            entry(m.seq).result = m.result;
            dispatch(w);
            flush();
            break;
          case 'fatal':
            finished = true;
            pool.forEach((x) => void x.terminate());
            reject(new Error(`worker failed: ${m.message}`));
        }
      });
      w.on('error', (e) => {
        if (finished) return;
        finished = true;
        pool.forEach((x) => void x.terminate());
        reject(e);
      });
    }
  });
}
