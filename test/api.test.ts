/**
 * REST API against a real server on loopback (real SQLite file, bundled content, sample alerts): listing, filters and
 * pagination, TLP on every path, roles, tokens, ETag/If-Match saves, CSRF, SQL injection, the OpenAPI document.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ContentItem } from '../src/content/load.js';
import { readYamlSource } from '../src/content/source.js';
import { putObject, refreshDerived } from '../src/store/content.js';
import { ROOT } from './helpers/cloudtrail.js';
import { startServer, type Client, type TestServer } from './helpers/server.js';

const CT_UUID = '6acfdd4b-8e3c-4ba2-bc49-541e060b8974';
const CT_SLUG = 'aws-cloudtrail-logging-disabled';
const RED_UUID = '0b5e1f3a-9c2d-4e6f-8a1b-7c3d5e9f1a2b';
const RED_SLUG = 'zebulon-crimson-trail-tampering';
const CT_YAML = readFileSync(join(ROOT, 'content', 'advisories', `${CT_SLUG}.yaml`), 'utf8');

/** A TLP:RED copy of the CloudTrail advisory, stored as an import would store it. */
function insertRed(srv: TestServer): void {
  const text = CT_YAML.replace(CT_UUID, RED_UUID)
    .replace(`slug: ${CT_SLUG}`, `slug: ${RED_SLUG}`)
    .replace('tlp: clear', 'tlp: red')
    .replace(/^name: .*$/m, 'name: Zebulon Crimson Trail Tampering')
    .replace('summary: >-\n    Attackers', 'summary: >-\n    Zebulon attackers');
  const src = readYamlSource(`advisories/${RED_SLUG}.yaml`, text);
  const item = { kind: 'advisory', doc: src.value, file: src.file, src, uuid: RED_UUID, name: 'Zebulon Crimson Trail Tampering' } as unknown as ContentItem;
  srv.db.transaction(() => {
    putObject(srv.db, item, src.file, 'test');
    refreshDerived(srv.db, RED_UUID);
  })();
}

const json = async (res: Response): Promise<any> => res.json();
const INJECTIONS = ["' OR 1=1 --", '"); DROP TABLE objects; --', "x' UNION SELECT password_hash FROM users --", '*', "1; DROP TABLE users"];

let srv: TestServer;
let anon: Client, viewer: Client, analyst: Client, editor: Client, admin: Client;

beforeAll(async () => {
  srv = await startServer();
  insertRed(srv);
  anon = srv.anon();
  [viewer, analyst, editor, admin] = await Promise.all([srv.as('viewer'), srv.as('analyst'), srv.as('editor'), srv.as('admin')]);
});
afterAll(async () => srv?.close());

