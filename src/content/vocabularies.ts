/**
 * Vocabularies are data (data/vocabularies/*.yaml), not code: each entry has an id, the name objects store, an icon and
 * a description that documentation renders next to the value. Names match case-sensitively, as in OpenTide.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { dataDir } from '../paths.js';

export interface VocabularyEntry {
  id: string;
  name: string;
  icon?: string;
  description: string;
  link?: string;
  stage?: string;
  [extra: string]: unknown;
}

export interface Vocabulary {
  /** File base name, e.g. `leverage`; JSON Schemas name vocabularies by it (`tideVocab: leverage`). */
  key: string;
  name: string;
  fields: string[];
  description: string;
  icon?: string;
  /** Values are written `<stage>::<name>` (Chaining Relations: `sequence::preceeds`). */
  scoped?: boolean;
  /** A scoped vocabulary whose plain names are accepted too (Signal Entities: `Account` as well as `cloud::Account`). */
  acceptPlain?: boolean;
  entries: VocabularyEntry[];
  /** Finds an entry by the value an object stores (the name, or `stage::name` for scoped vocabularies). */
  lookup(value: string): VocabularyEntry | undefined;
}

let cache: Map<string, Vocabulary> | undefined;

export function vocabularies(): Map<string, Vocabulary> {
  if (cache) return cache;
  const dir = join(dataDir(), 'vocabularies');
  cache = new Map();
  for (const f of readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort()) {
    let raw: Omit<Vocabulary, 'key' | 'lookup'>;
    try {
      raw = parseYaml(readFileSync(join(dir, f), 'utf8')) as Omit<Vocabulary, 'key' | 'lookup'>;
    } catch (e) {
      throw new Error(`vocabulary ${join(dir, f)} is broken: ${(e as Error).message.split('\n')[0]}`);
    }
    const key = basename(f, '.yaml');
    const byValue = new Map<string, VocabularyEntry>();
    for (const e of raw.entries ?? []) {
      const stages = Array.isArray(e.stages) ? (e.stages as string[]) : e.stage ? [e.stage] : [];
      if (!raw.scoped || raw.acceptPlain || stages.length === 0) byValue.set(String(e.name), e);
      for (const st of stages) byValue.set(`${st}::${e.name}`, e);
    }
    cache.set(key, { ...raw, key, fields: raw.fields ?? [], entries: raw.entries ?? [], lookup: (v) => byValue.get(v) });
  }
  return cache;
}

export function vocabulary(key: string): Vocabulary {
  const v = vocabularies().get(key);
  if (!v) throw new Error(`no vocabulary '${key}' in ${join(dataDir(), 'vocabularies')}`);
  return v;
}

/** The closest entry names to a wrong value, for "did you mean" hints: same letters ignoring case and spacing first. */
export function suggest(v: Vocabulary, value: string): string | undefined {
  const norm = (s: string) => s.toLowerCase().replace(/[^a-z0-9]/g, '');
  const n = norm(value.includes('::') && !v.scoped ? value.split('::').pop()! : value);
  const names = v.entries.map((e) => (v.scoped && e.stage ? `${e.stage}::${e.name}` : e.name));
  return (
    names.find((name) => norm(name) === n) ??
    names.find((name) => norm(name.split('::').pop()!) === n) ?? // scoped value written without its stage
    names.find((name) => norm(name).startsWith(n) || n.startsWith(norm(name)))
  );
}
