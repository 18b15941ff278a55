/**
 * JSON Schema validation of content objects (data/schemas/*.schema.json, draft-07, ajv).
 *
 * Two custom keywords keep vocabularies and ATT&CK as data, like OpenTide's `tide.vocab`:
 *   tideVocab: <vocabulary key>   the string must be an entry of data/vocabularies/<key>.yaml
 *   tideAttack: true              the technique id must exist in ATT&CK v18.1 or the v19 mapping
 * Their errors carry their own messages ("did you mean ...") so a user sees a vocabulary mistake as one, not as an enum dump.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { dataDir } from '../paths.js';
import { attack } from './attack.js';
import type { ObjectKind } from './model.js';
import { suggest, vocabularies } from './vocabularies.js';

export const SCHEMA_FILES: Record<ObjectKind | 'sigma', string> = {
  advisory: 'advisory.schema.json',
  tvm: 'tvm.schema.json',
  dom: 'dom.schema.json',
  mdr: 'mdr.schema.json',
  cdm: 'cdm.schema.json',
  sigma: 'sigma-rule.schema.json',
};

/** A schema problem: where (a data path) and what. */
export interface SchemaProblem {
  path: (string | number)[];
  /** Point at the key rather than the value (unknown or missing fields). */
  atKey: boolean;
  message: string;
  /** `vocabulary` and `attack` problems are their own class in reports and tests. */
  kind: 'schema' | 'vocabulary' | 'attack';
}

let validators: Map<string, ValidateFunction> | undefined;

function build(): Map<string, ValidateFunction> {
  const ajv = new Ajv({ allErrors: true, strict: false });
  // ajv-formats is CommonJS; its default export is the function under ESM interop.
  const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (a: Ajv) => Ajv;
  addFormats(ajv);
  ajv.addKeyword({
    keyword: 'tideVocab',
    schemaType: 'string',
    errors: true,
    validate: function vocab(key: string, data: unknown): boolean {
      if (typeof data !== 'string') return true; // `type` reports it
      const v = vocabularies().get(key);
      if (!v || v.lookup(data)) return true;
      const hint = suggest(v, data);
      (vocab as { errors?: Partial<ErrorObject>[] }).errors = [
        { keyword: 'tideVocab', message: `'${data}' is not in the ${v.name} vocabulary${hint ? ` (did you mean '${hint}'?)` : ''}`, params: { vocabulary: key } },
      ];
      return false;
    },
  });
  ajv.addKeyword({
    keyword: 'tideAttack',
    schemaType: 'boolean',
    errors: true,
    validate: function technique(_: boolean, data: unknown): boolean {
      if (typeof data !== 'string' || attack().technique(data)) return true;
      (technique as { errors?: Partial<ErrorObject>[] }).errors = [{ keyword: 'tideAttack', message: `unknown ATT&CK technique '${data}' (not in ATT&CK Enterprise v18.1 nor in the v19 mapping; the Mobile and ICS matrices are not bundled)`, params: {} }];
      return false;
    },
  });
  const dir = join(dataDir(), 'schemas');
  for (const f of readdirSync(dir).filter((f) => f.endsWith('.schema.json'))) ajv.addSchema(JSON.parse(readFileSync(join(dir, f), 'utf8')), f);
  const out = new Map<string, ValidateFunction>();
  for (const [kind, f] of Object.entries(SCHEMA_FILES)) {
    const fn = ajv.getSchema(f);
    if (fn) out.set(kind, fn);
  }
  return out;
}

export function validateSchema(kind: ObjectKind | 'sigma', value: unknown): SchemaProblem[] {
  validators ??= build();
  const fn = validators.get(kind);
  if (!fn) return [];
  return fn(value) ? [] : explain(fn.errors ?? []);
}

const decode = (p: string): (string | number)[] =>
  p === '' ? [] : p.slice(1).split('/').map((s) => (/^\d+$/.test(s) ? Number(s) : s.replace(/~1/g, '/').replace(/~0/g, '~')));

