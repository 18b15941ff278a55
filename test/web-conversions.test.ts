/**
 * Conversions in the platform, against a real server: GET /api/v1/rules/:id/conversions?target=T (signed in) and the
 * rule page's Deploy section (target picker, the query in <pre id="conversion"> with a copy button, errors as text).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type Client, type TestServer } from './helpers/server.js';

let srv: TestServer;
let analyst: Client;

const STOPPED = 'b1315214-edda-4aba-be40-f8032165a3d5'; // aws_cloudtrail_logging_stopped (bundled)
const RETENTION = '166acad1-ff7c-4559-8905-bc17332e743b'; // aws_cloudwatch_logs_log_deletion: lte on a flattened field

beforeAll(async () => {
  srv = await startServer();
  analyst = await srv.as('analyst');
}, 60_000);
afterAll(async () => {
  await srv?.close();
});

const json = async (r: Response) => ({ status: r.status, body: (await r.json()) as Record<string, unknown> });

describe('GET /api/v1/rules/:id/conversions', () => {
  it('needs an account', async () => {
    const r = await srv.anon().fetch(`/api/v1/rules/${STOPPED}/conversions?target=splunk`);
    expect(r.status).toBe(401);
  });

  it('returns the query and warnings for each SIEM and SQL target', async () => {
    for (const target of ['splunk', 'sentinel', 'elastic-esql', 'elastic-lucene', 'duckdb', 'postgres']) {
      const { status, body } = await json(await analyst.fetch(`/api/v1/rules/${STOPPED}/conversions?target=${target}`));
      expect(status, target).toBe(200);
      expect(body.target).toBe(target);
      expect(typeof body.query, target).toBe('string');
      expect(Array.isArray(body.warnings)).toBe(true);
    }
    const { body } = await json(await analyst.fetch(`/api/v1/rules/${STOPPED}/conversions?target=splunk`));
    expect(body.query).toBe('index=* sourcetype=aws:cloudtrail eventSource="cloudtrail.amazonaws.com" AND eventName="StopLogging"');
  });

  it('returns the reason when the rule does not convert', async () => {
    const { status, body } = await json(await analyst.fetch(`/api/v1/rules/${RETENTION}/conversions?target=elastic-lucene`));
    expect(status).toBe(200);
    expect(body.query).toBeUndefined();
    expect(String(body.error)).toMatch(/range queries/);
    expect(String(body.construct)).toMatch(/lte/);
  });

  it('lists targets without ?target, refuses unknown targets and rules', async () => {
    const list = await json(await analyst.fetch(`/api/v1/rules/${STOPPED}/conversions`));
    expect(list.status).toBe(200);
    expect((list.body.targets as { name: string }[]).map((t) => t.name)).toEqual(expect.arrayContaining(['splunk', 'sentinel', 'elastic-esql', 'elastic-lucene']));
    expect((await analyst.fetch(`/api/v1/rules/${STOPPED}/conversions?target=nope`)).status).toBe(400);
    expect((await analyst.fetch(`/api/v1/rules/00000000-0000-4000-8000-00000000dead/conversions?target=splunk`)).status).toBe(404);
  });
});

describe('rule page: Deploy section', () => {
  it('shows a target picker and the default conversion with a copy button', async () => {
    const { status, html } = await analyst.page(`/rules/${STOPPED}`);
    expect(status).toBe(200);
    expect(html).toContain('<h2 id="deploy">Deploy</h2>');
    expect(html).toMatch(/<form method="get" action="\/rules\/[^"]+#deploy"[^>]*>[\s\S]*<select name="target">/);
    for (const t of ['splunk', 'sentinel', 'elastic-esql', 'elastic-lucene']) expect(html).toContain(`<option value="${t}"`);
    expect(html).toContain('<button type="button" class="secondary" data-copy="conversion">');
    expect(html).toMatch(/<pre id="conversion"><code>index=\* sourcetype=aws:cloudtrail eventSource=&quot;cloudtrail.amazonaws.com&quot;/);
  });

  it('converts to the chosen target (escaped in the page)', async () => {
    const { html } = await analyst.page(`/rules/${STOPPED}?target=sentinel`);
    expect(html).toContain('<option value="sentinel" selected>');
    expect(html).toContain('<pre id="conversion"><code>AWSCloudTrail\n| where EventSource =~ &quot;cloudtrail.amazonaws.com&quot;');
  });

  it('shows why a rule does not convert, as text', async () => {
    const { html } = await analyst.page(`/rules/${RETENTION}?target=elastic-lucene`);
    expect(html).not.toContain('<pre id="conversion">');
    expect(html).toMatch(/id="conversion-error">This rule does not convert to elastic-lucene: [^<]*range queries/);
  });

  it('an unknown target falls back to the default with a note', async () => {
    const { status, html } = await analyst.page(`/rules/${STOPPED}?target=%3Cscript%3E`);
    expect(status).toBe(200);
    expect(html).not.toContain('<script>');
    expect(html).toContain('Unknown target &lt;script&gt;');
  });
});
