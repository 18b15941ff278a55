/**
 * Attack-chain coverage, measured: the advisory's steps are played as CloudTrail events (src/simulate), mixed into
 * benign noise, and the content's rules run over them with the hunt engine. A step is covered when at least one rule
 * fires on one of its events; a step whose calls draw no alert is a gap; a step without calls is reported as such
 * (it happens outside AWS, or while logging is off). Alerts on the noise are reported too: they are false positives.
 */
import { Detector } from '../detect/engine.js';
import { isCloudTrailRule } from '../detect/selection.js';
import type { JsonObject } from '../sigma/fields.js';
import type { DetectionRule } from '../sigma/rule.js';
import { simulateAdvisory, type Simulation } from '../simulate/simulate.js';
import { TrailTimeline, weakenedAlerts } from '../integrity/trails.js';
import type { Advisory } from './model.js';

export interface FiringRule {
  id: string;
  title: string;
  level?: string;
  /** Step events it fired on. */
  events: number;
}

export interface StepCoverage {
  index: number;
  name: string;
  techniques: string[];
  note?: string;
  /** CloudTrail events the step produced. */
  events: number;
  /** Step events no rule fired on (a partially covered step still counts as covered, but these are listed). */
  missed: { eventID: string; eventSource: string; eventName: string }[];
  rules: FiringRule[];
  /** Built-in detections (src/integrity) that fire on the step's events, such as "CloudTrail trail weakened". */
  builtin: FiringRule[];
  status: 'covered' | 'gap' | 'no-events';
}

export interface AdvisoryCoverage {
  advisory: { uuid: string; name: string; slug: string };
  steps: StepCoverage[];
  /** Every rule that fired on a step, in first-step order. */
  rules: FiringRule[];
  /** Rules that fired on benign background events: false positives. */
  noise: { id: string; title: string; events: number }[];
  noiseEvents: number;
  coveredSteps: number;
  /** Steps that produce CloudTrail events. */
  stepsWithEvents: number;
}

export interface CoverageOptions {
  seed?: string;
  /** Default: a fixed date, so coverage (and the documentation built from it) is reproducible. */
  start?: Date;
  noise?: number;
}

const DEFAULT_START = new Date('2026-01-15T09:00:00Z');

export function measureCoverage(advisory: Advisory, rules: DetectionRule[], opts: CoverageOptions = {}): AdvisoryCoverage {
  const sim = simulateAdvisory(advisory, { seed: opts.seed, start: opts.start ?? DEFAULT_START, noise: opts.noise });
  return coverageOf(advisory, sim, rules);
}

/** Coverage of a simulation already made (in memory or read back from a `tideline simulate` run). */
export function coverageOf(advisory: Advisory, sim: Pick<Simulation, 'records' | 'steps' | 'noiseEventIDs'>, rules: DetectionRule[]): AdvisoryCoverage {
  const detector = new Detector(rules.filter(isCloudTrailRule));
  const hits = new Map<string, DetectionRule[]>();
  const timeline = new TrailTimeline();
  sim.records.forEach((rec, i) => {
    const id = rec.eventID;
    if (typeof id === 'string') hits.set(id, detector.match(rec as JsonObject));
    timeline.add(rec as JsonObject, 'simulation', i);
  });
  // The trail's own posture is evidence too: a call that weakens a trail (its log bucket deleted, expiring...) is
  // detected by the built-in detection whatever the Sigma rules say (README: "Verifying the trail itself").
  const builtinHits = new Map<string, { id: string; title: string; level: string | null }>();
  for (const a of weakenedAlerts(timeline.build())) if (typeof a.event.eventID === 'string') builtinHits.set(a.event.eventID, a.rule);
  const byId = new Map(sim.records.map((r) => [r.eventID as string, r]));
  const allRules = new Map<string, FiringRule>();
  const steps: StepCoverage[] = advisory.advisory.attack_chain.map((step, i) => {
    const ids = sim.steps.find((s) => s.index === i + 1)?.eventIDs ?? [];
    const firing = new Map<string, FiringRule>();
    const builtin = new Map<string, FiringRule>();
    const missed: StepCoverage['missed'] = [];
    for (const id of ids) {
      const matched = hits.get(id) ?? [];
      const b = builtinHits.get(id);
      if (b) {
        const f = builtin.get(b.id) ?? { id: b.id, title: b.title, level: b.level ?? undefined, events: 0 };
        f.events++;
        builtin.set(b.id, f);
      }
      if (matched.length === 0) {
        const r = byId.get(id) ?? {};
        missed.push({ eventID: id, eventSource: String(r.eventSource ?? ''), eventName: String(r.eventName ?? '') });
      }
      for (const r of matched) {
        const f = firing.get(r.id) ?? { id: r.id, title: r.title, level: r.level, events: 0 };
        f.events++;
        firing.set(r.id, f);
        const all = allRules.get(r.id) ?? { id: r.id, title: r.title, level: r.level, events: 0 };
        all.events++;
        allRules.set(r.id, all);
      }
    }
    const status = ids.length === 0 ? 'no-events' : firing.size > 0 || builtin.size > 0 ? 'covered' : 'gap';
    return { index: i + 1, name: step.name, techniques: step['att&ck'] ?? [], note: step.note, events: ids.length, missed, rules: [...firing.values()], builtin: [...builtin.values()], status };
  });
  const noise = new Map<string, { id: string; title: string; events: number }>();
  for (const id of sim.noiseEventIDs) {
    for (const r of hits.get(id) ?? []) {
      const n = noise.get(r.id) ?? { id: r.id, title: r.title, events: 0 };
      n.events++;
      noise.set(r.id, n);
    }
  }
  return {
    advisory: { uuid: advisory.metadata.uuid, name: advisory.name, slug: advisory.advisory.slug },
    steps,
    rules: [...allRules.values()],
    noise: [...noise.values()],
    noiseEvents: sim.noiseEventIDs.length,
    coveredSteps: steps.filter((s) => s.status === 'covered').length,
    stepsWithEvents: steps.filter((s) => s.status !== 'no-events').length,
  };
}
