/**
 * Accounts, sessions and API tokens. Passwords are hashed with scrypt (N=2^15, r=8, p=1, 16-byte salt); session ids
 * and API tokens are random 32-byte secrets of which only a SHA-256 is stored, so a copy of the database lets nobody
 * sign in.
 */
import { createHash, randomBytes, scryptSync, timingSafeEqual } from 'node:crypto';
import { ROLES, TLPS, tlpRank, type Role, type Viewer } from './access.js';
import { audit, now, type Db } from './db.js';

const SCRYPT = { N: 1 << 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };
const SESSION_DAYS = 7;

export interface User {
  id: number;
  username: string;
  role: Role;
  clearance: string;
  disabled: boolean;
}

export class AccountError extends Error {}

export function hashPassword(password: string): string {
  const salt = randomBytes(16);
  const key = scryptSync(password.normalize('NFKC'), salt, 32, SCRYPT);
  return `scrypt$${SCRYPT.N}$${SCRYPT.r}$${SCRYPT.p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

export function verifyPassword(password: string, stored: string): boolean {
  const [alg, n, r, p, salt, key] = stored.split('$');
  if (alg !== 'scrypt' || !salt || !key) return false;
  const want = Buffer.from(key, 'base64');
  const got = scryptSync(password.normalize('NFKC'), Buffer.from(salt, 'base64'), want.length, { N: Number(n), r: Number(r), p: Number(p), maxmem: SCRYPT.maxmem });
  return timingSafeEqual(want, got);
}

/**
 * A dummy hash checked when the user does not exist, so timing does not tell which usernames exist. Made on first
 * use: every CLI command imports this module, and a scrypt hash costs a tenth of a second.
 */
let dummy: string | undefined;
const dummyHash = () => (dummy ??= hashPassword(randomBytes(12).toString('hex')));

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const toUser = (row: { id: number; username: string; role: Role; clearance: string; disabled: number }): User => ({ ...row, disabled: row.disabled === 1 });

export function validateNewUser(username: string, password: string, role: string, clearance: string): void {
  if (!/^[A-Za-z0-9._@-]{2,64}$/.test(username)) throw new AccountError('username: 2 to 64 letters, digits, dots, dashes, underscores or @');
  if (password.length < 12) throw new AccountError('password: at least 12 characters');
  if (!(ROLES as readonly string[]).includes(role)) throw new AccountError(`role: one of ${ROLES.join(', ')}`);
  if (!(TLPS as readonly string[]).includes(clearance)) throw new AccountError(`clearance: one of ${TLPS.join(', ')}`);
}

/** Default clearance by role: viewers see up to green, analysts and editors amber, admins everything. */
export const defaultClearance = (role: Role): string => (role === 'viewer' ? 'green' : role === 'admin' ? 'red' : 'amber');

export function addUser(db: Db, username: string, password: string, role: Role, clearance = defaultClearance(role), by: string | null = null): User {
  validateNewUser(username, password, role, clearance);
  try {
    const id = Number(db.prepare('INSERT INTO users (username, password_hash, role, clearance, created_at) VALUES (?, ?, ?, ?, ?)').run(username, hashPassword(password), role, clearance, now()).lastInsertRowid);
    audit(db, by, 'user.add', username, { role, clearance });
    return { id, username, role, clearance, disabled: false };
  } catch (e) {
    if (String((e as Error).message).includes('UNIQUE')) throw new AccountError(`user '${username}' exists`);
    throw e;
  }
}

export function listUsers(db: Db): User[] {
  return (db.prepare('SELECT id, username, role, clearance, disabled FROM users ORDER BY username').all() as Parameters<typeof toUser>[0][]).map(toUser);
}

export const userCount = (db: Db): number => (db.prepare('SELECT count(*) AS n FROM users').get() as { n: number }).n;

/** Checks a password; returns the user or undefined (same time either way). */
export function authenticate(db: Db, username: string, password: string): User | undefined {
  const row = db.prepare('SELECT id, username, role, clearance, disabled, password_hash FROM users WHERE username = ?').get(username) as (Parameters<typeof toUser>[0] & { password_hash: string }) | undefined;
  const ok = verifyPassword(password, row?.password_hash ?? dummyHash());
  return row && ok && row.disabled === 0 ? toUser(row) : undefined;
}

export function viewerOf(u: User, role: Role = u.role): Viewer {
  return { user: { id: u.id, username: u.username }, role, clearance: tlpRank(u.clearance) };
}

export function createSession(db: Db, userId: number): { id: string; csrf: string; expires: Date } {
  const id = randomBytes(32).toString('base64url');
  const csrf = randomBytes(24).toString('base64url');
  const expires = new Date(Date.now() + SESSION_DAYS * 86_400_000);
  db.prepare('INSERT INTO sessions (id_hash, user_id, csrf, created_at, expires_at) VALUES (?, ?, ?, ?, ?)').run(sha256(id), userId, csrf, now(), expires.toISOString());
  return { id, csrf, expires };
}

export function sessionUser(db: Db, id: string): { user: User; csrf: string } | undefined {
  const row = db
    .prepare('SELECT u.id, u.username, u.role, u.clearance, u.disabled, s.csrf, s.expires_at FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id_hash = ?')
    .get(sha256(id)) as (Parameters<typeof toUser>[0] & { csrf: string; expires_at: string }) | undefined;
  if (!row || row.disabled === 1 || row.expires_at < now()) return undefined;
  return { user: toUser(row), csrf: row.csrf };
}

export const deleteSession = (db: Db, id: string): void => void db.prepare('DELETE FROM sessions WHERE id_hash = ?').run(sha256(id));

export interface ApiToken {
  id: number;
  name: string;
  prefix: string;
  role: Role;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

/** Creates a token no stronger than its owner; the secret is returned once and never stored. */
export function createToken(db: Db, user: User, name: string, role: Role = user.role): { token: string; info: ApiToken } {
  if (!/^[\p{L}\p{N} ._:-]{1,64}$/u.test(name)) throw new AccountError('token name: 1 to 64 letters, digits, spaces, dots, dashes, colons');
  if (!(ROLES as readonly string[]).includes(role)) throw new AccountError(`role: one of ${ROLES.join(', ')}`);
  if (ROLES.indexOf(role) > ROLES.indexOf(user.role)) throw new AccountError(`a token cannot have more rights (${role}) than its owner (${user.role})`);
  const token = `tl_${randomBytes(32).toString('base64url')}`;
  const id = Number(db.prepare('INSERT INTO api_tokens (user_id, name, token_hash, prefix, role, created_at) VALUES (?, ?, ?, ?, ?, ?)').run(user.id, name, sha256(token), token.slice(0, 10), role, now()).lastInsertRowid);
  audit(db, user.username, 'token.create', String(id), { name, role });
  return { token, info: db.prepare('SELECT id, name, prefix, role, created_at, last_used_at, revoked_at FROM api_tokens WHERE id = ?').get(id) as ApiToken };
}

export function listTokens(db: Db, userId: number): ApiToken[] {
  return db.prepare('SELECT id, name, prefix, role, created_at, last_used_at, revoked_at FROM api_tokens WHERE user_id = ? ORDER BY id').all(userId) as ApiToken[];
}

export function revokeToken(db: Db, user: User, id: number): boolean {
  const r = db.prepare('UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND user_id = ? AND revoked_at IS NULL').run(now(), id, user.id);
  if (r.changes) audit(db, user.username, 'token.revoke', String(id));
  return r.changes > 0;
}

/** The viewer a bearer token acts as: its owner, with the token's role, while neither is revoked or disabled. */
export function tokenViewer(db: Db, token: string): Viewer | undefined {
  const row = db
    .prepare('SELECT t.id AS tid, t.role AS trole, u.id, u.username, u.role, u.clearance, u.disabled FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = ? AND t.revoked_at IS NULL')
    .get(sha256(token)) as (Parameters<typeof toUser>[0] & { tid: number; trole: Role }) | undefined;
  if (!row || row.disabled === 1) return undefined;
  db.prepare('UPDATE api_tokens SET last_used_at = ? WHERE id = ?').run(now(), row.tid);
  return viewerOf(toUser(row), row.trole);
}
