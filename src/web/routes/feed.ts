/**
 * The feed (`/`) and the advisory page (`/advisories/:slug`). Everything is read through src/store/queries.ts, which
 * filters by TLP in SQL, so what a page lists, links and counts is what this viewer may see.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { attack, parseAttackTag, type Technique } from '../../content/attack.js';
import type { Advisory, References } from '../../content/model.js';
import { HttpError, intParam, sendHtml, strParam, type AppContext } from '../../server/app.js';
import { can, TLPS, type Viewer } from '../../store/access.js';
import {
  advisoryCoverage,
  advisoryFacetValues,
  alertCountsByRule,
  getObject,
  hrefOf,
  listAdvisories,
  listRules,
  objectsByUuid,
  type AdvisoryFilter,
  type RuleRow,
} from '../../store/queries.js';
import { html, qs, safeUrl, type Html } from '../html.js';
import { page, severityBadge, statusBadge, tlpBadge } from '../layout.js';
import { markdown, markdownInline } from '../markdown.js';

export const SEVERITIES = ['informational', 'low', 'medium', 'high', 'critical'] as const;
const PER_PAGE = 20;

type Query = Record<string, unknown>;
type Params = Record<string, string | undefined>;

/** "T1562.008 Disable or Modify Cloud Logs" (and the v19 id when renumbered), for display. */
export function techniqueName(id: string): string {
  const t = attack().technique(id);
  return t ? (t.v19 ? `${t.id} ${t.name} (v19 ${t.v19.id})` : `${t.id} ${t.name}`) : id;
}

/** Tactic names and techniques of a rule, from its Sigma tags (v18 and v19 tags both resolve). */
export function ruleAttackOf(tags: string[]): { tactics: string[]; techniques: Technique[] } {
  const tactics: string[] = [];
  const techniques: Technique[] = [];
  for (const tag of tags) {
    const a = parseAttackTag(tag);
    if (!a) continue;
    if ('tactic' in a) {
      const name = attack().tactic(a.tactic)?.name ?? a.tactic;
      if (!tactics.includes(name)) tactics.push(name);
    } else {
      const t = attack().technique(a.technique);
      if (t && !techniques.includes(t)) techniques.push(t);
    }
  }
  return { tactics, techniques };
}

export const logsourceLabel = (l: Record<string, string | undefined>): string => [l.product, l.service, l.category].filter(Boolean).join(' / ');

/** Previous/next links that keep every filter in the URL. */
export function pager(path: string, params: Params, pageNo: number, perPage: number, total: number, hasMore?: boolean): Html {
  const pages = Math.max(1, Math.ceil(total / perPage));
  const more = hasMore ?? pageNo < pages;
  if (pageNo <= 1 && !more) return html``;
  return html`<nav class="pager" aria-label="Pages">
  ${pageNo > 1 ? html`<a rel="prev" href="${path}${qs({ ...params, page: pageNo - 1 })}">← Previous</a>` : ''}
  <span>Page ${pageNo}${hasMore === undefined ? html` of ${pages}` : ''}</span>
  ${more ? html`<a rel="next" href="${path}${qs({ ...params, page: pageNo + 1 })}">Next →</a>` : ''}
</nav>`;
}

const option = (value: string, label: string, selected: string | undefined) => html`<option value="${value}"${value === selected ? html` selected` : ''}>${label}</option>`;

