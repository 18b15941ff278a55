/**
 * Threat vectors (TVM), detection objectives (DOM) and MDRs: the same Markdown pages as `tideline docs`
 * (src/docs/pages.ts) rendered to HTML, built from the viewer's TLP-filtered content snapshot with links pointing at
 * the web paths instead of the Markdown files.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ContentItem, ContentSet } from '../../content/load.js';
import type { Advisory, ObjectKind, Tvm } from '../../content/model.js';
import { buildContext } from '../../docs/site.js';
import { domPage, mdrPage, tvmPage, type SiteContext } from '../../docs/pages.js';
import { HttpError, intParam, requireThat, sendHtml, strParam, type AppContext } from '../../server/app.js';
import { can, type Viewer } from '../../store/access.js';
import { contentSnapshot } from '../../store/content.js';
import type { Db } from '../../store/db.js';
import { coverageMap, getObject, hrefOf, listObjects, objectHistory, ruleYamlById } from '../../store/queries.js';
import { html, raw, type Html } from '../html.js';
import { page, tlpBadge } from '../layout.js';
import { markdown } from '../markdown.js';
import { pager, techniqueName } from './feed.js';

/**
 * buildContext runs the rule tests and links every object, too much to redo per request (coverage comes measured from
 * the store); snapshots are cached per clearance and content version, so the context is cached per snapshot.
 */
const contexts = new WeakMap<ContentSet, { all?: SiteContext; published?: SiteContext }>();

/** The site context this viewer may see: TLP-filtered, drafts left out unless the viewer edits, links as web paths. */
export function siteContext(db: Db, v: Viewer): SiteContext {
  const set = contentSnapshot(db, v.clearance);
  let entry = contexts.get(set);
  if (!entry) contexts.set(set, (entry = {}));
  const key = can.edit(v) ? 'all' : 'published';
  const hit = entry[key];
  if (hit) return hit;
  const visible = key === 'all' ? set : withoutDrafts(set);
  const ctx = buildContext(visible, { coverage: coverageMap(db, v) });
  const yaml = ruleYamlById(db, v);
  const ruleIds = new Set(visible.rules.rules.map((r) => r.id));
  const web: SiteContext = {
    ...ctx,
    ruleText: (r) => yaml.get(r.id),
    // Absolute web paths; the renderers are called with path '' so relLink leaves them as they are.
    pageOf: (id) => {
      const o = visible.byUuid.get(id);
      if (o) return hrefOf(o.kind, o.uuid, o.kind === 'advisory' ? (o.doc as Advisory).advisory?.slug : null);
      return ruleIds.has(id) ? `/rules/${encodeURIComponent(id)}` : undefined;
    },
  };
  entry[key] = web;
  return web;
}

/** Unpublished advisories are an editor's business: left out of relations and links for everyone else. */
function withoutDrafts(set: ContentSet): ContentSet {
  const objects = set.objects.filter((o) => o.kind !== 'advisory' || (o.doc as Advisory).advisory?.status === 'published');
  return objects.length === set.objects.length ? set : { ...set, objects, byUuid: new Map(objects.map((o) => [o.uuid, o])) };
}

/**
 * A docs page's Markdown as HTML, fitted to a phone: tables wrapped so they scroll sideways, URL link text and inline
 * code (API names, field paths) given break opportunities. These edit sanitised markdown-it output only: markup typed
 * in content is escaped by markdown-it, so it cannot match these patterns (and escaped text has no `<`).
 */
export const docHtml = (md: string): Html =>
  raw(
    markdown(md)
      .toString()
      .replace(/<table>/g, '<div class="table-wrap"><table>')
      .replace(/<\/table>/g, '</table></div>')
      .replace(/(<a [^>]*>)(https?:\/\/[^<]+)(<\/a>)/g, (_m, open: string, url: string, close: string) => open + url.replace(/([/?=_.-])(?=.)/g, '$1<wbr>') + close)
      .replace(/<code>([^<]+)<\/code>/g, (_m, text: string) => `<code>${text.replace(/([.:/_])(?=\w)/g, '$1<wbr>')}</code>`),
  );

