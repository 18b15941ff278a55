/**
 * Editors (role editor and up) create and edit advisories and threat vectors (TVMs) in forms. The form maps to the
 * object's fields; everything the form does not show (logsources, chaining, organisation...) is kept from the stored
 * object. Saving goes through saveObject (src/store/edit.ts), shared with the REST API: schema and vocabulary
 * validation, link checks, a version check against the version the form was opened at, history and audit.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { parseDocument, stringify } from 'yaml';
import { HttpError, requireThat, sendHtml, type AppContext } from '../../server/app.js';
import { vocabulary } from '../../content/vocabularies.js';
import { can } from '../../store/access.js';
import { saveObject, type EditableKind, type FieldError } from '../../store/edit.js';
import { getObject, hrefOf, objectHistory, type ObjectRow } from '../../store/queries.js';
import { html, type Html } from '../html.js';
import { page } from '../layout.js';

type Obj = Record<string, unknown>;
type FormValues = Record<string, string | string[]>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

interface FieldSpec {
  name: string;
  label: string;
  type: 'text' | 'textarea' | 'select' | 'lines' | 'checkboxes' | 'yaml';
  /** Data paths whose errors are shown next to this field (prefix match). */
  paths: string[];
  vocab?: string;
  hint?: string;
  rows?: number;
  required?: boolean;
}

const ADVISORY_FIELDS: FieldSpec[] = [
  { name: 'name', label: 'Title', type: 'text', paths: ['name'], required: true },
  { name: 'slug', label: 'Slug', type: 'text', paths: ['advisory.slug'], required: true, hint: 'Lowercase words joined by hyphens; the address of the advisory page (/advisories/<slug>).' },
  { name: 'severity', label: 'Severity', type: 'select', vocab: 'advisory-severity', paths: ['advisory.severity'], required: true },
  { name: 'status', label: 'Status', type: 'select', vocab: 'advisory-status', paths: ['advisory.status'], required: true, hint: 'Only published advisories appear in the feed.' },
  { name: 'tlp', label: 'TLP', type: 'select', vocab: 'tlp', paths: ['metadata.tlp'], required: true },
  { name: 'summary', label: 'Summary', type: 'textarea', rows: 3, paths: ['advisory.summary'], required: true, hint: 'Two or three sentences shown in the feed.' },
  { name: 'description', label: 'Description', type: 'textarea', rows: 10, paths: ['advisory.description'], required: true, hint: 'Markdown.' },
  { name: 'impact', label: 'Impact', type: 'textarea', rows: 5, paths: ['advisory.impact'], required: true, hint: 'Markdown.' },
  { name: 'recommendations', label: 'Recommendations', type: 'lines', rows: 6, paths: ['advisory.recommendations'], required: true, hint: 'One per line.' },
  { name: 'threats', label: 'Threat vectors', type: 'lines', rows: 4, paths: ['advisory.threats'], hint: 'TVM UUIDs, one per line (text after # is ignored).' },
  { name: 'references', label: 'References', type: 'lines', rows: 4, paths: ['references'], hint: 'One URL per line.' },
  { name: 'attack', label: 'ATT&CK techniques', type: 'text', paths: ['advisory.att&ck'], hint: 'Technique ids separated by spaces or commas, e.g. T1562.008 T1078.004.' },
  {
    name: 'attack_chain',
    label: 'Attack chain',
    type: 'yaml',
    rows: 18,
    paths: ['advisory.attack_chain'],
    required: true,
    hint: 'YAML: a list of steps, each with name, description, and optionally att&ck (ids), calls (CloudTrail eventSource and eventName, used to measure detection coverage) or note.',
  },
];

