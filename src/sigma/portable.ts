/**
 * A loaded rule set as plain data, for worker threads: each detection rule's metadata (what workers read of it), what
 * the detector's index needs up front (witness, fields read) and its detection as a YAML snapshot in JSON text. A
 * worker compiles a detection (and its meta-filters) when a record first makes the rule a candidate.
 *
 * Why: every worker compiling every rule was most of a hunt's start-up with thousands of rules (a fresh isolate runs
 * the compiler cold: ~1 s per worker at 3,000 rules), and a corpus makes only some rules candidates (323 of the
 * bench's 3,000 variants over its 1M events). The main thread has compiled every rule already, so a rule that
 * reaches a worker is known to compile, and its witness and fields read are the main thread's.
 */
import { compileDetection, type CompiledDetection, type Locate, type Witness } from './detection.js';
import { appliedFilters, type RuleSet } from './load.js';
import type { CorrelationRule, DetectionRule, RuleMeta } from './rule.js';
import type { MapSnapshot } from './snapshot.js';
import type { CompileOptions } from './values.js';

/**
 * A detection snapshot as JSON text. Parsed by the worker when the rule is first compiled: parsing every snapshot up
 * front made hundreds of thousands of small objects that the young generation then copied (0.2 s per worker at 3,000
 * rules, most of it garbage collection), for rules most corpora never make candidates.
 */
type SnapshotText = string;

export interface PortableRuleSet {
  rules: PortableRule[];
  /** Meta-filter bodies (without `rules`), referred to by index. */
  filters: SnapshotText[];
  correlations: CorrelationRule[];
  files: string[];
}

/**
 * The metadata a worker reads: selection (level, tags, logsource), alerts (id, title, level, tags), correlations
 * (name), diagnostics (file, line). The prose (description, references...) stays on the main thread: it was 60% of
 * the text workers parsed at start-up.
 */
type WorkerMeta = Pick<RuleMeta, 'id' | 'title' | 'name' | 'status' | 'level' | 'tags' | 'logsource' | 'file' | 'line'>;

interface PortableRule {
  meta: WorkerMeta;
  detection: SnapshotText;
  witness?: { field: string; values: string[] };
  /** The rule's fields read, its filters' included (DetectionRule.reads). */
  reads: string[] | null;
  /** Filter ids (DetectionRule.filters) and, in the same order, the filters' indexes. */
  filters: string[];
  filterIndexes: number[];
}

export function toPortable(set: RuleSet): PortableRuleSet {
  const rules = set.rules.map((r): PortableRule => {
    const { detection, filters: ids, reads } = r;
    const meta: WorkerMeta = { id: r.id, title: r.title, name: r.name, status: r.status, level: r.level, tags: r.tags, logsource: r.logsource, file: r.file, line: r.line };
    const w = detection.witness;
    return {
      meta, detection: JSON.stringify(r.source!.node), reads, filters: ids, filterIndexes: appliedFilters(r).map((f) => set.filters.indexOf(f)),
      ...(w ? { witness: { field: w.field, values: [...w.values] } } : {}),
    };
  });
  return { rules, filters: set.filters.map((f) => JSON.stringify(f.source!.node)), correlations: set.correlations, files: set.files };
}

const NO_POSITION: Locate = () => undefined;

/** A detection whose witness is known up front and whose rest is compiled when first asked for. */
class LazyDetection implements CompiledDetection {
  private compiled?: CompiledDetection;
  constructor(
    private readonly source: SnapshotText,
    private readonly opts: CompileOptions,
    readonly witness?: Witness,
  ) {}
  private get full(): CompiledDetection {
    return (this.compiled ??= compileDetection(JSON.parse(this.source) as MapSnapshot, NO_POSITION, this.opts));
  }
  get test() { return this.full.test; }
  get selections() { return this.full.selections; }
  get conditions() { return this.full.conditions; }
  get reads() { return this.full.reads; }
  get warnings() { return this.full.warnings; }
}

/** The rule set of toPortable, each detection compiled on first use. */
export function fromPortable(p: PortableRuleSet, opts: CompileOptions): RuleSet {
  const filters = p.filters.map((f) => new LazyDetection(f, opts));
  const rules = p.rules.map((r) => {
    const detection = new LazyDetection(r.detection, opts, r.witness && { field: r.witness.field, values: new Set(r.witness.values) });
    const m = r.meta;
    // Spelled out: spreading the metadata and then adding keys cost 15 us per rule (45 ms at 3,000).
    const rule: DetectionRule = {
      id: m.id, title: m.title, name: m.name, status: m.status, level: m.level, tags: m.tags, references: [], falsepositives: [],
      logsource: m.logsource, file: m.file, line: m.line, kind: 'detection', detection, filters: r.filters, reads: r.reads,
      // On first call, the rule's test replaces itself with the compiled one: the detection AND its filters, in the
      // order load.ts applyFilters ANDs them.
      test: (rec) => {
        const tests = [detection.test, ...r.filterIndexes.map((i) => filters[i]!.test)];
        rule.test = tests.length === 1 ? tests[0]! : (x) => tests.every((t) => t(x));
        return rule.test(rec);
      },
    };
    return rule;
  });
  return { rules, filters: [], correlations: p.correlations, diagnostics: [], files: p.files };
}
