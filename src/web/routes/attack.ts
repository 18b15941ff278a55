/**
 * The ATT&CK coverage matrix: tactics in matrix order as columns, and in each the techniques that rules or advisories
 * cover, with how many rules (and how many with passing tests). Counts come from attackCoverage, which counts only
 * what this viewer may see. A technique renumbered in v19 (T1562.008 → T1685.002) sits under its v18 tactic and
 * under its v19 one (Defense Impairment), since content written in either era names it.
 */
import type { FastifyInstance } from 'fastify';
import { attack, type Technique } from '../../content/attack.js';
import { sendHtml, type AppContext } from '../../server/app.js';
import { can } from '../../store/access.js';
import { attackCoverage } from '../../store/queries.js';
import { html, qs } from '../html.js';
import { page } from '../layout.js';

interface Cell {
  technique: Technique;
  /** The id and name shown in this column (the v19 ones under a v19 tactic). */
  id: string;
  name: string;
  rules: number;
  tested: number;
  advisories: number;
}

export function registerAttack(app: FastifyInstance, ctx: AppContext): void {
  app.get('/attack', async (req, reply) => {
    const v = req.viewer;
    const coverage = attackCoverage(ctx.db, v);
    const tactics = attack().tactics();
    const columns = new Map<string, Cell[]>(tactics.map((t) => [t.shortname, []]));
    for (const [key, c] of coverage) {
      const t = attack().technique(key);
      if (!t) continue;
      const placed = new Set<string>();
      for (const tac of t.tactics) {
        if (placed.has(tac.shortname)) continue;
        placed.add(tac.shortname);
        columns.get(tac.shortname)?.push({ technique: t, id: t.id, name: t.name, ...c });
      }
      for (const tac of t.v19?.tactics ?? []) {
        if (placed.has(tac.shortname)) continue;
        placed.add(tac.shortname);
        columns.get(tac.shortname)?.push({ technique: t, id: t.v19!.id, name: t.v19!.name, ...c });
      }
    }
    for (const cells of columns.values()) cells.sort((a, b) => a.id.localeCompare(b.id));
    // Signed-in users go to the rules for the technique; everyone else (and cells without rules) to the advisories about it.
    const target = (c: Cell) => (can.readRules(v) && c.rules ? `/rules${qs({ technique: c.technique.id })}` : `/${qs({ technique: c.technique.id })}`);
    const shade = (n: number) => (n >= 3 ? 'c3' : n === 2 ? 'c2' : n === 1 ? 'c1' : '');
    const totalRules = [...coverage.values()].reduce((a, c) => a + c.rules, 0);
    const body = html`<h1>ATT&amp;CK coverage</h1>
<p class="muted">Techniques covered by ${v.role === 'anonymous' ? 'public (TLP:CLEAR) ' : ''}rules or advisories, by tactic (ATT&amp;CK v18, plus the v19 tactics). Each cell: rules detecting the technique, and how many of them pass their tests. ${coverage.size} techniques, ${totalRules} rule-technique pairs.</p>
<h2>Tactics and techniques</h2>
<div class="matrix">${tactics.map((tac) => {
      const cells = columns.get(tac.shortname) ?? [];
      return html`<section class="tactic" aria-labelledby="tac-${tac.shortname}">
  <h3 id="tac-${tac.shortname}">${tac.name}${tac.version === 19 ? ' (v19)' : ''}</h3>
  ${
    cells.length
      ? html`${cells.map(
          (c) => html`<a class="cell ${shade(c.rules)}" href="${target(c)}" data-technique="${c.technique.id}">
    <strong>${c.id}</strong> ${c.name}${c.id !== c.technique.id ? html` <span class="muted">(v18 ${c.technique.id})</span>` : ''}<br>
    <span class="counts">${c.rules} rule${c.rules === 1 ? '' : 's'}, ${c.tested} tested</span>${c.advisories ? html`<span class="muted"> · ${c.advisories} advisor${c.advisories === 1 ? 'y' : 'ies'}</span>` : ''}
  </a>`,
        )}`
      : html`<p class="muted small">None covered.</p>`
  }
</section>`;
    })}</div>`;
    return sendHtml(reply, page({ title: 'ATT&CK coverage', viewer: v, csrf: req.csrf, path: '/attack' }, body));
  });
}
