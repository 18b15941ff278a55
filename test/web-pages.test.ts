/**
 * The reading pages against a real server (loopback, real SQLite, bundled content): feed and filters, advisory page
 * with coverage cards, threat models, rules, the ATT&CK matrix, search; escaping of hostile content; TLP on every page.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ContentItem } from '../src/content/load.js';
import { readYamlSource } from '../src/content/source.js';
import { putObject, refreshDerived } from '../src/store/content.js';
import { listAdvisories } from '../src/store/queries.js';
import { startServer, type Client, type TestServer } from './helpers/server.js';

let srv: TestServer;
let analyst: Client;
let viewer: Client;
let admin: Client;

const CLOUDTRAIL = 'aws-cloudtrail-logging-disabled';
const XSS = '<script>alert(1)</script>';
const JS_LINK = '[x](javascript:alert(1))';

function advisoryYaml(o: { uuid: string; slug: string; name: string; tlp: string; summary: string; description: string; technique: string; stepName?: string }): string {
  return `name: ${JSON.stringify(o.name)}
metadata:
  uuid: ${o.uuid}
  schema: advisory::1.0
  version: 1
  created: 2020-01-01
  modified: 2020-01-01
  tlp: ${o.tlp}
advisory:
  slug: ${o.slug}
  severity: low
  status: published
  summary: ${JSON.stringify(o.summary)}
  description: ${JSON.stringify(o.description)}
  attack_chain:
    - name: ${JSON.stringify(o.stepName ?? 'Stop logging')}
      description: ${JSON.stringify(o.description)}
      att&ck: [${o.technique}]
      calls:
        - eventSource: cloudtrail.amazonaws.com
          eventName: StopLogging
          requestParameters:
            name: trail
  impact: ${JSON.stringify(o.description)}
  recommendations:
    - ${JSON.stringify(o.description)}
  att&ck: [${o.technique}]
  logsources:
    - {product: aws, service: cloudtrail}
`;
}

function insertAdvisory(yaml: string, path: string): void {
  const src = readYamlSource(path, yaml);
  const doc = src.value as Record<string, unknown>;
  const meta = doc.metadata as { uuid: string };
  const item = { kind: 'advisory', doc, file: path, src, uuid: meta.uuid, name: String(doc.name) } as unknown as ContentItem;
  srv.db.transaction(() => {
    putObject(srv.db, item, path, 'test');
    refreshDerived(srv.db, meta.uuid);
  })();
}

/** Slugs of advisories linked from a feed page, in order. */
const feedSlugs = (html: string) => [...html.matchAll(/<h2><a href="\/advisories\/([^"]+)">/g)].map((m) => decodeURIComponent(m[1]!));

beforeAll(async () => {
  srv = await startServer();
  analyst = await srv.as('analyst');
  viewer = await srv.as('viewer', 'green');
  admin = await srv.as('admin');
});
afterAll(async () => {
  await srv?.close();
});

