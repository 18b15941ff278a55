/**
 * The worker's correlation state per partition: the CorrelationEngine (src/detect/correlation.ts) plus the stream
 * sequence watermark kept with its snapshot, so records at or below it (already in the restored state) are not fed
 * twice after a redelivery.
 */
import { CorrelationEngine, type CorrelationAlert, type CorrelationState } from '../detect/correlation.js';
import type { JsonObject } from '../sigma/fields.js';
import type { CorrelationRule, DetectionRule } from '../sigma/rule.js';

export type { CorrelationAlert };

export interface PartitionState {
  /** Highest stream sequence whose record is in `state`. */
  watermark: number;
  state: CorrelationState;
}

export class StreamCorrelator {
  private constructor(
    private readonly engine: CorrelationEngine,
    public watermark: number,
  ) {}

  static create(correlations: CorrelationRule[], rules: DetectionRule[], saved: PartitionState | undefined, maxDisorderMs: number): StreamCorrelator {
    const opts = { maxDisorderMs };
    if (saved) return new StreamCorrelator(CorrelationEngine.restore(saved.state, correlations, rules, opts), saved.watermark);
    return new StreamCorrelator(new CorrelationEngine(correlations, rules, opts), 0);
  }

  /** Feeds a record delivered at stream sequence `seq`; a record already in the restored state is skipped. */
  process(seq: number, rec: JsonObject, matched: DetectionRule[]): CorrelationAlert[] {
    if (seq <= this.watermark) return [];
    return this.engine.process(rec, matched);
  }

  advance(seq: number): void {
    if (seq > this.watermark) this.watermark = seq;
  }

  flush(): CorrelationAlert[] {
    return this.engine.flush();
  }

  snapshot(): PartitionState {
    return { watermark: this.watermark, state: this.engine.snapshot() };
  }
}
