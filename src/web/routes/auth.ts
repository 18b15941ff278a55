/** Sign in and out. Sessions are server-side (src/store/users.ts); the cookie holds only the random session id. */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { HttpError, SESSION_COOKIE, sendHtml, strParam, type AppContext } from '../../server/app.js';
import { LoginThrottle } from '../../server/throttle.js';
import { audit } from '../../store/db.js';
import { authenticate, createSession, deleteSession } from '../../store/users.js';
import { html } from '../html.js';
import { page } from '../layout.js';

/** Only same-site paths are followed after sign-in (no open redirect). */
const safeNext = (n: string | undefined) => (n && /^\/(?![/\\])/.test(n) ? n : '/');

export function registerAuth(app: FastifyInstance, ctx: AppContext, throttle = new LoginThrottle()): void {
  const form = (req: FastifyRequest, next: string, error?: string, username = '') =>
    page(
      { title: 'Sign in', viewer: req.viewer, csrf: req.csrf },
      html`<h1>Sign in</h1>
${error ? html`<p class="errors" role="alert">${error}</p>` : ''}
<form method="post" action="/login" class="card" style="max-width:420px">
  <input type="hidden" name="_csrf" value="${req.csrf}">
  <input type="hidden" name="next" value="${next}">
  <div class="field"><label for="username">Username</label><input id="username" name="username" autocomplete="username" required value="${username}"></div>
  <div class="field"><label for="password">Password</label><input id="password" name="password" type="password" autocomplete="current-password" required></div>
  <button type="submit">Sign in</button>
</form>
<p class="muted small">Without an account you see the public (TLP:CLEAR) advisories and their detection coverage.</p>`,
    );

  app.get('/login', async (req, reply) => sendHtml(reply, form(req, safeNext(strParam((req.query as Record<string, unknown>).next, 500)))));

  app.post('/login', async (req, reply) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const username = strParam(body.username, 64) ?? '';
    const password = typeof body.password === 'string' ? body.password.slice(0, 1024) : '';
    const next = safeNext(strParam(body.next, 500));
    const wait = throttle.retryAfter(req.ip, username);
    if (wait > 0) {
      audit(ctx.db, null, 'login.throttled', username, { ip: req.ip });
      throw new HttpError(429, `too many failed sign-ins; try again in ${Math.ceil(wait / 60)} minute(s)`, wait);
    }
    const user = username && password ? authenticate(ctx.db, username, password) : undefined;
    if (!user) {
      throttle.failed(req.ip, username);
      audit(ctx.db, null, 'login.failed', username, { ip: req.ip });
      return sendHtml(reply, form(req, next, 'Wrong username or password.', username), 401);
    }
    throttle.succeeded(req.ip, username);
    const s = createSession(ctx.db, user.id);
    audit(ctx.db, user.username, 'login', user.username, { ip: req.ip });
    reply.setCookie(SESSION_COOKIE, s.id, { path: '/', httpOnly: true, sameSite: 'lax', secure: ctx.config.secureCookies || req.protocol === 'https', expires: s.expires });
    return reply.redirect(next, 303);
  });

  app.post('/logout', async (req, reply) => {
    const sid = req.cookies[SESSION_COOKIE];
    if (sid) deleteSession(ctx.db, sid);
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return reply.redirect('/', 303);
  });
}