const TVM_FIELDS: FieldSpec[] = [
  { name: 'name', label: 'Name', type: 'text', paths: ['name'], required: true },
  { name: 'criticality', label: 'Criticality', type: 'select', vocab: 'criticality', paths: ['criticality'], required: true },
  { name: 'tlp', label: 'TLP', type: 'select', vocab: 'tlp', paths: ['metadata.tlp'], required: true },
  { name: 'attack', label: 'ATT&CK techniques', type: 'text', paths: ['threat.att&ck'], required: true, hint: 'Technique ids separated by spaces or commas.' },
  { name: 'description', label: 'Description', type: 'textarea', rows: 8, paths: ['threat.description'], required: true, hint: 'Markdown.' },
  { name: 'terrain', label: 'Terrain', type: 'textarea', rows: 3, paths: ['threat.terrain'], hint: 'What the adversary needs in place.' },
  { name: 'severity', label: 'Severity', type: 'select', vocab: 'threat-severity', paths: ['threat.severity'], required: true },
  { name: 'viability', label: 'Viability', type: 'select', vocab: 'viability', paths: ['threat.viability'], required: true },
  { name: 'leverage', label: 'Leverage', type: 'checkboxes', vocab: 'leverage', paths: ['threat.leverage'], required: true },
  { name: 'impact', label: 'Impact', type: 'checkboxes', vocab: 'impact', paths: ['threat.impact'], required: true },
  { name: 'killchain', label: 'Kill chain', type: 'checkboxes', vocab: 'kill-chain', paths: ['threat.killchain'] },
  { name: 'domains', label: 'Domains', type: 'checkboxes', vocab: 'domains', paths: ['threat.domains'] },
  { name: 'targets', label: 'Targets', type: 'checkboxes', vocab: 'targets', paths: ['threat.targets'] },
  { name: 'platforms', label: 'Platforms', type: 'checkboxes', vocab: 'platforms', paths: ['threat.platforms'] },
  { name: 'references', label: 'References', type: 'lines', rows: 4, paths: ['references'], hint: 'One URL per line.' },
];

const FIELDS: Record<EditableKind, FieldSpec[]> = { advisory: ADVISORY_FIELDS, tvm: TVM_FIELDS };
const NOUN: Record<EditableKind, string> = { advisory: 'advisory', tvm: 'threat vector' };

// ---- values in and out of the form

const one = (v: string | string[] | undefined): string => (Array.isArray(v) ? (v[0] ?? '') : (v ?? ''));
const many = (v: string | string[] | undefined): string[] => (Array.isArray(v) ? v : v ? [v] : []);
/** Browsers send CRLF from textareas; content is LF. */
const text = (v: string | string[] | undefined): string => one(v).replace(/\r\n?/g, '\n');
const lines = (v: string | string[] | undefined): string[] =>
  text(v)
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
const strs = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : typeof v === 'string' ? [v] : []);
const ids = (v: string | string[] | undefined): string[] => text(v).split(/[\s,;]+/).filter(Boolean);

/** The submitted form, as plain strings (repeated fields as arrays); unknown fields dropped. */
function readForm(kind: EditableKind, body: unknown): FormValues {
  const b = isObj(body) ? body : {};
  const out: FormValues = {};
  for (const f of FIELDS[kind]) {
    const v = b[f.name];
    if (f.type === 'checkboxes') out[f.name] = strs(v).map((s) => s.slice(0, 200));
    else out[f.name] = typeof v === 'string' ? v.slice(0, 200_000) : Array.isArray(v) ? String(v[0] ?? '') : '';
  }
  return out;
}

function referencesToLines(refs: unknown): string {
  if (Array.isArray(refs)) return refs.map(String).join('\n');
  if (!isObj(refs) || !isObj(refs.public)) return '';
  return Object.entries(refs.public)
    .sort(([a], [b]) => Number(a) - Number(b))
    .map(([, u]) => String(u))
    .join('\n');
}

/** The form's values for a stored object (or a new one). */
function docToForm(kind: EditableKind, doc: Obj): FormValues {
  const meta = isObj(doc.metadata) ? doc.metadata : {};
  const common = { name: String(doc.name ?? ''), tlp: String(meta.tlp ?? 'clear'), references: referencesToLines(doc.references) };
  if (kind === 'advisory') {
    const a = isObj(doc.advisory) ? doc.advisory : {};
    return {
      ...common,
      slug: String(a.slug ?? ''),
      severity: String(a.severity ?? 'medium'),
      status: String(a.status ?? 'draft'),
      summary: String(a.summary ?? ''),
      description: String(a.description ?? ''),
      impact: String(a.impact ?? ''),
      recommendations: strs(a.recommendations).join('\n'),
      threats: strs(a.threats).join('\n'),
      attack: strs(a['att&ck']).join(' '),
      attack_chain: a.attack_chain === undefined ? '' : stringify(a.attack_chain, { lineWidth: 0 }),
    };
  }
  const t = isObj(doc.threat) ? doc.threat : {};
  return {
    ...common,
    criticality: String(doc.criticality ?? ''),
    attack: strs(t['att&ck']).join(' '),
    description: String(t.description ?? ''),
    terrain: String(t.terrain ?? ''),
    severity: String(t.severity ?? ''),
    viability: String(t.viability ?? ''),
    leverage: strs(t.leverage),
    impact: strs(t.impact),
    killchain: strs(t.killchain),
    domains: strs(t.domains),
    targets: strs(t.targets),
    platforms: strs(t.platforms),
  };
}

