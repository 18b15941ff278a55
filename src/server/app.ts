/**
 * The HTTP application (fastify): who is asking (session cookie, API token, or nobody), CSRF on unsafe requests,
 * security headers, login throttling, errors without stack traces, health. Pages (src/web/routes), the REST API
 * (src/server/api) and feeds register on it as plain functions of (app, ctx).
 */
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { ANONYMOUS, type Viewer } from '../store/access.js';
import type { Db } from '../store/db.js';
import { sessionUser, tokenViewer, viewerOf, type User } from '../store/users.js';
import { CSS, CSS_PATH, JS, JS_PATH } from '../web/assets.js';
import { html } from '../web/html.js';
import { page } from '../web/layout.js';

export interface ServerConfig {
  /** Mark cookies Secure (set when served over TLS, directly or behind a proxy that says so). */
  secureCookies: boolean;
  /** Trust X-Forwarded-* from a reverse proxy. */
  trustProxy: boolean;
  version: string;
}

export interface AppContext {
  db: Db;
  config: ServerConfig;
}

declare module 'fastify' {
  interface FastifyRequest {
    viewer: Viewer;
    user?: User;
    /** How the request authenticated. */
    auth: 'session' | 'token' | 'none';
    /** The session's CSRF token (session auth) or the pre-session token (anonymous forms such as login). */
    csrf: string;
  }
}

export const SESSION_COOKIE = 'tl_session';
const PRE_CSRF_COOKIE = 'tl_csrf';

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

const isApi = (req: FastifyRequest) => req.url.startsWith('/api/');
const same = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

