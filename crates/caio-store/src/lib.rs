//! caio's state (SPEC §13): the home directory ([`home`]), the database —
//! the home's SQLite file `caio.db` by default, or a PostgreSQL database
//! shared by a fleet of hosts ([`pg`], SPEC §15) — behind one interface,
//! [`Store`] (registry, principals, policy sets, traces, stats, licences),
//! the home's key files ([`secret_file`]), the bounded reading of the
//! user's YAML documents ([`files`]), and the [`router`] that gathers a
//! decision's inputs from them.
//!
//! This module opens the SQLite database: pragmas, migrations, and the
//! mapping of SQLite failures to state errors (exit 5). The modules
//! `registry`, `principals`, `policies`, `traces`, `stats` and `licenses`
//! hold the SQLite side of each part of the store and its public types;
//! [`pg`] holds the PostgreSQL side, and `store` the one interface that
//! dispatches to either.
//!
//! Pragmas (WAL, foreign keys, busy timeout) are set on every connection,
//! outside migrations. Migrations are an append-only list keyed on
//! `PRAGMA user_version`: never reorder or edit an entry, only add one.

#![warn(missing_docs)]

pub mod audit;
mod error;
pub mod files;
mod forms;
pub mod home;
pub mod licenses;
pub mod observations;
pub mod pg;
pub mod policies;
pub mod principals;
pub mod registry;
pub mod retention;
pub mod router;
pub mod secret_file;
pub mod stats;
mod store;
pub mod traces;
mod wal;

use crate::home::Home;
pub use error::{ContractRefusal, Error};
use rusqlite::{Connection, ErrorCode, OpenFlags, TransactionBehavior};
use std::path::{Path, PathBuf};
use std::time::Duration;
pub use store::{Database, Store, StoreOptions};
pub use wal::Checkpoints;

