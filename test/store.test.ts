// The SQLite store and the server's account machinery, on real SQLite files and a real server on loopback.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadContent } from '../src/content/load.js';
import { ANONYMOUS, tlpRank } from '../src/store/access.js';
import { exportContent, importContentSet, refreshDerived, storedRules } from '../src/store/content.js';
import { migrate, openDb } from '../src/store/db.js';
import { advisoryCoverage, listAdvisories } from '../src/store/queries.js';
import { addUser, authenticate, createSession, createToken, hashPassword, revokeToken, sessionUser, tokenViewer, verifyPassword } from '../src/store/users.js';
import { LoginThrottle } from '../src/server/throttle.js';
import { removeDir, ROOT, tempDir } from './helpers/cloudtrail.js';
import { PASSWORD, startServer, type TestServer } from './helpers/server.js';

const CONTENT = join(ROOT, 'content');
const files = (dir: string): string[] => readdirSync(dir).flatMap((f) => (statSync(join(dir, f)).isDirectory() ? files(join(dir, f)) : [join(dir, f)]));

describe('store', () => {
  it('migrates a new file to the current schema, idempotently, in WAL mode with foreign keys', () => {
    const dir = tempDir('db');
    try {
      const db = openDb(join(dir, 'x.db'));
      expect(db.pragma('user_version', { simple: true })).toBe(3);
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
      migrate(db);
      expect(db.pragma('user_version', { simple: true })).toBe(3);
      db.pragma('user_version = 99');
      expect(() => migrate(db)).toThrow(/newer than this Tideline/);
      db.close();
    } finally {
      removeDir(dir);
    }
  });

  it('imports the bundled content and exports it back without loss', () => {
    const dir = tempDir('roundtrip');
    try {
      const db = openDb(join(dir, 'x.db'));
      const s = importContentSet(db, loadContent(CONTENT), CONTENT);
      expect(s.objects.advisory).toBe(3);
      expect(s.rules).toBe(11);
      // Importing the same directory again changes nothing.
      expect(importContentSet(db, loadContent(CONTENT), CONTENT).unchanged).toBe(34);
      const out = join(dir, 'out');
      exportContent(db, out);
      const original = files(CONTENT).filter((f) => !f.includes('/samples/')).map((f) => relative(CONTENT, f)).sort();
      expect(files(out).map((f) => relative(out, f)).sort()).toEqual(original);
      for (const f of original) expect(readFileSync(join(out, f), 'utf8'), f).toBe(readFileSync(join(CONTENT, f), 'utf8'));
      db.close();
    } finally {
      removeDir(dir);
    }
  });

  it('stores correlation rules, also from files that hold only correlations, and reads multi-rule files once', () => {
    const db = openDb(':memory:');
    const set = loadContent([CONTENT, join(ROOT, 'test/fixtures/correlation')]);
    expect(set.rules.correlations.length).toBeGreaterThanOrEqual(8);
    importContentSet(db, set, ROOT);
    const stored = storedRules(db);
    expect(stored.diagnostics).toEqual([]); // no "duplicate rule id" from a file stored once per rule
    expect(stored.rules.map((r) => r.id).sort()).toEqual(set.rules.rules.map((r) => r.id).sort());
    expect(stored.correlations.map((r) => r.id).sort()).toEqual(set.rules.correlations.map((r) => r.id).sort());
    db.close();
  });

  it('stores measured coverage and filters every list by TLP', () => {
    const db = openDb(':memory:');
    importContentSet(db, loadContent(CONTENT), CONTENT);
    const anon = listAdvisories(db, ANONYMOUS);
    expect(anon.total).toBe(3); // the bundled advisories are TLP:CLEAR
    const adv = anon.items.find((a) => a.slug === 'aws-cloudtrail-logging-disabled')!;
    expect(adv.coveredSteps).toBe(5);
    expect(adv.stepsWithEvents).toBe(5);
    // The bundled MDRs are TLP:CLEAR, so anonymous visitors see the coverage cards (not the rules' logic).
    expect(adv.coverage).toBe(6);
    // A rule takes the TLP of the MDR deploying it: made amber, it drops out of what green viewers and anonymous count.
    const viewer = { role: 'viewer' as const, clearance: tlpRank('green'), user: { id: 1, username: 'v' } };
    db.prepare("UPDATE objects SET tlp = 'amber', tlp_rank = 2 WHERE kind = 'mdr' AND name = 'AWS CloudTrail logging stopped'").run();
    refreshDerived(db);
    expect(listAdvisories(db, viewer).items.find((a) => a.slug === adv.slug)!.coverage).toBe(5);
    expect(listAdvisories(db, ANONYMOUS).items.find((a) => a.slug === adv.slug)!.coverage).toBe(5);
    expect(listAdvisories(db, { ...viewer, clearance: tlpRank('amber') }).items.find((a) => a.slug === adv.slug)!.coverage).toBe(6);
    db.prepare("UPDATE objects SET tlp = 'clear', tlp_rank = 0 WHERE kind = 'mdr'").run();
    refreshDerived(db);
    expect(advisoryCoverage(db, viewer, adv.uuid)!.rules.map((r) => r.title)).toEqual(expect.arrayContaining(['AWS CloudTrail Logging Stopped', 'AWS CloudTrail Trail Modification', 'AWS CloudTrail Trail Deletion']));
    db.close();
  });
});