describe('feed', () => {
  it('lists the three bundled advisories newest first, with coverage, techniques and sources', async () => {
    const { status, html } = await viewer.page('/');
    expect(status).toBe(200);
    const slugs = feedSlugs(html);
    expect(slugs).toHaveLength(3);
    expect(slugs).toContain(CLOUDTRAIL);
    // Newest first: the dates shown never increase, and the order is the store's (created, modified, name).
    const dates = [...html.matchAll(/<time datetime="([^"]+)">/g)].map((m) => m[1]!);
    expect([...dates].sort().reverse()).toEqual(dates);
    expect(slugs).toEqual(listAdvisories(srv.db, { role: 'viewer', clearance: 1 }).items.map((a) => a.slug));
    expect(html).toMatch(/Detection coverage \d+/);
    expect(html).toContain('T1562.008 Disable or Modify Cloud Logs');
    expect(html).toContain('aws/cloudtrail');
    expect(html).toContain('badge sev-high');
    expect(html).toContain('TLP:CLEAR');
  });

  it('filters by severity, tactic, technique and text, and keeps the filters in the URL and pagination', async () => {
    const high = feedSlugs((await viewer.page('/?severity=high')).html);
    expect(high).toEqual(['aws-security-monitoring-disabled']);
    const tech = feedSlugs((await viewer.page('/?technique=T1562.001')).html);
    expect(tech).toEqual(['aws-security-monitoring-disabled']);
    const v19 = feedSlugs((await viewer.page('/?tactic=defense-impairment')).html);
    expect(v19).toHaveLength(3);
    const exfil = feedSlugs((await viewer.page('/?tactic=exfiltration')).html);
    expect(exfil).toEqual(['aws-log-destinations-destroyed']);
    const text = feedSlugs((await viewer.page('/?q=GuardDuty')).html);
    expect(text).toContain('aws-security-monitoring-disabled');
    expect(text.length).toBeLessThan(3);
    // Filters are shown selected, and the pager keeps them.
    const p2 = (await viewer.page('/?severity=high&technique=T1562.001&page=2')).html;
    expect(p2).toMatch(/<option value="high" selected>/);
    expect(p2).toContain('value="T1562.001"');
    expect(p2).toMatch(/<a rel="prev" href="\/\?severity=high&amp;technique=T1562.001&amp;page=1">/);
  });

  it('offers TLP filter choices only up to the viewer clearance', async () => {
    const v = (await viewer.page('/')).html;
    expect(v).toContain('<option value="green">');
    expect(v).not.toContain('<option value="red">');
    const anon = (await srv.anon().page('/')).html;
    expect(anon).toContain('<option value="clear">');
    expect(anon).not.toContain('<option value="green">');
  });
});

describe('advisory page', () => {
  it('shows the whole advisory and its coverage cards; anonymous users get no detection logic', async () => {
    const anon = srv.anon();
    const { status, html } = await anon.page(`/advisories/${CLOUDTRAIL}`);
    expect(status).toBe(200);
    expect(html).toContain('<h1>AWS CloudTrail Logging Disabled or Modified</h1>');
    for (const h of ['Description', 'Attack chain', 'Impact', 'Recommendations', 'References']) expect(html).toContain(`<h2>${h}</h2>`);
    expect(html).toContain('<code>cloudtrail:<wbr>StopLogging</code>');
    expect(html).toMatch(/<h2 id="coverage">Detection coverage (\d+)<\/h2>/);
    const n = Number(/Detection coverage (\d+)<\/h2>/.exec(html)![1]);
    expect((html.match(/<li class="card"/g) ?? []).length).toBe(n);
    expect(html).toContain('Sign in to see the detection logic');
    expect(html).not.toContain('language-yaml');
    expect(html).not.toContain('detection:');
    expect(html).not.toContain('/download');
    // Threat vectors are named, not linked, without an account.
    expect(html).toContain('AWS Stop Logging CloudTrail');
    expect(html).not.toContain('href="/threats/');
  });

  it('shows an analyst the rule YAML, tests, alerts and a working download', async () => {
    const { html } = await analyst.page(`/advisories/${CLOUDTRAIL}`);
    const n = Number(/<h2 id="coverage">Detection coverage (\d+)<\/h2>/.exec(html)![1]);
    expect(n).toBeGreaterThanOrEqual(3);
    expect((html.match(/<details class="rule">/g) ?? []).length).toBe(n);
    expect(html).toContain('language-yaml');
    expect(html).toContain('detection:');
    expect(html).toMatch(/Where it fired: \d+ alert/);
    expect(html).toMatch(/href="\/alerts\?rule=[0-9a-f-]+"/);
    expect(html).toContain('href="/threats/d370aaea-c3e5-4d58-a6c9-3d1a7ffe50e3"');
    const id = /href="\/rules\/([0-9a-f-]+)\/download"/.exec(html)![1]!;
    const res = await analyst.fetch(`/rules/${id}/download`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/x-yaml/);
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="[\w.-]+\.yml"$/);
    const yaml = await res.text();
    expect(yaml).toContain(`id: ${id}`);
    expect(yaml).toContain('detection:');
  });

  it('answers 404 for an unknown advisory', async () => {
    expect((await analyst.page('/advisories/no-such-thing')).status).toBe(404);
  });
});

