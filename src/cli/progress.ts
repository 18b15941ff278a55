/** Progress on stderr, only when stderr is a terminal; messages printed meanwhile do not garble the bar. */
import { createRequire } from 'node:module';
import type cliProgressTypes from 'cli-progress';

// Loaded only when a bar is shown (stderr is a terminal): scripts and pipelines skip its start-up.
const require = createRequire(import.meta.url);

export class Progress {
  private bar: cliProgressTypes.SingleBar | null = null;

  constructor(enabled: boolean, total: number, unit: string) {
    if (!enabled || total <= 0) return;
    const cliProgress = require('cli-progress') as typeof cliProgressTypes;
    this.bar = new cliProgress.SingleBar(
      {
        stream: process.stderr,
        format: `{bar} {percentage}% | {value}/{total} ${unit} | {files} files | {alerts} alerts | ETA {eta_formatted}`,
        hideCursor: true,
        clearOnComplete: true,
        etaBuffer: 50,
        // Byte counts read better in MB.
        formatValue: (v, _o, type) => (unit === 'MB' && (type === 'value' || type === 'total') ? (v / 1e6).toFixed(1) : String(v)),
      },
      cliProgress.Presets.shades_classic,
    );
    this.bar.start(total, 0, { files: 0, alerts: 0 });
  }

  update(value: number, payload: Record<string, number>): void {
    this.bar?.update(value, payload);
  }

  /** Print a line on stderr above the bar. */
  log(line: string): void {
    if (this.bar) process.stderr.write('\r\x1b[K');
    process.stderr.write(line + '\n');
  }

  stop(): void {
    this.bar?.stop();
    this.bar = null;
  }
}