describe('accounts', () => {
  it('hashes passwords with scrypt and a salt, and verifies them', () => {
    const h = hashPassword('a long enough secret');
    expect(h).toMatch(/^scrypt\$32768\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
    expect(hashPassword('a long enough secret')).not.toBe(h);
    expect(verifyPassword('a long enough secret', h)).toBe(true);
    expect(verifyPassword('a long enough secreT', h)).toBe(false);
  });

  it('keeps no secret in the database: sessions and tokens are stored hashed; revoked tokens stop working', () => {
    const db = openDb(':memory:');
    const u = addUser(db, 'ana', PASSWORD, 'analyst');
    expect(() => addUser(db, 'ANA', PASSWORD, 'viewer')).toThrow(/exists/);
    expect(() => addUser(db, 'bob', 'short', 'viewer')).toThrow(/at least 12/);
    expect(authenticate(db, 'ana', PASSWORD)?.username).toBe('ana');
    expect(authenticate(db, 'ana', 'wrong password!!')).toBeUndefined();
    expect(authenticate(db, 'nobody', PASSWORD)).toBeUndefined();
    const s = createSession(db, u.id);
    expect(sessionUser(db, s.id)?.user.username).toBe('ana');
    const dump = JSON.stringify(db.prepare('SELECT * FROM sessions').all()) + JSON.stringify(db.prepare('SELECT * FROM users').all());
    expect(dump).not.toContain(s.id);
    expect(dump).not.toContain(PASSWORD);
    const t = createToken(db, u, 'ci');
    expect(JSON.stringify(db.prepare('SELECT * FROM api_tokens').all())).not.toContain(t.token);
    expect(tokenViewer(db, t.token)?.role).toBe('analyst');
    expect(() => createToken(db, u, 'too strong', 'admin')).toThrow(/more rights/);
    expect(revokeToken(db, u, t.info.id)).toBe(true);
    expect(tokenViewer(db, t.token)).toBeUndefined();
    db.close();
  });

  it('throttles failed sign-ins per user and address over a window', () => {
    const th = new LoginThrottle({ window: 60_000, perUser: 3, perAddress: 5 });
    const t0 = 1_000_000;
    for (let i = 0; i < 3; i++) th.failed('1.2.3.4', 'ana', t0);
    expect(th.retryAfter('1.2.3.4', 'ana', t0 + 1)).toBe(60);
    expect(th.retryAfter('1.2.3.4', 'bob', t0 + 1)).toBe(0); // another user from the same address
    expect(th.retryAfter('5.6.7.8', 'ana', t0 + 1)).toBe(0); // the same user elsewhere
    for (let i = 0; i < 2; i++) th.failed('1.2.3.4', `u${i}`, t0);
    expect(th.retryAfter('1.2.3.4', 'carol', t0 + 1)).toBeGreaterThan(0); // the address is spraying
    expect(th.retryAfter('1.2.3.4', 'ana', t0 + 60_001)).toBe(0); // the window passed
  });
});

describe('server', () => {
  let srv: TestServer;
  beforeAll(async () => {
    srv = await startServer();
  });
  afterAll(async () => srv.close());

  it('answers health checks and sets security headers', async () => {
    const r = await fetch(`${srv.url}/healthz`);
    expect(r.status).toBe(200);
    expect(await r.json()).toMatchObject({ status: 'ok', db: 'ok' });
    expect(r.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(r.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('signs in with a session cookie that is HttpOnly and SameSite, and signs out', async () => {
    const c = srv.anon();
    await c.page('/login');
    const res = await c.form('/login', { username: 'admin', password: PASSWORD, next: '/threats' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/threats');
    const cookie = res.headers.getSetCookie().find((h) => h.startsWith('tl_session='))!;
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    await c.page('/');
    const out = await c.form('/logout', {});
    expect(out.status).toBe(303);
    expect((await c.fetch('/alerts')).status).toBe(302); // back to anonymous: sign in first
  });

  it('refuses a sign-in without the CSRF token, and never redirects off-site', async () => {
    const c = srv.anon();
    await c.page('/login');
    expect((await c.form('/login', { _csrf: 'forged', username: 'admin', password: PASSWORD })).status).toBe(403);
    const r = await c.form('/login', { username: 'admin', password: PASSWORD, next: '//evil.example/' });
    expect(r.headers.get('location')).toBe('/');
  });

  it('throttles brute force: the sixth wrong password for a user gets 429 with Retry-After', async () => {
    const c = srv.anon();
    await c.page('/login');
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await c.form('/login', { username: 'admin', password: `guess-${i}-xxxxxxxx` })).status);
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
    const r = await c.form('/login', { username: 'admin', password: PASSWORD });
    expect(r.status).toBe(429); // even the right password waits
    expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(srv.db.prepare("SELECT count(*) AS n FROM audit_log WHERE action = 'login.throttled'").get()).toEqual({ n: 2 });
  });

  it('rejects a bad bearer token with 401 JSON', async () => {
    const r = await fetch(`${srv.url}/api/v1/advisories`, { headers: { authorization: 'Bearer tl_nope' } });
    expect(r.status).toBe(401);
    expect(await r.json()).toEqual({ error: 'invalid or revoked API token' });
  });
});

describe('tideline users / import content / export content', () => {
  const CLI = join(ROOT, 'dist/cli/main.js');
  it('adds accounts with the password from the environment, imports and exports content', () => {
    const dir = tempDir('cli-store');
    try {
      const env = { ...process.env, TIDELINE_DATA: dir, TIDELINE_PASSWORD: PASSWORD };
      const run = (...a: string[]) => spawnSync(process.execPath, [CLI, ...a], { encoding: 'utf8', env });
      expect(run('users', 'add', 'ana', '--role', 'analyst').stdout).toBe('added ana (analyst, clearance TLP:AMBER)\n');
      expect(run('users', 'add', 'ana', '--role', 'analyst').stderr).toBe("tideline: user 'ana' exists\n");
      expect(run('users', 'add', 'x', '--role', 'boss').status).toBe(1);
      const imp = run('import', 'content', CONTENT);
      expect(imp.status, imp.stderr).toBe(0);
      expect(imp.stderr).toMatch(/3 advisory, 11 tvm, 9 dom, 11 mdr added or updated, 0 unchanged, 11 rules/);
      const exp = run('export', 'content', join(dir, 'out'));
      expect(exp.status, exp.stderr).toBe(0);
      expect(readFileSync(join(dir, 'out/threat-vectors/AWS Stop Logging CloudTrail.yaml'), 'utf8')).toBe(readFileSync(join(CONTENT, 'threat-vectors/AWS Stop Logging CloudTrail.yaml'), 'utf8'));
    } finally {
      removeDir(dir);
    }
  });
});
