/**
 * ATT&CK techniques and tactics, offline and version-aware.
 *
 * The data are v18.1 (data/attack/enterprise-attack-18.1-techniques.json) plus what is known of v19 (data/attack/v19.yaml).
 * v19 revoked some v18 techniques with new ids (T1562.008 → T1685.002) and split Defense Evasion into Stealth and Defense
 * Impairment. Content from both eras meets here: OpenTide and feeds write v18 ids, current SigmaHQ rules write v19 tags.
 * Either id resolves to one Technique that knows both names, so coverage and relations match across versions.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { dataDir } from '../paths.js';

export interface Tactic {
  id?: string;
  name: string;
  shortname: string;
  version: 18 | 19;
}

export interface Technique {
  /** The v18 id when the technique exists in v18, else its v19 id. Used as the key everywhere. */
  id: string;
  name: string;
  url: string;
  tactics: Tactic[];
  description?: string;
  platforms?: string[];
  revoked?: boolean;
  deprecated?: boolean;
  /** The v19 technique that revoked this one, when known. */
  v19?: { id: string; name: string; tactics: Tactic[] };
}

interface RawTechnique {
  id: string;
  name: string;
  tactics: string[];
  platforms: string[];
  url: string;
  revoked: boolean;
  deprecated: boolean;
  description: string;
}
interface V19Data {
  tactics: { id?: string; name: string; shortname: string }[];
  techniques: { id: string; name: string; revokes?: string; tactics: string[] }[];
}

export interface AttackCatalog {
  technique(id: string): Technique | undefined;
  tactic(nameOrId: string): Tactic | undefined;
  /** Tactics in matrix order (v18 then the v19 additions). */
  tactics(): Tactic[];
}

let catalog: AttackCatalog | undefined;

/** The bundled catalog, read once. */
export function attack(): AttackCatalog {
  catalog ??= buildCatalog(
    JSON.parse(readFileSync(join(dataDir(), 'attack', 'enterprise-attack-18.1-techniques.json'), 'utf8')) as { tactics: { id: string; name: string; shortname: string }[]; techniques: RawTechnique[] },
    parseYaml(readFileSync(join(dataDir(), 'attack', 'v19.yaml'), 'utf8')) as V19Data,
  );
  return catalog;
}

export const techniqueUrl = (id: string): string => `https://attack.mitre.org/techniques/${id.replace('.', '/')}`;

function buildCatalog(v18: { tactics: { id: string; name: string; shortname: string }[]; techniques: RawTechnique[] }, v19: V19Data): AttackCatalog {
  const tactics = new Map<string, Tactic>();
  const ordered: Tactic[] = [];
  const addTactic = (t: Tactic) => {
    ordered.push(t);
    for (const k of [t.shortname, t.name.toLowerCase(), t.id?.toLowerCase()]) if (k) tactics.set(k, t);
  };
  for (const t of v18.tactics) addTactic({ ...t, version: 18 });
  for (const t of v19.tactics) addTactic({ ...t, version: 19 });
  const tacticsOf = (names: string[]) => names.map((n) => tactics.get(n)).filter((t): t is Tactic => t !== undefined);

  const byId = new Map<string, Technique>();
  for (const r of v18.techniques) {
    byId.set(r.id, { id: r.id, name: r.name, url: r.url, tactics: tacticsOf(r.tactics), description: r.description, platforms: r.platforms, revoked: r.revoked, deprecated: r.deprecated });
  }
  for (const n of v19.techniques) {
    const v19Part = { id: n.id, name: n.name, tactics: tacticsOf(n.tactics) };
    const old = n.revokes ? byId.get(n.revokes) : undefined;
    if (old) {
      old.v19 = v19Part;
      byId.set(n.id, old);
    } else {
      byId.set(n.id, { id: n.id, name: n.name, url: techniqueUrl(n.id), tactics: v19Part.tactics });
    }
  }
  return {
    technique: (id) => byId.get(normaliseTechniqueId(id)),
    tactic: (k) => tactics.get(k.toLowerCase().replace(/^attack\./, '').replace(/ /g, '-')) ?? tactics.get(k.toLowerCase()),
    tactics: () => ordered,
  };
}

/** `t1562.008`, `attack.t1562.008`, `T1562/008` → `T1562.008`. */
export function normaliseTechniqueId(id: string): string {
  return id.trim().replace(/^attack\./i, '').replace('/', '.').toUpperCase();
}

/** A Sigma tag names a technique (`attack.t1562.008`) or a tactic (`attack.defense-evasion`); others are not ATT&CK. */
export function parseAttackTag(tag: string): { technique: string } | { tactic: string } | undefined {
  const m = /^attack\.(.+)$/i.exec(tag);
  if (!m) return undefined;
  if (/^t\d{4}(\.\d{3})?$/i.test(m[1]!)) return { technique: m[1]!.toUpperCase() };
  if (/^[a-z-]+$/.test(m[1]!)) return { tactic: m[1]! };
  return undefined; // groups (g0016), software (s0002), campaigns: not techniques
}

/** "T1562.008 Disable or Modify Cloud Logs" (+ the v19 id and name when it was renumbered). */
export function techniqueLabel(t: Technique): string {
  return t.v19 ? `${t.id} ${t.name} (v19: ${t.v19.id} ${t.v19.name})` : `${t.id} ${t.name}`;
}
