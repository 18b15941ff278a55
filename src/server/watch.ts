/**
 * `tideline serve --watch DIR`: new S3-export files (or any file the log readers take) dropped under a directory are
 * hunted with the stored rules into the store, as the first start hunts the bundled sample (huntIntoStore).
 *
 * Polling, not fs.watch: inotify events do not cross NFS/SMB mounts or FUSE buckets (s3fs, mountpoint-s3), where
 * exports usually land. Every `intervalMs` the tree is listed; a file is read once its size and modification time
 * were the same on two consecutive polls (a copy in progress is not read half-written), and remembered in the table
 * `watched_files` (path, size, mtime): it is read again only when it changes, and a restarted server reads nothing
 * twice. Alerts are one per rule and eventID (UNIQUE in the store), so a file that changes and is read again adds only
 * its new alerts. Correlation rules are not evaluated on watched files (use `tideline hunt` or the workers).
 */
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { expandInputs } from '../logs/walk.js';
import { huntIntoStore } from '../store/alerts.js';
import { storedRules } from '../store/content.js';
import { now, type Db } from '../store/db.js';

export const DEFAULT_WATCH_INTERVAL_MS = 10_000;

export interface WatchOptions {
  dir: string;
  /** Poll period (default 10 s). */
  intervalMs?: number;
  log?: (line: string) => void;
}

export interface PollResult {
  files: number;
  records: number;
  alerts: number;
}

export class DirectoryWatcher {
  private readonly dir: string;
  private readonly intervalMs: number;
  private readonly log: (l: string) => void;
  /** path -> "size:mtime" seen on the previous poll (a file is read when it did not change since). */
  private lastSeen = new Map<string, string>();
  private timer?: NodeJS.Timeout;
  private running?: Promise<unknown>;
  private stopped = false;
  readonly totals: PollResult = { files: 0, records: 0, alerts: 0 };

  constructor(
    private readonly db: Db,
    o: WatchOptions,
  ) {
    this.dir = resolve(o.dir);
    this.intervalMs = o.intervalMs ?? DEFAULT_WATCH_INTERVAL_MS;
    this.log = o.log ?? (() => {});
  }

  start(): void {
    this.stopped = false;
    const tick = () => {
      if (this.stopped) return;
      this.running = this.poll()
        .catch((e: Error) => this.log(`watch ${this.dir}: ${e.message}`))
        .finally(() => {
          if (!this.stopped) this.timer = setTimeout(tick, this.intervalMs);
        });
    };
    tick();
  }

  /** Stops polling; waits for a poll under way (its files are recorded before this resolves). */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  /** One scan: reads the files that are new or changed and have settled since the previous scan. */
  async poll(): Promise<PollResult> {
    const res: PollResult = { files: 0, records: 0, alerts: 0 };
    const walk = expandInputs([this.dir]);
    for (const e of walk.errors) this.log(`watch ${e.path}: ${e.message}`);
    const known = this.db.prepare('SELECT size, mtime_ms FROM watched_files WHERE path = ?');
    const seen = new Map<string, string>();
    for (const f of walk.files) {
      if (this.stopped) break;
      let st;
      try {
        st = statSync(f.path);
      } catch {
        continue; // removed meanwhile
      }
      const mtime = Math.trunc(st.mtimeMs);
      const sig = `${st.size}:${mtime}`;
      seen.set(f.path, sig);
      const row = known.get(f.path) as { size: number; mtime_ms: number } | undefined;
      if (row && row.size === st.size && row.mtime_ms === mtime) continue;
      if (this.lastSeen.get(f.path) !== sig) continue; // new or still changing: read on the next poll if it settles
      const r = await huntIntoStore(this.db, storedRules(this.db).rules, [f.path]);
      for (const e of r.errors) this.log(`watch ${e}`);
      this.db
        .prepare('INSERT OR REPLACE INTO watched_files (path, size, mtime_ms, read_at, records, alerts, errors) VALUES (?, ?, ?, ?, ?, ?, ?)')
        .run(f.path, st.size, mtime, now(), r.records, r.alerts, r.errors.length ? JSON.stringify(r.errors.slice(0, 100)) : null);
      res.files++;
      res.records += r.records;
      res.alerts += r.alerts;
    }
    this.lastSeen = seen;
    this.totals.files += res.files;
    this.totals.records += res.records;
    this.totals.alerts += res.alerts;
    if (res.files) this.log(`watch ${this.dir}: read ${res.files} new files, ${res.records} records, ${res.alerts} alerts`);
    return res;
  }
}
