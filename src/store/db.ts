/**
 * The SQLite store (better-sqlite3): one file in the data directory, WAL journal, foreign keys on, schema versioned by
 * `PRAGMA user_version` and migrated forward in a transaction. Every other store module takes a `Db`.
 */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

export type Db = Database.Database;

/** Migrations in order; index + 1 is the schema version they lead to. Never edit one that has shipped: add another. */
const MIGRATIONS: string[] = [
  `
  -- Content objects (advisory, tvm, dom, mdr, cdm): the YAML as written plus its parsed form, and the fields pages filter on.
  CREATE TABLE objects (
    uuid        TEXT PRIMARY KEY,
    kind        TEXT NOT NULL CHECK (kind IN ('advisory','tvm','dom','mdr','cdm')),
    name        TEXT NOT NULL,
    tlp         TEXT NOT NULL,
    tlp_rank    INTEGER NOT NULL,
    version     INTEGER NOT NULL,
    created     TEXT NOT NULL,
    modified    TEXT NOT NULL,
    path        TEXT NOT NULL,            -- where it lives in the content layout (relative), for lossless export
    yaml        TEXT NOT NULL,
    doc         TEXT NOT NULL,            -- JSON of the parsed YAML
    slug        TEXT,                     -- advisories
    severity    TEXT,                     -- advisories: informational..critical; severity_rank orders them
    severity_rank INTEGER,
    status      TEXT,
    summary     TEXT,
    updated_at  TEXT NOT NULL,
    updated_by  TEXT
  );
  CREATE INDEX objects_kind ON objects (kind, tlp_rank, created DESC);
  CREATE UNIQUE INDEX objects_slug ON objects (slug) WHERE slug IS NOT NULL;
  CREATE TABLE object_history (
    uuid       TEXT NOT NULL REFERENCES objects (uuid) ON DELETE CASCADE,
    version    INTEGER NOT NULL,
    yaml       TEXT NOT NULL,
    saved_at   TEXT NOT NULL,
    saved_by   TEXT,
    PRIMARY KEY (uuid, version)
  );
  -- Facets of each object for filters and the ATT&CK matrix: technique ids (v18 key), tactics, log sources.
  CREATE TABLE object_facets (
    uuid   TEXT NOT NULL REFERENCES objects (uuid) ON DELETE CASCADE,
    facet  TEXT NOT NULL CHECK (facet IN ('technique','tactic','logsource')),
    value  TEXT NOT NULL,
    PRIMARY KEY (uuid, facet, value)
  );
  CREATE INDEX object_facets_value ON object_facets (facet, value);
  -- Links between objects and to rules (see src/content/relations.ts).
  CREATE TABLE links (
    from_uuid  TEXT NOT NULL REFERENCES objects (uuid) ON DELETE CASCADE,
    target     TEXT NOT NULL,
    field      TEXT NOT NULL,
    relation   TEXT
  );
  CREATE INDEX links_target ON links (target);
  CREATE INDEX links_from ON links (from_uuid);

  -- Sigma rules, their tests and the last test results.
  CREATE TABLE rules (
    id          TEXT PRIMARY KEY,
    title       TEXT NOT NULL,
    level       TEXT,
    status      TEXT,
    description TEXT,
    tags        TEXT NOT NULL,            -- JSON array
    logsource   TEXT NOT NULL,            -- JSON object
    tlp         TEXT NOT NULL,
    tlp_rank    INTEGER NOT NULL,
    path        TEXT NOT NULL,
    yaml        TEXT NOT NULL,
    tests_path  TEXT,
    tests_yaml  TEXT,
    test_status TEXT NOT NULL,            -- pass | fail | untested
    test_cases  TEXT NOT NULL,            -- JSON [{expect, name, passed, reason}]
    tested_at   TEXT NOT NULL
  );
  CREATE TABLE rule_facets (
    rule_id TEXT NOT NULL REFERENCES rules (id) ON DELETE CASCADE,
    facet   TEXT NOT NULL CHECK (facet IN ('technique','tactic')),
    value   TEXT NOT NULL,
    PRIMARY KEY (rule_id, facet, value)
  );
  CREATE INDEX rule_facets_value ON rule_facets (facet, value);

  -- Measured coverage of each advisory (src/content/coverage.ts), refreshed when content changes.
  CREATE TABLE coverage (
    advisory_uuid TEXT PRIMARY KEY REFERENCES objects (uuid) ON DELETE CASCADE,
    rules         INTEGER NOT NULL,
    covered_steps INTEGER NOT NULL,
    steps_with_events INTEGER NOT NULL,
    report        TEXT NOT NULL,           -- JSON AdvisoryCoverage
    measured_at   TEXT NOT NULL
  );
  CREATE TABLE coverage_rules (
    advisory_uuid TEXT NOT NULL REFERENCES objects (uuid) ON DELETE CASCADE,
    rule_id       TEXT NOT NULL,
    PRIMARY KEY (advisory_uuid, rule_id)
  );

  -- Accounts.
  CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    username      TEXT NOT NULL UNIQUE COLLATE NOCASE,
    password_hash TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('viewer','analyst','editor','admin')),
    clearance     TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    disabled      INTEGER NOT NULL DEFAULT 0
  );
  CREATE TABLE sessions (
    id_hash    TEXT PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    csrf       TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
  );
  CREATE TABLE api_tokens (
    id          INTEGER PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name        TEXT NOT NULL,
    token_hash  TEXT NOT NULL UNIQUE,
    prefix      TEXT NOT NULL,             -- first characters, shown to the user to tell tokens apart
    role        TEXT NOT NULL CHECK (role IN ('viewer','analyst','editor','admin')),
    created_at  TEXT NOT NULL,
    last_used_at TEXT,
    revoked_at  TEXT
  );

  -- Alerts from hunts, and their triage.
  CREATE TABLE alerts (
    id          INTEGER PRIMARY KEY,
    rule_id     TEXT NOT NULL,
    rule_title  TEXT NOT NULL,
    level       TEXT,
    level_rank  INTEGER NOT NULL,
    event_id    TEXT,
    time        TEXT,
    account     TEXT,
    region      TEXT,
    event_source TEXT,
    event_name  TEXT,
    actor       TEXT,
    source_ip   TEXT,
    source_file TEXT NOT NULL,
    source_index INTEGER NOT NULL,
    matched     TEXT NOT NULL,             -- JSON
    event       TEXT NOT NULL,             -- the raw event, JSON
    status      TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open','acknowledged','closed')),
    updated_at  TEXT NOT NULL,
    UNIQUE (rule_id, event_id)
  );
  CREATE INDEX alerts_time ON alerts (time DESC);
  CREATE INDEX alerts_rule ON alerts (rule_id, time DESC);
  CREATE INDEX alerts_status ON alerts (status, time DESC);
  CREATE INDEX alerts_account ON alerts (account, time DESC);
  CREATE TABLE alert_history (
    id        INTEGER PRIMARY KEY,
    alert_id  INTEGER NOT NULL REFERENCES alerts (id) ON DELETE CASCADE,
    status    TEXT NOT NULL,
    comment   TEXT,
    user      TEXT NOT NULL,
    at        TEXT NOT NULL
  );
  CREATE INDEX alert_history_alert ON alert_history (alert_id, id);

  CREATE TABLE audit_log (
    id      INTEGER PRIMARY KEY,
    at      TEXT NOT NULL,
    user    TEXT,
    action  TEXT NOT NULL,
    target  TEXT,
    detail  TEXT
  );

  -- Full-text search over what pages show (name, summary, description), filtered by TLP at query time.
  CREATE VIRTUAL TABLE search USING fts5 (ref UNINDEXED, kind UNINDEXED, title, body, tokenize = 'unicode61 remove_diacritics 2');
  `,
  `
  -- Alert counts by status or level, per rule, answered from indexes (alert rows hold whole events).
  CREATE INDEX alerts_status_rule ON alerts (status, rule_id);
  CREATE INDEX alerts_level_rule ON alerts (level_rank, rule_id);
  `,
  `
  -- Files read by the directory watcher (tideline serve --watch, src/server/watch.ts): a file is read again only when
  -- its size or modification time changes, also after a restart.
  CREATE TABLE watched_files (
    path      TEXT PRIMARY KEY,
    size      INTEGER NOT NULL,
    mtime_ms  INTEGER NOT NULL,
    read_at   TEXT NOT NULL,
    records   INTEGER NOT NULL,
    alerts    INTEGER NOT NULL,
    errors    TEXT                        -- JSON array of input errors, NULL when none
  );
  `,
];

export function openDb(file: string): Db {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('foreign_keys = ON');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  migrate(db);
  return db;
}

export function migrate(db: Db): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > MIGRATIONS.length) throw new Error(`the store is schema version ${current}, newer than this Tideline (${MIGRATIONS.length}); upgrade Tideline`);
  for (let v = current; v < MIGRATIONS.length; v++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[v]!);
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
}

export const now = (): string => new Date().toISOString();

export function audit(db: Db, user: string | null, action: string, target?: string, detail?: unknown): void {
  db.prepare('INSERT INTO audit_log (at, user, action, target, detail) VALUES (?, ?, ?, ?, ?)').run(now(), user, action, target ?? null, detail === undefined ? null : JSON.stringify(detail));
}
