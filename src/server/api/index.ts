/**
 * REST API under /api/v1: JSON over the same store queries as the pages, so TLP and roles apply identically. Every
 * operation is declared in `operations` (schemas validate params, query and body at the edge; fastify answers 400
 * with the failing field) and the OpenAPI document is generated from the same list.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { attack } from '../../content/attack.js';
import { can, ROLES, TLPS, type Role } from '../../store/access.js';
import { ALERT_STATUSES, triageAlert, type AlertStatus } from '../../store/alerts.js';
import { LEVEL_RANK } from '../../store/content.js';
import {
  advisoryCoverage,
  attackCoverage,
  getObject,
  getRule,
  getVisibleAlert,
  hrefOf,
  linkedFrom,
  listAdvisories,
  listObjects,
  listVisibleAlerts,
  listRulesPage,
  objectHistory,
  search,
  type ObjectRow,
} from '../../store/queries.js';
import { AccountError, createToken, listTokens, revokeToken, type User } from '../../store/users.js';
import { HttpError, requireThat, type AppContext } from '../app.js';
import { saveAdvisory, Unprocessable } from './advisory-save.js';
import { CONVERSIONS_DOC } from './conversions.js';
import { INGEST_DOC } from './ingest.js';
import { openApiDocument, docsPage } from './openapi.js';
import { API_PREFIX, pagination, S, type ApiOperation } from './spec.js';
import { sendHtml } from '../app.js';

type Query = Record<string, unknown>;
const SEVERITIES = ['informational', 'low', 'medium', 'high', 'critical'] as const;
const LEVELS = Object.keys(LEVEL_RANK);
const ADVISORY_STATUSES = ['draft', 'published', 'retired'] as const;

const str = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() ? v.trim() : undefined);

/** limit/offset from the query (page N is offset (N-1)*limit). */
function windowOf(req: FastifyRequest, dflt = 20): { limit: number; offset: number } {
  const q = req.query as Query;
  const limit = typeof q.limit === 'number' ? q.limit : dflt;
  const offset = typeof q.offset === 'number' ? q.offset : typeof q.page === 'number' ? (q.page - 1) * limit : 0;
  return { limit, offset };
}

/** The list envelope; `next` is the URL of the following page (same filters) or null. */
function envelope<T>(req: FastifyRequest, items: T[], total: number, w: { limit: number; offset: number }) {
  let next: string | null = null;
  if (w.offset + items.length < total && items.length > 0) {
    const u = new URL(req.url, 'http://local');
    u.searchParams.delete('page');
    u.searchParams.set('offset', String(w.offset + w.limit));
    u.searchParams.set('limit', String(w.limit));
    next = u.pathname + u.search;
  }
  return { items, total, limit: w.limit, offset: w.offset, next };
}

export const etagOf = (o: { uuid: string; version: number }): string => `"${o.uuid}:${o.version}"`;