describe('advisories: list, filters, pagination', () => {
  it('lists published TLP:CLEAR advisories to anonymous callers, newest first, with the envelope', async () => {
    const res = await anon.fetch('/api/v1/advisories');
    expect(res.status).toBe(200);
    const body = await json(res);
    expect(Object.keys(body).sort()).toEqual(['items', 'limit', 'next', 'offset', 'total']);
    expect(body.total).toBe(3);
    expect(body.items.map((a: any) => a.tlp)).toEqual(['clear', 'clear', 'clear']);
    expect(body.items.map((a: any) => a.slug)).toContain(CT_SLUG);
    expect(body.next).toBeNull();
  });

  it('paginates with limit/offset and page, and links the next page', async () => {
    const first = await json(await anon.fetch('/api/v1/advisories?limit=1'));
    expect(first.items).toHaveLength(1);
    expect(first.total).toBe(3);
    expect(first.next).toMatch(/^\/api\/v1\/advisories\?.*offset=1/);
    const second = await json(await anon.fetch(first.next));
    expect(second.items).toHaveLength(1);
    expect(second.items[0].uuid).not.toBe(first.items[0].uuid);
    const page2 = await json(await anon.fetch('/api/v1/advisories?limit=1&page=2'));
    expect(page2.items[0].uuid).toBe(second.items[0].uuid);
    const last = await json(await anon.fetch('/api/v1/advisories?limit=1&offset=2'));
    expect(last.next).toBeNull();
  });

  it('filters by severity, technique, tactic, log source and text', async () => {
    const all = (await json(await anon.fetch('/api/v1/advisories'))).items as any[];
    const med = await json(await anon.fetch('/api/v1/advisories?severity=medium'));
    expect(med.items.every((a: any) => a.severity === 'medium')).toBe(true);
    expect(med.total).toBe(all.filter((a) => a.severity === 'medium').length);
    const tech = await json(await anon.fetch('/api/v1/advisories?technique=T1562.008'));
    expect(tech.items.map((a: any) => a.slug)).toContain(CT_SLUG);
    expect(tech.items.every((a: any) => a.techniques.includes('T1562.008'))).toBe(true);
    const tactic = await json(await anon.fetch('/api/v1/advisories?tactic=defense-evasion'));
    expect(tactic.items.every((a: any) => a.tactics.includes('defense-evasion'))).toBe(true);
    const ls = await json(await anon.fetch('/api/v1/advisories?logsource=aws%2Fcloudtrail'));
    expect(ls.total).toBeGreaterThan(0);
    const q = await json(await anon.fetch('/api/v1/advisories?q=StopLogging'));
    expect(q.items.map((a: any) => a.slug)).toContain(CT_SLUG);
    const none = await json(await anon.fetch('/api/v1/advisories?technique=T9999'));
    expect(none).toMatchObject({ items: [], total: 0 });
  });

  it('rejects invalid parameters with 400 and a clear message', async () => {
    for (const qs of ['limit=101', 'limit=0', 'offset=-1', 'limit=abc', 'severity=apocalyptic', 'tlp=purple', 'page=0']) {
      const res = await anon.fetch(`/api/v1/advisories?${qs}`);
      expect(res.status, qs).toBe(400);
      const body = await json(res);
      expect(body.error, qs).toMatch(/querystring\/(limit|offset|severity|tlp|page)/);
    }
  });

  it('gets an advisory by slug or UUID with coverage, version and ETag; 304 on If-None-Match', async () => {
    const res = await anon.fetch(`/api/v1/advisories/${CT_SLUG}`);
    expect(res.status).toBe(200);
    const etag = res.headers.get('etag');
    expect(etag).toBe(`"${CT_UUID}:1"`);
    const a = await json(res);
    expect(a).toMatchObject({ uuid: CT_UUID, slug: CT_SLUG, version: 1, tlp: 'clear', etag });
    expect(a.object.advisory.slug).toBe(CT_SLUG);
    // Coverage is measured (rules firing on the simulated chain), the same number the list shows.
    const listed = (await json(await anon.fetch('/api/v1/advisories'))).items.find((x: any) => x.slug === CT_SLUG);
    expect(a.coverage.rules).toBeGreaterThan(0);
    expect(a.coverage.rules).toBe(listed.coverage);
    expect(a.coverage.report.rules).toHaveLength(a.coverage.rules);
    const byUuid = await anon.fetch(`/api/v1/advisories/${CT_UUID}`);
    expect(byUuid.status).toBe(200);
    const cached = await anon.fetch(`/api/v1/advisories/${CT_SLUG}`, { headers: { 'if-none-match': etag! } });
    expect(cached.status).toBe(304);
    expect((await anon.fetch('/api/v1/advisories/no-such-thing')).status).toBe(404);
  });
});

