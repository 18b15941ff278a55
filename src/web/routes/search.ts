/**
 * Global search: advisories for everyone (within TLP), threat models and rules with an account, as search() decides.
 * Results are grouped by kind; the FTS snippet marks matches with [ ], shown as <mark> after escaping.
 */
import type { FastifyInstance } from 'fastify';
import { intParam, sendHtml, strParam, type AppContext } from '../../server/app.js';
import { search, type SearchHit } from '../../store/queries.js';
import { escapeHtml, html, raw, type Html } from '../html.js';
import { page } from '../layout.js';
import { pager } from './feed.js';

const PER_PAGE = 25;
const MAX_RESULTS = 500;
const KINDS: [string, string][] = [
  ['advisory', 'Advisories'],
  ['tvm', 'Threat vectors'],
  ['dom', 'Detection objectives'],
  ['mdr', 'Detection rules (MDR)'],
  ['rule', 'Sigma rules'],
  ['cdm', 'Detection models (legacy)'],
];

/** The snippet escaped first, then its [match] markers turned into <mark>: content cannot inject markup. */
const snippet = (s: string): Html => raw(escapeHtml(s).replace(/\[([^[\]]*)\]/g, '<mark>$1</mark>'));

export function registerSearch(app: FastifyInstance, ctx: AppContext): void {
  app.get('/search', async (req, reply) => {
    const v = req.viewer;
    const query = req.query as Record<string, unknown>;
    const q = strParam(query.q, 200);
    const pageNo = intParam(query.page, 1, 1, MAX_RESULTS / PER_PAGE);
    // search() ranks and limits in SQL; one more than the page asks tells whether a next page exists.
    const hits = q ? search(ctx.db, v, q, Math.min(pageNo * PER_PAGE + 1, MAX_RESULTS + 1)) : [];
    const pageHits = hits.slice((pageNo - 1) * PER_PAGE, pageNo * PER_PAGE);
    const groups = new Map<string, SearchHit[]>();
    for (const h of pageHits) groups.set(h.kind, [...(groups.get(h.kind) ?? []), h]);
    const order = [...KINDS.filter(([k]) => groups.has(k)), ...[...groups.keys()].filter((k) => !KINDS.some(([x]) => x === k)).map((k) => [k, k] as [string, string])];
    const body = html`<h1>Search</h1>
<form method="get" action="/search" role="search" class="filters" aria-label="Search again">
  <label for="s-q">Words<input id="s-q" name="q" type="search" value="${q ?? ''}"></label>
  <button type="submit">Search</button>
</form>
${
  !q
    ? html`<p class="muted">Type words to search advisories${v.role === 'anonymous' ? ' (sign in to search threat models and rules too)' : ', threat models and rules'}.</p>`
    : !pageHits.length
      ? html`<p class="notice" role="status">No results for “${q}”.</p>`
      : html`<p class="muted" role="status">Results for “${q}”${hits.length > pageNo * PER_PAGE ? '' : html` (${hits.length})`}.</p>
${order.map(
  ([kind, label]) => html`<section aria-labelledby="k-${kind}"><h2 id="k-${kind}">${label}</h2>
<ol class="feed">${groups.get(kind)!.map((h) => html`<li><h3><a href="${h.href}">${h.title}</a></h3><p class="small">${snippet(h.snippet)}</p></li>`)}</ol></section>`,
)}`
}
${q ? pager('/search', { q }, pageNo, PER_PAGE, 0, hits.length > pageNo * PER_PAGE) : ''}`;
    return sendHtml(reply, page({ title: q ? `Search: ${q}` : 'Search', viewer: v, csrf: req.csrf, q }, body));
  });
}
