/** Worker thread: compiles the same rules as the main thread, then hunts the files it is given one at a time. */
import { parentPort, workerData } from 'node:worker_threads';
import { Detector } from './engine.js';
import { huntFile } from './file-hunt.js';
import { transferables } from './alert-batch.js';
import { alertWriter, correlationHooks, huntOptions, prepareRules, type HuntConfig, type ToWorker, type WorkerData, type WorkerMessage } from './hunt.js';
import type { JsonObject } from '../sigma/fields.js';

const { head } = workerData as WorkerData;
const port = parentPort!;
const send = (m: WorkerMessage) => port.postMessage(m);

/**
 * Output a worker may have sent for files the main thread cannot write yet (they wait for older files), over all its
 * files: past this, it waits until its file is the oldest, so a large file behind another large file cannot pile up
 * gigabytes of alerts, and however many files the dispatch window lets it run ahead (hunt.ts), what waits stays
 * under this per worker.
 */
const AHEAD_BYTES = 16 * 1024 * 1024;
let sentAhead = 0;
/** Account for output about to be sent for file `seq`, waiting first if it is too far ahead of the writer. */
function budget(seq: number, bytes: number): void {
  if (Atomics.load(head, 0) === seq) {
    sentAhead = 0; // the oldest file: its output is written as it comes, and every older file's has been
    return;
  }
  sentAhead += bytes;
  if (sentAhead <= AHEAD_BYTES) return;
  for (let h = Atomics.load(head, 0); h !== seq && h !== -1; h = Atomics.load(head, 0)) Atomics.wait(head, 0, h);
  sentAhead = 0;
}

// Started before the main thread has loaded the rules (hunt.ts startWorkers): the hunt comes as the first message.
port.once('message', (m: ToWorker) => {
  if (m.type === 'hunt') start(m.cfg);
  else send({ type: 'fatal', message: `expected the hunt first, got ${m.type}` });
});

function start(cfg: HuntConfig): void {
  try {
    const rules = prepareRules(cfg);
    const detector = new Detector(rules.run);
    const writer = alertWriter(cfg, rules);
    const options = huntOptions(cfg);
    // Correlations need every event of a group in one place: matches of the rules they use go back to the main
    // thread (even for rules whose own alerts are not written), which correlates them in input order.
    let matches: { rec: JsonObject; rules: string[] }[] = [];
    let matchSeq = 0;
    const flushMatches = () => {
      if (!matches.length) return;
      budget(matchSeq, matches.length * 1024); // a record's worth per match, roughly
      send({ type: 'matches', seq: matchSeq, matches });
      matches = [];
    };
    const hooks = correlationHooks(rules, (rec, hit) => {
      matches.push({ rec, rules: hit.map((r) => r.id) });
      if (matches.length >= 512) flushMatches();
    });
    // The main thread keeps a second file queued here so no time is lost between files; files are hunted one at a
    // time all the same (a streamed file awaits, and its alerts must not interleave with the next file's).
    const queue: { seq: number; path: string }[] = [];
    let busy = false;
    port.on('message', (m: ToWorker) => {
      if (m.type === 'recycle') return writer.recycle(m.bytes, m.ids);
      if (m.type !== 'file') return;
      queue.push(m);
      if (!busy) void pump();
    });
    const pump = async () => {
      busy = true;
      for (let task = queue.shift(); task; task = queue.shift()) await hunt(task);
      busy = false;
    };
    const hunt = async ({ seq, path }: { seq: number; path: string }) => {
      matchSeq = seq;
      // Alerts go back in batches of bytes, transferred (not copied): one message per alert costs more than the match.
      const flush = () => {
        if (!writer.count) return;
        const batch = writer.take();
        budget(seq, batch.bytes.length);
        port.postMessage({ type: 'alert', seq, batch } satisfies WorkerMessage, transferables(batch));
      };
      try {
        const result = await huntFile(
          path,
          detector,
          cfg.window,
          (rule, rec, index, raw) => {
            writer.hit(rule, rec, path, index, raw);
            if (writer.full) flush();
          },
          (error) => send({ type: 'error', seq, error }),
          hooks,
          options,
        );
        flush();
        flushMatches();
        send({ type: 'done', seq, result });
      } catch (e) {
        send({ type: 'fatal', message: (e as Error).stack ?? String(e) });
      }
    };
    send({ type: 'ready' });
  } catch (e) {
    send({ type: 'fatal', message: (e as Error).stack ?? String(e) });
  }
}