function feedFilters(ctx: AppContext, v: Viewer, f: Params): Html {
  const techniques = advisoryFacetValues(ctx.db, v, 'technique');
  const logsources = advisoryFacetValues(ctx.db, v, 'logsource');
  return html`<form class="filters" method="get" action="/" data-autosubmit aria-label="Filter advisories">
  <label for="f-severity">Severity<select id="f-severity" name="severity"><option value="">any</option>${SEVERITIES.map((s) => option(s, s, f.severity))}</select></label>
  <label for="f-tactic">Tactic<select id="f-tactic" name="tactic"><option value="">any</option>${attack()
    .tactics()
    .map((t) => option(t.shortname, t.version === 19 ? `${t.name} (v19)` : t.name, f.tactic))}</select></label>
  <label for="f-technique">Technique<input id="f-technique" name="technique" list="f-techniques" size="12" value="${f.technique ?? ''}" placeholder="T1562.008"></label>
  <datalist id="f-techniques">${techniques.map((t) => html`<option value="${t}">${techniqueName(t)}</option>`)}</datalist>
  <label for="f-logsource">Log source<select id="f-logsource" name="logsource"><option value="">any</option>${logsources.map((l) => option(l, l, f.logsource))}</select></label>
  <label for="f-tlp">TLP<select id="f-tlp" name="tlp"><option value="">any</option>${TLPS.slice(0, v.clearance + 1).map((t) => option(t, `TLP:${t.toUpperCase()}`, f.tlp))}</select></label>
  <label for="f-q">Text<input id="f-q" name="q" type="search" value="${f.q ?? ''}"></label>
  <button type="submit">Filter</button>
  ${Object.values(f).some(Boolean) ? html`<a href="/">Clear filters</a>` : ''}
</form>`;
}

export function registerFeed(app: FastifyInstance, ctx: AppContext): void {
  app.get('/', async (req, reply) => {
    const q = req.query as Query;
    const v = req.viewer;
    const tlp = strParam(q.tlp, 20);
    const f: Params = {
      severity: SEVERITIES.find((s) => s === strParam(q.severity, 20)),
      tactic: strParam(q.tactic, 60)?.toLowerCase(),
      // Either ATT&CK version's id works: facets are keyed by the v18 id when there is one.
      technique: strParam(q.technique, 20) ? (attack().technique(strParam(q.technique, 20)!)?.id ?? strParam(q.technique, 20)!.toUpperCase()) : undefined,
      logsource: strParam(q.logsource, 100),
      tlp: tlp && TLPS.slice(0, v.clearance + 1).includes(tlp as (typeof TLPS)[number]) ? tlp : undefined,
      q: strParam(q.q, 200),
    };
    const pageNo = intParam(q.page, 1, 1, 10_000);
    const filter: AdvisoryFilter = { ...f, limit: PER_PAGE, offset: (pageNo - 1) * PER_PAGE };
    const { total, items } = listAdvisories(ctx.db, v, filter);
    const filtered = Object.values(f).some(Boolean);
    const body = html`<h1>Threat feed</h1>
<p class="muted">${total} advisor${total === 1 ? 'y' : 'ies'}${filtered ? ' match the filters' : ''}, newest first.${v.role === 'anonymous' ? html` You see the public (TLP:CLEAR) advisories; <a href="/login">sign in</a> for more and for the detection logic.` : ''}</p>
${feedFilters(ctx, v, f)}
${
  items.length
    ? html`<ol class="feed">${items.map(
        (a) => html`<li>
  <article>
    <div class="meta">${severityBadge(a.severity)} ${tlpBadge(a.tlp)}${a.status !== 'published' ? html` ${statusBadge(a.status)}` : ''} <time datetime="${a.created}">${a.created}</time></div>
    <h2><a href="${hrefOf('advisory', a.uuid, a.slug)}">${a.name}</a></h2>
    <p>${a.summary}</p>
    <div class="meta">
      <span><strong>Detection coverage ${a.coverage}</strong>${a.stepsWithEvents ? ` (${a.coveredSteps} of ${a.stepsWithEvents} steps)` : ''}</span>
      ${a.logsources.length ? html`<span>Sources: ${a.logsources.map((l, i) => html`${i ? ', ' : ''}<a href="/${qs({ logsource: l })}">${l}</a>`)}</span>` : ''}
    </div>
    ${a.techniques.length ? html`<p class="meta">Techniques: ${a.techniques.map((t, i) => html`${i ? ' · ' : ''}<a href="/${qs({ technique: t })}">${techniqueName(t)}</a>`)}</p>` : ''}
  </article>
</li>`,
      )}</ol>`
    : html`<p class="notice">No advisory matches${filtered ? ' these filters' : ''}.</p>`
}
${pager('/', f, pageNo, PER_PAGE, total)}`;
    return sendHtml(reply, page({ title: 'Threat feed', viewer: v, csrf: req.csrf, path: '/' }, body));
  });

  app.get('/advisories/:slug', async (req, reply) => sendHtml(reply, advisoryView(ctx, req)));
}

