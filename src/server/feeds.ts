/**
 * Atom 1.0, RSS 2.0 and JSON Feed 1.1 of the newest published advisories the requester may see. Anonymous readers get
 * TLP:CLEAR only; feed readers that cannot send headers pass an API token as `?token=` to get its owner's view.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ANONYMOUS, type Viewer } from '../store/access.js';
import { listAdvisories, type AdvisoryListItem } from '../store/queries.js';
import { tokenViewer } from '../store/users.js';
import type { AppContext } from './app.js';
import { originOf } from './api/index.js';

const FEED_SIZE = 50;

/** XML text: escaped, with characters XML 1.0 forbids removed (they would make the whole feed unreadable). */
export const xml = (s: unknown): string =>
  String(s ?? '')
    .replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '')
    .replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);

/** Content dates are days (2026-11-24) or timestamps; feeds need full instants. Unparseable dates fall back to the epoch. */
function instant(d: string): Date {
  const t = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(d) ? `${d}T00:00:00Z` : d);
  return Number.isNaN(t) ? new Date(0) : new Date(t);
}

interface Entry {
  a: AdvisoryListItem;
  url: string;
  published: Date;
  updated: Date;
  tags: string[];
}

/** The reader: a `?token=` owner, else whoever the request authenticated as; undefined for a bad token. */
function feedViewer(ctx: AppContext, req: FastifyRequest): Viewer | undefined {
  const token = (req.query as { token?: string }).token;
  if (token) return tokenViewer(ctx.db, token);
  return req.viewer ?? ANONYMOUS;
}

function entries(ctx: AppContext, v: Viewer, origin: string): Entry[] {
  const { items } = listAdvisories(ctx.db, v, { status: 'published', limit: FEED_SIZE, offset: 0 });
  return items.map((a) => ({
    a,
    url: `${origin}/advisories/${encodeURIComponent(a.slug)}`,
    published: instant(a.created),
    updated: instant(a.modified || a.created),
    tags: [a.severity, ...a.tactics, ...a.techniques].filter(Boolean),
  }));
}

const newest = (es: Entry[]) => new Date(Math.max(0, ...es.map((e) => e.updated.getTime())));

function send(reply: FastifyReply, v: Viewer, type: string, body: string) {
  // A token's feed is personal; a public one may be cached briefly by readers and proxies.
  reply.header('Cache-Control', v.user ? 'private, no-store' : 'public, max-age=300');
  return reply.type(type).send(body);
}

function atom(origin: string, es: Entry[]): string {
  const self = `${origin}/feeds/advisories.atom`;
  return `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <id>${xml(self)}</id>
  <title>Tideline advisories</title>
  <subtitle>Threat advisories with measured detection coverage</subtitle>
  <link rel="self" type="application/atom+xml" href="${xml(self)}"/>
  <link rel="alternate" type="text/html" href="${xml(origin)}/"/>
  <updated>${newest(es).toISOString()}</updated>
  <author><name>Tideline</name></author>
  <generator>Tideline</generator>
${es
  .map(
    (e) => `  <entry>
    <id>urn:uuid:${xml(e.a.uuid)}</id>
    <title>${xml(e.a.name)}</title>
    <link rel="alternate" type="text/html" href="${xml(e.url)}"/>
    <published>${e.published.toISOString()}</published>
    <updated>${e.updated.toISOString()}</updated>
    <summary type="text">${xml(e.a.summary)}</summary>
    <content type="text">${xml(`Severity: ${e.a.severity}. TLP:${e.a.tlp.toUpperCase()}. Detection coverage: ${e.a.coverage} rule(s), ${e.a.coveredSteps} of ${e.a.stepsWithEvents} steps. ${e.a.summary}`)}</content>
${e.tags.map((t) => `    <category term="${xml(t)}"/>`).join('\n')}
  </entry>`,
  )
  .join('\n')}
</feed>
`;
}

function rss(origin: string, es: Entry[]): string {
  const self = `${origin}/feeds/advisories.rss`;
  return `<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom">
  <channel>
    <title>Tideline advisories</title>
    <link>${xml(origin)}/</link>
    <description>Threat advisories with measured detection coverage</description>
    <atom:link href="${xml(self)}" rel="self" type="application/rss+xml"/>
    <lastBuildDate>${newest(es).toUTCString()}</lastBuildDate>
    <generator>Tideline</generator>
${es
  .map(
    (e) => `    <item>
      <title>${xml(e.a.name)}</title>
      <link>${xml(e.url)}</link>
      <guid isPermaLink="false">urn:uuid:${xml(e.a.uuid)}</guid>
      <pubDate>${e.published.toUTCString()}</pubDate>
      <description>${xml(e.a.summary)}</description>
${e.tags.map((t) => `      <category>${xml(t)}</category>`).join('\n')}
    </item>`,
  )
  .join('\n')}
  </channel>
</rss>
`;
}

function jsonFeed(origin: string, es: Entry[]): string {
  return JSON.stringify({
    version: 'https://jsonfeed.org/version/1.1',
    title: 'Tideline advisories',
    home_page_url: `${origin}/`,
    feed_url: `${origin}/feeds/advisories.json`,
    description: 'Threat advisories with measured detection coverage',
    language: 'en',
    items: es.map((e) => ({
      id: e.a.uuid,
      url: e.url,
      title: e.a.name,
      summary: e.a.summary,
      content_text: e.a.summary,
      date_published: e.published.toISOString(),
      date_modified: e.updated.toISOString(),
      tags: e.tags,
      _tideline: { severity: e.a.severity, tlp: e.a.tlp, coverage: e.a.coverage, coveredSteps: e.a.coveredSteps, stepsWithEvents: e.a.stepsWithEvents },
    })),
  });
}

export function registerFeeds(app: FastifyInstance, ctx: AppContext): void {
  const schema = { querystring: { type: 'object', properties: { token: { type: 'string', minLength: 1, maxLength: 200 } } } };
  const feed = (ext: string, type: string, render: (origin: string, es: Entry[]) => string) =>
    app.get(`/feeds/advisories.${ext}`, { schema }, async (req, reply) => {
      const v = feedViewer(ctx, req);
      // A plain 401 (not the sign-in redirect pages get): feed readers cannot follow a login form.
      if (!v) return reply.status(401).type('text/plain; charset=utf-8').send('invalid or revoked feed token\n');
      const origin = originOf(req);
      return send(reply, v, type, render(origin, entries(ctx, v, origin)));
    });
  feed('atom', 'application/atom+xml; charset=utf-8', atom);
  feed('rss', 'application/rss+xml; charset=utf-8', rss);
  feed('json', 'application/feed+json; charset=utf-8', jsonFeed);
}
