/**
 * Sigma rules: the list (filters by technique, tactic, level), the rule page (the `tideline docs` Markdown rendered to
 * HTML, plus the YAML with a copy button) and the YAML download. Detection logic needs an account (can.readRules).
 */
import type { FastifyInstance } from 'fastify';
import { attack } from '../../content/attack.js';
import { rulePage } from '../../docs/pages.js';
import { HttpError, intParam, requireThat, sendHtml, strParam, type AppContext } from '../../server/app.js';
import { can } from '../../store/access.js';
import { getRule, listRules } from '../../store/queries.js';
import { html, qs } from '../html.js';
import { page, severityBadge, statusBadge } from '../layout.js';
import { SEVERITIES, logsourceLabel, pager, ruleAttackOf, techniqueName } from './feed.js';
import { docHtml, siteContext } from './models.js';
import { deploySection } from './rule-deploy.js';

const PER_PAGE = 50;

/** `rules/aws_x.yml` → `aws_x.yml`: a safe attachment file name. */
function downloadName(path: string, id: string): string {
  const base = (path.split(/[\\/]/).pop() ?? '').replace(/\.ya?ml$/i, '').replace(/[^A-Za-z0-9._-]+/g, '_') || id.replace(/[^A-Za-z0-9._-]+/g, '_');
  return `${base}.yml`;
}

export function registerRules(app: FastifyInstance, ctx: AppContext): void {
  app.get('/rules', async (req, reply) => {
    const v = req.viewer;
    requireThat(req, can.readRules(v), 'detection rules');
    const q = req.query as Record<string, unknown>;
    const tech = strParam(q.technique, 20);
    const f = {
      technique: tech ? (attack().technique(tech)?.id ?? tech.toUpperCase()) : undefined,
      tactic: attack().tactic(strParam(q.tactic, 60) ?? '')?.shortname,
      level: SEVERITIES.find((s) => s === strParam(q.level, 20)),
    };
    const pageNo = intParam(q.page, 1, 1, 10_000);
    // listRules returns the whole filtered list in one query; rules number in the hundreds, so the page is a slice.
    const all = listRules(ctx.db, v, f);
    const items = all.slice((pageNo - 1) * PER_PAGE, pageNo * PER_PAGE);
    const opt = (value: string, label: string, sel: string | undefined) => html`<option value="${value}"${value === sel ? html` selected` : ''}>${label}</option>`;
    const body = html`<h1>Detection rules</h1>
<p class="muted">${all.length} Sigma rule${all.length === 1 ? '' : 's'}${Object.values(f).some(Boolean) ? ' match the filters' : ''}.</p>
<form class="filters" method="get" action="/rules" data-autosubmit aria-label="Filter rules">
  <label for="r-technique">Technique<input id="r-technique" name="technique" size="12" value="${f.technique ?? ''}" placeholder="T1562.008"></label>
  <label for="r-tactic">Tactic<select id="r-tactic" name="tactic"><option value="">any</option>${attack()
    .tactics()
    .map((t) => opt(t.shortname, t.version === 19 ? `${t.name} (v19)` : t.name, f.tactic))}</select></label>
  <label for="r-level">Level<select id="r-level" name="level"><option value="">any</option>${SEVERITIES.map((s) => opt(s, s, f.level))}</select></label>
  <button type="submit">Filter</button>
  ${Object.values(f).some(Boolean) ? html`<a href="/rules">Clear filters</a>` : ''}
</form>
${
  items.length
    ? html`<div class="table-wrap"><table><thead><tr><th scope="col">Rule</th><th scope="col">Level</th><th scope="col">ATT&amp;CK</th><th scope="col">Log source</th><th scope="col">Tests</th></tr></thead><tbody>${items.map((r) => {
        const at = ruleAttackOf(r.tags);
        const other = r.tags.filter((t) => !/^attack\./i.test(t));
        return html`<tr><td><a href="/rules/${encodeURIComponent(r.id)}">${r.title}</a></td><td>${severityBadge(r.level)}</td><td>${[...at.tactics, ...at.techniques.map((t) => techniqueName(t.id)), ...other].join(', ')}</td><td>${logsourceLabel(r.logsource)}</td><td>${statusBadge(r.test_status)}</td></tr>`;
      })}</tbody></table></div>`
    : html`<p class="notice">No rule matches these filters.</p>`
}
${pager('/rules', f, pageNo, PER_PAGE, all.length)}`;
    return sendHtml(reply, page({ title: 'Detection rules', viewer: v, csrf: req.csrf, path: '/rules' }, body));
  });

  app.get('/rules/:id', async (req, reply) => {
    const v = req.viewer;
    requireThat(req, can.readRules(v), 'detection rules');
    const id = strParam((req.params as Record<string, unknown>).id, 100) ?? '';
    const row = getRule(ctx.db, v, id);
    const site = row ? siteContext(ctx.db, v) : undefined;
    const rule = site?.set.rules.rules.find((r) => r.id === id);
    if (!row || !site || !rule) throw new HttpError(404, 'no such rule');
    // The Markdown's Detection section is replaced below by the stored YAML with copy and download buttons.
    const md = rulePage(rule, site, '');
    const start = md.indexOf('\n## Detection\n');
    const next = start < 0 ? -1 : md.indexOf('\n## ', start + 1);
    const before = start < 0 ? md : md.slice(0, start);
    const after = start < 0 || next < 0 ? '' : md.slice(next);
    const body = html`<article class="doc">
${docHtml(before)}
<h2>Detection</h2>
<p><button type="button" class="secondary" data-copy="rule-yaml">Copy YAML</button> <a href="/rules/${encodeURIComponent(row.id)}/download" download>Download</a>${can.readAlerts(v) ? html` · <a href="/alerts${qs({ rule: row.id })}">Alerts from this rule</a>` : ''}</p>
<pre id="rule-yaml"><code class="language-yaml">${row.yaml}</code></pre>
${deploySection(ctx, v, row.id, strParam((req.query as Record<string, unknown>).target, 40))}
${docHtml(after)}
</article>`;
    return sendHtml(reply, page({ title: row.title, viewer: v, csrf: req.csrf, path: '/rules' }, body));
  });

  app.get('/rules/:id/download', async (req, reply) => {
    const v = req.viewer;
    requireThat(req, can.readRules(v), 'detection rules');
    const row = getRule(ctx.db, v, strParam((req.params as Record<string, unknown>).id, 100) ?? '');
    if (!row) throw new HttpError(404, 'no such rule');
    return reply
      .type('application/x-yaml; charset=utf-8')
      .header('Content-Disposition', `attachment; filename="${downloadName(row.path, row.id)}"`)
      .send(row.yaml);
  });
}