/// How long a `caio` process waits for another one holding the write lock.
pub const DEFAULT_BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Each entry moves the schema from version `i` to `i + 1`. The
/// PostgreSQL schema ([`pg::MIGRATIONS`]) has the same steps, in its
/// dialect.
pub(crate) const MIGRATIONS: &[&str] = &[
    // 1: registry, capability index, principals.
    "CREATE TABLE contract_versions (
        hash        TEXT PRIMARY KEY,
        service_id  TEXT NOT NULL,
        version     TEXT NOT NULL,
        body        TEXT NOT NULL,
        added_at    TEXT NOT NULL
    );
    CREATE INDEX contract_versions_by_service ON contract_versions(service_id);
    CREATE TABLE services (
        service_id        TEXT PRIMARY KEY,
        active_hash       TEXT REFERENCES contract_versions(hash),
        provider          TEXT,
        status            TEXT NOT NULL DEFAULT 'active'
                          CHECK (status IN ('active', 'degraded', 'drained', 'disabled')),
        status_reason     TEXT,
        status_changed_at TEXT,
        removed_at        TEXT
    );
    CREATE TABLE capability_index (
        capability  TEXT NOT NULL,
        service_id  TEXT NOT NULL REFERENCES services(service_id),
        PRIMARY KEY (capability, service_id)
    ) WITHOUT ROWID;
    CREATE TABLE service_tags (
        tag         TEXT NOT NULL,
        service_id  TEXT NOT NULL REFERENCES services(service_id),
        PRIMARY KEY (tag, service_id)
    ) WITHOUT ROWID;
    CREATE TABLE service_events (
        id          INTEGER PRIMARY KEY,
        service_id  TEXT NOT NULL,
        at          TEXT NOT NULL,
        kind        TEXT NOT NULL,
        version     TEXT,
        hash        TEXT,
        detail      TEXT,
        actor       TEXT NOT NULL
    );
    CREATE INDEX service_events_by_service ON service_events(service_id, id);
    CREATE TABLE settings (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );
    CREATE TABLE principals (
        name        TEXT PRIMARY KEY,
        tenant      TEXT,
        roles       TEXT NOT NULL,
        trust       TEXT NOT NULL CHECK (trust IN ('low', 'medium', 'high')),
        token_hash  BLOB NOT NULL UNIQUE,
        created_at  TEXT NOT NULL,
        revoked_at  TEXT
    );",
    // 2: per-service lookups in the indexes (re-registering a service deletes
    // its rows; without these each delete scanned the whole index).
    "CREATE INDEX capability_index_by_service ON capability_index(service_id);
     CREATE INDEX service_tags_by_service ON service_tags(service_id);",
    // 3: policy sets by content hash, and every `policy apply` (the latest
    // one is the active set).
    "CREATE TABLE policy_sets (
        hash        TEXT PRIMARY KEY,
        body        TEXT NOT NULL,
        rules       INTEGER NOT NULL,
        first_seen  TEXT NOT NULL
    );
    CREATE TABLE policy_applications (
        id          INTEGER PRIMARY KEY,
        hash        TEXT NOT NULL REFERENCES policy_sets(hash),
        at          TEXT NOT NULL,
        actor       TEXT NOT NULL,
        sources     TEXT NOT NULL
    );",
    // 4: the decision trace (a BLAKE3 hash chain of canonical JSON records),
    // its signed checkpoints, and content-addressed inputs of stateless
    // decisions (contracts and policy sets read from files) for replay.
    "CREATE TABLE traces (
        seq          INTEGER PRIMARY KEY,
        prev         TEXT NOT NULL,
        hash         TEXT NOT NULL,
        decision_id  TEXT NOT NULL,
        at           TEXT NOT NULL,
        outcome      TEXT NOT NULL,
        services     TEXT NOT NULL,
        principal    TEXT NOT NULL,
        record       TEXT NOT NULL
    );
    CREATE INDEX traces_by_decision ON traces(decision_id);
    CREATE INDEX traces_by_at ON traces(at);
    CREATE TABLE trace_checkpoints (
        id     INTEGER PRIMARY KEY,
        seq    INTEGER NOT NULL,
        hash   TEXT NOT NULL,
        note   TEXT NOT NULL,
        at     TEXT NOT NULL
    );
    CREATE TABLE trace_inputs (
        hash   TEXT PRIMARY KEY,
        kind   TEXT NOT NULL CHECK (kind IN ('contract', 'policy_set')),
        body   TEXT NOT NULL
    );",
    // 5: licenses. The vendor side (sales ops): customers, every issued
    // license, revocations and every published revocation list. The customer
    // side: trusted vendor keys, installed licenses, the installed revocation
    // list (one row), and the latest time seen by the clock guard (one row).
    "CREATE TABLE license_customers (
        name        TEXT PRIMARY KEY,
        created_at  TEXT NOT NULL
    );
    CREATE TABLE licenses (
        id          TEXT PRIMARY KEY,
        customer    TEXT NOT NULL REFERENCES license_customers(name),
        features    TEXT NOT NULL,
        seats       INTEGER NOT NULL,
        issued_at   TEXT NOT NULL,
        not_before  TEXT NOT NULL,
        expires_at  TEXT NOT NULL,
        key_id      TEXT NOT NULL,
        issued_by   TEXT NOT NULL,
        license     TEXT NOT NULL
    );
    CREATE INDEX licenses_by_customer ON licenses(customer);
    CREATE INDEX licenses_by_expiry ON licenses(expires_at);
    CREATE TABLE license_revocations (
        license_id  TEXT PRIMARY KEY REFERENCES licenses(id),
        revoked_at  TEXT NOT NULL,
        reason      TEXT NOT NULL,
        revoked_by  TEXT NOT NULL
    );
    CREATE TABLE revocation_lists (
        sequence    INTEGER PRIMARY KEY,
        issued_at   TEXT NOT NULL,
        key_id      TEXT NOT NULL,
        entries     INTEGER NOT NULL,
        body        TEXT NOT NULL
    );
    CREATE TABLE trusted_keys (
        key_id      TEXT PRIMARY KEY,
        public_key  TEXT NOT NULL,
        added_at    TEXT NOT NULL
    );
    CREATE TABLE installed_licenses (
        id           TEXT PRIMARY KEY,
        license      TEXT NOT NULL,
        installed_at TEXT NOT NULL
    );
    CREATE TABLE installed_revocations (
        singleton    INTEGER PRIMARY KEY CHECK (singleton = 1),
        sequence     INTEGER NOT NULL,
        body         TEXT NOT NULL,
        installed_at TEXT NOT NULL
    );
    CREATE TABLE license_clock (
        singleton    INTEGER PRIMARY KEY CHECK (singleton = 1),
        latest_seen  TEXT NOT NULL
    );",
    // 6: execution stats per service (`route --execute`): counts, EWMAs,
    // the window of recent latencies (a JSON array), guarantee violations
    // and the circuit breaker (times in Unix milliseconds). No foreign key:
    // stateless routes with a home keep stats for services read from files.
    "CREATE TABLE service_stats (
        service_id            TEXT PRIMARY KEY,
        successes             INTEGER NOT NULL DEFAULT 0,
        failures              INTEGER NOT NULL DEFAULT 0,
        rejections            INTEGER NOT NULL DEFAULT 0,
        ewma_success          REAL NOT NULL DEFAULT 1.0,
        ewma_latency_ms       REAL,
        latencies             TEXT NOT NULL DEFAULT '[]',
        guarantee_violations  INTEGER NOT NULL DEFAULT 0,
        consecutive_failures  INTEGER NOT NULL DEFAULT 0,
        times_opened          INTEGER NOT NULL DEFAULT 0,
        opened_at_ms          INTEGER,
        open_until_ms         INTEGER,
        updated_at            TEXT NOT NULL
    );",
    // 7: trace format v2. The inputs records share (candidate sets, stats
    // snapshots), content-addressed, written in the same transaction as the
    // first record that references them and never changed.
    "CREATE TABLE trace_objects (
        hash   TEXT PRIMARY KEY,
        kind   TEXT NOT NULL,
        body   TEXT NOT NULL
    );",
    // 8: the licence lifecycle on the vendor side: a renewal names the
    // licence it renews, and each signing key has a name (who issues with
    // it, recorded as `issued_by`).
    "ALTER TABLE licenses ADD COLUMN renews TEXT REFERENCES licenses(id);
     CREATE INDEX licenses_by_renews ON licenses(renews);
     CREATE TABLE vendor_keys (
        key_id      TEXT PRIMARY KEY,
        name        TEXT NOT NULL,
        created_at  TEXT NOT NULL
     );",
    // 9: what successful executions cost (the registry's currency), and
    // when the last success or failure was observed (Unix ms): h recovers
    // from there toward its prior.
    "ALTER TABLE service_stats ADD COLUMN spend REAL NOT NULL DEFAULT 0;
     ALTER TABLE service_stats ADD COLUMN observed_at_ms INTEGER;",
    // 10: outcome records and what services did. A record is a `decision`
    // or an `outcome` (`trace outcome`), which refers to its decision's seq
    // (at most one outcome per decision and service); a decision's
    // `executed` is how its `--execute` ended. Every execution attempt and
    // reported outcome is an observation of its service, by time: what
    // `caio slo` and `caio metrics` count. Existing records are indexed
    // by the code that derives them for new records (`BACKFILLS`).
    "ALTER TABLE traces ADD COLUMN kind TEXT NOT NULL DEFAULT 'decision';
    ALTER TABLE traces ADD COLUMN refers_to INTEGER;
    ALTER TABLE traces ADD COLUMN executed TEXT;
    CREATE UNIQUE INDEX traces_one_outcome ON traces(refers_to, services)
        WHERE refers_to IS NOT NULL;
    CREATE TABLE trace_observations (
        seq          INTEGER NOT NULL,
        n            INTEGER NOT NULL,
        service_id   TEXT NOT NULL,
        at           TEXT NOT NULL,
        result       TEXT NOT NULL CHECK (result IN ('success', 'failure', 'rejected')),
        latency_ms   REAL,
        cost         REAL,
        violations   INTEGER NOT NULL,
        source       TEXT NOT NULL CHECK (source IN ('executed', 'reported')),
        PRIMARY KEY (seq, n)
    ) WITHOUT ROWID;
    CREATE INDEX trace_observations_service_at ON trace_observations(service_id, at);",
    // 11: audit terms. Each decision's chosen services, principal, tenant,
    // capabilities, rejecting stages and rules, outcome and execution
    // (`ok`/`failed`, also from a reported outcome) as (term, seq) rows,
    // the terms' text stored once: `trace list` filters and `trace stats`
    // walk these indexes instead of the records. A decision's candidate
    // count is a column. Existing records are indexed by the same code that
    // derives them for `trace verify` (`backfill`, after this migration).
    "ALTER TABLE traces ADD COLUMN candidates INTEGER;
    CREATE TABLE trace_term_values (
        id     INTEGER PRIMARY KEY,
        kind   TEXT NOT NULL,
        value  TEXT NOT NULL,
        UNIQUE (kind, value)
    );
    CREATE TABLE trace_terms (
        term   INTEGER NOT NULL REFERENCES trace_term_values(id),
        seq    INTEGER NOT NULL,
        PRIMARY KEY (term, seq)
    ) WITHOUT ROWID;
    CREATE INDEX trace_terms_by_seq ON trace_terms(seq, term);
    CREATE INDEX traces_by_candidates ON traces(candidates) WHERE candidates IS NOT NULL;",
    // 12: retention. Each trace object remembers the last seq that
    // references it, so `trace prune` removes exactly the objects only
    // pruned records referenced (backfilled from the records).
    "ALTER TABLE trace_objects ADD COLUMN last_seq INTEGER;
    CREATE INDEX trace_objects_by_last_seq ON trace_objects(last_seq);",
    // 13: capability forms (`forms`): each capability's candidates as
    // routing reads them, one row per capability, valid for the registry
    // epoch they were built at. Every write to the registry tables advances
    // the epoch, so a form built before a change is never read after it.
    "CREATE TABLE registry_epoch (
        id  INTEGER PRIMARY KEY CHECK (id = 1),
        n   INTEGER NOT NULL
    );
    INSERT INTO registry_epoch (id, n) VALUES (1, 0);
    CREATE TABLE capability_forms (
        capability  TEXT PRIMARY KEY,
        epoch       INTEGER NOT NULL,
        body        BLOB NOT NULL
    );
    CREATE TRIGGER services_insert_epoch AFTER INSERT ON services
        BEGIN UPDATE registry_epoch SET n = n + 1; END;
    CREATE TRIGGER services_update_epoch AFTER UPDATE ON services
        BEGIN UPDATE registry_epoch SET n = n + 1; END;
    CREATE TRIGGER services_delete_epoch AFTER DELETE ON services
        BEGIN UPDATE registry_epoch SET n = n + 1; END;
    CREATE TRIGGER contract_versions_insert_epoch AFTER INSERT ON contract_versions
        BEGIN UPDATE registry_epoch SET n = n + 1; END;
    CREATE TRIGGER contract_versions_update_epoch AFTER UPDATE ON contract_versions
        BEGIN UPDATE registry_epoch SET n = n + 1; END;
    CREATE TRIGGER contract_versions_delete_epoch AFTER DELETE ON contract_versions
        BEGIN UPDATE registry_epoch SET n = n + 1; END;
    CREATE TRIGGER capability_index_insert_epoch AFTER INSERT ON capability_index
        BEGIN UPDATE registry_epoch SET n = n + 1; END;
    CREATE TRIGGER capability_index_update_epoch AFTER UPDATE ON capability_index
        BEGIN UPDATE registry_epoch SET n = n + 1; END;
    CREATE TRIGGER capability_index_delete_epoch AFTER DELETE ON capability_index
        BEGIN UPDATE registry_epoch SET n = n + 1; END;",
    // 14: an object's last use in a table of its own. Every append notes
    // it, and an UPDATE rewrites the whole row: on the object itself that
    // rewrote a candidate set of thousands of services per route.
    "CREATE TABLE trace_object_uses (
        hash      TEXT PRIMARY KEY,
        last_seq  INTEGER NOT NULL
    ) WITHOUT ROWID;
    INSERT INTO trace_object_uses (hash, last_seq)
        SELECT hash, last_seq FROM trace_objects WHERE last_seq IS NOT NULL;
    CREATE INDEX trace_object_uses_by_last_seq ON trace_object_uses(last_seq);
    DROP INDEX trace_objects_by_last_seq;
    ALTER TABLE trace_objects DROP COLUMN last_seq;",
];

