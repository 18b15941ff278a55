/** `tideline serve`, `tideline users`, `tideline import content` / `export content`: the store from the command line. */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadContent } from '../content/load.js';
import { validateContent } from '../content/validate.js';
import { serve } from '../server/serve.js';
import { ROLES, type Role } from '../store/access.js';
import { exportContent, importContentSet } from '../store/content.js';
import { openDb } from '../store/db.js';
import { AccountError, addUser, listUsers } from '../store/users.js';
import { formatDiagnostic } from '../sigma/diagnostics.js';
import { UsageError } from './io.js';

import { VERSION } from '../version.js';

export { VERSION };

/** The data directory: --data, else $TIDELINE_DATA, else ./tideline-data. */
export const dataDirOf = (flag?: string): string => resolve(flag ?? process.env.TIDELINE_DATA ?? 'tideline-data');

export async function serveCommand(flags: { port?: string; host?: string; data?: string; logLevel?: string; secureCookies?: boolean; trustProxy?: boolean; seed?: boolean; watch?: string; watchInterval?: string }): Promise<number> {
  const port = Number(flags.port ?? process.env.PORT ?? 8080);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port: '${flags.port}' is not a TCP port`);
  const interval = flags.watchInterval === undefined ? 10 : Number(flags.watchInterval);
  if (!Number.isFinite(interval) || interval <= 0) throw new UsageError(`--watch-interval: '${flags.watchInterval}' is not a positive number of seconds`);
  if (flags.watch !== undefined && !(existsSync(flags.watch) && statSync(flags.watch).isDirectory())) throw new UsageError(`--watch: ${flags.watch} is not a directory`);
  await serve({
    port,
    host: flags.host ?? process.env.HOST ?? '127.0.0.1',
    dataDir: dataDirOf(flags.data),
    logLevel: flags.logLevel ?? process.env.LOG_LEVEL ?? 'info',
    seed: flags.seed !== false,
    watch: flags.watch === undefined ? undefined : { dir: resolve(flags.watch), intervalMs: interval * 1000 },
    config: {
      secureCookies: flags.secureCookies ?? process.env.TIDELINE_SECURE_COOKIES === '1',
      trustProxy: flags.trustProxy ?? process.env.TIDELINE_TRUST_PROXY === '1',
      version: VERSION,
    },
  });
  return 0;
}

export function usersAddCommand(name: string, flags: { role: string; clearance?: string; data?: string; passwordEnv?: string }): number {
  if (!(ROLES as readonly string[]).includes(flags.role)) throw new UsageError(`--role: one of ${ROLES.join(', ')}`);
  const password = process.env[flags.passwordEnv ?? 'TIDELINE_PASSWORD'];
  if (!password) throw new UsageError(`set the password in $${flags.passwordEnv ?? 'TIDELINE_PASSWORD'} (not on the command line, where other users could read it)`);
  const db = openDb(join(dataDirOf(flags.data), 'tideline.db'));
  try {
    const u = addUser(db, name, password, flags.role as Role, flags.clearance, 'cli');
    process.stdout.write(`added ${u.username} (${u.role}, clearance TLP:${u.clearance.toUpperCase()})\n`);
    return 0;
  } catch (e) {
    if (e instanceof AccountError) throw new UsageError(e.message);
    throw e;
  } finally {
    db.close();
  }
}

export function usersListCommand(flags: { data?: string }): number {
  const db = openDb(join(dataDirOf(flags.data), 'tideline.db'));
  for (const u of listUsers(db)) process.stdout.write(`${u.username.padEnd(24)} ${u.role.padEnd(8)} TLP:${u.clearance.toUpperCase()}${u.disabled ? ' (disabled)' : ''}\n`);
  db.close();
  return 0;
}

export function importContentCommand(dir: string, flags: { data?: string; force?: boolean }): number {
  if (!existsSync(dir)) throw new UsageError(`${dir}: no such directory`);
  const set = loadContent(dir);
  const report = validateContent(set);
  for (const d of report.diagnostics.filter((d) => d.severity === 'error')) process.stdout.write(formatDiagnostic(d) + '\n');
  if (report.errors && !flags.force) {
    process.stderr.write(`tideline import content: ${report.errors} errors; nothing imported (fix them, or --force to import the valid objects anyway)\n`);
    return 2;
  }
  const db = openDb(join(dataDirOf(flags.data), 'tideline.db'));
  const s = importContentSet(db, set, resolve(dir), 'cli');
  db.close();
  process.stderr.write(`tideline import content: ${Object.entries(s.objects).filter(([, n]) => n).map(([k, n]) => `${n} ${k}`).join(', ') || 'no object'} added or updated, ${s.unchanged} unchanged, ${s.rules} rules\n`);
  return report.errors ? 2 : 0;
}

export function exportContentCommand(out: string, flags: { data?: string }): number {
  if (existsSync(out) && readdirSync(out).length) throw new UsageError(`${out} is not empty`);
  const db = openDb(join(dataDirOf(flags.data), 'tideline.db'));
  const r = exportContent(db, out);
  db.close();
  process.stderr.write(`tideline export content: ${r.files} files in ${out}\n`);
  return 0;
}
