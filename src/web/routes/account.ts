/**
 * The account page: who you are (role, clearance) and your API tokens, created (role at most yours, secret shown once)
 * and revoked with CSRF-protected forms.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { HttpError, requireThat, sendHtml, strParam, type AppContext } from '../../server/app.js';
import { ROLES, type Role } from '../../store/access.js';
import { AccountError, createToken, listTokens, revokeToken, type ApiToken, type User } from '../../store/users.js';
import { html, type Html } from '../html.js';
import { page, tlpBadge } from '../layout.js';

const when = (iso: string | null) => (iso ? html`<time datetime="${iso}">${iso.slice(0, 16).replace('T', ' ')}</time>` : html`<span class="muted">never</span>`);

function signedIn(req: FastifyRequest): User {
  // Pages are for browser sessions; a bearer token manages tokens through the API instead.
  requireThat(req, req.auth === 'session' && req.user !== undefined, 'your account');
  return req.user!;
}

function render(ctx: AppContext, req: FastifyRequest, u: User, o: { created?: { token: string; info: ApiToken }; error?: string; name?: string; role?: string; notice?: string } = {}): Html {
  const tokens = listTokens(ctx.db, u.id);
  const allowed = ROLES.slice(0, ROLES.indexOf(u.role) + 1);
  const origin = `${req.protocol}://${/^[A-Za-z0-9.:[\]-]+$/.test(req.host) ? req.host : 'localhost'}`;
  return page(
    { title: 'Your account', viewer: req.viewer, csrf: req.csrf, path: '/account' },
    html`<h1>Your account</h1>
<dl class="card">
  <dt>Username</dt><dd>${u.username}</dd>
  <dt>Role</dt><dd>${u.role}</dd>
  <dt>Clearance</dt><dd>${tlpBadge(u.clearance)} <span class="small muted">you see objects marked up to this TLP</span></dd>
</dl>
${o.notice ? html`<p class="notice" role="status">${o.notice}</p>` : ''}
${
  o.created
    ? html`<div class="notice" role="status">
  <h2>Token “${o.created.info.name}” created</h2>
  <p><strong>Copy it now: it is shown only once.</strong> Tideline keeps only a hash.</p>
  <pre id="new-token"><code>${o.created.token}</code></pre>
  <p><button type="button" class="secondary" data-copy="new-token">Copy token</button></p>
  <p class="small">Use it as <code>Authorization: Bearer …</code>, e.g. <code>curl -H 'Authorization: Bearer ${o.created.token}' ${origin}/api/v1/me</code>, or in a feed reader: <code>${origin}/feeds/advisories.atom?token=${o.created.token}</code></p>
</div>`
    : ''
}
<h2 id="tokens">API tokens</h2>
<p class="small muted">Tokens let scripts, CI and feed readers act as you, with at most the role you give them. See the <a href="/api/v1/docs">API documentation</a>.</p>
${
  tokens.length
    ? html`<div class="table-wrap"><table aria-labelledby="tokens"><thead><tr><th scope="col">Name</th><th scope="col">Prefix</th><th scope="col">Role</th><th scope="col">Created</th><th scope="col">Last used</th><th scope="col">Status</th><th scope="col"><span class="skip">Actions</span></th></tr></thead><tbody>
${tokens.map(
  (t) => html`<tr><td>${t.name}</td><td><code>${t.prefix}…</code></td><td>${t.role}</td><td>${when(t.created_at)}</td><td>${when(t.last_used_at)}</td><td>${t.revoked_at ? html`revoked ${when(t.revoked_at)}` : 'active'}</td>
<td>${
    t.revoked_at
      ? ''
      : html`<form method="post" action="/account/tokens/${t.id}/revoke"><input type="hidden" name="_csrf" value="${req.csrf}"><button type="submit" class="secondary" aria-label="Revoke token ${t.name}">Revoke</button></form>`
  }</td></tr>`,
)}
</tbody></table></div>`
    : html`<p>You have no API tokens yet.</p>`
}
<h2 id="new">Create a token</h2>
${o.error ? html`<p class="errors" role="alert" id="token-error">${o.error}</p>` : ''}
<form method="post" action="/account/tokens" class="card" style="max-width:460px" aria-labelledby="new">
  <input type="hidden" name="_csrf" value="${req.csrf}">
  <div class="field"><label for="token-name">Name</label><input id="token-name" name="name" required maxlength="64" pattern="[\\p{L}\\p{N} ._:\\-]{1,64}" value="${o.name ?? ''}" placeholder="ci pipeline"${o.error ? html` aria-invalid="true" aria-describedby="token-error"` : ''}></div>
  <div class="field"><label for="token-role">Role</label><select id="token-role" name="role">${allowed.map((r) => html`<option value="${r}"${(o.role ?? u.role) === r ? html` selected` : ''}>${r}</option>`)}</select></div>
  <button type="submit">Create token</button>
</form>`,
  );
}

export function registerAccount(app: FastifyInstance, ctx: AppContext): void {
  app.get('/account', async (req, reply) => {
    const u = signedIn(req);
    const revoked = (req.query as Record<string, unknown>).revoked;
    return sendHtml(reply, render(ctx, req, u, { notice: revoked === '1' ? 'Token revoked.' : undefined }));
  });

  app.post('/account/tokens', async (req, reply: FastifyReply) => {
    const u = signedIn(req);
    const body = (req.body ?? {}) as Record<string, unknown>;
    const name = strParam(body.name, 64) ?? '';
    const role = strParam(body.role, 20) ?? u.role;
    try {
      if (!(ROLES as readonly string[]).includes(role)) throw new AccountError(`role: one of ${ROLES.join(', ')}`);
      const created = createToken(ctx.db, u, name, role as Role);
      // Rendered, not redirected: the secret must not travel in a URL or survive a reload.
      return sendHtml(reply, render(ctx, req, u, { created }), 201);
    } catch (e) {
      if (!(e instanceof AccountError)) throw e;
      return sendHtml(reply, render(ctx, req, u, { error: e.message, name, role }), 400);
    }
  });

  app.post('/account/tokens/:id/revoke', async (req, reply) => {
    const u = signedIn(req);
    const id = Number((req.params as { id: string }).id);
    if (!Number.isSafeInteger(id) || id < 1 || !revokeToken(ctx.db, u, id)) throw new HttpError(404, 'no such active token of yours');
    return reply.redirect('/account?revoked=1#tokens', 303);
  });
}