/// Work a migration needs beyond SQL, run in its transaction right after
/// it: `(schema version reached, what to run)`.
const BACKFILLS: &[(i64, Backfill)] = &[
    (10, traces::backfill_observations),
    (11, traces::backfill_terms),
    (12, traces::backfill_object_use),
];

/// A migration's work beyond SQL.
type Backfill = fn(&rusqlite::Transaction<'_>) -> rusqlite::Result<()>;

/// A write-ahead log larger than this is emptied when the store that wrote
/// to it closes (see `Sqlite::trim_wal`).
const WAL_TRIM_BYTES: u64 = 1 << 20;

/// The schema version this binary writes.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// An open SQLite database, the home's `caio.db`.
pub(crate) struct Sqlite {
    conn: Connection,
    path: PathBuf,
    busy_timeout: Duration,
    /// Whether this connection wrote: the log is trimmed when it closes.
    wrote: std::cell::Cell<bool>,
}

impl Drop for Sqlite {
    fn drop(&mut self) {
        if self.wrote.get() {
            self.trim_wal();
        }
    }
}

impl std::fmt::Debug for Sqlite {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sqlite").field("path", &self.path).finish()
    }
}

impl Sqlite {
    /// See [`Store::cap_page_cache`](crate::store::Store::cap_page_cache).
    pub(crate) fn cap_page_cache(&self, kib: u32) -> Result<(), Error> {
        self.conn
            .pragma_update(None, "cache_size", -i64::from(kib))
            .map_err(|e| self.err(e))
    }