describe('accounts and roles', () => {
  it('keeps rules, models and alerts behind an account and the right role', async () => {
    for (const p of ['/api/v1/rules', '/api/v1/threats', '/api/v1/objectives', '/api/v1/mdrs', '/api/v1/alerts', '/api/v1/tokens']) {
      const res = await anon.fetch(p);
      expect(res.status, p).toBe(401);
      expect((await json(res)).error).toBeTruthy();
    }
    const rules = await json(await viewer.fetch('/api/v1/rules?limit=5'));
    expect(rules.total).toBe(11);
    expect(rules.items).toHaveLength(5);
    expect(rules.next).toBeTruthy();
    const rule = await json(await viewer.fetch(`/api/v1/rules/${rules.items[0].id}`));
    expect(rule.yaml).toContain('detection:');
    expect(['pass', 'fail', 'untested']).toContain(rule.test_status);
    expect(Array.isArray(rule.test_cases)).toBe(true);
    expect((await viewer.fetch('/api/v1/alerts')).status).toBe(403);
    const threats = await json(await viewer.fetch('/api/v1/threats?limit=2'));
    expect(threats.items).toHaveLength(2);
    const t = await json(await viewer.fetch(`/api/v1/threats/${threats.items[0].uuid}`));
    expect(t.kind).toBe('tvm');
    expect(t.yaml).toContain('threat:');
    expect((await viewer.fetch(`/api/v1/objectives/${threats.items[0].uuid}`)).status).toBe(404);
  });

  it('answers /me for anonymous, session and token callers', async () => {
    expect(await json(await anon.fetch('/api/v1/me'))).toMatchObject({ user: null, role: 'anonymous', clearance: 'clear', auth: 'none' });
    expect(await json(await analyst.fetch('/api/v1/me'))).toMatchObject({ user: { username: analyst.username }, role: 'analyst', clearance: 'amber', auth: 'session' });
  });

  it('creates tokens with a session + CSRF header, authenticates with Bearer, refuses revoked ones', async () => {
    const created = await analyst.fetch('/api/v1/tokens', { method: 'POST', headers: { 'content-type': 'application/json', 'x-csrf-token': analyst.csrf }, body: JSON.stringify({ name: 'ci pipeline' }) });
    expect(created.status).toBe(201);
    const t = await json(created);
    expect(t.token).toMatch(/^tl_/);
    expect(t).toMatchObject({ name: 'ci pipeline', role: 'analyst', revoked_at: null });
    const bearer = { authorization: `Bearer ${t.token}` };
    const me = await json(await anon.fetch('/api/v1/me', { headers: bearer }));
    expect(me).toMatchObject({ user: { username: analyst.username }, role: 'analyst', auth: 'token' });
    expect((await anon.fetch('/api/v1/alerts?limit=1', { headers: bearer })).status).toBe(200);
    const list = await json(await anon.fetch('/api/v1/tokens', { headers: bearer }));
    expect(list.items.map((x: any) => x.id)).toContain(t.id);
    expect(JSON.stringify(list)).not.toContain(t.token);
    // A token acting as a viewer cannot mint a stronger token, even though its owner could.
    const weak = await json(await analyst.fetch('/api/v1/tokens', { method: 'POST', headers: { 'content-type': 'application/json', 'x-csrf-token': analyst.csrf }, body: JSON.stringify({ name: 'weak', role: 'viewer' }) }));
    const escalate = await anon.fetch('/api/v1/tokens', { method: 'POST', headers: { authorization: `Bearer ${weak.token}`, 'content-type': 'application/json' }, body: JSON.stringify({ name: 'strong', role: 'analyst' }) });
    expect(escalate.status).toBe(400);
    expect((await anon.fetch('/api/v1/alerts', { headers: { authorization: `Bearer ${weak.token}` } })).status).toBe(403);
    // Revoke, then the token no longer works.
    const del = await analyst.fetch(`/api/v1/tokens/${t.id}`, { method: 'DELETE', headers: { 'x-csrf-token': analyst.csrf } });
    expect(del.status).toBe(204);
    const after = await anon.fetch('/api/v1/me', { headers: bearer });
    expect(after.status).toBe(401);
    expect((await analyst.fetch(`/api/v1/tokens/${t.id}`, { method: 'DELETE', headers: { 'x-csrf-token': analyst.csrf } })).status).toBe(404);
    expect((await anon.fetch('/api/v1/me', { headers: { authorization: 'Bearer tl_made_up' } })).status).toBe(401);
  });

  it('refuses a token role above the owner and bad names with 400', async () => {
    const post = (body: unknown) => viewer.fetch('/api/v1/tokens', { method: 'POST', headers: { 'content-type': 'application/json', 'x-csrf-token': viewer.csrf }, body: JSON.stringify(body) });
    expect((await post({ name: 'x', role: 'admin' })).status).toBe(400);
    expect((await post({ name: '<script>' })).status).toBe(400);
    expect((await post({ role: 'viewer' })).status).toBe(400);
  });

  it('requires the CSRF token on cookie-authenticated unsafe requests', async () => {
    const noCsrf = await analyst.fetch('/api/v1/tokens', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'x' }) });
    expect(noCsrf.status).toBe(403);
    expect((await json(noCsrf)).error).toMatch(/CSRF/);
    const alerts = await json(await analyst.fetch('/api/v1/alerts?limit=1'));
    const patch = await analyst.fetch(`/api/v1/alerts/${alerts.items[0].id}`, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ status: 'closed' }) });
    expect(patch.status).toBe(403);
    const wrong = await analyst.fetch(`/api/v1/alerts/${alerts.items[0].id}`, { method: 'PATCH', headers: { 'content-type': 'application/json', 'x-csrf-token': 'A'.repeat(analyst.csrf.length) }, body: JSON.stringify({ status: 'closed' }) });
    expect(wrong.status).toBe(403);
    expect((await json(await analyst.fetch(`/api/v1/alerts/${alerts.items[0].id}`))).status).toBe('open');
  });
});

