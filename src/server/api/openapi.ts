/** The OpenAPI 3.1 document, generated from the operation list, and a server-rendered page presenting it. */
import type { FastifyRequest } from 'fastify';
import { html, type Html } from '../../web/html.js';
import { page } from '../../web/layout.js';
import { API_PREFIX, type ApiOperation, type JsonSchema } from './spec.js';

type Documented = Pick<ApiOperation, 'method' | 'path' | 'operationId' | 'tag' | 'summary' | 'access' | 'responses'> & Partial<Pick<ApiOperation, 'description' | 'params' | 'query' | 'headers' | 'body'>>;

interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header';
  required: boolean;
  description?: string;
  schema: JsonSchema;
}

interface Operation {
  operationId: string;
  tags: string[];
  summary: string;
  description?: string;
  'x-access': string;
  security: Record<string, string[]>[];
  parameters: Parameter[];
  requestBody?: { required: boolean; description?: string; content: { 'application/json': { schema: JsonSchema; example?: unknown } } };
  responses: Record<string, { description: string; headers?: Record<string, { description: string; schema: JsonSchema }>; content?: Record<string, { schema: JsonSchema; example?: unknown }> }>;
}

export interface OpenApiDocument {
  openapi: '3.1.0';
  info: { title: string; version: string; description: string };
  servers: { url: string }[];
  tags: { name: string }[];
  paths: Record<string, Record<string, Operation>>;
  components: { securitySchemes: Record<string, JsonSchema>; schemas: Record<string, JsonSchema> };
}

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const pageOf = (item: string): JsonSchema => ({
  type: 'object',
  required: ['items', 'total', 'limit', 'offset', 'next'],
  properties: { items: { type: 'array', items: ref(item) }, total: { type: 'integer' }, limit: { type: 'integer' }, offset: { type: 'integer' }, next: { type: ['string', 'null'], description: 'URL of the next page with the same filters' } },
});
const obj = (properties: Record<string, JsonSchema>, extra: JsonSchema = {}): JsonSchema => ({ type: 'object', properties, ...extra });
const s = (type: string | string[], description?: string): JsonSchema => ({ type, ...(description ? { description } : {}) });

