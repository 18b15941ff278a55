/** The page shell: header with navigation by role, search, account links; main content; footer. */
import { can, TLPS, type Viewer } from '../store/access.js';
import { CSS_PATH, JS_PATH } from './assets.js';
import { html, type Html } from './html.js';

export interface PageOptions {
  title: string;
  viewer: Viewer;
  /** The session's CSRF token, placed in forms by the pages that have them. */
  csrf?: string;
  /** Current path, to mark the active navigation link. */
  path?: string;
  /** Search text to keep in the header box. */
  q?: string;
}

export function page(o: PageOptions, body: Html): Html {
  const v = o.viewer;
  const nav: [string, string, boolean][] = [
    ['/', 'Feed', true],
    ['/attack', 'ATT&CK coverage', true],
    ['/threats', 'Threat vectors', can.readModels(v)],
    ['/rules', 'Rules', can.readRules(v)],
    ['/alerts', 'Alerts', can.readAlerts(v)],
    ['/api/v1/docs', 'API', true],
  ];
  const clearance = TLPS[v.clearance] ?? 'clear';
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${o.title} · Tideline</title>
<link rel="stylesheet" href="${CSS_PATH}">
<link rel="alternate" type="application/atom+xml" title="Tideline advisories (Atom)" href="/feeds/advisories.atom">
<link rel="alternate" type="application/feed+json" title="Tideline advisories (JSON Feed)" href="/feeds/advisories.json">
${o.csrf ? html`<meta name="csrf-token" content="${o.csrf}">` : ''}
<script src="${JS_PATH}" defer></script>
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header class="site">
  <a class="brand" href="/">🌊 Tideline</a>
  <nav aria-label="Main"><ul>${nav.filter((n) => n[2]).map(([href, label]) => html`<li><a href="${href}"${o.path === href ? html` aria-current="page"` : ''}>${label}</a></li>`)}</ul></nav>
  <form class="search" role="search" action="/search" method="get">
    <label class="skip" for="q">Search</label>
    <input id="q" name="q" type="search" placeholder="Search advisories, threats, rules" value="${o.q ?? ''}">
    <button type="submit">Search</button>
  </form>
  ${
    v.user
      ? html`<span class="small">Signed in as <a href="/account">${v.user.username}</a> (${v.role}, up to TLP:${clearance.toUpperCase()})</span>
  <form method="post" action="/logout"><input type="hidden" name="_csrf" value="${o.csrf ?? ''}"><button class="secondary" type="submit">Sign out</button></form>`
      : html`<a href="/login">Sign in</a>`
  }
</header>
<main id="main">
${body}
</main>
<footer class="site">Tideline · advisories, threat models and tested detections · <a href="/feeds/advisories.atom">Atom</a> · <a href="/feeds/advisories.rss">RSS</a> · <a href="/feeds/advisories.json">JSON Feed</a> · <a href="/api/v1/docs">API</a></footer>
</body>
</html>`;
}

export const severityBadge = (s: string | null | undefined): Html => html`<span class="badge sev-${s ?? 'informational'}">${s ?? 'unknown'}</span>`;
export const tlpBadge = (t: string): Html => html`<span class="badge tlp tlp-${t}">TLP:${t.toUpperCase()}</span>`;
export const statusBadge = (s: string): Html => html`<span class="badge status-${s}">${s}</span>`;
