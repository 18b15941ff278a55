// The platform in a real browser: Debian's Chromium driven by playwright-core, against the real server on loopback.
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readYamlSource } from '../src/content/source.js';
import { putObject, refreshDerived } from '../src/store/content.js';
import type { ContentItem } from '../src/content/load.js';
import { PASSWORD, startServer, type TestServer } from './helpers/server.js';
import { addUser } from '../src/store/users.js';

const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync', '--disable-quic'];
const SLUG = 'aws-cloudtrail-logging-disabled';

let srv: TestServer;
let browser: Browser;

const RED_UUID = 'f00dfeed-0000-4000-8000-00000000dead';
const RED_ADVISORY = `name: Red Herring Campaign Against Payment Switches
metadata:
  uuid: ${RED_UUID}
  schema: advisory::1.0
  version: 1
  created: 2026-11-20
  modified: 2026-11-20
  tlp: red
  organisation:
    uuid: 7c0f8a52-5d1e-4b9a-9f3e-2a6d4c8b1e07
    name: Tideline
advisory:
  slug: red-herring-campaign
  severity: critical
  status: published
  summary: Restricted briefing about a redherring operation.
  description: Only for the named recipients.
  attack_chain:
    - name: Stop logging
      description: The trail is stopped.
      calls:
        - eventSource: cloudtrail.amazonaws.com
          eventName: StopLogging
  impact: Severe.
  recommendations:
    - Keep it red.
`;

async function signIn(ctx: BrowserContext, username: string): Promise<Page> {
  const p = await ctx.newPage();
  await p.goto(`${srv.url}/login`);
  await p.getByLabel('Username').fill(username);
  await p.getByLabel('Password').fill(PASSWORD);
  await p.getByRole('button', { name: 'Sign in' }).click();
  await p.waitForURL(`${srv.url}/`);
  return p;
}

beforeAll(async () => {
  srv = await startServer();
  srv.db.transaction(() => {
    const src = readYamlSource('advisories/red-herring-campaign.yaml', RED_ADVISORY);
    putObject(srv.db, { kind: 'advisory', doc: src.value, file: src.file, src, uuid: RED_UUID, name: 'Red Herring Campaign Against Payment Switches' } as ContentItem, src.file, 'test');
    refreshDerived(srv.db, RED_UUID);
  })();
  for (const [name, role, clearance] of [['vera', 'viewer', 'green'], ['ana', 'analyst', 'amber'], ['ed', 'editor', 'amber'], ['ed2', 'editor', 'amber']] as const) addUser(srv.db, name, PASSWORD, role, clearance);
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: FLAGS });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await srv?.close();
});

