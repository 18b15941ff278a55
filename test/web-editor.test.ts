/** The advisory and TVM editors against a real server: versions, history, stale saves, validation, roles, payloads. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type Client, type TestServer } from './helpers/server.js';

let srv: TestServer;
let editor: Client;

const SLUG = 'aws-cloudtrail-logging-disabled';
const UUID = '6acfdd4b-8e3c-4ba2-bc49-541e060b8974';
const unescape = (s: string) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&#96;/g, '`').replace(/&amp;/g, '&');

/** What a browser would submit from the page's editor form (inputs, textareas, selected options, checked boxes). */
function formFields(html: string): [string, string][] {
  const form = /<form method="post" action="\/(advisories|threats)[^"]*"[^>]*>([\s\S]*?)<\/form>/.exec(html)?.[2] ?? '';
  const out: [string, string][] = [];
  for (const m of form.matchAll(/<input ([^>]*)>/g)) {
    const attrs = m[1]!;
    const name = /name="([^"]*)"/.exec(attrs)?.[1];
    if (!name) continue;
    if (/type="checkbox"/.test(attrs) && !/ checked/.test(attrs)) continue;
    out.push([name, unescape(/value="([^"]*)"/.exec(attrs)?.[1] ?? '')]);
  }
  for (const m of form.matchAll(/<textarea [^>]*name="([^"]+)"[^>]*>([\s\S]*?)<\/textarea>/g)) out.push([m[1]!, unescape(m[2]!)]);
  for (const m of form.matchAll(/<select [^>]*name="([^"]+)"[^>]*>([\s\S]*?)<\/select>/g)) out.push([m[1]!, unescape(/<option value="([^"]*)" selected>/.exec(m[2]!)?.[1] ?? '')]);
  return out;
}

const set = (fields: [string, string][], changes: Record<string, string | string[]>): [string, string][] => {
  const out = fields.filter(([k]) => !(k in changes));
  for (const [k, v] of Object.entries(changes)) for (const x of Array.isArray(v) ? v : [v]) out.push([k, x]);
  return out;
};

const post = (c: Client, path: string, fields: [string, string][]) =>
  c.fetch(path, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields).toString() });

const stored = () => srv.db.prepare('SELECT version, summary, yaml, modified FROM objects WHERE uuid = ?').get(UUID) as { version: number; summary: string; yaml: string; modified: string };
const historyCount = (uuid: string) => (srv.db.prepare('SELECT count(*) AS n FROM object_history WHERE uuid = ?').get(uuid) as { n: number }).n;

beforeAll(async () => {
  srv = await startServer();
  editor = await srv.as('editor');
});
afterAll(async () => srv?.close());