/** A long URL as text with line-break opportunities after its separators, so it wraps on a phone instead of overflowing. */
const breakable = (text: string): Html[] => text.split(/(?<=[/?&=_.-])/).map((part, i) => html`${i ? html`<wbr>` : ''}${part}`);

function referencesList(refs: References | string[] | undefined | null): Html {
  if (!refs) return html``;
  const entries = Array.isArray(refs) ? refs.map((u, i) => [String(i + 1), u] as const) : [...Object.entries(refs.public ?? {}), ...Object.entries(refs.internal ?? {})];
  if (!entries.length) return html``;
  return html`<h2>References</h2><ol>${entries.map(([, u]) => html`<li><a href="${safeUrl(String(u))}" rel="noopener noreferrer">${breakable(String(u))}</a></li>`)}</ol>`;
}

const STEP_STATUS: Record<string, string> = { covered: 'detected', gap: 'not detected', 'no-events': 'no CloudTrail call modelled' };

function advisoryView(ctx: AppContext, req: FastifyRequest): Html {
  const v = req.viewer;
  const slug = strParam((req.params as Record<string, unknown>).slug, 200) ?? '';
  const row = getObject(ctx.db, v, slug, 'advisory');
  // One response for unknown and not-visible advisories, so their existence does not leak.
  if (!row) throw new HttpError(404, 'no such advisory');
  const doc = row.doc as unknown as Advisory;
  const a = doc.advisory;
  const cov = advisoryCoverage(ctx.db, v, row.uuid);
  const ruleIds = cov?.rules.map((r) => r.id) ?? [];
  const rules = new Map(listRules(ctx.db, v, { ids: ruleIds }).map((r) => [r.id, r]));
  const fired = can.readRules(v) ? alertCountsByRule(ctx.db, ruleIds) : new Map<string, number>();
  const threats = objectsByUuid(ctx.db, v, (a.threats ?? []).map(String));
  const threatOrder = new Map((a.threats ?? []).map((u, i) => [String(u), i]));
  threats.sort((x, y) => (threatOrder.get(x.uuid) ?? 0) - (threatOrder.get(y.uuid) ?? 0));
  const shown = ruleIds.filter((id) => rules.has(id));
  const techniqueItems = (ids: string[] | undefined) => (ids ?? []).map((id, i) => html`${i ? ', ' : ''}<a href="/${qs({ technique: attack().technique(id)?.id ?? id })}">${techniqueName(id)}</a>`);

  const body = html`<article>
<h1>${doc.name}</h1>
<div class="meta">${severityBadge(a.severity)} ${tlpBadge(row.tlp)}${a.status !== 'published' ? html` ${statusBadge(a.status)}` : ''} <span>Published <time datetime="${row.created}">${row.created}</time>${row.modified && row.modified !== row.created ? html`, updated <time datetime="${row.modified}">${row.modified}</time>` : ''}</span> <span>Version ${row.version}</span></div>
<p><strong>${a.summary}</strong></p>
${a['att&ck']?.length ? html`<p class="meta">Techniques: ${techniqueItems(a['att&ck'])}</p>` : ''}
<h2>Description</h2>
${markdown(a.description)}
<h2>Attack chain</h2>
<ol class="chain">${a.attack_chain.map((step, i) => {
    const s = cov?.steps[i];
    const calls = [...new Set((step.calls ?? []).map((c) => `${c.eventSource.replace('.amazonaws.com', '')}:${c.eventName}${c.errorCode ? ` (${c.errorCode})` : ''}`))];
    return html`<li>
  <h3>${step.name}${s ? html` <span class="badge ${s.status === 'covered' ? 'status-pass' : s.status === 'gap' ? 'status-fail' : 'status-untested'}">${STEP_STATUS[s.status] ?? s.status}</span>` : ''}</h3>
  ${markdown(step.description)}
  ${step['att&ck']?.length ? html`<p class="meta">Techniques: ${techniqueItems(step['att&ck'])}</p>` : ''}
  ${calls.length ? html`<p class="meta">CloudTrail: ${calls.map((c, j) => html`${j ? ', ' : ''}<code>${c.split(':').map((part, k) => html`${k ? html`:<wbr>` : ''}${part}`)}</code>`)}</p>` : ''}
  ${step.note ? html`<p class="muted"><em>${step.note}</em></p>` : ''}
  ${s?.rules.length ? html`<p class="meta">Detected by: ${s.rules.map((r, j) => html`${j ? ', ' : ''}<a href="#rule-${r.id}">${r.title}</a>`)}</p>` : ''}
</li>`;
  })}</ol>
<h2>Impact</h2>
${markdown(a.impact)}
<h2>Recommendations</h2>
<ul>${a.recommendations.map((r) => html`<li>${markdownInline(String(r))}</li>`)}</ul>
${
  threats.length
    ? html`<h2>Threat vectors</h2><ul>${threats.map((t) => html`<li>${can.readModels(v) ? html`<a href="${hrefOf(t.kind, t.uuid, t.slug)}">${t.name}</a>` : t.name}</li>`)}</ul>`
    : ''
}
${referencesList(doc.references)}
<section aria-labelledby="coverage">
<h2 id="coverage">Detection coverage ${shown.length}</h2>
${cov ? html`<p class="muted">Measured by playing the attack chain as CloudTrail events among benign ones and running the rules over them: ${cov.coveredSteps} of ${cov.stepsWithEvents} steps that produce events are detected.</p>` : html`<p class="muted">Not measured.</p>`}
${v.role === 'anonymous' ? html`<p><a href="/login?next=${encodeURIComponent(hrefOf('advisory', row.uuid, row.slug))}">Sign in to see the detection logic</a>.</p>` : ''}
${shown.length ? html`<ul class="cards">${shown.map((id) => ruleCard(v, rules.get(id)!, fired.get(id) ?? 0))}</ul>` : ''}
</section>
</article>`;
  return page({ title: doc.name, viewer: v, csrf: req.csrf }, body);
}