const SCHEMAS: Record<string, JsonSchema> = {
  Error: obj({ error: s('string'), details: s('object') }, { required: ['error'] }),
  ValidationErrors: obj({ error: s('string'), errors: { type: 'array', items: obj({ path: s('string', 'Dotted data path'), message: s('string'), line: s('integer'), col: s('integer') }, { required: ['path', 'message'] }) } }, { required: ['error', 'errors'] }),
  AdvisorySummary: obj({
    uuid: s('string'), slug: s('string'), name: s('string'), severity: s('string'), status: s('string'), summary: s('string'), tlp: s('string'), created: s('string'), modified: s('string'), version: s('integer'),
    coverage: s('integer', 'Rules measured to fire on the attack chain'), coveredSteps: s('integer'), stepsWithEvents: s('integer'),
    techniques: { type: 'array', items: s('string') }, tactics: { type: 'array', items: s('string') }, logsources: { type: 'array', items: s('string') }, href: s('string'),
  }),
  AdvisoryPage: pageOf('AdvisorySummary'),
  Advisory: obj({
    uuid: s('string'), slug: s('string'), name: s('string'), tlp: s('string'), status: s('string'), severity: s('string'), version: s('integer'), created: s('string'), modified: s('string'), etag: s('string'), href: s('string'),
    object: s('object', 'The advisory document'), yaml: s('string', 'Its YAML as stored'),
    coverage: { type: ['object', 'null'], properties: { rules: s('integer'), coveredSteps: s('integer'), stepsWithEvents: s('integer'), report: s('object') } },
    history: { type: 'array', items: obj({ version: s('integer'), saved_at: s('string'), saved_by: s(['string', 'null']) }) },
  }),
  Saved: obj({ uuid: s('string'), slug: s('string'), version: s('integer'), etag: s('string'), href: s('string') }),
  ObjectSummary: obj({ uuid: s('string'), kind: s('string'), name: s('string'), tlp: s('string'), version: s('integer'), created: s('string'), modified: s('string'), href: s('string') }),
  ObjectPage: pageOf('ObjectSummary'),
  Object: obj({ uuid: s('string'), kind: s('string'), name: s('string'), tlp: s('string'), version: s('integer'), etag: s('string'), object: s('object'), yaml: s('string'), linkedFrom: { type: 'array', items: s('object') } }),
  RuleSummary: obj({ id: s('string'), title: s('string'), level: s(['string', 'null']), status: s(['string', 'null']), description: s(['string', 'null']), tags: { type: 'array', items: s('string') }, logsource: s('object'), tlp: s('string'), test_status: s('string'), tested_at: s('string'), href: s('string') }),
  RulePage: pageOf('RuleSummary'),
  Rule: obj({ id: s('string'), title: s('string'), level: s(['string', 'null']), yaml: s('string'), tests_yaml: s(['string', 'null']), test_status: s('string'), test_cases: { type: 'array', items: obj({ expect: s('string'), name: s('string'), passed: s('boolean'), reason: s(['string', 'null']) }) }, deployedBy: { type: 'array', items: s('object') } }),
  AttackCoverage: obj({ total: s('integer'), techniques: { type: 'array', items: obj({ id: s('string'), name: s(['string', 'null']), tactics: { type: 'array', items: s('string') }, rules: s('integer'), tested: s('integer'), advisories: s('integer') }) } }),
  SearchHit: obj({ ref: s('string'), kind: s('string'), title: s('string'), snippet: s('string'), href: s('string') }),
  SearchPage: pageOf('SearchHit'),
  AlertSummary: obj({ id: s('integer'), rule_id: s('string'), rule_title: s('string'), level: s(['string', 'null']), time: s(['string', 'null']), account: s(['string', 'null']), event_name: s(['string', 'null']), actor: s(['string', 'null']), source_ip: s(['string', 'null']), status: s('string'), href: s('string') }),
  AlertPage: pageOf('AlertSummary'),
  Alert: obj({ id: s('integer'), rule_id: s('string'), status: s('string'), matched: s('object'), event: s('object', 'The raw CloudTrail event'), history: { type: 'array', items: obj({ status: s('string'), comment: s(['string', 'null']), user: s('string'), at: s('string') }) } }),
  Me: obj({ user: { type: ['object', 'null'], properties: { id: s('integer'), username: s('string') } }, role: s('string'), clearance: s('string'), auth: s('string'), can: s('object') }),
  Token: obj({ id: s('integer'), name: s('string'), prefix: s('string'), role: s('string'), created_at: s('string'), last_used_at: s(['string', 'null']), revoked_at: s(['string', 'null']) }),
  TokenPage: pageOf('Token'),
  NewToken: { allOf: [ref('Token'), obj({ token: s('string', 'The secret: shown once') })] },
};

const PUBLIC: Record<string, string[]>[] = [{}, { bearerAuth: [] }, { cookieAuth: [] }];
const SIGNED_IN: Record<string, string[]>[] = [{ bearerAuth: [] }, { cookieAuth: [] }];

function toParameter(name: string, where: Parameter['in'], schema: JsonSchema, required: boolean): Parameter {
  const { description, ...rest } = schema as { description?: string } & JsonSchema;
  return { name, in: where, required, ...(description ? { description } : {}), schema: rest };
}

export const openApiPath = (p: string): string => p.replace(/:(\w+)/g, '{$1}');