describe('advisory editor', () => {
  let v1Form: [string, string][];

  it('shows the advisory in a labelled form with its version', async () => {
    const { status, html } = await editor.page(`/advisories/${SLUG}/edit`);
    expect(status).toBe(200);
    v1Form = formFields(html);
    const get = (k: string) => v1Form.filter(([n]) => n === k).map(([, v]) => v);
    expect(get('base_version')).toEqual(['1']);
    expect(get('severity')).toEqual(['medium']);
    expect(get('tlp')).toEqual(['clear']);
    expect(get('threats')[0]).toContain('d370aaea-c3e5-4d58-a6c9-3d1a7ffe50e3');
    expect(get('attack_chain')[0]).toContain('eventName: StopLogging');
    for (const id of ['name', 'slug', 'severity', 'status', 'tlp', 'summary', 'description', 'impact', 'recommendations', 'threats', 'references', 'attack', 'attack_chain']) {
      expect(html).toContain(`<label for="f-${id}">`);
      expect(html).toContain(`id="f-${id}"`);
    }
  });

  it('saves an edit of the summary as version 2, keeps history and the YAML comments, and shows it', async () => {
    const coverageBefore = srv.db.prepare('SELECT rules, covered_steps FROM coverage WHERE advisory_uuid = ?').get(UUID);
    const summary = 'Attackers stop CloudTrail and delete its logs (edited in the web editor).';
    const res = await post(editor, `/advisories/${SLUG}/edit`, set(v1Form, { summary }));
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(`/advisories/${SLUG}`);
    const s = stored();
    expect(s.version).toBe(2);
    expect(s.summary).toBe(summary);
    expect(s.modified).toBe(new Date().toISOString().slice(0, 10));
    expect(historyCount(UUID)).toBe(2);
    // Untouched fields keep their text, comments included; the version in the YAML is bumped.
    expect(s.yaml).toContain('- d370aaea-c3e5-4d58-a6c9-3d1a7ffe50e3 # AWS Stop Logging CloudTrail');
    expect(s.yaml).toMatch(/\n {2}version: 2\n/);
    expect(s.yaml).toContain('logsources:');
    const audit = srv.db.prepare("SELECT user, action FROM audit_log WHERE target = ? AND action = 'advisory.update'").get(UUID);
    expect(audit).toEqual({ user: editor.username, action: 'advisory.update' });
    // Coverage is still measured after the save.
    expect(srv.db.prepare('SELECT rules, covered_steps FROM coverage WHERE advisory_uuid = ?').get(UUID)).toEqual(coverageBefore);

    const edit = await editor.page(`/advisories/${SLUG}/edit`);
    expect(edit.html).toContain(summary);
    expect(edit.html).toContain('name="base_version" value="2"');
    const pageRes = await editor.page(`/advisories/${SLUG}`);
    expect(pageRes.status).toBe(200);
    expect(pageRes.html).toContain(summary);
  });

  it('refuses a stale save (based on version 1) with 409, keeps the stored text and shows the user their text', async () => {
    const mine = 'My competing summary that must not overwrite version 2.';
    const res = await post(editor, `/advisories/${SLUG}/edit`, set(v1Form, { summary: mine }));
    expect(res.status).toBe(409);
    const body = await res.text();
    expect(body).toContain('Someone else saved version 2');
    expect(body).toContain(`href="/advisories/${SLUG}/edit"`);
    expect(body).toContain(mine);
    const s = stored();
    expect(s.version).toBe(2);
    expect(s.summary).not.toBe(mine);
    expect(historyCount(UUID)).toBe(2);
  });

  it('shows validation errors next to the fields, keeps the input and saves nothing', async () => {
    const { html } = await editor.page(`/advisories/${SLUG}/edit`);
    const form = formFields(html);
    const res = await post(editor, `/advisories/${SLUG}/edit`, set(form, { severity: 'urgent', threats: 'd370aaea-c3e5-4d58-a6c9-3d1a7ffe50e3\n11111111-2222-4333-8444-555555555555\nnot-a-uuid', summary: 'kept input' }));
    expect(res.status).toBe(422);
    const body = await res.text();
    const errorOf = (field: string) => new RegExp(`id="f-${field}-error">([^<]*(?:<br>[^<]*)*)</p>`).exec(body)?.[1] ?? '';
    expect(errorOf('severity')).toContain('&#39;urgent&#39; is not in the Advisory Severity vocabulary');
    expect(errorOf('threats')).toContain('11111111-2222-4333-8444-555555555555');
    expect(errorOf('threats')).toContain('not-a-uuid');
    expect(body).toMatch(/<select id="f-severity" name="severity" aria-describedby="f-severity-error" aria-invalid="true" required>/);
    expect(body).toContain('<option value="urgent" selected>urgent</option>');
    expect(body).toContain('kept input</textarea>');
    expect(body).toContain('Not saved: ');
    expect(stored().version).toBe(2);
    expect(stored().summary).not.toBe('kept input');
    expect(historyCount(UUID)).toBe(2);
  });

  it('reports broken attack chain YAML at its field', async () => {
    const { html } = await editor.page(`/advisories/${SLUG}/edit`);
    const res = await post(editor, `/advisories/${SLUG}/edit`, set(formFields(html), { attack_chain: '- name: [unclosed' }));
    expect(res.status).toBe(422);
    expect(await res.text()).toMatch(/id="f-attack_chain-error">YAML: /);
    expect(stored().version).toBe(2);
  });

  it('is for editors: viewers and analysts get 403 on GET and POST, anonymous is sent to sign in', async () => {
    for (const role of ['viewer', 'analyst'] as const) {
      const c = await srv.as(role);
      for (const path of [`/advisories/${SLUG}/edit`, '/advisories/new', `/threats/d370aaea-c3e5-4d58-a6c9-3d1a7ffe50e3/edit`, '/threats/new']) {
        expect((await c.fetch(path)).status).toBe(403);
        expect((await post(c, path, [['_csrf', c.csrf], ...v1Form.filter(([k]) => k !== '_csrf'), ['summary', 'hijack']])).status).toBe(403);
      }
    }
    expect(stored().version).toBe(2);
    const anon = srv.anon();
    const r = await anon.fetch(`/advisories/${SLUG}/edit`);
    expect(r.status).toBe(302);
    expect(r.headers.get('location')).toContain('/login?next=');
    // An editor without the CSRF token is refused too.
    expect((await post(editor, `/advisories/${SLUG}/edit`, set(v1Form, { _csrf: '' }))).status).toBe(403);
  });

  it('stores SQL and XSS payloads literally and renders them escaped', async () => {
    const x = `<script>alert(1)</script>"><img src=x onerror=alert(2)>'; DROP TABLE objects; --`;
    const { html } = await editor.page('/advisories/new');
    const form = set(formFields(html), {
      name: `Payload ${x}`,
      slug: 'payload-advisory',
      severity: 'high',
      status: 'published',
      tlp: 'clear',
      summary: `Summary ${x}`,
      description: `Description ${x}`,
      impact: `Impact ${x}`,
      recommendations: `Rec ${x}\nSecond`,
      threats: '',
      references: `https://example.com/?q=%3Cscript%3E&x='1'`,
      attack: 'T1562.008',
      attack_chain: `- name: ${JSON.stringify(`Step ${x}`)}\n  description: ${JSON.stringify(`Does ${x}`)}\n  att&ck: [T1562.008]\n`,
    });
    const res = await post(editor, '/advisories/new', form);
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/advisories/payload-advisory');
    const row = srv.db.prepare("SELECT uuid, name, summary, version, doc FROM objects WHERE slug = 'payload-advisory'").get() as { uuid: string; name: string; summary: string; version: number; doc: string };
    expect(row.name).toBe(`Payload ${x}`);
    expect(row.summary).toBe(`Summary ${x}`);
    expect(row.version).toBe(1);
    const doc = JSON.parse(row.doc) as { advisory: { description: string; recommendations: string[]; attack_chain: { name: string }[] }; metadata: { author: string } };
    expect(doc.advisory.description).toBe(`Description ${x}`);
    expect(doc.advisory.recommendations).toEqual([`Rec ${x}`, 'Second']);
    expect(doc.advisory.attack_chain[0]!.name).toBe(`Step ${x}`);
    expect(doc.metadata.author).toBe(editor.username);
    expect(row.uuid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect((srv.db.prepare('SELECT count(*) AS n FROM objects').get() as { n: number }).n).toBeGreaterThan(3);

    for (const path of ['/advisories/payload-advisory/edit', '/advisories/payload-advisory']) {
      const p = await editor.page(path);
      expect(p.status).toBe(200);
      expect(p.html).not.toContain('<script>alert(1)');
      expect(p.html).not.toContain('<img src=x');
      expect(p.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    }

    // Payloads in every field of an invalid save come back escaped in the error page too.
    const bad = await post(editor, '/advisories/new', form.map(([k, v]) => [k, k === '_csrf' || k === 'base_version' ? v : `${v}${x}`]));
    expect(bad.status).toBe(422);
    const badHtml = await bad.text();
    expect(badHtml).not.toContain('<script>alert(1)');
    expect(badHtml).not.toContain('<img src=x');
    expect((srv.db.prepare("SELECT count(*) AS n FROM objects WHERE kind = 'advisory'").get() as { n: number }).n).toBe(4);
  });

  it('refuses a slug another advisory uses', async () => {
    const { html } = await editor.page('/advisories/payload-advisory/edit');
    const res = await post(editor, '/advisories/payload-advisory/edit', set(formFields(html), { slug: SLUG }));
    expect(res.status).toBe(422);
    expect(await res.text()).toMatch(/id="f-slug-error">another advisory already uses the slug/);
  });
});

describe('TVM editor', () => {
  it('creates a new TVM through the form, found at /threats/<uuid>', async () => {
    const { status, html } = await editor.page('/threats/new');
    expect(status).toBe(200);
    expect(html).toContain('<legend>Leverage (at least one)</legend>');
    expect(html).toMatch(/<input type="checkbox" id="f-platforms-\d+" name="platforms" value="AWS">/);
    const form = set(formFields(html), {
      name: 'AWS KMS key scheduled for deletion',
      criticality: 'High',
      tlp: 'green',
      attack: 'T1485',
      description: 'The adversary schedules deletion of **KMS keys** so data encrypted with them becomes unreadable.',
      terrain: 'Credentials allowed kms:ScheduleKeyDeletion.',
      severity: 'Significant incident',
      viability: 'Likely',
      leverage: ['Tampering', 'Modify configuration'],
      impact: ['Business disruption'],
      killchain: ['Impact'],
      domains: ['Public Cloud'],
      platforms: ['AWS'],
      references: 'https://docs.aws.amazon.com/kms/latest/APIReference/API_ScheduleKeyDeletion.html',
    });
    const res = await post(editor, '/threats/new', form);
    expect(res.status).toBe(303);
    const loc = res.headers.get('location')!;
    const uuid = /^\/threats\/([0-9a-f-]{36})$/.exec(loc)?.[1];
    expect(uuid).toBeTruthy();
    const row = srv.db.prepare('SELECT kind, name, tlp, version, path, yaml FROM objects WHERE uuid = ?').get(uuid) as { kind: string; name: string; tlp: string; version: number; path: string; yaml: string };
    expect(row).toMatchObject({ kind: 'tvm', name: 'AWS KMS key scheduled for deletion', tlp: 'green', version: 1, path: 'threat-vectors/AWS KMS key scheduled for deletion.yaml' });
    expect(row.yaml).toContain('schema: tvm::2.1');
    expect(row.yaml).toContain('killchain: Impact');
    expect(historyCount(uuid!)).toBe(1);

    const p = await editor.page(loc);
    expect(p.status).toBe(200);
    expect(p.html).toContain('AWS KMS key scheduled for deletion');

    // It can now be cited by an advisory (the threats link check finds it), and edited again.
    const edit = await editor.page(`/threats/${uuid}/edit`);
    expect(formFields(edit.html).filter(([k]) => k === 'leverage').map(([, v]) => v)).toEqual(['Tampering', 'Modify configuration']);
    const again = await post(editor, `/threats/${uuid}/edit`, set(formFields(edit.html), { viability: 'Very Likely' }));
    expect(again.status).toBe(303);
    expect((srv.db.prepare('SELECT version FROM objects WHERE uuid = ?').get(uuid) as { version: number }).version).toBe(2);
  });

  it('shows TVM vocabulary errors next to the fields', async () => {
    const { html } = await editor.page('/threats/new');
    const res = await post(editor, '/threats/new', set(formFields(html), { name: 'Bad TVM', criticality: 'Huge', attack: 'T9999', description: 'x', severity: 'Moderate incident', viability: 'Likely' }));
    expect(res.status).toBe(422);
    const body = await res.text();
    expect(body).toMatch(/id="f-criticality-error">[^<]*Huge/);
    expect(body).toMatch(/id="f-attack-error">[^<]*T9999/);
    expect(body).toContain('id="f-leverage-error">Choose at least one leverage value.</p>');
    expect(body).toContain('value="Bad TVM"');
    expect((srv.db.prepare("SELECT count(*) AS n FROM objects WHERE name = 'Bad TVM'").get() as { n: number }).n).toBe(0);
  });

  it('keeps fields the form does not show (chaining) when editing a bundled TVM', async () => {
    const uuid = 'bcef91f6-3ecb-4ba3-a5bf-0dabb7026521';
    const { html } = await editor.page(`/threats/${uuid}/edit`);
    const res = await post(editor, `/threats/${uuid}/edit`, set(formFields(html), { terrain: 'Edited terrain.' }));
    expect(res.status).toBe(303);
    const doc = JSON.parse((srv.db.prepare('SELECT doc FROM objects WHERE uuid = ?').get(uuid) as { doc: string }).doc) as { threat: { chaining: unknown[]; terrain: string; description: string } };
    expect(doc.threat.chaining).toHaveLength(2);
    expect(doc.threat.terrain).toBe('Edited terrain.');
    expect(doc.threat.description).toContain('Event selectors decide what a trail records');
  });
});