    /// Opens the database of `home`, creating the home (0700) and the file
    /// (0600) when missing, and migrating to the current schema.
    pub fn open(home: &Home, busy_timeout: Duration) -> Result<Sqlite, Error> {
        home.create()?;
        let path = home.db_path();
        create_private_file(&path)?;
        Sqlite::connect(&path, busy_timeout)
    }

    /// Opens an existing database for a command that only reads: a missing
    /// home or database is reported, never created.
    pub fn open_existing(home: &Home, busy_timeout: Duration) -> Result<Sqlite, Error> {
        let path = home.db_path();
        if !path.is_file() {
            return Err(Error::NoRegistry {
                path: home.path.clone(),
            });
        }
        Sqlite::connect(&path, busy_timeout)
    }

    fn connect(path: &Path, busy_timeout: Duration) -> Result<Sqlite, Error> {
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(path, flags).map_err(|e| state(path, e))?;
        let mut store = Sqlite {
            conn,
            path: path.to_path_buf(),
            busy_timeout,
            wrote: std::cell::Cell::new(false),
        };
        // Two processes meeting a fresh file can both hold a read lock while
        // asking for the write lock (switching to WAL, migrating). SQLite then
        // answers SQLITE_BUSY at once instead of waiting, to avoid a deadlock;
        // the documented remedy is to back off and retry, within the timeout.
        let deadline = std::time::Instant::now() + busy_timeout;
        loop {
            match store.configure(busy_timeout).and_then(|()| store.migrate()) {
                Err(e) if is_busy(&e) && std::time::Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(10));
                }
                other => return other.map(|()| store),
            }
        }
    }

    fn configure(&self, busy_timeout: Duration) -> Result<(), Error> {
        let path = &self.path;
        // The busy timeout first: the journal-mode switch itself may wait on a lock.
        self.conn
            .busy_timeout(busy_timeout)
            .map_err(|e| state(path, e))?;
        // WAL is a property of the file: switch only once.
        let mode: String = self
            .conn
            .pragma_query_value(None, "journal_mode", |r| r.get(0))
            .map_err(|e| state(path, e))?;
        if !mode.eq_ignore_ascii_case("wal") {
            self.conn
                .pragma_update(None, "journal_mode", "WAL")
                .map_err(|e| state(path, e))?;
        }
        self.conn
            .pragma_update(None, "foreign_keys", true)
            .map_err(|e| state(path, e))?;
        // Short-lived processes would otherwise checkpoint the WAL (and
        // fsync) on every exit; SQLite's automatic checkpoint still runs
        // once the WAL grows past 1,000 pages.
        self.conn
            .set_db_config(
                rusqlite::config::DbConfig::SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE,
                true,
            )
            .map_err(|e| state(path, e))?;
        self.conn
            .pragma_update(None, "synchronous", "NORMAL")
            .map_err(|e| state(path, e))?;
        Ok(())
    }

    fn migrate(&mut self) -> Result<(), Error> {
        let path = self.path.clone();
        let current = self.user_version()?;
        if current > SCHEMA_VERSION {
            return Err(Error::NewerSchema {
                path,
                found: current,
                supported: SCHEMA_VERSION,
            });
        }
        if current == SCHEMA_VERSION {
            return Ok(());
        }
        // Re-read inside the write lock: another process may have migrated meanwhile.
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(|e| state(&path, e))?;
        let current: i64 = tx
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .map_err(|e| state(&path, e))?;
        for (i, sql) in MIGRATIONS.iter().enumerate().skip(current.max(0) as usize) {
            tx.execute_batch(sql).map_err(|e| state(&path, e))?;
            let version = i as i64 + 1;
            for (_, backfill) in BACKFILLS.iter().filter(|(v, _)| *v == version) {
                backfill(&tx).map_err(|e| state(&path, e))?;
            }
            tx.pragma_update(None, "user_version", version)
                .map_err(|e| state(&path, e))?;
        }
        tx.commit().map_err(|e| state(&path, e))?;
        // A migration may rewrite whole tables (backfills, dropped columns).
        self.wrote.set(true);
        Ok(())
    }

    pub(crate) fn user_version(&self) -> Result<i64, Error> {
        self.conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .map_err(|e| state(&self.path, e))
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Runs `f` in one write transaction (`BEGIN IMMEDIATE`): all of it commits,
    /// or none of it does.
    pub(crate) fn write<T>(
        &mut self,
        f: impl FnOnce(&rusqlite::Transaction<'_>) -> Result<T, Error>,
    ) -> Result<T, Error> {
        let path = self.path.clone();
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(|e| state(&path, e))?;
        let value = f(&tx)?;
        tx.commit().map_err(|e| state(&path, e))?;
        self.wrote.set(true);
        Ok(value)
    }

    /// Empties a large write-ahead log into the database, once, when a
    /// connection that wrote closes. Every process that opens the database
    /// first reads the whole log (SQLite rebuilds its index of it), and
    /// SQLite's own checkpoint on close is off (it would checkpoint, and
    /// sync, on every exit), so a log left large — by a big write, or by
    /// the tens of kilobytes each route appends adding up — would slow every
    /// later command: a route at 1,000 services spent about 1 ms per MiB of
    /// log on it. A batch trims once, at its end, not after every chunk.
    /// Best effort: it never waits for other connections, and a log it
    /// cannot empty now is emptied later.
    fn trim_wal(&self) {
        let mut wal = self.path.clone().into_os_string();
        wal.push("-wal");
        let large = std::fs::metadata(&wal).is_ok_and(|m| m.len() > WAL_TRIM_BYTES);
        if !large || self.conn.busy_timeout(Duration::ZERO).is_err() {
            return;
        }
        let _ = self
            .conn
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()));
        let _ = self.conn.busy_timeout(self.busy_timeout);
    }

    /// The connection, for reads (and for the invariant checks that tamper
    /// with stored traces). Writes go through the store's own methods.
    pub fn conn(&self) -> &Connection {
        &self.conn
    }

    /// A stored value that does not read back: the database was changed
    /// outside caio.
    pub(crate) fn corrupt(&self, reason: String) -> Error {
        Error::Store {
            path: self.path.clone(),
            reason,
            help: "the database was modified outside caio; restore it from a backup",
        }
    }

    /// Maps a SQLite error met while using this store.
    pub(crate) fn err(&self, e: rusqlite::Error) -> Error {
        state(&self.path, e)
    }
}