describe('in Chromium', () => {
  it('signs in and shows who is signed in', async () => {
    const ctx = await browser.newContext();
    const p = await signIn(ctx, 'ana');
    expect(await p.locator('header').innerText()).toMatch(/Signed in as\s+ana/);
    await ctx.close();
  });

  it('browses the feed and filters it, the filter kept in the URL', async () => {
    const ctx = await browser.newContext();
    const p = await signIn(ctx, 'vera');
    const titles = await p.locator('ol.feed h2').allInnerTexts();
    expect(titles).toEqual(expect.arrayContaining(['AWS CloudTrail Logging Disabled or Modified', 'AWS Security Monitoring Services Disabled', 'AWS Log Destinations Destroyed']));
    await p.getByLabel('Severity').selectOption('high');
    await p.waitForURL(/severity=high/);
    expect(await p.locator('ol.feed h2').allInnerTexts()).toEqual(['AWS Security Monitoring Services Disabled']);
    await ctx.close();
  });

  it('opens the CloudTrail advisory and sees its measured detection coverage with the three CloudTrail rules', async () => {
    const ctx = await browser.newContext();
    const p = await ctx.newPage();
    await p.goto(`${srv.url}/`);
    await p.getByRole('link', { name: 'AWS CloudTrail Logging Disabled or Modified' }).click();
    await p.waitForURL(`${srv.url}/advisories/${SLUG}`);
    const heading = await p.getByRole('heading', { name: /^Detection coverage \d+$/ }).innerText();
    const n = Number(/\d+/.exec(heading)![0]);
    const cards = p.locator('.card h3');
    expect(await cards.count()).toBe(n);
    expect(await cards.allInnerTexts()).toEqual(expect.arrayContaining(['AWS CloudTrail Logging Stopped', 'AWS CloudTrail Trail Modification', 'AWS CloudTrail Trail Deletion']));
    // Anonymous: the cards, not the detection logic.
    expect(await p.locator('pre').count()).toBe(0);
    await ctx.close();
  });

  it('opens a rule as analyst, and not as anonymous', async () => {
    const anon = await browser.newContext();
    const a = await anon.newPage();
    const ruleUrl = `${srv.url}/rules/b1315214-edda-4aba-be40-f8032165a3d5`;
    await a.goto(ruleUrl);
    expect(a.url()).toContain('/login');
    await anon.close();
    const ctx = await browser.newContext();
    const p = await signIn(ctx, 'ana');
    await p.goto(`${srv.url}/advisories/${SLUG}`);
    await p.locator('details', { hasText: 'AWS CloudTrail Logging Stopped' }).first().locator('summary').click();
    expect(await p.locator('details[open] pre').first().innerText()).toContain('eventName: StopLogging');
    await p.goto(ruleUrl);
    expect(await p.locator('h1').innerText()).toContain('AWS CloudTrail Logging Stopped');
    expect(await p.locator('pre').first().innerText()).toContain('StopLogging');
    await ctx.close();
  });

  it('keeps a TLP:RED advisory from a viewer on the page, in the API, in search and in the feed; an admin sees it', async () => {
    const ctx = await browser.newContext();
    const p = await signIn(ctx, 'vera');
    expect(await p.locator('ol.feed').innerText()).not.toContain('Red Herring');
    const page = await p.goto(`${srv.url}/advisories/red-herring-campaign`);
    expect(page!.status()).toBe(404);
    await p.goto(`${srv.url}/search?q=redherring`);
    expect(await p.locator('main').innerText()).not.toContain('Red Herring');
    const api = await p.request.get(`${srv.url}/api/v1/advisories?q=redherring`);
    expect((await api.json()).total).toBe(0);
    expect((await p.request.get(`${srv.url}/api/v1/advisories/${RED_UUID}`)).status()).toBe(404);
    expect(await (await p.request.get(`${srv.url}/feeds/advisories.atom`)).text()).not.toContain('Red Herring');
    await ctx.close();
    const admin = await browser.newContext();
    const q = await signIn(admin, 'admin');
    expect(await q.locator('ol.feed').innerText()).toContain('Red Herring');
    await q.goto(`${srv.url}/search?q=redherring`);
    expect(await q.locator('main').innerText()).toContain('Red Herring');
    await admin.close();
  });

  it('triages an alert: status and comment land in its history', async () => {
    const ctx = await browser.newContext();
    const p = await signIn(ctx, 'ana');
    await p.goto(`${srv.url}/alerts?rule=b1315214-edda-4aba-be40-f8032165a3d5`);
    await p.locator('main table a[href^="/alerts/"]').first().click();
    await p.getByLabel('Status').selectOption('acknowledged');
    await p.getByLabel('Comment').fill('Checked with the CI team: not them.');
    await p.getByRole('button', { name: /save|triage|update/i }).click();
    await p.waitForLoadState();
    const text = await p.locator('main').innerText();
    expect(text).toContain('Checked with the CI team: not them.');
    expect(text).toContain('acknowledged');
    await ctx.close();
  });

  it("refuses an editor's stale save and loses nothing", async () => {
    const one = await browser.newContext();
    const two = await browser.newContext();
    const a = await signIn(one, 'ed');
    const b = await signIn(two, 'ed2');
    await a.goto(`${srv.url}/advisories/${SLUG}/edit`);
    await b.goto(`${srv.url}/advisories/${SLUG}/edit`);
    await a.getByLabel('Summary').fill('First editor’s summary.');
    await a.getByRole('button', { name: /save/i }).click();
    await a.waitForURL(`${srv.url}/advisories/${SLUG}`);
    expect(await a.locator('main').innerText()).toContain('First editor’s summary.');
    await b.getByLabel('Summary').fill('Second editor’s summary, based on the old version.');
    await b.getByRole('button', { name: /save/i }).click();
    await b.waitForLoadState();
    const text = await b.locator('main').innerText();
    expect(text).toMatch(/version 2/i);
    expect(await b.content()).toContain('Second editor’s summary, based on the old version.'); // the input is kept
    const stored = srv.db.prepare("SELECT summary, version FROM objects WHERE slug = ?").get(SLUG) as { summary: string; version: number };
    expect(stored).toEqual({ summary: 'First editor’s summary.', version: 2 });
    await one.close();
    await two.close();
  });

  it('works on a phone-sized screen without horizontal scrolling of the page', async () => {
    const ctx = await browser.newContext({ viewport: { width: 375, height: 740 }, isMobile: true });
    const p = await ctx.newPage();
    await p.goto(`${srv.url}/advisories/${SLUG}`);
    const overflow = await p.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(1);
    await ctx.close();
  });
});
