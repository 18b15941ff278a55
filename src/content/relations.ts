/**
 * Links between objects, read from the fields OpenTide and Tideline define (all by UUID or rule id):
 *   advisory.threats[] → TVM          TVM threat.chaining[].vector → TVM
 *   DOM objective.threats[] → TVM     CDM detection.vectors[] → TVM
 *   MDR detection_model → DOM (CDM in mdr::2.0)      MDR configurations.sigma.rule → Sigma rule
 * Relations are computed in both directions so a TVM page can list the rules that detect it.
 */
import type { ContentItem, ContentSet } from './load.js';
import type { ObjectKind } from './model.js';

export interface Link {
  field: string;
  path: (string | number)[];
  target: string;
  targetKind: 'object' | 'rule';
  targetKinds: ObjectKind[];
  /** For chaining links, the OpenTide relation (`sequence::preceeds`...). */
  relation?: string;
}

const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

export function outgoingLinks(item: ContentItem): Link[] {
  const links: Link[] = [];
  const obj = (field: string, path: (string | number)[], target: unknown, kinds: ObjectKind[], relation?: string) => {
    if (typeof target === 'string' && target) links.push({ field, path, target, targetKind: 'object', targetKinds: kinds, relation });
  };
  switch (item.kind) {
    case 'advisory':
      list(item.doc.advisory?.threats).forEach((t, i) => obj('advisory.threats', ['advisory', 'threats', i], t, ['tvm']));
      break;
    case 'tvm':
      list(item.doc.threat?.chaining).forEach((c, i) => {
        const ch = c as { vector?: unknown; relation?: unknown };
        obj('threat.chaining.vector', ['threat', 'chaining', i, 'vector'], ch?.vector, ['tvm'], typeof ch?.relation === 'string' ? ch.relation : undefined);
      });
      break;
    case 'dom':
      list(item.doc.objective?.threats).forEach((t, i) => obj('objective.threats', ['objective', 'threats', i], t, ['tvm']));
      break;
    case 'cdm':
      list((item.doc as { detection?: { vectors?: unknown } }).detection?.vectors).forEach((t, i) => obj('detection.vectors', ['detection', 'vectors', i], t, ['tvm']));
      break;
    case 'mdr': {
      obj('detection_model', ['detection_model'], item.doc.detection_model, ['dom', 'cdm']);
      const rule = item.doc.configurations?.sigma?.rule;
      if (typeof rule === 'string' && rule) links.push({ field: 'configurations.sigma.rule', path: ['configurations', 'sigma', 'rule'], target: rule, targetKind: 'rule', targetKinds: [] });
      break;
    }
  }
  return links;
}

export interface Relations {
  /** Objects this one points to. */
  out: Map<string, { link: Link; item?: ContentItem }[]>;
  /** Objects pointing to this one (by target UUID or rule id). */
  in: Map<string, { link: Link; from: ContentItem }[]>;
}

export function relations(set: ContentSet): Relations {
  const out: Relations['out'] = new Map();
  const inn: Relations['in'] = new Map();
  for (const item of set.objects) {
    const links = outgoingLinks(item);
    out.set(item.uuid, links.map((link) => ({ link, item: set.byUuid.get(link.target) })));
    for (const link of links) {
      const arr = inn.get(link.target) ?? [];
      arr.push({ link, from: item });
      inn.set(link.target, arr);
    }
  }
  return { out, in: inn };
}

/**
 * Sigma rule ids that detect a TVM: MDR → DOM → TVM (and MDR → CDM → TVM). The chain OpenTide draws from rule to threat.
 */
export function rulesDetecting(set: ContentSet, rel: Relations, tvmUuid: string): { rule: string; mdr: ContentItem; objective: ContentItem }[] {
  const found: { rule: string; mdr: ContentItem; objective: ContentItem }[] = [];
  for (const { from: objective } of rel.in.get(tvmUuid) ?? []) {
    if (objective.kind !== 'dom' && objective.kind !== 'cdm') continue;
    for (const { from: mdr } of rel.in.get(objective.uuid) ?? []) {
      if (mdr.kind !== 'mdr') continue;
      const rule = mdr.doc.configurations?.sigma?.rule;
      if (typeof rule === 'string') found.push({ rule, mdr, objective });
    }
  }
  return found;
}
