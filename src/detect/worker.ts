/** Worker thread: compiles the same rules as the main thread, then hunts the files it is given one at a time. */
import { parentPort, workerData } from 'node:worker_threads';
import { Detector } from './engine.js';
import { huntFile } from './file-hunt.js';
import { alertFormatter, correlationHooks, prepareRules, type AlertOut, type HuntConfig, type WorkerMessage } from './hunt.js';
import type { JsonObject } from '../sigma/fields.js';

const cfg = workerData as HuntConfig;
const port = parentPort!;
const send = (m: WorkerMessage) => port.postMessage(m);

try {
  const rules = prepareRules(cfg);
  const detector = new Detector(rules.run);
  const format = alertFormatter(cfg);
  // Correlations need every event of a group in one place: matches of the rules they use go back to the main
  // thread (even for rules whose own alerts are not written), which correlates them in input order.
  let matches: { rec: JsonObject; rules: string[] }[] = [];
  let matchSeq = 0;
  const flushMatches = () => {
    if (matches.length) send({ type: 'matches', seq: matchSeq, matches });
    matches = [];
  };
  const hooks = correlationHooks(rules, (rec, hit) => {
    matches.push({ rec, rules: hit.map((r) => r.id) });
    if (matches.length >= 512) flushMatches();
  });
  port.on('message', async (task: { seq: number; path: string }) => {
    const { seq, path } = task;
    matchSeq = seq;
    // Alerts go back in batches: one message per alert costs more than the match itself.
    let batch: AlertOut[] = [];
    const flush = () => {
      if (batch.length) send({ type: 'alert', seq, alerts: batch });
      batch = [];
    };
    try {
      const result = await huntFile(
        path,
        detector,
        cfg.window,
        (a, raw) => {
          batch.push(format(a, raw));
          if (batch.length >= 512) flush();
        },
        (error) => send({ type: 'error', seq, error }),
        hooks,
      );
      flush();
      flushMatches();
      send({ type: 'done', seq, result });
    } catch (e) {
      send({ type: 'fatal', message: (e as Error).stack ?? String(e) });
    }
  });
  send({ type: 'ready' });
} catch (e) {
  send({ type: 'fatal', message: (e as Error).stack ?? String(e) });
}
