/**
 * `tideline serve`: opens (or creates) the store in the data directory, seeds it on first start (bundled content,
 * alerts from hunting the bundled sample trail, a first admin account), and serves until SIGINT/SIGTERM, closing
 * connections and the database cleanly.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { loadContent } from '../content/load.js';
import { bundledContentDir, bundledSampleDir } from '../paths.js';
import { huntIntoStore, trailAlertsIntoStore } from '../store/alerts.js';
import { importContentSet, storedRules } from '../store/content.js';
import { openDb, type Db } from '../store/db.js';
import { addUser, userCount } from '../store/users.js';
import { buildApp, type ServerConfig } from './app.js';
import { registerRoutes } from './routes.js';
import { DirectoryWatcher } from './watch.js';

export interface ServeOptions {
  port: number;
  host: string;
  dataDir: string;
  logLevel: string;
  config: ServerConfig;
  /** Seed an empty store with the bundled content and sample alerts (default true). */
  seed: boolean;
  /** Hunt new files dropped under this directory into the store (src/server/watch.ts). */
  watch?: { dir: string; intervalMs?: number };
}

export interface Seeded {
  content?: { objects: number; rules: number };
  alerts?: { files: number; records: number; alerts: number; errors: string[] };
  admin?: { username: string; password?: string };
}

/** First start: bundled content, the sample trail's alerts, and an admin (password from the environment or generated). */
export async function seedStore(db: Db, env: NodeJS.ProcessEnv = process.env): Promise<Seeded> {
  const out: Seeded = {};
  const empty = (db.prepare('SELECT count(*) AS n FROM objects').get() as { n: number }).n === 0;
  if (empty) {
    const set = loadContent(bundledContentDir());
    const s = importContentSet(db, set, bundledContentDir(), 'seed');
    out.content = { objects: Object.values(s.objects).reduce((a, b) => a + b, 0), rules: s.rules };
    out.alerts = await huntIntoStore(db, storedRules(db).rules, [bundledSampleDir()]);
    // The trail's own evidence too: integrity failures, logging gaps and weakening changes (built-in detections).
    const builtin = await trailAlertsIntoStore(db, [bundledSampleDir()], { publicKeys: [join(bundledContentDir(), 'samples', 'cloudtrail-public-keys.json')] });
    out.alerts.alerts += builtin.alerts;
  }
  if (userCount(db) === 0) {
    const username = env.TIDELINE_ADMIN_USER || 'admin';
    const given = env.TIDELINE_ADMIN_PASSWORD;
    const password = given || randomBytes(12).toString('base64url');
    addUser(db, username, password, 'admin', 'red', 'seed');
    out.admin = { username, password: given ? undefined : password };
  }
  return out;
}

export async function createServer(db: Db, config: ServerConfig, logger: boolean | object): Promise<FastifyInstance> {
  const app = await buildApp({ db, config }, { logger });
  registerRoutes(app, { db, config });
  return app;
}

export async function serve(o: ServeOptions): Promise<void> {
  const db = openDb(join(o.dataDir, 'tideline.db'));
  const seeded = o.seed ? await seedStore(db) : {};
  const app = await createServer(db, o.config, { level: o.logLevel });
  const url = await app.listen({ port: o.port, host: o.host });
  const lines = [`Tideline ${o.config.version} serving ${url} (data: ${o.dataDir})`];
  if (seeded.content) lines.push(`  first start: loaded ${seeded.content.objects} objects and ${seeded.content.rules} rules from the bundled content; hunted the bundled sample trail: ${seeded.alerts?.alerts ?? 0} alerts`);
  if (seeded.admin?.password) lines.push(`  sign in at ${url}/login as '${seeded.admin.username}' with password ${seeded.admin.password}`, '  (shown once; set TIDELINE_ADMIN_PASSWORD before the first start to choose it; add accounts with: npx tideline users add NAME --role analyst)');
  else if (seeded.admin) lines.push(`  sign in at ${url}/login as '${seeded.admin.username}' with the password from TIDELINE_ADMIN_PASSWORD`);
  else lines.push(`  sign in at ${url}/login; add accounts with: npx tideline users add NAME --role analyst --data ${o.dataDir}`);
  let watcher: DirectoryWatcher | undefined;
  if (o.watch) {
    watcher = new DirectoryWatcher(db, { ...o.watch, log: (l) => app.log.info(l) });
    watcher.start();
    lines.push(`  watching ${o.watch.dir} for new log files every ${(o.watch.intervalMs ?? 10_000) / 1000}s`);
  }
  process.stdout.write(lines.join('\n') + '\n');
  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    app.log.info({ signal }, 'shutting down');
    await watcher?.stop();
    await app.close();
    db.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
}