describe('rules', () => {
  it('redirects anonymous users to sign in, for the list, a rule and its download', async () => {
    const anon = srv.anon();
    const id = (srv.db.prepare('SELECT id FROM rules ORDER BY id LIMIT 1').get() as { id: string }).id;
    for (const path of ['/rules', `/rules/${id}`, `/rules/${id}/download`]) {
      const res = await anon.fetch(path);
      expect(res.status).toBe(302);
      expect(res.headers.get('location')).toBe(`/login?next=${encodeURIComponent(path)}`);
    }
  });

  it('lists rules with filters and shows a rule page with its YAML and copy button', async () => {
    const list = (await viewer.page('/rules')).html;
    const ids = [...list.matchAll(/<td><a href="\/rules\/([0-9a-f-]+)">/g)].map((m) => m[1]!);
    expect(ids.length).toBe(11);
    const filtered = (await viewer.page('/rules?technique=T1562.008')).html;
    const fids = [...filtered.matchAll(/<td><a href="\/rules\/([0-9a-f-]+)">/g)];
    expect(fids.length).toBeGreaterThan(0);
    expect(fids.length).toBeLessThan(11);
    const stopped = srv.db.prepare("SELECT id FROM rules WHERE path LIKE '%cloudtrail_logging_stopped%'").get() as { id: string };
    const { status, html } = await viewer.page(`/rules/${stopped.id}`);
    expect(status).toBe(200);
    expect(html).toContain('<button type="button" class="secondary" data-copy="rule-yaml">');
    expect(html).toMatch(/<pre id="rule-yaml"><code class="language-yaml">[\s\S]*StopLogging/);
    expect(html).toContain('<h2>ATT&amp;CK</h2>');
    expect(html).toContain('<h2>Tests</h2>');
    expect(html).toMatch(/href="\/advisories\/aws-cloudtrail-logging-disabled"/);
    expect((await viewer.page('/rules/not-a-rule')).status).toBe(404);
  });
});

