/**
 * The worker's view of correlation rules: src/detect/correlation.ts (CorrelationEngine, written alongside this
 * service) loaded at run time, so the worker builds and runs whether or not that module is present. Its interface is
 * the one agreed for issue 9; the adapter only adds the stream-sequence watermark kept with the snapshot (records at
 * or below it were already in the restored state and are not fed twice after a redelivery).
 */
import type { JsonObject } from '../sigma/fields.js';
import type { CorrelationRule, DetectionRule } from '../sigma/rule.js';

export interface CorrelationAlert {
  rule: { id: string; title: string; level: string | null; tags: string[]; type: string };
  time: string;
  window: { start: string; end: string };
  group: Record<string, string | null>;
  value?: number;
  events: string[];
}

interface Engine {
  process(rec: JsonObject, matched: DetectionRule[]): CorrelationAlert[];
  flush(): CorrelationAlert[];
  snapshot(): unknown;
}
interface EngineClass {
  new (correlations: CorrelationRule[], rules: DetectionRule[], opts?: { maxDisorderMs?: number }): Engine;
  restore(state: unknown, correlations: CorrelationRule[], rules: DetectionRule[], opts?: { maxDisorderMs?: number }): Engine;
}

export interface PartitionState {
  /** Highest stream sequence whose record is in `state`. */
  watermark: number;
  state: unknown;
}

/** The CorrelationEngine class, or undefined when src/detect/correlation.ts is not there (yet). */
export async function loadEngineClass(): Promise<EngineClass | undefined> {
  try {
    const mod = (await import(new URL('../detect/correlation.js', import.meta.url).href)) as { CorrelationEngine?: EngineClass };
    return mod.CorrelationEngine;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND') return undefined;
    throw e;
  }
}

export class StreamCorrelator {
  private engine: Engine;
  watermark: number;

  private constructor(engine: Engine, watermark: number) {
    this.engine = engine;
    this.watermark = watermark;
  }

  static create(cls: EngineClass, correlations: CorrelationRule[], rules: DetectionRule[], saved: PartitionState | undefined, maxDisorderMs: number): StreamCorrelator {
    const opts = { maxDisorderMs };
    if (saved) return new StreamCorrelator(cls.restore(saved.state, correlations, rules, opts), saved.watermark);
    return new StreamCorrelator(new cls(correlations, rules, opts), 0);
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