export function openApiDocument(ops: Documented[], origin: string, version: string): OpenApiDocument {
  const paths: OpenApiDocument['paths'] = {};
  for (const op of ops) {
    const parameters: Parameter[] = [
      ...Object.entries(op.params ?? {}).map(([n, sc]) => toParameter(n, 'path', sc, true)),
      ...Object.entries(op.query ?? {}).map(([n, sc]) => toParameter(n, 'query', sc, false)),
      ...Object.entries(op.headers ?? {}).map(([n, h]) => ({ name: n, in: 'header' as const, required: h.required ?? false, description: h.description, schema: { type: 'string' } })),
    ];
    if (!['GET'].includes(op.method)) parameters.push({ name: 'x-csrf-token', in: 'header', required: false, description: 'Required when authenticated by the session cookie (the token is in the page\'s <meta name="csrf-token">); not needed with a bearer token', schema: { type: 'string' } });
    const responses: Operation['responses'] = {};
    for (const [code, r] of Object.entries(op.responses)) {
      responses[code] = {
        description: r.description,
        ...(r.headers ? { headers: Object.fromEntries(Object.entries(r.headers).map(([h, d]) => [h, { description: d, schema: { type: 'string' } }])) } : {}),
        ...(r.schema ? { content: { 'application/json': { schema: typeof r.schema === 'string' ? ref(r.schema) : r.schema, ...(r.example !== undefined ? { example: r.example } : {}) } } } : {}),
      };
    }
    const p = API_PREFIX + openApiPath(op.path);
    (paths[p] ??= {})[op.method.toLowerCase()] = {
      operationId: op.operationId,
      tags: [op.tag],
      summary: op.summary,
      ...(op.description ? { description: op.description } : {}),
      'x-access': op.access,
      security: op.access === 'public' ? PUBLIC : SIGNED_IN,
      parameters,
      ...(op.body ? { requestBody: { required: op.body.required ?? true, ...(op.body.description ? { description: op.body.description } : {}), content: { 'application/json': { schema: op.body.schema, ...(op.body.example !== undefined ? { example: op.body.example } : {}) } } } } : {}),
      responses,
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Tideline API',
      version,
      description:
        'Advisories, threat models, detection rules, ATT&CK coverage, search and alerts. Everything is filtered by your TLP clearance and role, exactly as on the pages. Authenticate with `Authorization: Bearer <token>` (create tokens on /account or with POST /api/v1/tokens) or with the session cookie (then unsafe methods need the `x-csrf-token` header). Lists take `limit` (≤100) and `offset` or `page` and answer `{items, total, limit, offset, next}`. Errors are `{error, details?}`; validation failures on saves are 422 `{error, errors:[{path, message}]}`.',
    },
    servers: [{ url: origin }],
    tags: [...new Set(ops.map((o) => o.tag))].map((name) => ({ name })),
    paths,
    components: {
      securitySchemes: {
        bearerAuth: { type: 'http', scheme: 'bearer', description: 'An API token (tl_…) created on /account' },
        cookieAuth: { type: 'apiKey', in: 'cookie', name: 'tl_session', description: 'The browser session; unsafe methods also need x-csrf-token' },
      },
      schemas: SCHEMAS,
    },
  };
}

const ACCESS_LABEL: Record<string, string> = { public: 'anyone (more with an account)', account: 'any account', analyst: 'analyst or above', editor: 'editor or above' };

const schemaType = (sc: JsonSchema): string => {
  const x = sc as { type?: string | string[]; enum?: string[]; minimum?: number; maximum?: number; default?: unknown };
  const t = Array.isArray(x.type) ? x.type.join(' | ') : (x.type ?? 'any');
  const bits = [x.enum ? `one of ${x.enum.join(', ')}` : t];
  if (x.minimum !== undefined || x.maximum !== undefined) bits.push(`${x.minimum ?? ''}..${x.maximum ?? ''}`);
  if (x.default !== undefined) bits.push(`default ${String(x.default)}`);
  return bits.join('; ');
};

const anchor = (id: string) => `op-${id}`;

