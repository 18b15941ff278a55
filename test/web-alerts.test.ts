/** Alerts pages and triage against a real server (loopback, real SQLite, the bundled sample's 22 alerts: 13 from rules, 9 from the built-in trail-weakened detection). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertAlert } from '../src/store/alerts.js';
import { startServer, type Client, type TestServer } from './helpers/server.js';

let srv: TestServer;
let analyst: Client;

const rows = (html: string) => (html.match(/<a href="\/alerts\/\d+" aria-label=/g) ?? []).length;
const totalOf = (html: string) => Number(/<strong>(\d+)<\/strong> alerts?/.exec(html)?.[1] ?? NaN);

beforeAll(async () => {
  srv = await startServer();
  analyst = await srv.as('analyst');
});
afterAll(async () => srv?.close());

describe('alerts list', () => {
  it('lists the 22 seeded alerts with their columns, newest first', async () => {
    const { status, html } = await analyst.page('/alerts');
    expect(status).toBe(200);
    expect(totalOf(html)).toBe(22);
    expect(rows(html)).toBe(22);
    expect(html).toContain('href="/rules/b1315214-edda-4aba-be40-f8032165a3d5"');
    expect(html).toContain('AWS CloudTrail Logging Stopped');
    expect(html).toMatch(/<th scope="col">Source IP<\/th>/);
    expect(html).toContain('badge status-open');
    const times = [...html.matchAll(/<time datetime="([^"]+)"/g)].map((m) => m[1]!);
    expect(times).toEqual([...times].sort().reverse());
  });

  it('filters by rule and by minimum level, keeping the filters in the form', async () => {
    const byRule = await analyst.page('/alerts?rule=b1315214-edda-4aba-be40-f8032165a3d5');
    expect(totalOf(byRule.html)).toBe(2);
    expect(rows(byRule.html)).toBe(2);
    expect(byRule.html).toMatch(/<option value="b1315214-edda-4aba-be40-f8032165a3d5" selected>/);

    const high = await analyst.page('/alerts?level=high');
    expect(totalOf(high.html)).toBe(15);
    expect(high.html).not.toContain('badge sev-medium');
    expect(high.html).not.toContain('badge sev-low');

    const both = await analyst.page('/alerts?level=high&rule=2eb86d58-89aa-4018-8890-5efeaca5c79f');
    expect(totalOf(both.html)).toBe(0);

    const account = await analyst.page('/alerts?account=444455556666');
    expect(totalOf(account.html)).toBe(3);
    const since = await analyst.page('/alerts?since=2026-10-06&until=2026-10-06');
    const onDay = (srv.db.prepare("SELECT count(*) AS n FROM alerts WHERE time >= '2026-10-06' AND time < '2026-10-07'").get() as { n: number }).n;
    expect(onDay).toBeGreaterThan(0);
    expect(onDay).toBeLessThan(22);
    expect(totalOf(since.html)).toBe(onDay);
    const text = await analyst.page('/alerts?q=StopLogging');
    expect(totalOf(text.html)).toBe(3); // two rule alerts and the built-in "trail weakened" one
  });

  it('ignores bad filter values with a message and treats SQL in filters as text', async () => {
    const bad = await analyst.page('/alerts?level=urgent&since=yesterday');
    expect(bad.status).toBe(200);
    expect(totalOf(bad.html)).toBe(22);
    expect(bad.html).toContain('unknown level');
    for (const q of ["' OR 1=1 --", '%', '_', "x'); DROP TABLE alerts; --"]) {
      const r = await analyst.page(`/alerts?q=${encodeURIComponent(q)}&account=${encodeURIComponent(q)}`);
      expect(r.status).toBe(200);
      expect(totalOf(r.html)).toBe(0);
    }
    expect((srv.db.prepare('SELECT count(*) AS n FROM alerts').get() as { n: number }).n).toBe(22);
    const xss = await analyst.page(`/alerts?q=${encodeURIComponent('"><script>alert(1)</script>')}`);
    expect(xss.html).not.toContain('<script>alert(1)');
    expect(xss.html).toContain('&quot;&gt;&lt;script&gt;');
  });

  it('is for analysts: a viewer gets 403, anonymous is sent to sign in', async () => {
    const viewer = await srv.as('viewer');
    expect((await viewer.fetch('/alerts')).status).toBe(403);
    expect((await viewer.fetch('/alerts/1')).status).toBe(403);
    expect((await viewer.form('/alerts/1/triage', { status: 'closed' })).status).toBe(403);
    const anon = srv.anon();
    const r = await anon.fetch('/alerts');
    expect(r.status).toBe(302);
    expect(r.headers.get('location')).toMatch(/^\/login\?next=%2Falerts/);
    expect((await analyst.fetch('/alerts/99999')).status).toBe(404);
    expect((await analyst.fetch('/alerts/abc')).status).toBe(404);
  });
});

describe('alert detail and triage', () => {
  it("links a logging alert to its account's trail posture timeline (the built-in trail-weakened changes, in order)", async () => {
    const id = (srv.db.prepare("SELECT id FROM alerts WHERE rule_id = 'b1315214-edda-4aba-be40-f8032165a3d5' ORDER BY id LIMIT 1").get() as { id: number }).id;
    const { html } = await analyst.page(`/alerts/${id}`);
    expect(html).toContain('<h2>Trail posture in 111122223333</h2>');
    const items = [...html.matchAll(/<li><a href="\/alerts\/\d+">(?:<time[^>]*>)?([^<]+)(?:<\/time>)? ?([A-Za-z]+)<\/a>/g)].map((m) => m[2]);
    expect(items.length).toBeGreaterThanOrEqual(5);
    expect(items).toContain('StopLogging');
    expect(items.indexOf('StopLogging')).toBeLessThan(items.lastIndexOf('DeleteTrail'));
    // An alert on something else has no such section.
    const other = (srv.db.prepare("SELECT id FROM alerts WHERE event_name = 'ConsoleLogin' LIMIT 1").get() as { id: number }).id;
    expect((await analyst.page(`/alerts/${other}`)).html).not.toContain('Trail posture');
  });


  it('shows the rule, matched fields, raw event, source and a triage form', async () => {
    const id = (srv.db.prepare("SELECT id FROM alerts WHERE rule_id = 'b1315214-edda-4aba-be40-f8032165a3d5' ORDER BY id LIMIT 1").get() as { id: number }).id;
    const { status, html } = await analyst.page(`/alerts/${id}`);
    expect(status).toBe(200);
    expect(html).toContain('<h2>Matched fields</h2>');
    expect(html).toContain('<code>eventName</code>');
    expect(html).toContain('&quot;eventName&quot;: &quot;StopLogging&quot;');
    expect(html).toMatch(/<code>[^<]+\.json(\.gz)?<\/code>, record \d+/);
    expect(html).toContain(`action="/alerts/${id}/triage"`);
    expect(html).toContain('name="_csrf"');
    expect(html).toContain('Not triaged yet.');
  });

  it('triages an alert: status and history change, and the list shows it', async () => {
    const id = (srv.db.prepare('SELECT id FROM alerts ORDER BY id LIMIT 1').get() as { id: number }).id;
    await analyst.page(`/alerts/${id}`);
    const res = await analyst.form(`/alerts/${id}/triage`, { status: 'acknowledged', comment: 'Looking into it\nwith the account owner' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(`/alerts/${id}?triaged=acknowledged`);
    const after = await analyst.page(res.headers.get('location')!);
    expect(after.html).toContain('Triage saved: the alert is now acknowledged.');
    expect(after.html).toContain('Looking into it<br>with the account owner');
    expect(after.html).toContain(`<td>${analyst.username}</td>`);

    await analyst.form(`/alerts/${id}/triage`, { status: 'closed', comment: 'benign: planned change' });
    const detail = await analyst.page(`/alerts/${id}`);
    expect((detail.html.match(/<td><span class="badge status-(acknowledged|closed)">/g) ?? []).length).toBe(2);
    expect(detail.html.indexOf('benign: planned change')).toBeLessThan(detail.html.indexOf('Looking into it')); // newest first

    const closed = await analyst.page('/alerts?status=closed');
    expect(totalOf(closed.html)).toBe(1);
    expect(closed.html).toContain(`href="/alerts/${id}"`);
    expect(closed.html).toContain('badge status-closed');
    const open = await analyst.page('/alerts?status=open');
    expect(totalOf(open.html)).toBe(21);
    const hist = srv.db.prepare('SELECT status, comment, user FROM alert_history WHERE alert_id = ? ORDER BY id').all(id);
    expect(hist).toEqual([
      { status: 'acknowledged', comment: 'Looking into it\nwith the account owner', user: analyst.username },
      { status: 'closed', comment: 'benign: planned change', user: analyst.username },
    ]);
  });

  it('refuses a triage POST without the CSRF token (403) and changes nothing', async () => {
    const id = 2;
    const before = srv.db.prepare('SELECT status FROM alerts WHERE id = ?').get(id);
    const noToken = await analyst.form(`/alerts/${id}/triage`, { _csrf: '', status: 'closed', comment: 'x' });
    expect(noToken.status).toBe(403);
    const wrong = await analyst.form(`/alerts/${id}/triage`, { _csrf: 'A'.repeat(analyst.csrf.length), status: 'closed', comment: 'x' });
    expect(wrong.status).toBe(403);
    expect(srv.db.prepare('SELECT status FROM alerts WHERE id = ?').get(id)).toEqual(before);
    expect((srv.db.prepare('SELECT count(*) AS n FROM alert_history WHERE alert_id = ?').get(id) as { n: number }).n).toBe(0);
  });

  it('rejects an unknown status with 422 and keeps the comment', async () => {
    const res = await analyst.form('/alerts/3/triage', { status: 'deleted', comment: 'keep me' });
    expect(res.status).toBe(422);
    const body = await res.text();
    expect(body).toContain('id="status-error"');
    expect(body).toContain('keep me</textarea>');
  });

  it('renders SQL and XSS payloads in triage comments escaped and stores them literally', async () => {
    const payload = `<script>alert("x")</script><img src=x onerror=alert(1)> '; DROP TABLE alerts; --`;
    const res = await analyst.form('/alerts/4/triage', { status: 'acknowledged', comment: payload });
    expect(res.status).toBe(303);
    const { html } = await analyst.page('/alerts/4');
    expect(html).not.toContain('<script>alert("x")');
    expect(html).not.toContain('<img src=x');
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt; &#39;; DROP TABLE alerts; --');
    expect((srv.db.prepare('SELECT comment FROM alert_history WHERE alert_id = 4').get() as { comment: string }).comment).toBe(payload);
    expect((srv.db.prepare('SELECT count(*) AS n FROM alerts').get() as { n: number }).n).toBe(22);
  });
});

describe('pagination', () => {
  it('pages 50 at a time and keeps the filters in the pager links', async () => {
    for (let i = 0; i < 60; i++) {
      insertAlert(srv.db, {
        rule: { id: 'paging-rule', title: 'Paging rule', level: 'low', tags: [] },
        time: `2026-09-01T00:${String(i).padStart(2, '0')}:00Z`,
        source: { file: 'paging.json', index: i },
        matched: { eventName: 'Paging' },
        event: { eventID: `paging-${i}`, eventName: 'Paging', eventSource: 'test.amazonaws.com', recipientAccountId: '999988887777' },
      });
    }
    const all = await analyst.page('/alerts');
    expect(totalOf(all.html)).toBe(82);
    expect(rows(all.html)).toBe(50);
    expect(all.html).toContain('Page 1 of 2');
    expect(all.html).toContain('href="/alerts?page=2" rel="next"');

    const p1 = await analyst.page('/alerts?rule=paging-rule&level=low');
    expect(totalOf(p1.html)).toBe(60);
    expect(rows(p1.html)).toBe(50);
    const next = /href="([^"]+)" rel="next"/.exec(p1.html)![1]!.replace(/&amp;/g, '&');
    expect(next).toBe('/alerts?rule=paging-rule&level=low&page=2');
    const p2 = await analyst.page(next);
    expect(rows(p2.html)).toBe(10);
    expect(p2.html).toContain('Page 2 of 2');
    expect(p2.html).toContain('rel="prev"');
    expect(p2.html).not.toContain('rel="next"');
    // The oldest of the 60 is last on page 2.
    expect(p2.html.lastIndexOf('2026-09-01T00:00:00Z')).toBeGreaterThan(p2.html.lastIndexOf('2026-09-01T00:09:00Z'));
    // A page past the end is empty, not an error.
    const past = await analyst.page('/alerts?rule=paging-rule&page=9');
    expect(past.status).toBe(200);
    expect(rows(past.html)).toBe(0);
  });
});
