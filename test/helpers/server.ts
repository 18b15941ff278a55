/**
 * A real Tideline server for tests: a fresh SQLite file in a temp data dir, seeded like a first start (bundled content,
 * sample alerts, admin), listening on loopback. `as(role)` gives a signed-in client (a real login through the form,
 * cookies and CSRF token kept), `anon()` an anonymous one.
 */
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { createServer, seedStore } from '../../src/server/serve.js';
import type { Role } from '../../src/store/access.js';
import { openDb, type Db } from '../../src/store/db.js';
import { addUser } from '../../src/store/users.js';
import { DirectoryWatcher } from '../../src/server/watch.js';
import { removeDir, tempDir } from './cloudtrail.js';

export const PASSWORD = 'correct horse battery staple';

export interface TestServer {
  url: string;
  db: Db;
  app: FastifyInstance;
  dataDir: string;
  /** The directory watcher, when started with `watch` (as `tideline serve --watch`). */
  watcher?: DirectoryWatcher;
  close(): Promise<void>;
  /** A client signed in as a new user with this role (and clearance, default by role). */
  as(role: Role, clearance?: string, username?: string): Promise<Client>;
  anon(): Client;
}

export interface Client {
  cookie: string;
  csrf: string;
  username?: string;
  /** fetch relative to the server, with this client's cookies; redirects are not followed. */
  fetch(path: string, init?: RequestInit): Promise<Response>;
  /** GET a page and return its HTML (also keeps the CSRF token found in it). */
  page(path: string): Promise<{ status: number; html: string }>;
  /** POST a form (url-encoded) with the CSRF token unless `_csrf` is given. */
  form(path: string, fields: Record<string, string>): Promise<Response>;
}

let counter = 0;

export async function startServer(o: { watch?: { dir: string; intervalMs: number } } = {}): Promise<TestServer> {
  const dataDir = tempDir('server');
  const db = openDb(join(dataDir, 'tideline.db'));
  await seedStore(db, { TIDELINE_ADMIN_PASSWORD: PASSWORD });
  const app = await createServer(db, { secureCookies: false, trustProxy: false, version: 'test' }, false);
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  const watcher = o.watch ? new DirectoryWatcher(db, o.watch) : undefined;
  watcher?.start();

  const client = (): Client => {
    const c: Client = {
      cookie: '',
      csrf: '',
      async fetch(path, init = {}) {
        const headers = new Headers(init.headers);
        if (c.cookie) headers.set('cookie', c.cookie);
        const res = await fetch(url + path, { ...init, headers, redirect: 'manual' });
        for (const sc of res.headers.getSetCookie()) {
          const [pair] = sc.split(';');
          const [name] = pair!.split('=');
          const jar = new Map(c.cookie ? c.cookie.split('; ').map((p) => [p.split('=')[0]!, p] as [string, string]) : []);
          if (/expires=Thu, 01 Jan 1970/i.test(sc) || pair!.endsWith('=')) jar.delete(name!);
          else jar.set(name!, pair!);
          c.cookie = [...jar.values()].join('; ');
        }
        return res;
      },
      async page(path) {
        const res = await c.fetch(path);
        const body = await res.text();
        const m = /name="(?:_csrf|csrf-token)" (?:value|content)="([^"]+)"/.exec(body) ?? /name="csrf-token" content="([^"]+)"/.exec(body);
        if (m) c.csrf = m[1]!;
        return { status: res.status, html: body };
      },
      async form(path, fields) {
        return c.fetch(path, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ _csrf: c.csrf, ...fields }).toString() });
      },
    };
    return c;
  };

  return {
    url,
    db,
    app,
    dataDir,
    watcher,
    async close() {
      await watcher?.stop();
      await app.close();
      db.close();
      removeDir(dataDir);
    },
    async as(role, clearance, username = `${role}${++counter}`) {
      addUser(db, username, PASSWORD, role, clearance);
      const c = client();
      await c.page('/login');
      const res = await c.form('/login', { username, password: PASSWORD, next: '/' });
      if (res.status !== 303) throw new Error(`login as ${username} failed: ${res.status}`);
      c.username = username;
      await c.page('/'); // the session's CSRF token
      return c;
    },
    anon: client,
  };
}