describe('alerts', () => {
  it('lists, filters, paginates, gets and triages alerts', async () => {
    const all = await json(await analyst.fetch('/api/v1/alerts?limit=5'));
    expect(all.total).toBe(22);
    expect(all.items).toHaveLength(5);
    expect(all.next).toContain('offset=5');
    const rule = all.items[0].rule_id;
    const byRule = await json(await analyst.fetch(`/api/v1/alerts?rule=${rule}&limit=100`));
    expect(byRule.items.every((a: any) => a.rule_id === rule)).toBe(true);
    const high = await json(await analyst.fetch('/api/v1/alerts?level=high&limit=100'));
    expect(high.items.every((a: any) => ['high', 'critical'].includes(a.level))).toBe(true);
    expect((await analyst.fetch('/api/v1/alerts?since=yesterday')).status).toBe(400);
    expect((await analyst.fetch('/api/v1/alerts?status=pending')).status).toBe(400);
    const id = all.items[0].id;
    const one = await json(await analyst.fetch(`/api/v1/alerts/${id}`));
    expect(one.event).toBeTypeOf('object');
    const patched = await analyst.fetch(`/api/v1/alerts/${id}`, { method: 'PATCH', headers: { 'content-type': 'application/json', 'x-csrf-token': analyst.csrf }, body: JSON.stringify({ status: 'acknowledged', comment: 'looking' }) });
    expect(patched.status).toBe(200);
    const after = await json(patched);
    expect(after.status).toBe('acknowledged');
    expect(after.history.at(-1)).toMatchObject({ status: 'acknowledged', comment: 'looking', user: analyst.username });
    expect((await json(await analyst.fetch('/api/v1/alerts?status=acknowledged'))).total).toBe(1);
    const bad = await analyst.fetch(`/api/v1/alerts/${id}`, { method: 'PATCH', headers: { 'content-type': 'application/json', 'x-csrf-token': analyst.csrf }, body: JSON.stringify({ status: 'deleted' }) });
    expect(bad.status).toBe(400);
    expect((await analyst.fetch('/api/v1/alerts/999999')).status).toBe(404);
  });
});

describe('TLP:RED advisory', () => {
  it('is invisible to a viewer in the list, by id, in search and in ATT&CK counts', async () => {
    const list = await json(await viewer.fetch('/api/v1/advisories?limit=100'));
    expect(list.items.map((a: any) => a.uuid)).not.toContain(RED_UUID);
    expect(list.total).toBe(3);
    expect((await viewer.fetch(`/api/v1/advisories/${RED_UUID}`)).status).toBe(404);
    expect((await viewer.fetch(`/api/v1/advisories/${RED_SLUG}`)).status).toBe(404);
    expect((await anon.fetch(`/api/v1/advisories/${RED_SLUG}`)).status).toBe(404);
    expect((await json(await viewer.fetch('/api/v1/search?q=zebulon'))).items).toEqual([]);
    expect((await json(await viewer.fetch('/api/v1/advisories?q=zebulon'))).total).toBe(0);
    expect((await json(await editor.fetch('/api/v1/search?q=zebulon'))).items).toEqual([]);
  });

  it('is visible to an admin, and counted in their ATT&CK coverage only', async () => {
    const list = await json(await admin.fetch('/api/v1/advisories?limit=100'));
    expect(list.items.map((a: any) => a.uuid)).toContain(RED_UUID);
    expect(list.total).toBe(4);
    const a = await json(await admin.fetch(`/api/v1/advisories/${RED_SLUG}`));
    expect(a.tlp).toBe('red');
    const hits = await json(await admin.fetch('/api/v1/search?q=zebulon'));
    expect(hits.items.map((h: any) => h.ref)).toContain(RED_UUID);
    const cell = async (c: Client) => (await json(await c.fetch('/api/v1/attack/coverage'))).techniques.find((t: any) => t.id === 'T1562.008');
    const [v, ad, an] = await Promise.all([cell(viewer), cell(admin), cell(anon)]);
    expect(ad.advisories).toBe(v.advisories + 1);
    expect(an.advisories).toBe(v.advisories);
    expect(v.rules).toBeGreaterThan(0);
  });
});