/**
 * ajv reports every failed branch of oneOf/anyOf/if. Keep what a person needs: when a branch failed deeper than the
 * alternative itself (the value had the right shape but a bad part), that deeper error; otherwise one line naming the
 * alternatives.
 */
function explain(errors: ErrorObject[]): SchemaProblem[] {
  const out: SchemaProblem[] = [];
  const dropped = new Set<ErrorObject>();
  for (const e of errors) {
    if (e.keyword !== 'oneOf' && e.keyword !== 'anyOf') continue;
    const prefix = e.schemaPath + '/';
    const branch = errors.filter((b) => b.schemaPath.startsWith(prefix));
    const deeper = branch.filter((b) => b.instancePath !== e.instancePath || !['type', 'required', 'const', 'enum'].includes(b.keyword));
    if (deeper.length > 0) {
      for (const b of branch) if (!deeper.includes(b)) dropped.add(b);
      dropped.add(e);
    } else {
      for (const b of branch) dropped.add(b);
      const required = branch.filter((b) => b.keyword === 'required').map((b) => String(b.params.missingProperty));
      const types = [...new Set(branch.filter((b) => b.keyword === 'type').map((b) => String(b.params.type)))];
      const passing = (e.params as { passingSchemas?: number[] | null }).passingSchemas;
      const message = passing
        ? 'matches more than one allowed form (e.g. both metadata and meta): keep one'
        : required.length === branch.length
          ? `needs one of: ${required.join(', ')}`
          : types.length
            ? `must be ${types.join(' or ')}`
            : (e.message ?? 'is not valid');
      out.push({ path: decode(e.instancePath), atKey: false, message, kind: 'schema' });
      dropped.add(e);
    }
  }
  for (const e of errors) {
    if (dropped.has(e) || e.keyword === 'if') continue;
    const path = decode(e.instancePath);
    const where = path.length ? path.join('.') : 'the object';
    switch (e.keyword) {
      case 'required':
        out.push({ path, atKey: false, message: `${where}: missing required field '${String(e.params.missingProperty)}'`, kind: 'schema' });
        break;
      case 'additionalProperties':
        out.push({ path: [...path, String(e.params.additionalProperty)], atKey: true, message: `unknown field '${String(e.params.additionalProperty)}' in ${where}`, kind: 'schema' });
        break;
      case 'propertyNames':
        out.push({ path: [...path, String(e.params.propertyName)], atKey: true, message: `'${String(e.params.propertyName)}' is not an allowed key in ${where}`, kind: 'schema' });
        break;
      case 'tideVocab':
        out.push({ path, atKey: false, message: `${where}: ${e.message}`, kind: 'vocabulary' });
        break;
      case 'tideAttack':
        out.push({ path, atKey: false, message: `${where}: ${e.message}`, kind: 'attack' });
        break;
      case 'enum':
        out.push({ path, atKey: false, message: `${where} must be one of: ${(e.params.allowedValues as unknown[]).join(', ')}`, kind: 'schema' });
        break;
      case 'const':
        out.push({ path, atKey: false, message: `${where} must be '${String(e.params.allowedValue)}'`, kind: 'schema' });
        break;
      default:
        out.push({ path, atKey: false, message: `${where} ${e.message ?? 'is not valid'}`, kind: 'schema' });
    }
  }
  // propertyNames also reports the name itself as an instance error; keep one line per place and message.
  const seen = new Set<string>();
  return out.filter((p) => {
    const k = `${p.path.join('/')}\u0000${p.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** Every vocabulary key the schemas use must exist: checked in tests so a renamed data file cannot pass silently. */
export function vocabularyKeysUsed(): string[] {
  const keys = new Set<string>();
  const dir = join(dataDir(), 'schemas');
  for (const f of readdirSync(dir).filter((f) => f.endsWith('.schema.json'))) {
    for (const m of readFileSync(join(dir, f), 'utf8').matchAll(/"tideVocab":\s*"([^"]+)"/g)) keys.add(m[1]!);
  }
  return [...keys].sort();
}
