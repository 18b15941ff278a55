// A `tideline worker` for the benchmark: the same StreamWorker, plus the end-to-end latency of every message
// (JetStream publish timestamp → acknowledged after its alerts were fsync'd), written to LATENCY_FILE on exit.
import { writeFileSync } from 'node:fs';
import { connect } from 'nats';
import { prepareRules } from '../dist/detect/hunt.js';
import { StreamWorker } from '../dist/stream/worker.js';

const [url, stream, out, latencyFile, ...rulePaths] = process.argv.slice(2);
const rules = prepareRules({ rulePaths, compile: {}, filter: {} });
const nc = await connect({ servers: url });
const w = new StreamWorker(nc, { stream, rules: rules.run, correlations: rules.correlations, silent: rules.silent, output: out, idleExitMs: 3000, ackWaitMs: 60_000 });
const lat = [];
let first = 0, last = 0;
w.onAcked = (msgs) => {
  const now = Date.now();
  if (!first) first = now;
  last = now;
  for (const m of msgs) lat.push(now - m.info.timestampNanos / 1e6);
};
await w.start();
process.send?.('ready');
await w.run();
w.close();
await nc.drain();
writeFileSync(latencyFile, JSON.stringify({ lat, first, last, stats: w.stats }));