describe('editing with ETag / If-Match', () => {
  const put = (c: Client, id: string, body: unknown, ifMatch?: string) =>
    c.fetch(`/api/v1/advisories/${id}`, { method: 'PUT', headers: { 'content-type': 'application/json', 'x-csrf-token': c.csrf, ...(ifMatch ? { 'if-match': ifMatch } : {}) }, body: JSON.stringify(body) });

  it('refuses viewers (403), missing If-Match (428), stale If-Match (412), invalid bodies (422)', async () => {
    const res = await editor.fetch(`/api/v1/advisories/${CT_SLUG}`);
    const etag = res.headers.get('etag')!;
    const a = await json(res);
    expect((await put(viewer, CT_UUID, { yaml: a.yaml }, etag)).status).toBe(403);
    const stranger = srv.anon();
    await stranger.page('/login'); // a pre-session CSRF token, so the request reaches the role check
    expect((await put(stranger, CT_UUID, { yaml: a.yaml }, etag)).status).toBe(401);
    const missing = await put(editor, CT_UUID, { yaml: a.yaml });
    expect(missing.status).toBe(428);
    expect((await put(editor, CT_UUID, { yaml: a.yaml }, `"${CT_UUID}:0"`)).status).toBe(412);
    const broken = a.yaml.replace('severity: medium', 'severity: apocalyptic').replace(/^ {2}summary: >-\n(?: {4}.*\n)+/m, '');
    const invalid = await put(editor, CT_UUID, { yaml: broken }, etag);
    expect(invalid.status).toBe(422);
    const body = await json(invalid);
    const paths = body.errors.map((e: any) => e.path);
    expect(paths).toContain('advisory.severity');
    expect(body.errors.some((e: any) => /summary/.test(e.message))).toBe(true);
    expect(body.errors.find((e: any) => e.path === 'advisory.severity').line).toBeGreaterThan(1);
    const yamlError = await put(editor, CT_UUID, { yaml: 'name: [unclosed' }, etag);
    expect(yamlError.status).toBe(422);
    const badLink = await put(editor, CT_UUID, { yaml: a.yaml.replace('- fd897ec4-9832-4aa2-9947-27f963e7ee22', '- 00000000-0000-4000-8000-000000000000') }, etag);
    expect(badLink.status).toBe(422);
    expect((await json(badLink)).errors[0].path).toBe('advisory.threats.0');
    const aboveClearance = await put(editor, CT_UUID, { yaml: a.yaml.replace('tlp: clear', 'tlp: red') }, etag);
    expect(aboveClearance.status).toBe(422);
    expect((await put(editor, CT_UUID, [1, 2], etag)).status).toBe(400); // not an object: refused by the route schema
    expect((await put(editor, CT_UUID, { yaml: 42 }, etag)).status).toBe(422);
    // Nothing was saved by the refused requests.
    expect((await json(await anon.fetch(`/api/v1/advisories/${CT_SLUG}`))).version).toBe(1);
  });

  it('saves a valid edit: version + 1, new ETag, modified today, a history row; the old ETag is then stale', async () => {
    const res = await editor.fetch(`/api/v1/advisories/${CT_SLUG}`);
    const etag = res.headers.get('etag')!;
    const a = await json(res);
    const yaml = a.yaml.replace('summary: >-\n    Attackers', 'summary: >-\n    Quokka attackers');
    const saved = await put(editor, CT_UUID, { yaml }, etag);
    expect(saved.status).toBe(200);
    const s = await json(saved);
    expect(s).toMatchObject({ uuid: CT_UUID, version: 2, etag: `"${CT_UUID}:2"` });
    expect(saved.headers.get('etag')).toBe(`"${CT_UUID}:2"`);
    const now = await json(await anon.fetch(`/api/v1/advisories/${CT_SLUG}`));
    expect(now.version).toBe(2);
    expect(now.object.advisory.summary).toMatch(/^Quokka attackers/);
    expect(now.modified).toBe(new Date().toISOString().slice(0, 10));
    expect(now.yaml).toContain('# AWS console or API access'); // the author's comments survive
    expect(now.coverage.rules).toBe(a.coverage.rules);
    const history = srv.db.prepare('SELECT version, saved_by FROM object_history WHERE uuid = ? ORDER BY version').all(CT_UUID) as { version: number; saved_by: string }[];
    expect(history.map((h) => h.version)).toEqual([1, 2]);
    expect(history[1]!.saved_by).toBe(editor.username);
    expect(srv.db.prepare("SELECT count(*) AS n FROM audit_log WHERE action = 'advisory.update' AND target = ?").get(CT_UUID)).toEqual({ n: 1 });
    expect((await json(await anon.fetch('/api/v1/advisories?q=quokka'))).total).toBe(1);
    // Someone still holding version 1 is refused.
    expect((await put(editor, CT_UUID, { yaml: a.yaml }, etag)).status).toBe(412);
    // The object form works too.
    const obj = { ...now.object, advisory: { ...now.object.advisory, severity: 'high' } };
    const viaJson = await put(editor, CT_SLUG, obj, now.etag);
    expect(viaJson.status).toBe(200);
    expect((await json(viaJson)).version).toBe(3);
    expect((await json(await anon.fetch(`/api/v1/advisories/${CT_SLUG}`))).severity).toBe('high');
  });

  it('lets an editor with a token save without CSRF', async () => {
    const t = await json(await editor.fetch('/api/v1/tokens', { method: 'POST', headers: { 'content-type': 'application/json', 'x-csrf-token': editor.csrf }, body: JSON.stringify({ name: 'bot' }) }));
    const res = await anon.fetch(`/api/v1/advisories/${CT_SLUG}`);
    const a = await json(res);
    const saved = await anon.fetch(`/api/v1/advisories/${CT_UUID}`, { method: 'PUT', headers: { authorization: `Bearer ${t.token}`, 'content-type': 'application/json', 'if-match': a.etag }, body: JSON.stringify({ yaml: a.yaml }) });
    expect(saved.status).toBe(200);
    expect((await json(saved)).version).toBe(a.version + 1);
  });

  it('creates an advisory (POST), refusing duplicate slugs and viewers', async () => {
    const yaml = CT_YAML.replace(/^ {2}uuid: 6acf.*\n/m, '').replace(`slug: ${CT_SLUG}`, 'slug: api-created-advisory').replace(/^name: .*$/m, 'name: Created through the API');
    const post = (c: Client, body: unknown) => c.fetch('/api/v1/advisories', { method: 'POST', headers: { 'content-type': 'application/json', 'x-csrf-token': c.csrf }, body: JSON.stringify(body) });
    expect((await post(viewer, { yaml })).status).toBe(403);
    const res = await post(editor, { yaml });
    expect(res.status).toBe(201);
    const s = await json(res);
    expect(s.version).toBe(1);
    expect(res.headers.get('location')).toBe(`/api/v1/advisories/${s.uuid}`);
    const got = await json(await anon.fetch('/api/v1/advisories/api-created-advisory'));
    expect(got.uuid).toBe(s.uuid);
    const dup = await post(editor, { yaml });
    expect(dup.status).toBe(422);
    expect((await json(dup)).errors[0].path).toBe('advisory.slug');
    const sameUuid = await post(editor, { yaml: CT_YAML.replace(`slug: ${CT_SLUG}`, 'slug: another-one') });
    expect(sameUuid.status).toBe(409);
  });
});