describe('threat models', () => {
  it('renders the TVM page with the docs sections and version history', async () => {
    const { status, html } = await viewer.page('/threats/d370aaea-c3e5-4d58-a6c9-3d1a7ffe50e3');
    expect(status).toBe(200);
    for (const s of ['Criticality', 'TLP', 'ATT&amp;CK Techniques', 'Description', 'Terrain', 'Relations', 'Model Data', 'Tags']) expect(html).toContain(s);
    expect(html).toContain('Version history');
    // Links point at web pages, not at Markdown files.
    expect(html).toMatch(/href="\/(rules|mdrs|objectives|advisories)\//);
    expect(html).not.toMatch(/href="[^"]*\.md"/);
    const list = (await viewer.page('/threats')).html;
    expect(list).toContain('href="/threats/d370aaea-c3e5-4d58-a6c9-3d1a7ffe50e3"');
    const mdr = /href="(\/mdrs\/[0-9a-f-]+)"/.exec(html)![1]!;
    expect((await viewer.page(mdr)).html).toContain('<h2>Deployments</h2>');
    const dom = /href="(\/objectives\/[0-9a-f-]+)"/.exec(html)![1]!;
    expect((await viewer.page(dom)).html).toContain('<h2>Signals</h2>');
  });

  it('needs an account', async () => {
    const res = await srv.anon().fetch('/threats/d370aaea-c3e5-4d58-a6c9-3d1a7ffe50e3');
    expect(res.status).toBe(302);
  });
});

describe('ATT&CK matrix and search', () => {
  it('shows T1562.008 with its rules under Defense Evasion and Defense Impairment', async () => {
    const { html } = await viewer.page('/attack');
    const cells = [...html.matchAll(/<a class="cell[^"]*" href="([^"]+)" data-technique="T1562\.008">([\s\S]*?)<\/a>/g)];
    expect(cells.length).toBe(2);
    expect(cells[0]![1]).toBe('/rules?technique=T1562.008');
    expect(cells[0]![2]).toMatch(/[1-9]\d* rules?, \d+ tested/);
    expect(cells[1]![2]).toContain('T1685.002');
    expect(html).toContain('Defense Impairment');
    expect(html.indexOf('Defense Evasion')).toBeLessThan(html.indexOf('Defense Impairment'));
    const anon = (await srv.anon().page('/attack')).html;
    expect(anon).toContain('href="/?technique=T1562.008"');
  });

  it('finds StopLogging, grouped by kind, with marked snippets, and says when nothing matches', async () => {
    const { html } = await viewer.page('/search?q=StopLogging');
    expect(html).toContain('<h2 id="k-advisory">Advisories</h2>');
    expect(html).toContain('<mark>');
    expect(html).toContain(`href="/advisories/${CLOUDTRAIL}"`);
    expect(html).toContain('value="StopLogging"'); // kept in the header box
    expect((await viewer.page('/search?q=zzqqxxnothing')).html).toContain('No results');
  });
});

describe('hostile content and TLP', () => {
  beforeAll(() => {
    insertAdvisory(
      advisoryYaml({
        uuid: '0b0b0b0b-1111-4222-8333-444455556666',
        slug: 'xssprobe-advisory',
        name: `Xssprobe ${XSS}`,
        tlp: 'clear',
        summary: `Xssprobe summary ${XSS} ${JS_LINK}`,
        description: `Xssprobe description ${XSS} ${JS_LINK}`,
        technique: 'T1562.008',
        stepName: `Step ${XSS}`,
      }),
      'advisories/xssprobe.yaml',
    );
    insertAdvisory(
      advisoryYaml({
        uuid: '0c0c0c0c-1111-4222-8333-444455556666',
        slug: 'redsecret-advisory',
        name: 'Redsecret operation',
        tlp: 'red',
        summary: 'Redsecret summary',
        description: 'Redsecret description',
        technique: 'T1537',
      }),
      'advisories/redsecret.yaml',
    );
  });

  it('escapes script and javascript: links on the feed, the advisory page and search', async () => {
    for (const path of ['/', '/advisories/xssprobe-advisory', '/search?q=Xssprobe']) {
      const { status, html } = await viewer.page(path);
      expect(status, path).toBe(200);
      expect(html, path).toContain('Xssprobe');
      expect(html, path).not.toContain(XSS);
      expect(html, path).not.toMatch(/href="javascript:/i);
      expect(html, path).not.toMatch(/<script>alert/i);
    }
    expect((await viewer.page('/advisories/xssprobe-advisory')).html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  });

  it('hides a TLP:RED advisory from a green viewer everywhere, and shows it to an admin', async () => {
    const feed = (await viewer.page('/')).html;
    expect(feed).not.toContain('Redsecret');
    expect(feed).not.toContain('value="T1537"'); // not even among the filter choices
    const missing = await viewer.page('/advisories/redsecret-advisory');
    const unknown = await viewer.page('/advisories/never-existed');
    expect(missing.status).toBe(404);
    expect(missing.html).toBe(unknown.html); // the same response: existence does not leak
    expect((await viewer.page('/search?q=Redsecret')).html).toContain('No results');
    expect((await viewer.page('/attack')).html).not.toContain('data-technique="T1537"');
    expect((await viewer.page('/?technique=T1537')).html).not.toContain('Redsecret');

    expect((await admin.page('/')).html).toContain('Redsecret operation');
    expect((await admin.page('/advisories/redsecret-advisory')).status).toBe(200);
    expect((await admin.page('/search?q=Redsecret')).html).toContain('href="/advisories/redsecret-advisory"');
    const matrix = (await admin.page('/attack')).html;
    expect(matrix).toMatch(/data-technique="T1537">[\s\S]*?1 advisory/);
  });
});