/// Creates the database file with mode 0600 before SQLite opens it (SQLite
/// gives its -wal and -shm files the same mode).
fn create_private_file(path: &Path) -> Result<(), Error> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(false);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path).map(drop).map_err(|e| Error::Store {
        path: path.to_path_buf(),
        reason: e.to_string(),
        help: "check the permissions of the caio home",
    })
}

const BUSY_REASON: &str = "the database is locked by another caio process";

fn is_busy(e: &Error) -> bool {
    matches!(e, Error::Store { reason, .. } if reason == BUSY_REASON)
}

/// Every SQLite failure is a state error (exit 5) with the path and a fix.
pub(crate) fn state(path: &Path, e: rusqlite::Error) -> Error {
    let code = e.sqlite_error_code();
    let (reason, help) = match code {
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => (
            BUSY_REASON.to_string(),
            "wait for the other caio command to finish and retry",
        ),
        Some(ErrorCode::NotADatabase | ErrorCode::DatabaseCorrupt) => (
            "the file is not a caio database or is corrupt".to_string(),
            "move the file away (or restore it from a backup); caio creates a fresh database on the next write",
        ),
        Some(ErrorCode::CannotOpen | ErrorCode::PermissionDenied | ErrorCode::ReadOnly) => (
            format!("cannot open the database: {e}"),
            "check that the caio home and caio.db are readable and writable by you",
        ),
        Some(ErrorCode::DiskFull) => ("the disk is full".to_string(), "free some space and retry"),
        _ => (
            e.to_string(),
            "this is unexpected; keep the database for inspection and report it",
        ),
    };
    Error::Store {
        path: path.to_path_buf(),
        reason,
        help,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    fn home() -> (tempfile::TempDir, Home) {
        let tmp = tempfile::tempdir().unwrap();
        let home = Home {
            path: tmp.path().join("h"),
        };
        (tmp, home)
    }

    #[test]
    fn open_creates_and_migrates_once() {
        let (_tmp, home) = home();
        let store = Sqlite::open(&home, DEFAULT_BUSY_TIMEOUT).unwrap();
        assert_eq!(store.user_version().unwrap(), SCHEMA_VERSION);
        drop(store);
        let store = Sqlite::open_existing(&home, DEFAULT_BUSY_TIMEOUT).unwrap();
        assert_eq!(store.user_version().unwrap(), SCHEMA_VERSION);
        let mode: String = store
            .conn()
            .pragma_query_value(None, "journal_mode", |r| r.get(0))
            .unwrap();
        assert_eq!(mode, "wal");
    }

    #[test]
    fn older_schema_is_migrated_forward() {
        let (_tmp, home) = home();
        home.create().unwrap();
        {
            let conn = Connection::open(home.db_path()).unwrap();
            conn.execute_batch(MIGRATIONS[0]).unwrap();
            conn.pragma_update(None, "user_version", 1).unwrap();
        }
        let store = Sqlite::open(&home, DEFAULT_BUSY_TIMEOUT).unwrap();
        assert_eq!(store.user_version().unwrap(), SCHEMA_VERSION);
        let indexes: i64 = store
            .conn()
            .query_row(
                "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name LIKE '%_by_service'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(indexes, 4);
    }

    /// Records written before migration 10 get their `executed` column and
    /// their observations from the code that derives them for new records.
    #[test]
    fn migration_10_indexes_the_executions_of_existing_records() {
        let (_tmp, home) = home();
        home.create().unwrap();
        {
            let conn = Connection::open(home.db_path()).unwrap();
            for sql in &MIGRATIONS[..9] {
                conn.execute_batch(sql).unwrap();
            }
            conn.pragma_update(None, "user_version", 9).unwrap();
            let record = r#"{"at":"2026-01-01T00:00:00Z","attempts":[{"attempt":1,"latency_ms":9,"next":{"action":"failover","reason":"503","to":"b"},"result":"transient","service_id":"a","service_version":"1","started_ms":0,"status":503},{"attempt":1,"guarantee_violation":{"declared_ms":5,"guarantee":"latency_p99_ms","observed_ms":7},"latency_ms":7,"next":{"action":"done"},"result":"success","service_id":"b","service_version":"1","started_ms":10,"status":200}],"decision":{"chosen":[{"service_id":"b"}],"principal":"p","steps":[]},"execution":{"deadline_ms":1000,"outcome":"succeeded","service_id":"b"},"outcome":"routed","v":1}"#;
            for (seq, record) in [(1, record), (2, r#"{"at":"2026-01-01T00:00:01Z","v":1}"#)] {
                conn.execute(
                    "INSERT INTO traces (seq, prev, hash, decision_id, at, outcome, services, principal, record)
                     VALUES (?1, '', '', '', '2026-01-01T00:00:00Z', 'routed', 'b', 'p', ?2)",
                    rusqlite::params![seq, record],
                )
                .unwrap();
            }
        }
        let store = Sqlite::open(&home, DEFAULT_BUSY_TIMEOUT).unwrap();
        let executed: Vec<(String, Option<String>)> = store
            .conn()
            .prepare("SELECT kind, executed FROM traces ORDER BY seq")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(
            executed,
            [
                ("decision".to_string(), Some("succeeded".to_string())),
                ("decision".to_string(), None)
            ]
        );
        let observed: Vec<(i64, i64, String, String, Option<f64>, i64)> = store
            .conn()
            .prepare(
                "SELECT seq, n, service_id, result, latency_ms, violations FROM trace_observations ORDER BY seq, n",
            )
            .unwrap()
            .query_map([], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?))
            })
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(
            observed,
            [
                (1, 0, "a".into(), "failure".into(), None, 0),
                (1, 1, "b".into(), "success".into(), Some(7.0), 1)
            ]
        );
    }

    /// Records written before migration 11 get their candidate count and
    /// audit terms from the code that derives them for new records.
    #[test]
    fn migration_11_derives_the_audit_terms_of_existing_records() {
        let (_tmp, home) = home();
        home.create().unwrap();
        let v1 = r#"{"at":"t","decision":{"chosen":[],"outcome":"no_route","principal":"anonymous","steps":[{"candidates":[{"eligible":false,"rejections":[{"message":"m","rule":"roles","stage":"access"}],"service_id":"x"},{"eligible":true,"rejections":[],"service_id":"y"}]}]},"identity":{"kind":"anonymous"},"outcome":"no_route","request":{"capability":"chat"},"v":1}"#;
        let hash = caio_core::trace::hex(&caio_core::trace::chain_hash(
            &caio_core::trace::GENESIS,
            v1,
        ));
        {
            let conn = Connection::open(home.db_path()).unwrap();
            for sql in &MIGRATIONS[..10] {
                conn.execute_batch(sql).unwrap();
            }
            conn.pragma_update(None, "user_version", 10).unwrap();
            conn.execute(
                "INSERT INTO traces (seq, prev, hash, decision_id, at, outcome, services, principal, record)
                 VALUES (1, '', ?1, '', 't', 'no_route', '', 'anonymous', ?2)",
                rusqlite::params![hash, v1],
            )
            .unwrap();
        }
        let store = Sqlite::open(&home, DEFAULT_BUSY_TIMEOUT).unwrap();
        let candidates: i64 = store
            .conn()
            .query_row("SELECT candidates FROM traces", [], |r| r.get(0))
            .unwrap();
        assert_eq!(candidates, 2);
        let terms: Vec<String> = store
            .conn()
            .prepare(
                "SELECT v.kind || '=' || v.value FROM trace_terms t
                 JOIN trace_term_values v ON v.id = t.term ORDER BY 1",
            )
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(
            terms,
            [
                "capability=chat",
                "outcome=no_route",
                "principal=anonymous",
                "rule=roles",
                "stage=access"
            ]
        );
    }

    /// A connection that grew the write-ahead log past `WAL_TRIM_BYTES`
    /// empties it when it closes; a small log is left for later.
    #[test]
    fn a_large_log_is_emptied_when_the_writer_closes() {
        let (_tmp, home) = home();
        let mut wal = home.db_path().into_os_string();
        wal.push("-wal");
        let wal_len = || std::fs::metadata(&wal).map_or(0, |m| m.len());
        let write = |bytes: usize| {
            let mut store = Sqlite::open(&home, DEFAULT_BUSY_TIMEOUT).unwrap();
            store
                .write(|tx| {
                    tx.execute_batch("CREATE TABLE IF NOT EXISTS filler (b BLOB)")
                        .and_then(|()| {
                            tx.execute("INSERT INTO filler (b) VALUES (?1)", [vec![7u8; bytes]])
                        })
                        .map_err(|e| state(&home.db_path(), e))
                })
                .unwrap();
            let before_close = wal_len();
            drop(store);
            (before_close, wal_len())
        };
        let (open, closed) = write(16 << 10);
        assert!(open > 0 && open < WAL_TRIM_BYTES, "{open}");
        assert_eq!(closed, open, "a small log is left alone");
        let (open, closed) = write(2 << 20);
        assert!(open > WAL_TRIM_BYTES, "{open}");
        assert_eq!(closed, 0, "a large log is emptied on close");
    }

    /// Migration 14 moves each object's last use out of the object's row,
    /// keeping what migration 12 recorded; objects never used keep none.
    #[test]
    fn migration_14_keeps_each_objects_last_use() {
        let (_tmp, home) = home();
        home.create().unwrap();
        {
            let conn = Connection::open(home.db_path()).unwrap();
            for sql in &MIGRATIONS[..13] {
                conn.execute_batch(sql).unwrap();
            }
            conn.pragma_update(None, "user_version", 13).unwrap();
            conn.execute_batch(
                "INSERT INTO trace_objects (hash, kind, body, last_seq) VALUES
                     ('a', 'candidates', '{}', 7), ('b', 'stats', '{}', NULL)",
            )
            .unwrap();
        }
        let store = Sqlite::open(&home, DEFAULT_BUSY_TIMEOUT).unwrap();
        let uses: Vec<(String, i64)> = store
            .conn()
            .prepare("SELECT hash, last_seq FROM trace_object_uses ORDER BY hash")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(uses, [("a".to_string(), 7)]);
        let objects: i64 = store
            .conn()
            .query_row("SELECT count(*) FROM trace_objects", [], |r| r.get(0))
            .unwrap();
        assert_eq!(objects, 2);
    }

    #[cfg(unix)]
    #[test]
    fn database_file_is_private() {
        use std::os::unix::fs::PermissionsExt;
        let (_tmp, home) = home();
        Sqlite::open(&home, DEFAULT_BUSY_TIMEOUT).unwrap();
        let mode = std::fs::metadata(home.db_path())
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    #[test]
    fn missing_database_is_reported_not_created() {
        let (_tmp, home) = home();
        let err = Sqlite::open_existing(&home, DEFAULT_BUSY_TIMEOUT).unwrap_err();
        assert!(matches!(err, Error::NoRegistry { .. }));
        assert!(!home.path.exists());
    }

    #[test]
    fn newer_schema_is_refused() {
        let (_tmp, home) = home();
        let store = Sqlite::open(&home, DEFAULT_BUSY_TIMEOUT).unwrap();
        store
            .conn()
            .pragma_update(None, "user_version", SCHEMA_VERSION + 1)
            .unwrap();
        drop(store);
        let err = Sqlite::open(&home, DEFAULT_BUSY_TIMEOUT).unwrap_err();
        assert!(matches!(err, Error::NewerSchema { .. }), "{err:?}");
        assert!(err.is_state(), "{err:?}");
    }

    #[test]
    fn garbage_file_is_a_state_error() {
        let (_tmp, home) = home();
        home.create().unwrap();
        std::fs::write(home.db_path(), vec![0x42u8; 8192]).unwrap();
        let err = Sqlite::open(&home, DEFAULT_BUSY_TIMEOUT).unwrap_err();
        assert!(err.is_state(), "{err:?}");
        assert!(err.to_string().contains("not a caio database"), "{err}");
    }
}
