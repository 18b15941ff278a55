/**
 * Saving an edited (or new) advisory or TVM: one function shared by the web editor and the REST API, so both validate,
 * version and record history the same way.
 *
 * A save names the version it was based on; if the stored object has moved on since, the save is refused (no lost
 * updates). The stored YAML is patched rather than regenerated, so the comments and key order of untouched fields
 * survive an edit (content is kept in git and reviewed as text).
 */
import { randomUUID } from 'node:crypto';
import { Document, isMap, isScalar, parseDocument, type Pair, type YAMLMap } from 'yaml';
import type { ContentItem } from '../content/load.js';
import { outgoingLinks } from '../content/relations.js';
import { validateSchema } from '../content/schema.js';
import { readYamlSource } from '../content/source.js';
import { can, TLPS, tlpRank, type Viewer } from './access.js';
import { putObject, refreshDerived } from './content.js';
import { audit, type Db } from './db.js';

export type EditableKind = 'advisory' | 'tvm';
export const EDITABLE_KINDS: readonly EditableKind[] = ['advisory', 'tvm'];

export interface SaveInput {
  /** Absent for a new object. */
  uuid?: string;
  /** For a new object: the UUID to give it (an API client importing an advisory); a fresh UUIDv4 otherwise. */
  newUuid?: string;
  kind: EditableKind;
  /** The whole object as it should be stored; metadata.uuid/version/created/modified are set here, not trusted. */
  doc: Record<string, unknown>;
  /** The version the editor started from (0 or absent for a new object). */
  baseVersion?: number;
}

/** A problem with the submitted object; `path` is the dotted data path (`advisory.threats.1`), '' for the whole. */
export interface FieldError {
  path: string;
  message: string;
}

export type SaveResult =
  | { ok: true; uuid: string; version: number; slug: string | null; created: boolean }
  | { ok: false; errors: FieldError[] }
  | { ok: false; conflict: number }
  | { ok: false; notFound: true }
  | { ok: false; denied: string };

const SCHEMA: Record<EditableKind, string> = { advisory: 'advisory::1.0', tvm: 'tvm::2.1' };
const FOLDER: Record<EditableKind, string> = { advisory: 'advisories', tvm: 'threat-vectors' };

const META_ORDER = ['uuid', 'schema', 'version', 'created', 'modified', 'tlp'];

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
export const today = (): string => new Date().toISOString().slice(0, 10);

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  if (isObj(a) && isObj(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => Object.hasOwn(b, k) && deepEqual(a[k], b[k]));
  }
  return false;
}

const pairKey = (p: Pair): string => String(isScalar(p.key) ? p.key.value : p.key);

/** No re-folding of long lines and `[a, b]` flow lists, as the bundled content is written. */
const STYLE = { lineWidth: 0, flowCollectionPadding: false } as const;

/** Applies `after` onto a YAML map whose data was `before`, touching only what changed. */
function patchMap(d: Document, node: YAMLMap, before: Obj, after: Obj): void {
  node.items = node.items.filter((p) => Object.hasOwn(after, pairKey(p)));
  for (const [k, v] of Object.entries(after)) {
    const pair = node.items.find((p) => pairKey(p) === k);
    if (!pair) {
      // Keep the map's key style: OpenTide reference maps use plain numbers (1:, 2:), not strings.
      const numeric = /^\d+$/.test(k) && node.items.length > 0 && node.items.every((p) => isScalar(p.key) && typeof p.key.value === 'number');
      node.items.push(d.createPair(numeric ? Number(k) : k, v));
      continue;
    }
    const b = before[k];
    if (isObj(b) && isObj(v) && isMap(pair.value)) patchMap(d, pair.value, b, v);
    else if (!deepEqual(b, v)) pair.value = d.createNode(v);
  }
}

/** The YAML text for `doc`: the stored text patched when there is one (keeps comments), else freshly written. */
export function serialise(doc: Obj, storedYaml?: string): string {
  if (storedYaml !== undefined) {
    const d = parseDocument(storedYaml);
    const before = d.errors.length ? undefined : (d.toJS() as unknown);
    if (isObj(before) && isMap(d.contents)) {
      patchMap(d, d.contents, before, doc);
      const text = d.toString(STYLE);
      // The patch must give exactly the validated data; if anything is off (anchors, odd keys), write it afresh.
      if (deepEqual(parseDocument(text).toJS(), doc)) return text;
    }
  }
  return new Document(doc).toString(STYLE);
}

/** A file name for a new object, unique among stored paths. */
function newPath(db: Db, kind: EditableKind, name: string, uuid: string): string {
  const base = name.normalize('NFKC').replace(/[^\p{L}\p{N} ._()&-]+/gu, ' ').replace(/\s+/g, ' ').trim().slice(0, 100) || uuid;
  const p = `${FOLDER[kind]}/${base}.yaml`;
  return db.prepare('SELECT 1 FROM objects WHERE path = ?').get(p) ? `${FOLDER[kind]}/${base} ${uuid.slice(0, 8)}.yaml` : p;
}

/**
 * Validates and stores an object (new version, history, derived data, audit) in one transaction. Never throws for bad
 * input: returns the errors, a conflict with the current version, or why it was refused.
 */
