/**
 * Atom, RSS and JSON Feed against a real server: well-formed, absolute links, TLP (anonymous sees TLP:CLEAR only; a
 * token, as `?token=` or Bearer, gives its owner's view), escaping of hostile text.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ContentItem } from '../src/content/load.js';
import { readYamlSource } from '../src/content/source.js';
import { putObject, refreshDerived } from '../src/store/content.js';
import { createToken, listUsers } from '../src/store/users.js';
import { ROOT } from './helpers/cloudtrail.js';
import { startServer, type TestServer } from './helpers/server.js';

const CT_UUID = '6acfdd4b-8e3c-4ba2-bc49-541e060b8974';
const CT_SLUG = 'aws-cloudtrail-logging-disabled';
const CT_YAML = readFileSync(join(ROOT, 'content', 'advisories', `${CT_SLUG}.yaml`), 'utf8');
const RED_UUID = '0b5e1f3a-9c2d-4e6f-8a1b-7c3d5e9f1a2b';
const NASTY_UUID = '5d2c9a7e-1b3f-4c8d-9e6a-2f4b8c1d7e3a';
const NASTY_NAME = 'Tom & Jerry <script>alert("x")</script> ]]> \u0001';

/** A copy of the CloudTrail advisory with another UUID, slug, name and TLP, stored as an import would. */
function insertCopy(srv: TestServer, uuid: string, slug: string, name: string, tlp: string): void {
  const text = CT_YAML.replace(CT_UUID, uuid)
    .replace(`slug: ${CT_SLUG}`, `slug: ${slug}`)
    .replace('tlp: clear', `tlp: ${tlp}`)
    .replace(/^name: .*$/m, `name: ${JSON.stringify(name)}`)
    .replace('created: 2026-11-24', 'created: 2026-11-30')
    .replace('modified: 2026-11-24', 'modified: 2026-12-01');
  const src = readYamlSource(`advisories/${slug}.yaml`, text);
  const item = { kind: 'advisory', doc: src.value, file: src.file, src, uuid, name } as unknown as ContentItem;
  srv.db.transaction(() => {
    putObject(srv.db, item, src.file, 'test');
    refreshDerived(srv.db, uuid);
  })();
}

/**
 * A small XML well-formedness check: tags balance, attribute values are quoted, and text has no raw `<` or stray `&`
 * (only the five entities and numeric references).
 */
function wellFormed(xml: string): { ok: boolean; error?: string; root?: string } {
  const body = xml.replace(/^<\?xml[^?]*\?>\s*/, '');
  const stack: string[] = [];
  let root: string | undefined;
  const entityOk = (s: string) => !/&(?!(amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);)/.test(s);
  const re = /<(\/?)([A-Za-z_][\w:.-]*)((?:\s+[\w:.-]+="[^"<]*")*)\s*(\/?)>|([^<]+)|(<)/g;
  for (const m of body.matchAll(re)) {
    if (m[6]) return { ok: false, error: `stray < at ${m.index}` };
    if (m[5] !== undefined) {
      if (!entityOk(m[5])) return { ok: false, error: `bad & in text near ${m[5].slice(0, 40)}` };
      if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/.test(m[5])) return { ok: false, error: 'control character in text' };
      if (!stack.length && m[5].trim()) return { ok: false, error: 'text outside the root element' };
      continue;
    }
    if (!entityOk(m[3] ?? '')) return { ok: false, error: `bad & in attribute of <${m[2]}>` };
    if (m[1]) {
      if (stack.pop() !== m[2]) return { ok: false, error: `unbalanced </${m[2]}>` };
    } else if (!m[4]) {
      if (!stack.length) {
        if (root) return { ok: false, error: 'two root elements' };
        root = m[2];
      }
      stack.push(m[2]!);
    } else root ??= m[2];
  }
  return stack.length ? { ok: false, error: `unclosed <${stack.at(-1)}>` } : { ok: true, root };
}

let srv: TestServer;
let adminToken: string;
let viewerToken: string;

beforeAll(async () => {
  srv = await startServer();
  insertCopy(srv, RED_UUID, 'zebulon-red-feed-item', 'Zebulon Red Feed Item', 'red');
  insertCopy(srv, NASTY_UUID, 'nasty-name', NASTY_NAME, 'clear');
  const admin = listUsers(srv.db).find((u) => u.role === 'admin')!;
  adminToken = createToken(srv.db, admin, 'feeds').token;
  await srv.as('viewer', undefined, 'feedviewer');
  viewerToken = createToken(srv.db, listUsers(srv.db).find((u) => u.username === 'feedviewer')!, 'feeds').token;
});
afterAll(async () => srv?.close());

const get = (path: string, headers: Record<string, string> = {}) => fetch(srv.url + path, { headers, redirect: 'manual' });