/** curl for an operation, with placeholders for path parameters. */
function curlOf(origin: string, method: string, path: string, op: Operation): string {
  const lines = [`curl${method === 'get' ? '' : ` -X ${method.toUpperCase()}`} '${origin}${path}'`, `  -H 'Authorization: Bearer $TIDELINE_TOKEN'`];
  if (op.parameters.some((p) => p.name === 'If-Match')) lines.push(`  -H 'If-Match: "<uuid>:<version>"'`);
  const ex = op.requestBody?.content['application/json'].example;
  if (ex !== undefined) lines.push(`  -H 'Content-Type: application/json'`, `  -d '${JSON.stringify(ex)}'`);
  return lines.join(' \\\n');
}

export function docsPage(req: FastifyRequest, doc: OpenApiDocument): Html {
  const origin = doc.servers[0]?.url ?? '';
  const ops = Object.entries(doc.paths).flatMap(([path, methods]) => Object.entries(methods).map(([method, op]) => ({ path, method, op })));
  const tags = doc.tags.map((t) => t.name);
  return page(
    { title: 'API', viewer: req.viewer, csrf: req.csrf, path: '/api/v1/docs' },
    html`<h1>Tideline API</h1>
<p>${doc.info.description}</p>
<p>Machine-readable: <a href="${API_PREFIX}/openapi.json">OpenAPI 3.1 document</a>. Create a token on <a href="/account">your account page</a>, then:</p>
<pre><code>curl -H 'Authorization: Bearer tl_…' ${origin}${API_PREFIX}/me</code></pre>
<nav aria-labelledby="toc"><h2 id="toc">Operations</h2>
${tags.map(
  (t) => html`<h3>${t}</h3><ul>${ops.filter((o) => o.op.tags[0] === t).map((o) => html`<li><a href="#${anchor(o.op.operationId)}"><code>${o.method.toUpperCase()} ${o.path}</code></a> ${o.op.summary}</li>`)}</ul>`,
)}
</nav>
${tags.map(
  (t) => html`<h2>${t}</h2>
${ops
  .filter((o) => o.op.tags[0] === t)
  .map(
    ({ path, method, op }) => html`<section class="card" aria-labelledby="${anchor(op.operationId)}" style="margin:12px 0">
<h3 id="${anchor(op.operationId)}"><code>${method.toUpperCase()} ${path}</code></h3>
<p>${op.summary}${op.description ? html`. ${op.description}` : ''}</p>
<p class="meta">Who: ${ACCESS_LABEL[op['x-access']] ?? op['x-access']}</p>
${
  op.parameters.length
    ? html`<div class="table-wrap"><table><caption class="skip">Parameters of ${method.toUpperCase()} ${path}</caption><thead><tr><th scope="col">Name</th><th scope="col">In</th><th scope="col">Type</th><th scope="col">Required</th><th scope="col">Description</th></tr></thead><tbody>
${op.parameters.map((p) => html`<tr><td><code>${p.name}</code></td><td>${p.in}</td><td>${schemaType(p.schema)}</td><td>${p.required ? 'yes' : 'no'}</td><td>${p.description ?? ''}</td></tr>`)}
</tbody></table></div>`
    : ''
}
${op.requestBody ? html`<h4>Request body</h4><p>${op.requestBody.description ?? 'JSON'}</p>${op.requestBody.content['application/json'].example !== undefined ? html`<pre><code>${JSON.stringify(op.requestBody.content['application/json'].example, null, 2)}</code></pre>` : ''}` : ''}
<h4>Responses</h4>
<ul>${Object.entries(op.responses).map(([code, r]) => html`<li><strong>${code}</strong> ${r.description}${r.content?.['application/json']?.example !== undefined ? html`<pre><code>${JSON.stringify(r.content['application/json'].example, null, 2)}</code></pre>` : ''}</li>`)}</ul>
<h4>Example</h4>
<pre><code>${curlOf(origin, method, path, op)}</code></pre>
</section>`,
  )}`,
)}`,
  );
}