export function saveObject(db: Db, viewer: Viewer, input: SaveInput): SaveResult {
  if (!can.edit(viewer) || !viewer.user) return { ok: false, denied: `your role (${viewer.role}) cannot edit content` };
  const user = viewer.user.username;
  const { kind } = input;
  if (!EDITABLE_KINDS.includes(kind)) return { ok: false, errors: [{ path: '', message: `only ${EDITABLE_KINDS.join(' and ')} objects can be edited here` }] };
  if (!isObj(input.doc)) return { ok: false, errors: [{ path: '', message: 'the object must be a mapping' }] };

  const run = db.transaction((): SaveResult => {
    const existing = input.uuid
      ? (db.prepare('SELECT uuid, kind, version, created, tlp_rank, path, yaml, doc FROM objects WHERE uuid = ?').get(input.uuid) as
          | { uuid: string; kind: string; version: number; created: string; tlp_rank: number; path: string; yaml: string; doc: string }
          | undefined)
      : undefined;
    // An object the editor may not see is reported as absent, exactly like reads do.
    if (input.uuid && (!existing || existing.kind !== kind || existing.tlp_rank > viewer.clearance)) return { ok: false, notFound: true };
    if (existing && (input.baseVersion ?? 0) !== existing.version) return { ok: false, conflict: existing.version };

    if (!existing && input.newUuid && db.prepare('SELECT 1 FROM objects WHERE uuid = ?').get(input.newUuid)) {
      return { ok: false, errors: [{ path: 'metadata.uuid', message: `an object with UUID ${input.newUuid} exists; omit metadata.uuid to get a new one` }] };
    }
    const uuid = existing?.uuid ?? input.newUuid ?? randomUUID();
    const doc = structuredClone(input.doc);
    const givenMeta = isObj(doc.metadata) ? doc.metadata : {};
    const stored = existing ? (JSON.parse(existing.doc) as Obj) : undefined;
    const storedMeta = stored && isObj(stored.metadata) ? stored.metadata : undefined;
    const merged: Obj = {
      ...(storedMeta ?? {}),
      ...givenMeta,
      uuid,
      schema: (storedMeta?.schema as string | undefined) ?? SCHEMA[kind],
      version: (existing?.version ?? 0) + 1,
      created: (storedMeta?.created as string | undefined) ?? existing?.created ?? today(),
      modified: today(),
    };
    if (!existing && merged.author === undefined && merged.organisation === undefined) merged.author = user;
    // New objects get the envelope's usual key order (stored ones keep theirs: the YAML is patched in place).
    const meta: Obj = Object.fromEntries([...META_ORDER.filter((k) => k in merged).map((k) => [k, merged[k]]), ...Object.entries(merged).filter(([k]) => !META_ORDER.includes(k))]);
    // Keep the envelope's key order: name, metadata first for new objects; the stored order otherwise (serialise).
    const final: Obj = existing ? { ...doc, metadata: meta } : { name: doc.name, ...doc, metadata: meta };

    const errors: FieldError[] = validateSchema(kind, final).map((p) => ({ path: p.path.join('.'), message: p.message }));
    const tlp = String(meta.tlp ?? '');
    if ((TLPS as readonly string[]).includes(tlp) && tlpRank(tlp) > viewer.clearance) {
      errors.push({ path: 'metadata.tlp', message: `TLP:${tlp.toUpperCase()} is above your clearance (TLP:${(TLPS[viewer.clearance] ?? 'clear').toUpperCase()}); you could no longer see the object` });
    }
    const name = typeof final.name === 'string' ? final.name : '';
    const item = { kind, doc: final, uuid, name } as unknown as ContentItem;
    // Links must name existing objects of the right kind (that this editor may see): one query for all of them.
    const links = outgoingLinks(item).filter((l) => l.targetKind === 'object');
    if (links.length) {
      const found = new Map(
        (db.prepare('SELECT uuid, kind FROM objects WHERE uuid IN (SELECT value FROM json_each(?)) AND tlp_rank <= ?').all(JSON.stringify(links.map((l) => l.target)), viewer.clearance) as { uuid: string; kind: string }[]).map((r) => [r.uuid, r.kind]),
      );
      for (const l of links) {
        const k = found.get(l.target);
        if (!k) errors.push({ path: l.path.join('.'), message: `${l.field}: no ${l.targetKinds.map((t) => t.toUpperCase()).join(' or ')} with UUID ${l.target}` });
        else if (!(l.targetKinds as string[]).includes(k)) errors.push({ path: l.path.join('.'), message: `${l.field}: ${l.target} is a ${k.toUpperCase()}, expected a ${l.targetKinds.map((t) => t.toUpperCase()).join(' or ')}` });
      }
    }
    const adv = kind === 'advisory' && isObj(final.advisory) ? final.advisory : undefined;
    const slug = typeof adv?.slug === 'string' ? adv.slug : null;
    if (slug && db.prepare('SELECT 1 FROM objects WHERE slug = ? AND uuid != ?').get(slug, uuid)) errors.push({ path: 'advisory.slug', message: `another advisory already uses the slug '${slug}'` });
    if (errors.length) return { ok: false, errors };

    const path = existing?.path ?? newPath(db, kind, name, uuid);
    const text = serialise(final, existing?.yaml);
    const src = readYamlSource(path, text);
    putObject(db, { kind, doc: src.value, file: path, src, uuid, name } as ContentItem, path, user);
    // Coverage depends on the advisory's own chain only; a TVM save refreshes rule TLPs and no advisory.
    refreshDerived(db, uuid);
    audit(db, user, existing ? `${kind}.update` : `${kind}.create`, uuid, { version: meta.version, name });
    return { ok: true, uuid, version: meta.version as number, slug, created: !existing };
  });
  return run.immediate();
}
