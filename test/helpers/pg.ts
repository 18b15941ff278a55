// A throwaway PostgreSQL cluster for the conversion tests, from Debian's binaries (/usr/lib/postgresql/*/bin):
// initdb + pg_ctl in a temp directory, Unix socket only (no TCP), trust auth, stopped and removed after the tests.
// As root, PostgreSQL refuses to run, so the binaries run as `nobody` (runuser) with the data and socket directories
// owned by it. TIDELINE_TEST_PG (a psql connection string) uses an existing server instead.
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';

export interface PgServer {
  conn: string;
  stop(): void;
}

export function pgBinDir(): string | undefined {
  const base = '/usr/lib/postgresql';
  if (!existsSync(base)) return undefined;
  const versions = readdirSync(base).filter((v) => existsSync(join(base, v, 'bin', 'initdb')) && existsSync(join(base, v, 'bin', 'pg_ctl')));
  versions.sort((a, b) => Number(b) - Number(a));
  return versions[0] ? join(base, versions[0], 'bin') : undefined;
}

export function startPg(): PgServer {
  const bin = pgBinDir();
  if (!bin) throw new Error('PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb): run scripts/ensure-test-deps.sh as root, or `apt-get install postgresql`, or set TIDELINE_SKIP_PG=1');
  const root = userInfo().uid === 0;
  const dir = mkdtempSync(join(tmpdir(), 'tideline-pg-'));
  const data = join(dir, 'data');
  const sock = join(dir, 'sock');
  mkdirSync(sock);
  let uid = -1;
  let gid = -1;
  if (root) {
    uid = Number(execFileSync('id', ['-u', 'nobody'], { encoding: 'utf8' }).trim());
    gid = Number(execFileSync('id', ['-g', 'nobody'], { encoding: 'utf8' }).trim());
    chmodSync(dir, 0o755);
    chownSync(dir, uid, gid);
    chownSync(sock, uid, gid);
  }
  const run = (cmd: string, args: string[]) =>
    execFileSync(root ? 'runuser' : join(bin, cmd), root ? ['-u', 'nobody', '--', join(bin, cmd), ...args] : args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], cwd: dir });
  const port = 20000 + (process.pid % 20000);
  run('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C.UTF-8']);
  run('pg_ctl', ['-D', data, '-l', join(dir, 'log'), '-w', '-o', `-k ${sock} -p ${port} -c listen_addresses=`, 'start']);
  return {
    conn: `host=${sock} port=${port} user=postgres dbname=postgres`,
    stop() {
      try {
        run('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