describe('SQL injection', () => {
  it('treats injection payloads in text, filters and ids as data: empty results or 404/400, never 500', async () => {
    for (const p of INJECTIONS) {
      const e = encodeURIComponent(p);
      for (const path of [
        `/api/v1/advisories?q=${e}`,
        `/api/v1/advisories?technique=${e}`,
        `/api/v1/advisories?tactic=${e}`,
        `/api/v1/advisories?logsource=${e}`,
        `/api/v1/rules?q=${e}`,
        `/api/v1/rules?technique=${e}`,
        `/api/v1/alerts?q=${e}`,
        `/api/v1/alerts?rule=${e}`,
        `/api/v1/alerts?account=${e}`,
      ]) {
        const res = await admin.fetch(path);
        expect(res.status, path).toBe(200);
        const body = await json(res);
        expect(body.items, path).toEqual([]);
      }
      const search = await admin.fetch(`/api/v1/search?q=${e}`);
      expect(search.status).toBe(200);
      for (const path of [`/api/v1/advisories/${e}`, `/api/v1/threats/${e}`, `/api/v1/objectives/${e}`, `/api/v1/mdrs/${e}`, `/api/v1/rules/${e}`]) {
        const res = await admin.fetch(path);
        expect(res.status, path).toBe(404);
      }
      for (const path of [`/api/v1/alerts/${e}`, `/api/v1/advisories?severity=${e}`, `/api/v1/alerts?level=${e}`]) {
        expect((await admin.fetch(path)).status, path).toBe(400);
      }
      const del = await admin.fetch(`/api/v1/tokens/${e}`, { method: 'DELETE', headers: { 'x-csrf-token': admin.csrf } });
      expect(del.status).toBe(400);
    }
    for (const t of ['objects', 'users', 'rules', 'alerts', 'api_tokens']) {
      expect((srv.db.prepare(`SELECT count(*) AS n FROM ${t}`).get() as { n: number }).n, t).toBeGreaterThan(0);
    }
  });
});