/** Entity tags listed in If-Match / If-None-Match (weak prefixes ignored: versions are exact). */
const tagsIn = (h: string | string[] | undefined): string[] => (Array.isArray(h) ? h.join(',') : (h ?? '')).split(',').map((t) => t.trim().replace(/^W\//, '')).filter(Boolean);

function advisoryJson(ctx: AppContext, req: FastifyRequest, o: ObjectRow) {
  const cov = advisoryCoverage(ctx.db, req.viewer, o.uuid);
  return {
    uuid: o.uuid,
    slug: o.slug,
    name: o.name,
    tlp: o.tlp,
    status: o.status,
    severity: o.severity,
    version: o.version,
    created: o.created,
    modified: o.modified,
    etag: etagOf(o),
    href: hrefOf('advisory', o.uuid, o.slug),
    object: o.doc,
    yaml: o.yaml,
    coverage: cov ? { rules: cov.rules.length, coveredSteps: cov.coveredSteps, stepsWithEvents: cov.stepsWithEvents, report: cov } : null,
    history: objectHistory(ctx.db, req.viewer, o.uuid),
  };
}

function objectJson(ctx: AppContext, req: FastifyRequest, o: ObjectRow) {
  return {
    uuid: o.uuid,
    kind: o.kind,
    name: o.name,
    tlp: o.tlp,
    version: o.version,
    created: o.created,
    modified: o.modified,
    etag: etagOf(o),
    href: hrefOf(o.kind, o.uuid, o.slug),
    object: o.doc,
    yaml: o.yaml,
    linkedFrom: linkedFrom(ctx.db, req.viewer, o.uuid).map((l) => ({ ...l, href: hrefOf(l.kind, l.uuid, l.slug) })),
  };
}

const objectSummary = (o: ObjectRow) => ({ uuid: o.uuid, kind: o.kind, name: o.name, tlp: o.tlp, version: o.version, created: o.created, modified: o.modified, href: hrefOf(o.kind, o.uuid, o.slug) });

/** The account acting: the session's user, or a token's owner limited to the token's role (a token never mints a stronger one). */
function actor(req: FastifyRequest): User {
  requireThat(req, req.viewer.user !== undefined, 'your API tokens');
  if (req.user) return req.user;
  const u = req.viewer.user!;
  return { id: u.id, username: u.username, role: req.viewer.role as Role, clearance: TLPS[req.viewer.clearance] ?? 'clear', disabled: false };
}

function sendUnprocessable(reply: FastifyReply, e: Unprocessable) {
  return reply.status(422).send({ error: e.message, errors: e.errors });
}

export function operations(ctx: AppContext): ApiOperation[] {
  const { db } = ctx;
  const models = (kind: 'tvm' | 'dom' | 'mdr', path: string, tag: string, what: string): ApiOperation[] => [
    {
      method: 'GET',
      path,
      operationId: `list${tag.replace(/\W/g, '')}`,
      tag,
      summary: `List ${what}s`,
      access: 'account',
      query: pagination(50),
      responses: { 200: { description: `A page of ${what}s`, schema: 'ObjectPage' }, 401: { description: 'Not signed in', schema: 'Error' } },
      async handler(req) {
        requireThat(req, can.readModels(req.viewer), `${what}s`);
        const w = windowOf(req, 50);
        const r = listObjects(db, req.viewer, kind, w);
        return envelope(req, r.items.map(objectSummary), r.total, w);
      },
    },
    {
      method: 'GET',
      path: `${path}/:uuid`,
      operationId: `get${tag.replace(/\W/g, '')}`,
      tag,
      summary: `Get a ${what}`,
      access: 'account',
      params: { uuid: S.uuid },
      responses: { 200: { description: `The ${what}, its YAML and what links to it`, schema: 'Object' }, 401: { description: 'Not signed in', schema: 'Error' }, 404: { description: 'No such object (or not visible to you)', schema: 'Error' } },
      async handler(req) {
        requireThat(req, can.readModels(req.viewer), `${what}s`);
        const o = getObject(db, req.viewer, (req.params as { uuid: string }).uuid, kind);
        if (!o) throw new HttpError(404, `no ${what} ${(req.params as { uuid: string }).uuid}`);
        return objectJson(ctx, req, o);
      },
    },
  ];

  const advisoryFilters = {
    severity: S.enumOf(SEVERITIES, 'Severity'),
    tactic: S.text('ATT&CK tactic short name (defense-evasion)', 80),
    technique: S.text('ATT&CK technique id (T1562.008)', 100),
    logsource: S.text('Log source (aws/cloudtrail)', 120),
    tlp: S.enumOf(TLPS, 'TLP marking'),
    status: S.enumOf(ADVISORY_STATUSES, 'Status (editors; others only see published)'),
    q: S.text('Full-text search', 200),
    ...pagination(20),
  };
  const advisoryBody = {
    description: 'The advisory as YAML text (`{"yaml": "..."}`, comments kept) or as a JSON object. metadata.version and metadata.modified are set by the server.',
    required: true,
    schema: { type: 'object', minProperties: 1 },
    example: { yaml: 'name: ...\nmetadata:\n  uuid: ...\n  schema: advisory::1.0\n  ...' },
  };

  return [
    {
      method: 'GET',
      path: '/advisories',
      operationId: 'listAdvisories',
      tag: 'Advisories',
      summary: 'List advisories, newest first',
      description: 'Anonymous callers see published TLP:CLEAR advisories; accounts see up to their clearance.',
      access: 'public',
      query: advisoryFilters,
      responses: { 200: { description: 'A page of advisories', schema: 'AdvisoryPage', example: { items: [{ uuid: '6acfdd4b-…', slug: 'aws-cloudtrail-logging-disabled', severity: 'medium', coverage: 3 }], total: 3, limit: 20, offset: 0, next: null } }, 400: { description: 'Invalid parameter', schema: 'Error' } },
      async handler(req) {
        const q = req.query as Query;
        const w = windowOf(req);
        const r = listAdvisories(db, req.viewer, { severity: str(q.severity), tactic: str(q.tactic), technique: str(q.technique), logsource: str(q.logsource), tlp: str(q.tlp), status: str(q.status), q: str(q.q), ...w });
        return envelope(req, r.items.map((a) => ({ ...a, href: hrefOf('advisory', a.uuid, a.slug) })), r.total, w);
      },
    },
    {
      method: 'GET',
      path: '/advisories/:id',
      operationId: 'getAdvisory',
      tag: 'Advisories',
      summary: 'Get an advisory with its measured coverage',
      description: 'Sends `ETag: "<uuid>:<version>"`; answers 304 when If-None-Match names the current version.',
      access: 'public',
      params: { id: S.id },
      headers: { 'If-None-Match': { description: 'An ETag from an earlier response' } },
      responses: { 200: { description: 'The advisory', schema: 'Advisory', headers: { ETag: '"<uuid>:<version>"' } }, 304: { description: 'Not modified' }, 404: { description: 'No such advisory (or not visible to you)', schema: 'Error' } },
      async handler(req, reply) {
        const id = (req.params as { id: string }).id;
        const o = getObject(db, req.viewer, id, 'advisory');
        if (!o) throw new HttpError(404, `no advisory ${id}`);
        const etag = etagOf(o);
        reply.header('ETag', etag);
        if (tagsIn(req.headers['if-none-match']).includes(etag)) return reply.status(304).send();
        return advisoryJson(ctx, req, o);
      },
    },
    {
      method: 'PUT',
      path: '/advisories/:id',
      operationId: 'updateAdvisory',
      tag: 'Advisories',
      summary: 'Replace an advisory (editor)',
      description: 'Requires If-Match with the current ETag (428 without, 412 when stale). Bumps metadata.version, sets modified, keeps the history.',
      access: 'editor',
      params: { id: S.id },
      headers: { 'If-Match': { description: 'The ETag of the version this edit is based on', required: true } },
      body: advisoryBody,
      responses: {
        200: { description: 'Saved', schema: 'Saved', headers: { ETag: 'The new ETag' } },
        403: { description: 'Not an editor, or missing CSRF token (cookie auth)', schema: 'Error' },
        404: { description: 'No such advisory', schema: 'Error' },
        412: { description: 'If-Match is not the current version', schema: 'Error' },
        422: { description: 'Invalid advisory', schema: 'ValidationErrors' },
        428: { description: 'If-Match missing', schema: 'Error' },
      },
      async handler(req, reply) {
        requireThat(req, can.edit(req.viewer), 'editing advisories');
        const id = (req.params as { id: string }).id;
        const o = getObject(db, req.viewer, id, 'advisory');
        if (!o) throw new HttpError(404, `no advisory ${id}`);
        const tags = tagsIn(req.headers['if-match']);
        if (!tags.length) throw new HttpError(428, `If-Match is required: send the ETag from GET ${API_PREFIX}/advisories/${o.uuid}`);
        if (!tags.includes(etagOf(o))) throw new HttpError(412, `advisory is at version ${o.version} (ETag ${etagOf(o)}); reload it and apply your edit again`);
        try {
          const saved = saveAdvisory(db, req.viewer, req.body, o);
          const etag = etagOf(saved);
          reply.header('ETag', etag);
          return { ...saved, etag, href: hrefOf('advisory', saved.uuid, saved.slug) };
        } catch (e) {
          if (e instanceof Unprocessable) return sendUnprocessable(reply, e);
          throw e;
        }
      },
    },
    {
      method: 'POST',
      path: '/advisories',
      operationId: 'createAdvisory',
      tag: 'Advisories',
      summary: 'Create an advisory (editor)',
      description: 'metadata.uuid may be omitted (one is generated); version starts at 1.',
      access: 'editor',
      body: advisoryBody,
      responses: {
        201: { description: 'Created', schema: 'Saved', headers: { ETag: 'The ETag', Location: 'The advisory URL' } },
        403: { description: 'Not an editor, or missing CSRF token (cookie auth)', schema: 'Error' },
        409: { description: 'UUID already used', schema: 'Error' },
        422: { description: 'Invalid advisory', schema: 'ValidationErrors' },
      },
      async handler(req, reply) {
        requireThat(req, can.edit(req.viewer), 'creating advisories');
        try {
          const saved = saveAdvisory(db, req.viewer, req.body);
          const etag = etagOf(saved);
          reply.header('ETag', etag).header('Location', `${API_PREFIX}/advisories/${saved.uuid}`);
          return reply.status(201).send({ ...saved, etag, href: hrefOf('advisory', saved.uuid, saved.slug) });
        } catch (e) {
          if (e instanceof Unprocessable) return sendUnprocessable(reply, e);
          throw e;
        }
      },
    },
    ...models('tvm', '/threats', 'Threat vectors', 'threat vector'),
    ...models('dom', '/objectives', 'Detection objectives', 'detection objective'),
    ...models('mdr', '/mdrs', 'MDRs', 'managed detection rule'),
    {
      method: 'GET',
      path: '/rules',
      operationId: 'listRules',
      tag: 'Rules',
      summary: 'List Sigma rules (metadata and test status)',
      access: 'account',
      query: { technique: S.text('ATT&CK technique id', 100), tactic: S.text('ATT&CK tactic short name', 80), level: S.enumOf(LEVELS, 'Rule level'), q: S.text('Full-text search', 200), ...pagination(50) },
      responses: { 200: { description: 'A page of rules', schema: 'RulePage' }, 401: { description: 'Not signed in', schema: 'Error' } },
      async handler(req) {
        requireThat(req, can.readRules(req.viewer), 'detection rules');
        const q = req.query as Query;
        const w = windowOf(req, 50);
        const r = listRulesPage(db, req.viewer, { technique: str(q.technique), tactic: str(q.tactic), level: str(q.level), q: str(q.q), ...w });
        return envelope(req, r.items.map((x) => ({ ...x, href: hrefOf('rule', x.id) })), r.total, w);
      },
    },
    {
      method: 'GET',
      path: '/rules/:id',
      operationId: 'getRule',
      tag: 'Rules',
      summary: 'Get a rule with its YAML, tests and last results',
      access: 'account',
      params: { id: S.text('Rule id', 200) },
      responses: { 200: { description: 'The rule', schema: 'Rule' }, 401: { description: 'Not signed in', schema: 'Error' }, 404: { description: 'No such rule (or not visible to you)', schema: 'Error' } },
      async handler(req) {
        requireThat(req, can.readRules(req.viewer), 'detection rules');
        const id = (req.params as { id: string }).id;
        const r = getRule(db, req.viewer, id);
        if (!r) throw new HttpError(404, `no rule ${id}`);
        return { ...r, href: hrefOf('rule', r.id), deployedBy: linkedFrom(db, req.viewer, r.id).map((l) => ({ ...l, href: hrefOf(l.kind, l.uuid, l.slug) })) };
      },
    },
    {
      method: 'GET',
      path: '/attack/coverage',
      operationId: 'attackCoverage',
      tag: 'ATT&CK',
      summary: 'Per technique: rules, tested rules and advisories covering it',
      description: 'Counts only what the caller may see. The list is bounded by the ATT&CK catalog, so it is not paginated.',
      access: 'public',
      responses: { 200: { description: 'Coverage by technique', schema: 'AttackCoverage' } },
      async handler(req) {
        const cells = attackCoverage(db, req.viewer);
        const techniques = [...cells.entries()]
          .sort((a, b) => (a[0] < b[0] ? -1 : 1))
          .map(([id, c]) => {
            const t = attack().technique(id);
            return { id, name: t?.name ?? null, tactics: t ? t.tactics.map((x) => x.shortname) : [], ...c };
          });
        return { techniques, total: techniques.length };
      },
    },
    {
      method: 'GET',
      path: '/search',
      operationId: 'search',
      tag: 'Search',
      summary: 'Search advisories, threat models and rules you may see',
      access: 'public',
      query: { q: { ...S.text('Search text', 200) }, ...pagination(20) },
      responses: { 200: { description: 'A page of hits (at most 500 in all)', schema: 'SearchPage' }, 400: { description: 'q missing', schema: 'Error' } },
      async handler(req) {
        const q = str((req.query as Query).q);
        if (!q) throw new HttpError(400, 'q is required');
        const w = windowOf(req);
        const hits = search(db, req.viewer, q, 500);
        return envelope(req, hits.slice(w.offset, w.offset + w.limit), hits.length, w);
      },
    },
    {
      method: 'GET',
      path: '/alerts',
      operationId: 'listAlerts',
      tag: 'Alerts',
      summary: 'List alerts, newest first (analyst)',
      access: 'analyst',
      query: {
        rule: S.text('Rule id', 200),
        level: S.enumOf(LEVELS, 'Minimum level'),
        account: S.text('AWS account id', 64),
        status: S.enumOf(ALERT_STATUSES, 'Triage status'),
        since: { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}([T ][0-9:.]+(Z|[+-]\\d{2}:?\\d{2})?)?$', description: 'Event time from (ISO 8601, inclusive)' },
        until: { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}([T ][0-9:.]+(Z|[+-]\\d{2}:?\\d{2})?)?$', description: 'Event time until (ISO 8601, exclusive)' },
        q: S.text('Text in event name, actor, rule title or source IP', 200),
        ...pagination(50),
      },
      responses: { 200: { description: 'A page of alerts', schema: 'AlertPage' }, 401: { description: 'Not signed in', schema: 'Error' }, 403: { description: 'Below analyst', schema: 'Error' } },
      async handler(req) {
        requireThat(req, can.readAlerts(req.viewer), 'alerts');
        const q = req.query as Query;
        const w = windowOf(req, 50);
        const r = listVisibleAlerts(db, req.viewer, { rule: str(q.rule), level: str(q.level), account: str(q.account), status: str(q.status), since: str(q.since), until: str(q.until), q: str(q.q), ...w });
        return envelope(req, r.items.map((a) => ({ ...a, href: `/alerts/${a.id}` })), r.total, w);
      },
    },
    {
      method: 'GET',
      path: '/alerts/:id',
      operationId: 'getAlert',
      tag: 'Alerts',
      summary: 'Get an alert with its raw event and triage history (analyst)',
      access: 'analyst',
      params: { id: { type: 'integer', minimum: 1, maximum: 2 ** 53 - 1, description: 'Alert id' } },
      responses: { 200: { description: 'The alert', schema: 'Alert' }, 404: { description: 'No such alert', schema: 'Error' } },
      async handler(req) {
        requireThat(req, can.readAlerts(req.viewer), 'alerts');
        const a = getVisibleAlert(db, req.viewer, (req.params as { id: number }).id);
        if (!a) throw new HttpError(404, `no alert ${(req.params as { id: number }).id}`);
        return a;
      },
    },
    {
      method: 'PATCH',
      path: '/alerts/:id',
      operationId: 'triageAlert',
      tag: 'Alerts',
      summary: 'Triage an alert: set its status with a comment (analyst)',
      access: 'analyst',
      params: { id: { type: 'integer', minimum: 1, maximum: 2 ** 53 - 1, description: 'Alert id' } },
      body: {
        required: true,
        schema: { type: 'object', required: ['status'], additionalProperties: false, properties: { status: S.enumOf(ALERT_STATUSES, 'New status'), comment: { type: 'string', maxLength: 4000, description: 'Why' } } },
        example: { status: 'acknowledged', comment: 'Investigating with the account owner' },
      },
      responses: { 200: { description: 'The alert after the change', schema: 'Alert' }, 403: { description: 'Below analyst, or missing CSRF token', schema: 'Error' }, 404: { description: 'No such alert', schema: 'Error' } },
      async handler(req) {
        requireThat(req, can.triage(req.viewer), 'triaging alerts');
        const id = (req.params as { id: number }).id;
        const b = req.body as { status: AlertStatus; comment?: string };
        if (!getVisibleAlert(db, req.viewer, id) || !triageAlert(db, id, b.status, b.comment ?? '', req.viewer.user!.username)) throw new HttpError(404, `no alert ${id}`);
        return getVisibleAlert(db, req.viewer, id);
      },
    },
    {
      method: 'GET',
      path: '/me',
      operationId: 'me',
      tag: 'Account',
      summary: 'Who the API sees: user, role, clearance, capabilities',
      access: 'public',
      responses: { 200: { description: 'The caller', schema: 'Me', example: { user: { id: 2, username: 'ci' }, role: 'analyst', clearance: 'amber', auth: 'token' } } },
      async handler(req) {
        const v = req.viewer;
        return {
          user: v.user ?? null,
          role: v.role,
          clearance: TLPS[v.clearance] ?? 'clear',
          auth: req.auth,
          can: { readRules: can.readRules(v), readModels: can.readModels(v), readAlerts: can.readAlerts(v), triage: can.triage(v), edit: can.edit(v), admin: can.admin(v) },
        };
      },
    },
    {
      method: 'GET',
      path: '/tokens',
      operationId: 'listTokens',
      tag: 'Account',
      summary: 'Your API tokens (secrets are never shown again)',
      access: 'account',
      query: pagination(50),
      responses: { 200: { description: 'A page of tokens', schema: 'TokenPage' }, 401: { description: 'Not signed in', schema: 'Error' } },
      async handler(req) {
        const u = actor(req);
        const w = windowOf(req, 50);
        const all = listTokens(db, u.id);
        return envelope(req, all.slice(w.offset, w.offset + w.limit), all.length, w);
      },
    },
    {
      method: 'POST',
      path: '/tokens',
      operationId: 'createToken',
      tag: 'Account',
      summary: 'Create an API token (role at most yours); the secret is in this response only',
      access: 'account',
      body: {
        required: true,
        schema: { type: 'object', required: ['name'], additionalProperties: false, properties: { name: S.text('A label (letters, digits, spaces, . _ : -)', 64), role: S.enumOf(ROLES, 'Token role (default: yours)') } },
        example: { name: 'ci pipeline', role: 'viewer' },
      },
      responses: { 201: { description: 'The token and its secret', schema: 'NewToken' }, 400: { description: 'Bad name or role above yours', schema: 'Error' }, 401: { description: 'Not signed in', schema: 'Error' }, 403: { description: 'Missing CSRF token (cookie auth)', schema: 'Error' } },
      async handler(req, reply) {
        const u = actor(req);
        const b = req.body as { name: string; role?: Role };
        try {
          const t = createToken(db, u, b.name.trim(), b.role ?? u.role);
          return reply.status(201).send({ ...t.info, token: t.token });
        } catch (e) {
          if (e instanceof AccountError) throw new HttpError(400, e.message);
          throw e;
        }
      },
    },
    {
      method: 'DELETE',
      path: '/tokens/:id',
      operationId: 'revokeToken',
      tag: 'Account',
      summary: 'Revoke one of your API tokens',
      access: 'account',
      params: { id: { type: 'integer', minimum: 1, maximum: 2 ** 53 - 1, description: 'Token id' } },
      responses: { 204: { description: 'Revoked' }, 404: { description: 'No such active token of yours', schema: 'Error' } },
      async handler(req, reply) {
        const u = actor(req);
        const id = (req.params as { id: number }).id;
        if (!revokeToken(db, u, id)) throw new HttpError(404, `no active token ${id}`);
        return reply.status(204).send();
      },
    },
  ];
}

/** Meta routes: the OpenAPI document and its human page (documented too, without schemas). */
const META: Pick<ApiOperation, 'method' | 'path' | 'operationId' | 'tag' | 'summary' | 'access' | 'responses'>[] = [
  { method: 'GET', path: '/openapi.json', operationId: 'openapi', tag: 'Meta', summary: 'This OpenAPI 3.1 document', access: 'public', responses: { 200: { description: 'OpenAPI document' } } },
  { method: 'GET', path: '/docs', operationId: 'docs', tag: 'Meta', summary: 'Human-readable API documentation (HTML)', access: 'public', responses: { 200: { description: 'HTML page' } } },
];

export function registerApi(app: FastifyInstance, ctx: AppContext): void {
  const ops = operations(ctx);
  for (const op of ops) {
    const schema: Record<string, unknown> = {};
    if (op.params) schema.params = { type: 'object', properties: op.params, required: Object.keys(op.params) };
    if (op.query) schema.querystring = { type: 'object', properties: op.query };
    if (op.body) schema.body = op.body.schema;
    app.route({ method: op.method, url: API_PREFIX + op.path, schema, handler: op.handler });
  }
  const documented = [...ops, CONVERSIONS_DOC, INGEST_DOC, ...META];
  app.get(`${API_PREFIX}/openapi.json`, async (req) => openApiDocument(documented, originOf(req), ctx.config.version));
  app.get(`${API_PREFIX}/docs`, async (req, reply) => sendHtml(reply, docsPage(req, openApiDocument(documented, originOf(req), ctx.config.version))));
}

/** Absolute origin of the request (feeds and the OpenAPI servers list); a malformed Host falls back to localhost. */
export function originOf(req: FastifyRequest): string {
  const host = /^[A-Za-z0-9.-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$/.test(req.host) ? req.host : 'localhost';
  return `${req.protocol === 'https' ? 'https' : 'http'}://${host}`;
}