export async function buildApp(ctx: AppContext, opts: { logger?: boolean | object } = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger: opts.logger ?? false,
    trustProxy: ctx.config.trustProxy,
    bodyLimit: 1 << 20,
  });
  await app.register(cookie);
  await app.register(formbody);

  app.decorateRequest('viewer', null as unknown as Viewer);
  app.decorateRequest('user', undefined);
  app.decorateRequest('auth', 'none');
  app.decorateRequest('csrf', '');

  // Who is asking.
  app.addHook('onRequest', async (req, reply) => {
    req.viewer = ANONYMOUS;
    req.auth = 'none';
    const authz = req.headers.authorization;
    if (authz) {
      const m = /^Bearer\s+(\S+)$/i.exec(authz);
      const v = m ? tokenViewer(ctx.db, m[1]!) : undefined;
      if (!v) throw new HttpError(401, 'invalid or revoked API token');
      req.viewer = v;
      req.auth = 'token';
      return;
    }
    const sid = req.cookies[SESSION_COOKIE];
    const s = sid ? sessionUser(ctx.db, sid) : undefined;
    if (s) {
      req.user = s.user;
      req.viewer = viewerOf(s.user);
      req.auth = 'session';
      req.csrf = s.csrf;
    } else {
      // Forms used before signing in (the login form) carry a double-submit token from this cookie.
      let pre = req.cookies[PRE_CSRF_COOKIE];
      if (!pre || !/^[A-Za-z0-9_-]{20,64}$/.test(pre)) {
        pre = randomBytes(18).toString('base64url');
        reply.setCookie(PRE_CSRF_COOKIE, pre, { path: '/', httpOnly: true, sameSite: 'lax', secure: ctx.config.secureCookies });
      }
      req.csrf = pre;
      if (sid) reply.clearCookie(SESSION_COOKIE, { path: '/' });
    }
  });

  // CSRF: an unsafe request authenticated by a cookie must carry the token (form field or header). Bearer-token
  // requests are not exposed to CSRF (browsers never attach the header on their own).
  app.addHook('preHandler', async (req) => {
    if (['GET', 'HEAD', 'OPTIONS'].includes(req.method) || req.auth === 'token') return;
    const body = req.body as Record<string, unknown> | undefined;
    const sent = String(req.headers['x-csrf-token'] ?? (body && typeof body === 'object' ? (body._csrf ?? '') : ''));
    if (!req.csrf || !sent || !same(sent, req.csrf)) throw new HttpError(403, 'missing or invalid CSRF token; reload the page and try again');
  });

  app.addHook('onSend', async (req, reply, payload) => {
    reply.header('X-Content-Type-Options', 'nosniff');
    reply.header('Referrer-Policy', 'same-origin');
    reply.header('X-Frame-Options', 'DENY');
    reply.header('Content-Security-Policy', "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'");
    if (req.auth !== 'none' && !reply.hasHeader('Cache-Control')) reply.header('Cache-Control', 'private, no-store');
    return payload;
  });

  app.setErrorHandler((err: Error & { statusCode?: number; validation?: unknown }, req, reply) => {
    const status = err instanceof HttpError ? err.status : err.statusCode && err.statusCode < 500 ? err.statusCode : 500;
    if (status >= 500) req.log.error({ err }, 'request failed');
    const message = status >= 500 ? 'internal error' : err.message;
    const details = err instanceof HttpError ? err.details : undefined;
    if (status === 429 && err instanceof HttpError && typeof err.details === 'number') reply.header('Retry-After', String(err.details));
    if (isApi(req) || req.headers.accept?.includes('application/json')) return reply.status(status).send({ error: message, ...(details && typeof details === 'object' ? { details } : {}) });
    if (status === 401 && req.method === 'GET') return reply.redirect(`/login?next=${encodeURIComponent(req.url)}`);
    return reply
      .status(status)
      .type('text/html; charset=utf-8')
      .send(String(page({ title: `Error ${status}`, viewer: req.viewer ?? ANONYMOUS, csrf: req.csrf }, html`<h1>${status === 403 ? 'Not allowed' : status === 404 ? 'Not found' : 'Something went wrong'}</h1><p>${message}</p><p><a href="/">Back to the feed</a></p>`)));
  });
  app.setNotFoundHandler((req) => {
    throw new HttpError(404, `no page at ${req.url.split('?')[0]}`);
  });

  app.get(CSS_PATH, async (_req, reply) => reply.type('text/css; charset=utf-8').header('Cache-Control', 'public, max-age=31536000, immutable').send(CSS));
  app.get(JS_PATH, async (_req, reply) => reply.type('text/javascript; charset=utf-8').header('Cache-Control', 'public, max-age=31536000, immutable').send(JS));
  app.get('/healthz', async (_req, reply) => {
    const ok = (ctx.db.prepare('SELECT 1 AS ok').get() as { ok: number }).ok === 1;
    return reply.status(ok ? 200 : 503).send({ status: ok ? 'ok' : 'degraded', version: ctx.config.version, db: ok ? 'ok' : 'error' });
  });
  return app;
}

/** Sends a page (HTML). */
export const sendHtml = (reply: FastifyReply, body: { toString(): string }, status = 200) => reply.status(status).type('text/html; charset=utf-8').send(String(body));

/** Throws 401 (anonymous: sign in) or 403 (signed in without the right) unless allowed. */
export function requireThat(req: FastifyRequest, allowed: boolean, what = 'this'): void {
  if (allowed) return;
  if (req.viewer.role === 'anonymous') throw new HttpError(401, `sign in to see ${what}`);
  throw new HttpError(403, `your role (${req.viewer.role}) does not allow ${what}`);
}

/** Integer query parameter within bounds (pagination). */
export function intParam(v: unknown, dflt: number, min: number, max: number): number {
  const n = typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : dflt;
  return Math.min(max, Math.max(min, n));
}

/** String query parameter, trimmed and bounded; arrays (repeated params) take the first. */
export function strParam(v: unknown, max = 200): string | undefined {
  const s = Array.isArray(v) ? v[0] : v;
  if (typeof s !== 'string') return undefined;
  const t = s.trim();
  return t ? t.slice(0, max) : undefined;
}
