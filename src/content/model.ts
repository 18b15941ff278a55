/**
 * The content objects Tideline keeps in git, one per YAML file, linked by UUID.
 *
 * Every object shares OpenTide's envelope: `name`, `metadata` (uuid, schema, version, dates, tlp, organisation),
 * optional `references`, and one body key named by its kind (`threat`, `objective`, `configurations`, `advisory`).
 * OpenTide objects (TVM, DOM, MDR, legacy CDM) are kept exactly as OpenTide writes them so that import/export round-trips;
 * the advisory is Tideline's own kind, built on the same envelope. Sigma rules are not in this model: they keep their
 * own format (src/sigma) and are linked from MDRs by rule id.
 */

export type ObjectKind = 'advisory' | 'tvm' | 'dom' | 'mdr' | 'cdm';

export type Tlp = 'clear' | 'green' | 'amber' | 'amber+strict' | 'red';

export interface Organisation {
  uuid: string;
  name: string;
}

export interface Metadata {
  uuid: string;
  schema: string;
  version: number;
  created: string;
  modified: string;
  tlp: Tlp;
  author?: string;
  contributors?: string[];
  organisation?: Organisation;
  [extra: string]: unknown;
}

/** `public` keys are `1`, `2`...; `internal` keys `a`, `b`...; values are URLs. */
export interface References {
  public?: Record<string, string>;
  internal?: Record<string, string>;
  [extra: string]: unknown;
}

interface Envelope {
  name: string;
  metadata: Metadata;
  references?: References;
}

export interface ThreatChaining {
  relation: string;
  vector: string;
  description: string;
}

export interface ThreatActor {
  name: string;
  sighting?: string;
  references?: string[];
}

/** `tvm::2.0` / `tvm::2.1` body. Key order matters for rendering (OpenTide renders model data in YAML key order). */
export interface ThreatBody {
  'att&ck': string[];
  terrain: string;
  description: string;
  severity: string;
  leverage: string[];
  impact: string[];
  viability: string;
  killchain?: string | string[];
  domains?: string[];
  targets?: string[];
  platforms?: string[];
  surface?: string[];
  actors?: (string | ThreatActor)[];
  chaining?: ThreatChaining[];
  cve?: string[];
  misp?: string[];
  [extra: string]: unknown;
}

export interface Tvm extends Envelope {
  criticality: string;
  threat: ThreatBody;
}

export interface Signal {
  name: string;
  uuid: string;
  description: string;
  severity: string;
  data: { availability: string; requirements: string; logsources: string[] };
  methodology: string;
  entities: string[];
  effort?: number;
  detectors?: unknown[];
  examples?: unknown[];
  [extra: string]: unknown;
}

/** `dom::1.0` detection objective: what to detect about which threats (TVM UUIDs). */
export interface Dom extends Envelope {
  objective: {
    priority: string;
    type: string;
    description: string;
    composition: { strategy: string; description: string };
    signals: Signal[];
    threats?: string[];
    'att&ck'?: string[];
    investment?: string;
    [extra: string]: unknown;
  };
}

/**
 * Tideline's own MDR system block: the Sigma rule this MDR deploys (OpenTide MDRs carry one block per SIEM; a Sigma
 * rule is the source every other block can be converted from).
 */
export interface SigmaSystemBlock {
  schema: string;
  status: string;
  rule: string;
  [extra: string]: unknown;
}

/** `mdr::2.0` / `mdr::2.1` managed detection rule. */
export interface Mdr extends Envelope {
  description: string;
  detection_model?: string;
  response: { alert_severity: string; playbook?: string; responders?: string; procedure?: unknown; [extra: string]: unknown };
  configurations: { sigma?: SigmaSystemBlock; [system: string]: unknown };
  [extra: string]: unknown;
}

/** One API call a step of an attack chain produces: a partial CloudTrail record that `simulate` completes. */
export interface ChainCall {
  eventSource: string;
  eventName: string;
  /** How many times the call is made in the step (default 1). */
  count?: number;
  requestParameters?: Record<string, unknown> | null;
  responseElements?: Record<string, unknown> | null;
  additionalEventData?: Record<string, unknown>;
  errorCode?: string;
  errorMessage?: string;
  readOnly?: boolean;
  eventType?: string;
  [extra: string]: unknown;
}

export interface ChainStep {
  name: string;
  description: string;
  'att&ck'?: string[];
  /** CloudTrail calls the step produces; none for steps that happen outside AWS or while logging is off. */
  calls?: ChainCall[];
  /** Why a step produces no CloudTrail events, shown in coverage. */
  note?: string;
}

export type AdvisorySeverity = 'informational' | 'low' | 'medium' | 'high' | 'critical';

/** `advisory::1.0`: a threat-feed brief. Its detection coverage is computed (see coverage), never stored. */
export interface Advisory extends Envelope {
  advisory: {
    slug: string;
    severity: AdvisorySeverity;
    status: 'draft' | 'published' | 'retired';
    summary: string;
    description: string;
    attack_chain: ChainStep[];
    impact: string;
    recommendations: string[];
    /** TVM UUIDs the advisory is about. */
    threats?: string[];
    'att&ck'?: string[];
    logsources?: { product?: string; service?: string; category?: string }[];
    [extra: string]: unknown;
  };
}

export type ContentObject =
  | ({ kind: 'advisory' } & { doc: Advisory })
  | ({ kind: 'tvm' } & { doc: Tvm })
  | ({ kind: 'dom' } & { doc: Dom })
  | ({ kind: 'mdr' } & { doc: Mdr })
  | ({ kind: 'cdm' } & { doc: Envelope & Record<string, unknown> });

/** The kind an object claims, from `metadata.schema` (`tvm::2.1` → tvm); MDRs may still use the deprecated `meta`. */
export function kindOfSchema(schema: unknown): ObjectKind | undefined {
  if (typeof schema !== 'string') return undefined;
  const prefix = schema.split('::')[0];
  return (['advisory', 'tvm', 'dom', 'mdr', 'cdm'] as const).find((k) => k === prefix);
}