function ruleCard(v: Viewer, r: RuleRow, alerts: number): Html {
  const at = ruleAttackOf(r.tags);
  const signedIn = can.readRules(v);
  return html`<li class="card" id="rule-${r.id}">
  <h3>${signedIn ? html`<a href="/rules/${encodeURIComponent(r.id)}">${r.title}</a>` : r.title}</h3>
  <div class="meta">${severityBadge(r.level)} <span>Tests: ${statusBadge(r.test_status)}</span></div>
  ${r.description ? html`<p>${r.description}</p>` : ''}
  <dl class="small">
    <dt>Tactics</dt><dd>${at.tactics.join(', ') || 'none'}</dd>
    <dt>Techniques</dt><dd>${at.techniques.map((t) => techniqueName(t.id)).join(', ') || 'none'}</dd>
    <dt>Log source</dt><dd>${logsourceLabel(r.logsource) || 'unset'}</dd>
  </dl>
  ${
    signedIn
      ? html`<details class="rule">
    <summary>Detection logic, tests and alerts</summary>
    <pre><code class="language-yaml">${r.yaml}</code></pre>
    ${
      r.test_cases.length
        ? html`<div class="table-wrap"><table><caption class="small">Test cases (last run)</caption><thead><tr><th scope="col">Expect</th><th scope="col">Event</th><th scope="col">Result</th></tr></thead><tbody>${r.test_cases.map(
            (c) => html`<tr><td>${c.expect}</td><td>${c.name}</td><td>${c.passed ? 'pass' : html`fail${c.reason ? `: ${c.reason}` : ''}`}</td></tr>`,
          )}</tbody></table></div>`
        : html`<p class="muted">No tests.</p>`
    }
    <p>Where it fired: ${alerts} alert${alerts === 1 ? '' : 's'} in the store${can.readAlerts(v) && alerts ? html` (<a href="/alerts${qs({ rule: r.id })}">see them</a>)` : ''}.</p>
    <p><a href="/rules/${encodeURIComponent(r.id)}/download" download>Download the rule (YAML)</a></p>
  </details>`
      : ''
  }
</li>`;
}