describe('Atom', () => {
  it('is well-formed Atom 1.0 with the public advisories and absolute links', async () => {
    const res = await get('/feeds/advisories.atom');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/atom\+xml/);
    expect(res.headers.get('cache-control')).toMatch(/public/);
    const xml = await res.text();
    expect(wellFormed(xml)).toEqual({ ok: true, root: 'feed' });
    expect(xml).toContain('<feed xmlns="http://www.w3.org/2005/Atom">');
    expect(xml.match(/<entry>/g)).toHaveLength(4);
    expect(xml).toContain(`<id>urn:uuid:${CT_UUID}</id>`);
    expect(xml).toContain(`<link rel="alternate" type="text/html" href="${srv.url}/advisories/${CT_SLUG}"/>`);
    expect(xml).toContain(`<link rel="self" type="application/atom+xml" href="${srv.url}/feeds/advisories.atom"/>`);
    expect(xml).toContain('<updated>2026-12-01T00:00:00.000Z</updated>'); // the feed's: newest modified date
    expect(xml).toMatch(/<published>2026-11-24T00:00:00.000Z<\/published>/);
    expect(xml).not.toContain(RED_UUID);
    expect(xml).not.toContain('Zebulon');
  });

  it('escapes hostile text and drops characters XML forbids', async () => {
    const xml = await (await get('/feeds/advisories.atom')).text();
    expect(xml).toContain('<title>Tom &amp; Jerry &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; ]]&gt; </title>');
    expect(xml).not.toContain('<script>');
    expect(xml).not.toContain('\u0001');
  });

  it('gives a token owner their view with ?token= or Bearer, and 401 for a bad token', async () => {
    const viaQuery = await get(`/feeds/advisories.atom?token=${adminToken}`);
    expect(viaQuery.status).toBe(200);
    expect(viaQuery.headers.get('cache-control')).toMatch(/private/);
    const xml = await viaQuery.text();
    expect(wellFormed(xml).ok).toBe(true);
    expect(xml).toContain(`urn:uuid:${RED_UUID}`);
    expect(xml).not.toContain(adminToken);
    const viaBearer = await (await get('/feeds/advisories.atom', { authorization: `Bearer ${adminToken}` })).text();
    expect(viaBearer).toContain(`urn:uuid:${RED_UUID}`);
    const viewer = await (await get(`/feeds/advisories.atom?token=${viewerToken}`)).text();
    expect(viewer).not.toContain(RED_UUID);
    expect((await get('/feeds/advisories.atom?token=tl_not_a_token')).status).toBe(401);
  });
});

describe('RSS', () => {
  it('is well-formed RSS 2.0 with RFC 822 dates and no TLP:RED item for anonymous readers', async () => {
    const res = await get('/feeds/advisories.rss');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/rss\+xml/);
    const xml = await res.text();
    expect(wellFormed(xml)).toEqual({ ok: true, root: 'rss' });
    expect(xml).toContain('<rss version="2.0"');
    expect(xml.match(/<item>/g)).toHaveLength(4);
    expect(xml).toContain(`<link>${srv.url}/advisories/${CT_SLUG}</link>`);
    expect(xml).toContain('<pubDate>Tue, 24 Nov 2026 00:00:00 GMT</pubDate>');
    expect(xml).not.toContain(RED_UUID);
    expect(xml).toContain('Tom &amp; Jerry &lt;script&gt;');
    const admin = await (await get(`/feeds/advisories.rss?token=${adminToken}`)).text();
    expect(wellFormed(admin).ok).toBe(true);
    expect(admin).toContain(RED_UUID);
  });
});

describe('JSON Feed', () => {
  it('is JSON Feed 1.1 with absolute URLs and the same visibility rules', async () => {
    const res = await get('/feeds/advisories.json');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/feed\+json/);
    const feed = (await res.json()) as { version: string; title: string; feed_url: string; home_page_url: string; items: { id: string; url: string; title: string; date_modified: string; date_published: string; tags: string[] }[] };
    expect(feed.version).toBe('https://jsonfeed.org/version/1.1');
    expect(feed.title).toBeTruthy();
    expect(feed.feed_url).toBe(`${srv.url}/feeds/advisories.json`);
    expect(feed.items).toHaveLength(4);
    for (const i of feed.items) {
      expect(i.url.startsWith(`${srv.url}/advisories/`)).toBe(true);
      expect(Number.isNaN(Date.parse(i.date_modified))).toBe(false);
      expect(i.title).toBeTruthy();
    }
    expect(feed.items.map((i) => i.id)).not.toContain(RED_UUID);
    expect(feed.items.find((i) => i.id === NASTY_UUID)!.title).toBe(NASTY_NAME);
    expect(feed.items.find((i) => i.id === CT_UUID)!.tags).toContain('T1562.008');
    const admin = (await (await get('/feeds/advisories.json', { authorization: `Bearer ${adminToken}` })).json()) as typeof feed;
    expect(admin.items.map((i) => i.id)).toContain(RED_UUID);
  });

  it('builds links from the request host, refusing a malformed Host', async () => {
    const { request } = await import('node:http');
    const u = new URL(srv.url);
    // fetch may not set Host; node:http may.
    const withHost = (host: string) =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = request({ host: u.hostname, port: u.port, path: '/feeds/advisories.json', headers: { host } }, (res) => {
          let s = '';
          res.on('data', (c) => (s += c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: s }));
        });
        req.on('error', reject);
        req.end();
      });
    const named = await withHost('feeds.example.org:8443');
    expect(JSON.parse(named.body).feed_url).toBe('http://feeds.example.org:8443/feeds/advisories.json');
    const evil = await withHost('evil.example"><x');
    expect(evil.status).not.toBe(500);
    if (evil.status === 200) expect(JSON.parse(evil.body).feed_url).toBe('http://localhost/feeds/advisories.json');
  });
});
