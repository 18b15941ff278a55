/**
 * Alerts (analyst and up): the list with filters kept in the URL, the detail of one alert with its raw event, and
 * triage (open / acknowledged / closed with a comment), each change kept in the alert's history.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { HttpError, intParam, requireThat, sendHtml, strParam, type AppContext } from '../../server/app.js';
import { can } from '../../store/access.js';
import { ALERT_STATUSES, triageAlert, type AlertStatus } from '../../store/alerts.js';
import { alertRules, getVisibleAlert, hrefOf, listVisibleAlerts, type AlertDetail, type VisibleAlertFilter } from '../../store/queries.js';
import { html, qs, type Html } from '../html.js';
import { TRAIL_WEAKENED } from '../../integrity/builtin.js';
import { page, severityBadge, statusBadge } from '../layout.js';
import { LEVELS } from '../../sigma/rule.js';

const PER_PAGE = 50;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?Z?$/;

interface Filters {
  rule?: string;
  level?: string;
  account?: string;
  status?: string;
  since?: string;
  until?: string;
  q?: string;
}

/** Filters from the query string; values outside the allowed sets are dropped (and reported), never passed to SQL raw. */
function readFilters(query: Record<string, unknown>): { f: Filters; problems: string[] } {
  const problems: string[] = [];
  const f: Filters = {
    rule: strParam(query.rule, 100),
    level: strParam(query.level, 20),
    account: strParam(query.account, 64),
    status: strParam(query.status, 20),
    since: strParam(query.since, 40),
    until: strParam(query.until, 40),
    q: strParam(query.q, 200),
  };
  if (f.level && !(LEVELS as readonly string[]).includes(f.level)) (problems.push(`unknown level '${f.level}'`), (f.level = undefined));
  if (f.status && !(ALERT_STATUSES as readonly string[]).includes(f.status)) (problems.push(`unknown status '${f.status}'`), (f.status = undefined));
  for (const k of ['since', 'until'] as const) {
    const val = f[k];
    if (val && !DATE.test(val) && !DATETIME.test(val)) (problems.push(`${k}: expected a date (YYYY-MM-DD), got '${val}'`), (f[k] = undefined));
  }
  return { f, problems };
}

/** Date-only bounds cover whole days: `until` a date means up to the end of that day (UTC). */
function toQuery(f: Filters): VisibleAlertFilter {
  let until = f.until;
  if (until && DATE.test(until)) {
    const d = new Date(`${until}T00:00:00Z`);
    d.setUTCDate(d.getUTCDate() + 1);
    until = d.toISOString().slice(0, 10);
  }
  return { rule: f.rule, level: f.level, account: f.account, status: f.status, since: f.since, until, q: f.q };
}

const timeText = (t: string | null) => (t ? t.replace('T', ' ').replace(/\.\d+Z$|Z$/, ' UTC') : '—');
const time = (t: string | null): Html => (t ? html`<time datetime="${t}">${timeText(t)}</time>` : html`—`);
/** Multi-line text with its line breaks kept (inline styles are blocked by the CSP, so no pre-wrap). */
const lines = (t: string): Html[] => t.split(/\r?\n/).map((l, i) => (i ? html`<br>${l}` : html`${l}`));
/** Option labels stay short so the rule select fits a phone screen (CSS cannot narrow a select's options). */
const short = (t: string) => (t.length > 38 ? `${t.slice(0, 36)}…` : t);
const opt = (value: string, label: string, selected: string | undefined) => html`<option value="${value}"${selected === value ? html` selected` : ''}>${label}</option>`;