/** Sets a text field, keeping the stored text when only trailing whitespace or line endings differ (no spurious diffs). */
function setText(target: Obj, key: string, value: string): void {
  const before = target[key];
  if (typeof before === 'string' && before.trim() === value.trim()) return;
  target[key] = value;
}

/** Sets or removes an optional list. */
function setList(target: Obj, key: string, value: string[]): void {
  if (value.length) target[key] = value;
  else delete target[key];
}

/**
 * The object to save: the stored one (all fields the form does not show are kept) with the form's fields applied.
 * Errors found while reading the form itself (YAML of the attack chain) are returned with their data path.
 */
function formToDoc(kind: EditableKind, v: FormValues, base: Obj | undefined): { doc: Obj; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const doc: Obj = base ? structuredClone(base) : kind === 'advisory' ? { name: '', metadata: {}, references: {}, advisory: {} } : { name: '', criticality: '', references: {}, metadata: {}, threat: {} };
  setText(doc, 'name', text(v.name).trim());
  const meta = isObj(doc.metadata) ? doc.metadata : (doc.metadata = {});
  meta.tlp = one(v.tlp);

  // References: the form edits the public list; internal references and other keys stay.
  const urls = lines(v.references);
  const refs = isObj(doc.references) ? doc.references : {};
  const publicRefs = Object.fromEntries(urls.map((u, i) => [String(i + 1), u]));
  const before = isObj(refs.public) ? refs.public : undefined;
  if (!before || referencesToLines(doc.references) !== urls.join('\n')) {
    if (urls.length) refs.public = publicRefs;
    else delete refs.public;
  }
  if (Object.keys(refs).length) doc.references = refs;
  else delete doc.references;

  if (kind === 'advisory') {
    const a = isObj(doc.advisory) ? doc.advisory : (doc.advisory = {});
    a.slug = text(v.slug).trim();
    a.severity = one(v.severity);
    a.status = one(v.status);
    for (const k of ['summary', 'description', 'impact'] as const) setText(a, k, text(v[k]));
    a.recommendations = lines(v.recommendations);
    setList(a, 'threats', lines(v.threats).map((l) => l.replace(/#.*$/, '').trim()).filter(Boolean));
    setList(a, 'att&ck', ids(v.attack));
    const chainText = text(v.attack_chain);
    if (!chainText.trim()) a.attack_chain = [];
    else {
      const d = parseDocument(chainText);
      if (d.errors.length) errors.push({ path: 'advisory.attack_chain', message: `YAML: ${d.errors[0]!.message.split('\n')[0]}` });
      else {
        const chain = d.toJS() as unknown;
        if (!Array.isArray(chain)) errors.push({ path: 'advisory.attack_chain', message: 'the attack chain must be a YAML list of steps (each starting with "- name: ...")' });
        else a.attack_chain = chain;
      }
    }
  } else {
    setText(doc, 'criticality', one(v.criticality));
    const t = isObj(doc.threat) ? doc.threat : (doc.threat = {});
    t['att&ck'] = ids(v.attack);
    setText(t, 'description', text(v.description));
    setText(t, 'terrain', text(v.terrain));
    t.severity = one(v.severity);
    t.viability = one(v.viability);
    t.leverage = many(v.leverage);
    t.impact = many(v.impact);
    // killchain may be one value or a list; keep the stored form when it was a list.
    const kc = many(v.killchain);
    if (!kc.length) delete t.killchain;
    else t.killchain = kc.length === 1 && !Array.isArray(t.killchain) ? kc[0] : kc;
    for (const k of ['domains', 'targets', 'platforms'] as const) setList(t, k, many(v[k]));
  }
  return { doc, errors };
}

/** Which field an error belongs to: by data path, or by the missing field a `required` error names. */
function fieldOf(kind: EditableKind, e: FieldError): string | undefined {
  for (const f of FIELDS[kind]) if (f.paths.some((p) => e.path === p || e.path.startsWith(`${p}.`))) return f.name;
  const missing = /missing required field '([^']+)'/.exec(e.message)?.[1];
  if (missing) for (const f of FIELDS[kind]) if (f.paths.includes(e.path ? `${e.path}.${missing}` : missing)) return f.name;
  return undefined;
}

// ---- rendering

interface FormState {
  kind: EditableKind;
  row?: ObjectRow;
  values: FormValues;
  baseVersion: number;
  errors: FieldError[];
}

function fieldHtml(f: FieldSpec, values: FormValues, errors: string[]): Html {
  const id = `f-${f.name}`;
  const hintId = f.hint ? `${id}-hint` : '';
  const errId = errors.length ? `${id}-error` : '';
  const described = [hintId, errId].filter(Boolean).join(' ');
  const aria = html`${described ? html` aria-describedby="${described}"` : ''}${errors.length ? html` aria-invalid="true"` : ''}${f.required && f.type !== 'checkboxes' ? html` required` : ''}`;
  const hint = f.hint ? html`<span class="muted small" id="${hintId}">${f.hint}</span>` : '';
  const err = errors.length ? html`<p class="error" id="${errId}">${errors.map((m, i) => html`${i ? html`<br>` : ''}${m}`)}</p>` : '';
  const val = values[f.name];
  if (f.type === 'checkboxes') {
    const chosen = many(val);
    const entries = vocabulary(f.vocab!).entries.map((e) => String(e.name));
    // Values outside the vocabulary (legacy content) stay visible so they can be kept or removed on purpose.
    const all = [...entries, ...chosen.filter((c) => !entries.includes(c))];
    return html`<fieldset class="field" id="${id}"${aria}><legend>${f.label}${f.required ? ' (at least one)' : ''}</legend>${hint}
<div class="meta">${all.map((name, i) => html`<label for="${id}-${i}"><input type="checkbox" id="${id}-${i}" name="${f.name}" value="${name}"${chosen.includes(name) ? html` checked` : ''}> ${name}</label>`)}</div>${err}</fieldset>`;
  }
  let control: Html;
  if (f.type === 'select') {
    const cur = one(val);
    const entries = vocabulary(f.vocab!).entries.map((e) => ({ name: String(e.name), description: String(e.description ?? '') }));
    if (cur && !entries.some((e) => e.name === cur)) entries.push({ name: cur, description: 'not in the vocabulary' });
    control = html`<select id="${id}" name="${f.name}"${aria}><option value="">Choose…</option>${entries.map((e) => html`<option value="${e.name}"${e.name === cur ? html` selected` : ''}>${f.vocab === 'tlp' ? `TLP:${e.name.toUpperCase()}` : e.name}</option>`)}</select>`;
  } else if (f.type === 'text') {
    control = html`<input id="${id}" name="${f.name}" value="${one(val)}"${aria}>`;
  } else {
    control = html`<textarea id="${id}" name="${f.name}" rows="${f.rows ?? 4}"${f.type === 'yaml' ? html` spellcheck="false" autocapitalize="off"` : ''}${aria}>${one(val)}</textarea>`;
  }
  return html`<div class="field"><label for="${id}">${f.label}</label>${hint}${control}${err}</div>`;
}

function formPage(req: FastifyRequest, db: AppContext['db'], s: FormState): Html {
  const noun = NOUN[s.kind];
  const byField = new Map<string, string[]>();
  const general: FieldError[] = [];
  for (const e of s.errors) {
    const f = fieldOf(s.kind, e);
    if (f) byField.set(f, [...(byField.get(f) ?? []), e.message]);
    else general.push(e);
  }
  // An empty required field gets one plain message instead of the schema's ("'' is not in the ... vocabulary").
  for (const f of FIELDS[s.kind]) {
    const v = s.values[f.name];
    if (f.required && byField.has(f.name) && (Array.isArray(v) ? v.length === 0 : !(v ?? '').trim())) {
      byField.set(f.name, [f.type === 'checkboxes' ? `Choose at least one ${f.label.toLowerCase()} value.` : f.type === 'select' ? `Choose a ${f.label.toLowerCase()}.` : `${f.label} is required.`]);
    }
  }
  const count = [...byField.values()].reduce((n, m) => n + m.length, 0) + general.length;
  const action = s.row ? (s.kind === 'advisory' ? `/advisories/${encodeURIComponent(s.row.slug ?? s.row.uuid)}/edit` : `/threats/${s.row.uuid}/edit`) : s.kind === 'advisory' ? '/advisories/new' : '/threats/new';
  const title = s.row ? `Edit ${noun}: ${s.row.name}` : `New ${noun}`;
  const history = s.row ? objectHistory(db, req.viewer, s.row.uuid) : [];
  const labels = new Map(FIELDS[s.kind].map((f) => [f.name, f.label]));
  return page(
    { title, viewer: req.viewer, csrf: req.csrf },
    html`${s.row ? html`<p class="small"><a href="${hrefOf(s.kind, s.row.uuid, s.row.slug)}">← Back to the ${noun}</a></p>` : ''}
<h1>${title}</h1>
${s.row ? html`<p class="meta">Version ${s.row.version} · modified ${s.row.modified}${s.row.updated_by ? ` · last saved by ${s.row.updated_by}` : ''}</p>` : ''}
${
  s.errors.length
    ? html`<div class="errors" role="alert" id="error-summary"><h2>Not saved: ${count} problem${count === 1 ? '' : 's'}</h2><ul>
${[...byField].map(([f, msgs]) => msgs.map((m) => html`<li><a href="#f-${f}">${labels.get(f) ?? f}</a>: ${m}</li>`))}
${general.map((e) => html`<li>${e.path ? html`<code>${e.path}</code>: ` : ''}${e.message}</li>`)}
</ul></div>`
    : ''
}
<form method="post" action="${action}" novalidate>
  <input type="hidden" name="_csrf" value="${req.csrf}">
  <input type="hidden" name="base_version" value="${s.baseVersion}">
  ${FIELDS[s.kind].map((f) => fieldHtml(f, s.values, byField.get(f.name) ?? []))}
  <p><button type="submit">${s.row ? 'Save a new version' : `Create the ${noun}`}</button>
  ${s.row ? html` <a href="${hrefOf(s.kind, s.row.uuid, s.row.slug)}">Cancel</a>` : ''}</p>
</form>
${
  history.length
    ? html`<h2>History</h2><div class="table-wrap"><table><thead><tr><th scope="col">Version</th><th scope="col">Saved</th><th scope="col">By</th></tr></thead>
<tbody>${history.map((h) => html`<tr><td>${h.version}</td><td><time datetime="${h.saved_at}">${h.saved_at.replace('T', ' ').replace(/\.\d+Z$/, ' UTC')}</time></td><td>${h.saved_by ?? '—'}</td></tr>`)}</tbody></table></div>`
    : ''
}`,
  );
}

/** The 409 page: someone saved in between. Nothing is overwritten; the user's text is shown so it can be copied over. */
function conflictPage(req: FastifyRequest, kind: EditableKind, row: ObjectRow, current: number, base: number, values: FormValues): Html {
  const noun = NOUN[kind];
  const editUrl = kind === 'advisory' ? `/advisories/${encodeURIComponent(row.slug ?? row.uuid)}/edit` : `/threats/${row.uuid}/edit`;
  return page(
    { title: `Not saved: the ${noun} changed`, viewer: req.viewer, csrf: req.csrf },
    html`<h1>Not saved: someone else changed this ${noun}</h1>
<div class="errors" role="alert"><p>Someone else saved version ${current} of “${row.name}” while you were editing version ${base}. Your changes were <strong>not</strong> saved, so theirs are not lost either.</p></div>
<p><a class="button" href="${editUrl}">Reload the editor with version ${current}</a> <a href="${hrefOf(kind, row.uuid, row.slug)}">See the current ${noun}</a></p>
<h2>Your changes</h2>
<p>Copy what you need from here into the reloaded editor.</p>
${FIELDS[kind].map((f) => {
  const v = values[f.name];
  const shown = Array.isArray(v) ? v.join('\n') : (v ?? '');
  return html`<div class="field"><label for="mine-${f.name}">${f.label}</label><textarea id="mine-${f.name}" readonly rows="${Math.min(12, Math.max(1, shown.split('\n').length))}">${shown}</textarea></div>`;
})}`,
  );
}

// ---- routes

export function registerEditor(app: FastifyInstance, ctx: AppContext): void {
  const { db } = ctx;
  const mayEdit = (req: FastifyRequest) => requireThat(req, can.edit(req.viewer), 'editing advisories and threat vectors');

  const load = (req: FastifyRequest, kind: EditableKind, key: string): ObjectRow => {
    const row = getObject(db, req.viewer, key, kind);
    if (!row) throw new HttpError(404, `no ${NOUN[kind]} ${key}`);
    return row;
  };

  const newDefaults = (kind: EditableKind): FormValues => docToForm(kind, kind === 'advisory' ? { metadata: { tlp: 'clear' }, advisory: { severity: 'medium', status: 'draft' } } : { metadata: { tlp: 'clear' } });

  const save = async (req: FastifyRequest, reply: FastifyReply, kind: EditableKind, row: ObjectRow | undefined) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const values = readForm(kind, body);
    const baseRaw = typeof body.base_version === 'string' ? body.base_version : '';
    const baseVersion = /^\d{1,9}$/.test(baseRaw) ? Number(baseRaw) : -1;
    const { doc, errors } = formToDoc(kind, values, row?.doc);
    const show = (status: number, errs: FieldError[]) => sendHtml(reply, formPage(req, db, { kind, row, values, baseVersion: Math.max(0, baseVersion), errors: errs }), status);
    if (errors.length) return show(422, errors);
    const r = saveObject(db, req.viewer, { uuid: row?.uuid, kind, doc, baseVersion: row ? baseVersion : 0 });
    if (r.ok) return reply.redirect(hrefOf(kind, r.uuid, r.slug), 303);
    if ('conflict' in r) return sendHtml(reply, conflictPage(req, kind, row!, r.conflict, baseVersion, values), 409);
    if ('errors' in r) return show(422, r.errors);
    if ('notFound' in r) throw new HttpError(404, `no ${NOUN[kind]} to save`);
    throw new HttpError(403, r.denied);
  };

  app.get('/advisories/new', async (req, reply) => {
    mayEdit(req);
    return sendHtml(reply, formPage(req, db, { kind: 'advisory', values: newDefaults('advisory'), baseVersion: 0, errors: [] }));
  });
  app.post('/advisories/new', async (req, reply) => {
    mayEdit(req);
    return save(req, reply, 'advisory', undefined);
  });
  app.get('/advisories/:slug/edit', async (req, reply) => {
    mayEdit(req);
    const row = load(req, 'advisory', (req.params as { slug: string }).slug);
    return sendHtml(reply, formPage(req, db, { kind: 'advisory', row, values: docToForm('advisory', row.doc), baseVersion: row.version, errors: [] }));
  });
  app.post('/advisories/:slug/edit', async (req, reply) => {
    mayEdit(req);
    return save(req, reply, 'advisory', load(req, 'advisory', (req.params as { slug: string }).slug));
  });

  app.get('/threats/new', async (req, reply) => {
    mayEdit(req);
    return sendHtml(reply, formPage(req, db, { kind: 'tvm', values: newDefaults('tvm'), baseVersion: 0, errors: [] }));
  });
  app.post('/threats/new', async (req, reply) => {
    mayEdit(req);
    return save(req, reply, 'tvm', undefined);
  });
  app.get('/threats/:uuid/edit', async (req, reply) => {
    mayEdit(req);
    const row = load(req, 'tvm', (req.params as { uuid: string }).uuid);
    return sendHtml(reply, formPage(req, db, { kind: 'tvm', row, values: docToForm('tvm', row.doc), baseVersion: row.version, errors: [] }));
  });
  app.post('/threats/:uuid/edit', async (req, reply) => {
    mayEdit(req);
    return save(req, reply, 'tvm', load(req, 'tvm', (req.params as { uuid: string }).uuid));
  });
}