/** Routes from fastify's printed tree: each line's depth (4 columns a level) says which segment it extends. */
function routesOf(tree: string): { path: string; methods: string[] }[] {
  const stack: string[] = [];
  const out: { path: string; methods: string[] }[] = [];
  for (const line of tree.split('\n')) {
    const m = /^(.*?)[├└]── (\S+) \(([A-Z, ]+)\)$/.exec(line);
    if (!m) continue;
    const depth = [...m[1]!].length / 4;
    const path = (depth === 0 ? '' : stack[depth - 1]!) + m[2]!;
    stack[depth] = path;
    out.push({ path, methods: m[3]!.split(', ') });
  }
  return out;
}

describe('OpenAPI', () => {
  const EXPECTED = [
    'GET /api/v1/advisories',
    'POST /api/v1/advisories',
    'GET /api/v1/advisories/{id}',
    'PUT /api/v1/advisories/{id}',
    'GET /api/v1/threats',
    'GET /api/v1/threats/{uuid}',
    'GET /api/v1/objectives/{uuid}',
    'GET /api/v1/mdrs/{uuid}',
    'GET /api/v1/rules',
    'GET /api/v1/rules/{id}',
    'GET /api/v1/attack/coverage',
    'GET /api/v1/search',
    'GET /api/v1/alerts',
    'GET /api/v1/alerts/{id}',
    'PATCH /api/v1/alerts/{id}',
    'GET /api/v1/me',
    'GET /api/v1/tokens',
    'POST /api/v1/tokens',
    'DELETE /api/v1/tokens/{id}',
    'GET /api/v1/openapi.json',
    'GET /api/v1/docs',
  ];

  it('is an OpenAPI 3.1.0 document listing every registered API route, and only those', async () => {
    const res = await anon.fetch('/api/v1/openapi.json');
    expect(res.status).toBe(200);
    const doc = JSON.parse(await res.text());
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.components.securitySchemes.bearerAuth).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(doc.components.securitySchemes.cookieAuth).toMatchObject({ type: 'apiKey', in: 'cookie' });
    const documented = Object.entries(doc.paths).flatMap(([p, ms]) => Object.keys(ms as object).map((m) => `${m.toUpperCase()} ${p}`));
    for (const e of EXPECTED) expect(documented, e).toContain(e);
    // Every documented operation is a real route...
    for (const d of documented) {
      const [method, path] = d.split(' ') as [string, string];
      expect(srv.app.hasRoute({ method: method as 'GET', url: path.replace(/\{(\w+)\}/g, ':$1') }), d).toBe(true);
    }
    // ...and every API route the server registered is documented (HEAD is fastify's automatic twin of GET).
    const registered = routesOf(srv.app.printRoutes({ commonPrefix: false }))
      .filter((r) => r.path.startsWith('/api/v1/'))
      .flatMap((r) => r.methods.filter((m) => m !== 'HEAD').map((m) => `${m} ${r.path.replace(/:(\w+)/g, '{$1}')}`));
    expect(registered.length).toBeGreaterThanOrEqual(EXPECTED.length);
    for (const r of registered) expect(documented, r).toContain(r);
    // Refs resolve.
    for (const m of JSON.stringify(doc).matchAll(/"\$ref":"#\/components\/schemas\/(\w+)"/g)) expect(doc.components.schemas[m[1]!], m[1]).toBeTruthy();
    const put = doc.paths['/api/v1/advisories/{id}'].put;
    expect(put.parameters.map((p: any) => p.name)).toEqual(expect.arrayContaining(['id', 'If-Match', 'x-csrf-token']));
    expect(put.responses['412']).toBeTruthy();
    expect(put.responses['428']).toBeTruthy();
    expect(put.responses['422'].content['application/json'].schema.$ref).toBe('#/components/schemas/ValidationErrors');
  });

  it('has a human documentation page', async () => {
    const { status, html } = await anon.page('/api/v1/docs');
    expect(status).toBe(200);
    expect(html).toContain('<h1>Tideline API</h1>');
    for (const e of ['GET /api/v1/advisories', 'PUT /api/v1/advisories/{id}', 'PATCH /api/v1/alerts/{id}']) expect(html).toContain(e);
    expect(html).toContain('If-Match');
    expect(html).not.toMatch(/<script(?! src="\/static\/)/);
  });
});

describe('account page', () => {
  it('sends anonymous visitors to sign in', async () => {
    const res = await anon.fetch('/account');
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toMatch(/^\/login\?next=/);
  });

  it('shows the user, creates a token shown once, and revokes it with CSRF-protected forms', async () => {
    const c = await srv.as('analyst');
    const p = await c.page('/account');
    expect(p.status).toBe(200);
    expect(p.html).toContain(c.username!);
    expect(p.html).toContain('TLP:AMBER');
    expect(p.html).toContain('<label for="token-name">Name</label>');
    expect(p.html).not.toContain('<option value="admin"');
    const created = await c.form('/account/tokens', { name: 'feed reader', role: 'viewer' });
    expect(created.status).toBe(201);
    const body = await created.text();
    const secret = /<code>(tl_[A-Za-z0-9_-]+)<\/code>/.exec(body)?.[1];
    expect(secret).toBeTruthy();
    expect((await json(await anon.fetch('/api/v1/me', { headers: { authorization: `Bearer ${secret}` } }))).role).toBe('viewer');
    const again = await c.page('/account');
    expect(again.html).not.toContain(secret!);
    expect(again.html).toContain('feed reader');
    expect(again.html).toContain(secret!.slice(0, 10));
    const tooStrong = await c.form('/account/tokens', { name: 'x', role: 'admin' });
    expect(tooStrong.status).toBe(400);
    expect(await tooStrong.text()).toContain('class="errors"');
    const id = /action="\/account\/tokens\/(\d+)\/revoke"/.exec(again.html)![1];
    const noCsrf = await c.form(`/account/tokens/${id}/revoke`, { _csrf: '' });
    expect(noCsrf.status).toBe(403);
    const revoked = await c.form(`/account/tokens/${id}/revoke`, {});
    expect(revoked.status).toBe(303);
    const after = await c.page('/account?revoked=1');
    expect(after.html).toContain('revoked');
    expect(after.html).not.toContain(`action="/account/tokens/${id}/revoke"`);
    expect((await anon.fetch('/api/v1/me', { headers: { authorization: `Bearer ${secret}` } })).status).toBe(401);
  });
});