export function registerAlerts(app: FastifyInstance, ctx: AppContext): void {
  const { db } = ctx;

  app.get('/alerts', async (req, reply) => {
    requireThat(req, can.readAlerts(req.viewer), 'alerts');
    const query = (req.query ?? {}) as Record<string, unknown>;
    const { f, problems } = readFilters(query);
    const pageNo = intParam(query.page, 1, 1, 100_000);
    const { total, items } = listVisibleAlerts(db, req.viewer, { ...toQuery(f), limit: PER_PAGE, offset: (pageNo - 1) * PER_PAGE });
    const pages = Math.max(1, Math.ceil(total / PER_PAGE));
    const rules = alertRules(db, req.viewer);
    const link = (p: number) => `/alerts${qs({ ...f, page: p > 1 ? p : undefined })}`;
    const filtered = Object.values(f).some(Boolean);
    const body = html`<h1>Alerts</h1>
<form class="filters" method="get" action="/alerts" data-autosubmit aria-label="Filter alerts">
  <label for="f-rule">Rule<select id="f-rule" name="rule"><option value="">All rules</option>${rules.map((r) => opt(r.rule_id, `${short(r.rule_title)} (${r.n})`, f.rule))}</select></label>
  <label for="f-level">Minimum level<select id="f-level" name="level"><option value="">Any</option>${LEVELS.map((l) => opt(l, l, f.level))}</select></label>
  <label for="f-status">Status<select id="f-status" name="status"><option value="">Any</option>${ALERT_STATUSES.map((s) => opt(s, s, f.status))}</select></label>
  <label for="f-account">Account<input id="f-account" name="account" inputmode="numeric" size="14" value="${f.account ?? ''}"></label>
  <label for="f-since">Since<input id="f-since" name="since" type="date" value="${f.since ?? ''}"></label>
  <label for="f-until">Until (inclusive)<input id="f-until" name="until" type="date" value="${f.until ?? ''}"></label>
  <label for="f-q">Text<input id="f-q" name="q" type="search" placeholder="event, actor, IP, rule" value="${f.q ?? ''}"></label>
  <button type="submit">Filter</button>
  ${filtered ? html`<a href="/alerts">Clear filters</a>` : ''}
</form>
${problems.length ? html`<div class="errors" role="alert"><p>Some filters were ignored:</p><ul>${problems.map((p) => html`<li>${p}</li>`)}</ul></div>` : ''}
<p aria-live="polite"><strong>${total}</strong> alert${total === 1 ? '' : 's'}${filtered ? ' match the filters' : ''}${total > PER_PAGE ? html` · page ${pageNo} of ${pages}` : ''}</p>
${
  items.length
    ? html`<div class="table-wrap"><table>
<caption class="skip">Alerts, newest first</caption>
<thead><tr><th scope="col">Time</th><th scope="col">Level</th><th scope="col">Rule</th><th scope="col">Account</th><th scope="col">Region</th><th scope="col">Event</th><th scope="col">Actor</th><th scope="col">Source IP</th><th scope="col">Status</th></tr></thead>
<tbody>${items.map(
        (a) => html`<tr>
<td><a href="/alerts/${a.id}" aria-label="Alert ${a.id}: ${a.rule_title} at ${timeText(a.time)}">${time(a.time)}</a></td>
<td>${severityBadge(a.level)}</td>
<td><a href="${hrefOf('rule', a.rule_id)}">${a.rule_title}</a></td>
<td>${a.account ?? '—'}</td>
<td>${a.region ?? '—'}</td>
<td>${a.event_name ?? '—'}${a.event_source ? html`<br><span class="muted small">${a.event_source}</span>` : ''}</td>
<td class="small">${a.actor ?? '—'}</td>
<td>${a.source_ip ?? '—'}</td>
<td>${statusBadge(a.status)}</td>
</tr>`,
      )}</tbody></table></div>`
    : html`<p class="notice">No alerts${filtered ? ' match these filters' : ' yet'}.</p>`
}
${
  pages > 1
    ? html`<nav class="pager" aria-label="Pages">
  ${pageNo > 1 ? html`<a href="${link(pageNo - 1)}" rel="prev">← Newer</a>` : ''}
  <span>Page ${pageNo} of ${pages}</span>
  ${pageNo < pages ? html`<a href="${link(pageNo + 1)}" rel="next">Older →</a>` : ''}
</nav>`
    : ''
}`;
    return sendHtml(reply, page({ title: 'Alerts', viewer: req.viewer, csrf: req.csrf, path: '/alerts' }, body));
  });

  const alertId = (req: FastifyRequest): number => {
    const id = String((req.params as { id?: string }).id ?? '');
    if (!/^\d{1,15}$/.test(id)) throw new HttpError(404, 'no such alert');
    return Number(id);
  };

  /**
   * The trail's posture around an alert on a logging call: the account's "CloudTrail trail weakened" changes (the
   * timeline `tideline trails` reconstructs, stored as built-in alerts), so the analyst sees what else changed.
   */
  const trailContext = (req: FastifyRequest, a: AlertDetail): Html => {
    const onLogging = a.event_source === 'cloudtrail.amazonaws.com' || a.rule_id === TRAIL_WEAKENED.id || /cloudtrail/i.test(a.rule_title);
    if (!onLogging || !a.account) return html``;
    const { total, items } = listVisibleAlerts(db, req.viewer, { rule: TRAIL_WEAKENED.id, account: a.account, limit: 20 });
    if (!total) return html``;
    return html`<h2>Trail posture in ${a.account}</h2>
<p class="muted small">Changes that weakened a trail of this account (the built-in detection "${TRAIL_WEAKENED.title}", from <code>tideline trails</code>), oldest first.</p>
<ol>${[...items].reverse().map((x) => html`<li><a href="/alerts/${x.id}">${time(x.time)} ${x.event_name ?? ''}</a> by ${x.actor ?? 'unknown'}${x.id === a.id ? html` <strong>(this alert)</strong>` : ''}</li>`)}</ol>
${total > items.length ? html`<p><a href="/alerts${qs({ rule: TRAIL_WEAKENED.id, account: a.account })}">All ${total} changes</a></p>` : ''}`;
  };

  const detail = (req: FastifyRequest, a: AlertDetail, form: { status?: string; comment?: string; error?: string; notice?: string } = {}) => {
    const matched = Object.entries(a.matched ?? {});
    const chosen = form.status ?? a.status;
    return page(
      { title: `Alert ${a.id}: ${a.rule_title}`, viewer: req.viewer, csrf: req.csrf, path: '/alerts' },
      html`<p class="small"><a href="/alerts">← All alerts</a></p>
<h1>${a.rule_title}</h1>
${form.notice ? html`<p class="notice" role="status">${form.notice}</p>` : ''}
<p class="meta">${severityBadge(a.level)} ${statusBadge(a.status)} <span>Alert ${a.id}</span> <span>${time(a.time)}</span></p>
<dl>
  <dt>Rule</dt><dd><a href="${hrefOf('rule', a.rule_id)}">${a.rule_title}</a> <code>${a.rule_id}</code></dd>
  <dt>Event</dt><dd>${a.event_name ?? '—'} (${a.event_source ?? 'unknown source'})${a.event_id ? html` · <code>${a.event_id}</code>` : ''}</dd>
  <dt>Account / region</dt><dd>${a.account ?? '—'} / ${a.region ?? '—'}</dd>
  <dt>Actor</dt><dd>${a.actor ?? '—'}</dd>
  <dt>Source IP</dt><dd>${a.source_ip ?? '—'}</dd>
  <dt>Source</dt><dd><code>${a.source_file}</code>, record ${a.source_index}</dd>
</dl>
<h2>Matched fields</h2>
${
  matched.length
    ? html`<div class="table-wrap"><table><thead><tr><th scope="col">Field</th><th scope="col">Value</th></tr></thead><tbody>${matched.map(([k, v]) => html`<tr><th scope="row"><code>${k}</code></th><td><code>${typeof v === 'string' ? v : JSON.stringify(v)}</code></td></tr>`)}</tbody></table></div>`
    : html`<p class="muted">The rule named no fields (keyword match).</p>`
}
${trailContext(req, a)}
<h2 id="triage-h">Triage</h2>
${
  can.triage(req.viewer)
    ? html`<form method="post" action="/alerts/${a.id}/triage" class="card" aria-labelledby="triage-h">
  <input type="hidden" name="_csrf" value="${req.csrf}">
  <div class="field"><label for="status">Status</label>
  <select id="status" name="status" required${form.error ? html` aria-describedby="status-error" aria-invalid="true"` : ''}>${ALERT_STATUSES.map((st) => opt(st, st, chosen))}</select>
  ${form.error ? html`<p class="error" id="status-error">${form.error}</p>` : ''}</div>
  <div class="field"><label for="comment">Comment</label><textarea id="comment" name="comment" rows="3" maxlength="4000">${form.comment ?? ''}</textarea></div>
  <button type="submit">Save triage</button>
</form>`
    : ''
}
<h2>History</h2>
${
  a.history.length
    ? html`<div class="table-wrap"><table><thead><tr><th scope="col">When</th><th scope="col">Who</th><th scope="col">Status</th><th scope="col">Comment</th></tr></thead>
<tbody>${a.history.map((h) => html`<tr><td>${time(h.at)}</td><td>${h.user}</td><td>${statusBadge(h.status)}</td><td>${lines(h.comment ?? '')}</td></tr>`)}</tbody></table></div>`
    : html`<p class="muted">Not triaged yet.</p>`
}
<h2>Raw event</h2>
<pre tabindex="0" aria-label="Raw CloudTrail event (JSON)"><code>${JSON.stringify(a.event, null, 2)}</code></pre>`,
    );
  };

  app.get('/alerts/:id', async (req, reply) => {
    requireThat(req, can.readAlerts(req.viewer), 'alerts');
    const a = getVisibleAlert(db, req.viewer, alertId(req));
    if (!a) throw new HttpError(404, 'no such alert');
    const triaged = strParam((req.query as Record<string, unknown>).triaged, 20);
    const notice = triaged && (ALERT_STATUSES as readonly string[]).includes(triaged) ? `Triage saved: the alert is now ${triaged}.` : undefined;
    return sendHtml(reply, detail(req, a, { notice }));
  });

  app.post('/alerts/:id/triage', async (req, reply) => {
    requireThat(req, can.triage(req.viewer), 'triage');
    const id = alertId(req);
    const a = getVisibleAlert(db, req.viewer, id);
    if (!a) throw new HttpError(404, 'no such alert');
    const body = (req.body ?? {}) as Record<string, unknown>;
    const status = strParam(body.status, 20);
    const comment = typeof body.comment === 'string' ? body.comment.trim() : '';
    if (!status || !(ALERT_STATUSES as readonly string[]).includes(status)) {
      return sendHtml(reply, detail(req, a, { status, comment, error: `Choose a status: ${ALERT_STATUSES.join(', ')}.` }), 422);
    }
    if (comment.length > 4000) return sendHtml(reply, detail(req, a, { status, comment, error: 'The comment is too long (at most 4,000 characters).' }), 422);
    triageAlert(db, id, status as AlertStatus, comment, req.viewer.user?.username ?? 'unknown');
    return reply.redirect(`/alerts/${id}?triaged=${status}`, 303);
  });
}
