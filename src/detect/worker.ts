/** Worker thread: compiles the same rules as the main thread, then hunts the files it is given one at a time. */
import { parentPort, workerData } from 'node:worker_threads';
import { Detector } from './engine.js';
import { huntFile } from './file-hunt.js';
import { alertFormatter, prepareRules, type AlertOut, type HuntConfig, type WorkerMessage } from './hunt.js';

const cfg = workerData as HuntConfig;
const port = parentPort!;
const send = (m: WorkerMessage) => port.postMessage(m);

try {
  const detector = new Detector(prepareRules(cfg).selected);
  const format = alertFormatter(cfg);
  port.on('message', async (task: { seq: number; path: string }) => {
    const { seq, path } = task;
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
      );
      flush();
      send({ type: 'done', seq, result });
    } catch (e) {
      send({ type: 'fatal', message: (e as Error).stack ?? String(e) });
    }
  });
  send({ type: 'ready' });
} catch (e) {
  send({ type: 'fatal', message: (e as Error).stack ?? String(e) });
}