const TITLES: Record<'tvm' | 'dom' | 'mdr', string> = { tvm: 'threat vector', dom: 'detection objective', mdr: 'detection rule (MDR)' };

function modelPage(ctx: AppContext, req: FastifyRequest, kind: 'tvm' | 'dom' | 'mdr'): Html {
  const v = req.viewer;
  requireThat(req, can.readModels(v), 'threat models');
  const uuid = strParam((req.params as Record<string, unknown>).uuid, 64) ?? '';
  const row = getObject(ctx.db, v, uuid, kind);
  const site = row ? siteContext(ctx.db, v) : undefined;
  const item = row ? site!.set.byUuid.get(row.uuid) : undefined;
  if (!row || !site || !item || item.kind !== kind) throw new HttpError(404, `no such ${TITLES[kind]}`);
  const md =
    kind === 'tvm'
      ? tvmPage(item as ContentItem & { kind: 'tvm' }, site, '')
      : kind === 'dom'
        ? domPage(item as ContentItem & { kind: 'dom' }, site, '')
        : mdrPage(item as ContentItem & { kind: 'mdr' }, site, '');
  const history = kind === 'tvm' ? objectHistory(ctx.db, v, row.uuid) : [];
  const body = html`<article class="doc">${docHtml(md)}</article>
${
  history.length
    ? html`<section aria-labelledby="history"><h2 id="history">Version history</h2>
<div class="table-wrap"><table><thead><tr><th scope="col">Version</th><th scope="col">Saved</th><th scope="col">By</th></tr></thead>
<tbody>${history.map((h) => html`<tr><td>${h.version}</td><td><time datetime="${h.saved_at}">${h.saved_at}</time></td><td>${h.saved_by ?? 'import'}</td></tr>`)}</tbody></table></div></section>`
    : ''
}`;
  return page({ title: row.name, viewer: v, csrf: req.csrf, path: kind === 'tvm' ? '/threats' : undefined }, body);
}

const PER_PAGE = 50;

export function registerModels(app: FastifyInstance, ctx: AppContext): void {
  app.get('/threats', async (req, reply) => {
    const v = req.viewer;
    requireThat(req, can.readModels(v), 'threat models');
    const pageNo = intParam((req.query as Record<string, unknown>).page, 1, 1, 10_000);
    const { total, items } = listObjects(ctx.db, v, 'tvm', { limit: PER_PAGE, offset: (pageNo - 1) * PER_PAGE });
    const body = html`<h1>Threat vectors</h1>
<p class="muted">${total} threat vector model${total === 1 ? '' : 's'} (OpenTide TVM) you may see.</p>
${
  items.length
    ? html`<div class="table-wrap"><table><thead><tr><th scope="col">Name</th><th scope="col">Criticality</th><th scope="col">Techniques</th><th scope="col">TLP</th><th scope="col">Version</th></tr></thead><tbody>${items.map((o) => {
        const doc = o.doc as unknown as Tvm;
        return html`<tr><td><a href="${hrefOf(o.kind as ObjectKind, o.uuid)}">${o.name}</a></td><td>${String(doc.criticality ?? '')}</td><td>${(doc.threat?.['att&ck'] ?? []).map((t) => techniqueName(String(t))).join(', ')}</td><td>${tlpBadge(o.tlp)}</td><td>${o.version}</td></tr>`;
      })}</tbody></table></div>`
    : html`<p class="notice">No threat vector.</p>`
}
${pager('/threats', {}, pageNo, PER_PAGE, total)}`;
    return sendHtml(reply, page({ title: 'Threat vectors', viewer: v, csrf: req.csrf, path: '/threats' }, body));
  });
  app.get('/threats/:uuid', async (req, reply) => sendHtml(reply, modelPage(ctx, req, 'tvm')));
  app.get('/objectives/:uuid', async (req, reply) => sendHtml(reply, modelPage(ctx, req, 'dom')));
  app.get('/mdrs/:uuid', async (req, reply) => sendHtml(reply, modelPage(ctx, req, 'mdr')));
}
