/**
 * Saving an advisory from the API: the body is YAML text (`{yaml}`) or the object as JSON. Parsing and error positions
 * are the API's business; validation, versioning, history and storage are the editor's (src/store/edit.ts
 * `saveObject`), so both paths accept and refuse exactly the same objects.
 */
import { Document } from 'yaml';
import { readYamlSource } from '../../content/source.js';
import type { Viewer } from '../../store/access.js';
import type { Db } from '../../store/db.js';
import { saveObject } from '../../store/edit.js';
import type { ObjectRow } from '../../store/queries.js';
import { HttpError } from '../app.js';

export interface Problem {
  /** Dotted data path (`advisory.attack_chain.0.name`); '' for the whole document. */
  path: string;
  message: string;
  line?: number;
  col?: number;
}

/** 422 carrying the problems; the API handler sends them as `{error, errors}`. */
export class Unprocessable extends Error {
  constructor(readonly errors: Problem[]) {
    super('the advisory is not valid');
  }
}

/** YAML text from the request body: `{yaml: "..."}` or the object itself. */
function bodyText(body: unknown): string {
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw new Unprocessable([{ path: '', message: 'body must be {"yaml": "..."} or the advisory object' }]);
  const b = body as Record<string, unknown>;
  if ('yaml' in b && !('metadata' in b)) {
    if (typeof b.yaml !== 'string') throw new Unprocessable([{ path: 'yaml', message: 'yaml must be a string' }]);
    return b.yaml;
  }
  return new Document(b).toString();
}

/**
 * Validates and stores an advisory. `current` is the stored object for an update (its version was checked against
 * If-Match by the caller, and saveObject checks it again inside its transaction); absent for a create.
 */
export function saveAdvisory(db: Db, v: Viewer, body: unknown, current?: ObjectRow): { uuid: string; slug: string; version: number } {
  const text = bodyText(body);
  const src = readYamlSource('advisory.yaml', text);
  if (src.errors.length) throw new Unprocessable(src.errors.map((e) => ({ path: '', message: e.message, line: e.line, col: e.col })));
  if (src.documents !== 1) throw new Unprocessable([{ path: '', message: `expected one YAML document, found ${src.documents}` }]);
  const doc = src.value;
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw new Unprocessable([{ path: '', message: 'an advisory is a mapping with name, metadata and advisory' }]);
  const meta = ((doc as Record<string, unknown>).metadata ?? {}) as Record<string, unknown>;
  const givenUuid = typeof meta.uuid === 'string' && meta.uuid ? meta.uuid : undefined;
  if (current && givenUuid && givenUuid !== current.uuid) throw new Unprocessable([{ path: 'metadata.uuid', message: `metadata.uuid ${givenUuid} does not match the advisory being saved (${current.uuid})`, ...src.at(['metadata', 'uuid']) }]);
  if (meta.schema !== undefined && meta.schema !== 'advisory::1.0') throw new Unprocessable([{ path: 'metadata.schema', message: `metadata.schema must be advisory::1.0 (found '${String(meta.schema)}')`, ...src.at(['metadata', 'schema']) }]);
  const r = saveObject(db, v, { uuid: current?.uuid, newUuid: current ? undefined : givenUuid, kind: 'advisory', doc: doc as Record<string, unknown>, baseVersion: current?.version ?? 0 });
  if (r.ok) return { uuid: r.uuid, slug: r.slug ?? '', version: r.version };
  if ('conflict' in r) throw new HttpError(412, `advisory changed since version ${current?.version} (now ${r.conflict}); reload it and apply your edit again`);
  if ('notFound' in r) throw new HttpError(404, 'no such advisory');
  if ('denied' in r) throw new HttpError(403, r.denied);
  if (!current && r.errors.some((e) => e.path === 'metadata.uuid' && /exists/.test(e.message))) throw new HttpError(409, r.errors[0]!.message);
  throw new Unprocessable(r.errors.map((e) => ({ ...e, ...(e.path ? src.at(e.path.split('.').map((s) => (/^\d+$/.test(s) ? Number(s) : s))) : {}) })));
}
