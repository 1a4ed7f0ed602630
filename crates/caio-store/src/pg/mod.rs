//! The fleet store (SPEC §15): caio's state in a PostgreSQL database that
//! many hosts share — one registry, one principal set, one policy set, one
//! trace chain, shared stats and circuits — while each host's home keeps
//! its keys.
//!
//! This module connects (TLS with rustls, connect, lock and statement
//! timeouts), migrates the schema ([`MIGRATIONS`], the same steps as
//! SQLite's), and maps the server's failures to state errors (exit 5). The
//! submodules hold the PostgreSQL side of each part of the store, and
//! [`copy`] the copy of a home's SQLite database into an empty PostgreSQL
//! database (`caio store migrate`).
//!
//! Concurrency. Every write is one transaction. Writes other than trace
//! appends first take one transaction-scoped advisory lock, so they are
//! serialised across the fleet as SQLite serialises them on one host. A
//! trace append instead locks the chain-head row (`trace_head`) for the
//! length of its transaction: the next append, from any host, waits for it
//! and then reads the new head, so seqs have no gaps and every record
//! chains on the previous one. Waits end after the lock timeout (the busy
//! timeout, 5 s by default); every statement after the statement timeout;
//! a session idle inside a transaction after a minute. A transaction that
//! fails — a lost connection, a server restart — is rolled back whole by
//! the server: nothing is half-written.

mod audit;
pub mod copy;
mod licenses;
mod policies;
mod principals;
mod registry;
mod schema;
mod stats;
mod tls;
mod traces;
mod url;

pub use schema::MIGRATIONS;
pub use schema::POSTGRES_ONLY;
pub use url::DatabaseUrl;

use crate::error::Error;
use postgres::error::SqlState;
use postgres::types::{FromSql, ToSql};
use postgres::{GenericClient, Statement};
use std::cell::RefCell;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Duration;
use zeroize::Zeroizing;

/// The schema version this binary writes (the same as SQLite's).
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// A statement running longer than this is cancelled by the server.
const STATEMENT_TIMEOUT: Duration = Duration::from_secs(60);

/// A session idle inside a transaction this long is ended by the server
/// (so a stuck process cannot hold the chain head).
const IDLE_IN_TRANSACTION_TIMEOUT: Duration = Duration::from_secs(60);

/// The advisory lock every write but a trace append takes.
const WRITE_LOCK: i64 = 0x6361_696f_0000_0001;

/// The advisory lock a schema migration takes.
const MIGRATE_LOCK: i64 = 0x6361_696f_0000_0002;

/// Rows fetched per statement when visiting the whole trace (each page is
/// its own statement, so a long visit never meets the statement timeout).
const PAGE: i64 = 5_000;

/// A connection a store of this process no longer uses, kept for the next
/// store opened on the same database: a command often opens the store twice
/// (the licence gate, then the command itself), and each new connection
/// costs a TLS handshake and a password exchange.
struct Idle {
    /// The URL's identity and the lock timeout the session was set up with.
    key: (Zeroizing<String>, Duration),
    client: postgres::Client,
    statements: HashMap<String, Statement>,
    /// The schema was found current.
    migrated: bool,
}

/// A static, never dropped: at exit the process closes the socket (a
/// thread-local would drop the client while the runtime it needs is being
/// torn down).
static IDLE: std::sync::Mutex<Option<Idle>> = std::sync::Mutex::new(None);

/// An open PostgreSQL store.
pub(crate) struct Postgres {
    /// Always `Some` until the store is dropped.
    client: RefCell<Option<postgres::Client>>,
    /// The key to leave the connection under for the next store.
    key: (Zeroizing<String>, Duration),
    /// The schema was found current (no need to look again).
    migrated: std::cell::Cell<bool>,
    /// The URL without its password, for messages.
    location: PathBuf,
    statements: RefCell<HashMap<String, Statement>>,
    /// Whether a copy (`store migrate`) holds the session's transaction
    /// open: reads see it, writes are refused.
    importing: std::cell::Cell<bool>,
}

impl Postgres {
    /// Connects, with caio's defaults for what the URL leaves unset; or
    /// takes the connection an earlier store of this process left.
    pub(crate) fn connect(url: &DatabaseUrl, lock_timeout: Duration) -> Result<Postgres, Error> {
        let location = PathBuf::from(url.to_string());
        let key = (Zeroizing::new(url.identity().to_string()), lock_timeout);
        let idle = match IDLE.lock() {
            Ok(mut idle) => match idle.take() {
                Some(i) if i.key == key && !i.client.is_closed() => Some(i),
                _ => None,
            },
            Err(_) => None,
        };
        if let Some(idle) = idle {
            return Ok(Postgres {
                client: RefCell::new(Some(idle.client)),
                key,
                migrated: std::cell::Cell::new(idle.migrated),
                location,
                statements: RefCell::new(idle.statements),
                importing: std::cell::Cell::new(false),
            });
        }
        let mut config = url.config()?;
        if !url.sets("connect_timeout") {
            config.connect_timeout(url::CONNECT_TIMEOUT);
        }
        if !url.sets("application_name") {
            config.application_name("caio");
        }
        if !url.sets("keepalives_idle") {
            config.keepalives_idle(Duration::from_secs(30));
        }
        if !url.sets("tcp_user_timeout") {
            config.tcp_user_timeout(Duration::from_secs(30));
        }
        // caio's session settings first, so the URL's own `options` win.
        let mut options = format!(
            "-c lock_timeout={} -c statement_timeout={} -c idle_in_transaction_session_timeout={}",
            lock_timeout.as_millis().max(1),
            STATEMENT_TIMEOUT.as_millis(),
            IDLE_IN_TRANSACTION_TIMEOUT.as_millis(),
        );
        if let Some(own) = config.get_options() {
            options.push(' ');
            options.push_str(own);
        }
        config.options(&options);
        let tls = tls::client_config(url.ssl, url.root_certs.as_ref()).map_err(|reason| {
            Error::Store {
                path: location.clone(),
                reason,
                help: "fix sslrootcert in the database URL, or the certificate file it names",
            }
        })?;
        let client = config
            .connect(tokio_postgres_rustls::MakeRustlsConnect::new(tls))
            .map_err(|e| connection_error(&location, &e))?;
        Ok(Postgres {
            client: RefCell::new(Some(client)),
            key,
            migrated: std::cell::Cell::new(false),
            location,
            statements: RefCell::new(HashMap::new()),
            importing: std::cell::Cell::new(false),
        })
    }

    /// The URL without its password.
    pub(crate) fn path(&self) -> &Path {
        &self.location
    }

    /// The schema version, 0 when caio's schema is not there (one round
    /// trip: every command asks).
    pub(crate) fn version(&self) -> Result<i64, Error> {
        let mut client = self.client()?;
        let messages =
            match client.simple_query("SELECT version FROM caio_schema WHERE singleton = 1") {
                Ok(messages) => messages,
                Err(e) if e.code() == Some(&SqlState::UNDEFINED_TABLE) => return Ok(0),
                Err(e) => return Err(self.err(&e)),
            };
        let text = messages.iter().find_map(|m| match m {
            postgres::SimpleQueryMessage::Row(row) => row.get(0).map(str::to_string),
            _ => None,
        });
        match text {
            None => Ok(0),
            Some(v) => v
                .parse()
                .map_err(|_| self.corrupt(format!("the schema version `{v}` is not a number"))),
        }
    }

    /// Brings the schema to [`SCHEMA_VERSION`], creating it in an empty
    /// database; refuses a newer schema.
    pub(crate) fn migrate(&self) -> Result<(), Error> {
        self.bring_up(false)
    }

    /// [`migrate`](Self::migrate) for a command that needs existing state:
    /// a database without caio's schema is reported, not initialised.
    pub(crate) fn migrate_existing(&self) -> Result<(), Error> {
        self.bring_up(true)
    }

    fn bring_up(&self, existing: bool) -> Result<(), Error> {
        if self.migrated.get() {
            return Ok(());
        }
        let current = self.version()?;
        if existing && current == 0 {
            return Err(Error::NoRegistry {
                path: self.location.clone(),
            });
        }
        self.refuse_newer(current)?;
        if current != SCHEMA_VERSION {
            self.migrate_to(SCHEMA_VERSION)?;
        }
        self.migrated.set(true);
        Ok(())
    }

    /// Applies the missing steps up to `target`, in one transaction that
    /// holds the migration lock (another process migrating at the same
    /// time waits, then finds nothing left to do).
    pub(crate) fn migrate_to(&self, target: i64) -> Result<(), Error> {
        let mut client = self.client()?;
        let mut tx = client.transaction().map_err(|e| self.err(&e))?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATE_LOCK])
            .map_err(|e| self.err(&e))?;
        tx.batch_execute(
            "CREATE TABLE IF NOT EXISTS caio_schema (
                 singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
                 version   BIGINT NOT NULL
             );
             INSERT INTO caio_schema (singleton, version) VALUES (1, 0) ON CONFLICT DO NOTHING;",
        )
        .map_err(|e| self.err(&e))?;
        let current = read_version(&mut tx).map_err(|e| self.err(&e))?;
        self.refuse_newer(current)?;
        let steps = MIGRATIONS
            .iter()
            .enumerate()
            .skip(usize::try_from(current).unwrap_or(0))
            .take_while(|(i, _)| (*i as i64) < target);
        for (i, sql) in steps {
            tx.batch_execute(sql).map_err(|e| self.err(&e))?;
            // What a step needs beyond SQL, as SQLite's `BACKFILLS`.
            self.backfill(&mut tx, i as i64 + 1)?;
            tx.execute(
                "UPDATE caio_schema SET version = $1 WHERE singleton = 1",
                &[&(i as i64 + 1)],
            )
            .map_err(|e| self.err(&e))?;
        }
        tx.commit().map_err(|e| self.err(&e))
    }

    fn refuse_newer(&self, found: i64) -> Result<(), Error> {
        if found > SCHEMA_VERSION {
            return Err(Error::NewerSchema {
                path: self.location.clone(),
                found,
                supported: SCHEMA_VERSION,
            });
        }
        Ok(())
    }

    /// Refuses a write while a copy is being verified.
    pub(crate) fn writable(&self) -> Result<(), Error> {
        if self.importing.get() {
            return Err(Error::Store {
                path: self.location.clone(),
                reason: "a copy into this database is not finished".into(),
                help: "this is unexpected; report it with the command that failed",
            });
        }
        Ok(())
    }

    /// The connection, or an error (never a panic) if it is in use.
    fn client(&self) -> Result<std::cell::RefMut<'_, postgres::Client>, Error> {
        let in_use = || Error::Store {
            path: self.location.clone(),
            reason: "the database connection is already in use".into(),
            help: "this is unexpected; report it with the command that failed",
        };
        let borrowed = self.client.try_borrow_mut().map_err(|_| in_use())?;
        std::cell::RefMut::filter_map(borrowed, Option::as_mut).map_err(|_| in_use())
    }

    /// Runs `f` in one write transaction holding the fleet-wide write lock:
    /// all of it commits, or none of it does.
    pub(crate) fn write<T>(
        &self,
        f: impl FnOnce(&Postgres, &mut postgres::Transaction<'_>) -> Result<T, Error>,
    ) -> Result<T, Error> {
        self.writable()?;
        let mut client = self.client()?;
        let mut tx = client.transaction().map_err(|e| self.err(&e))?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&WRITE_LOCK])
            .map_err(|e| self.err(&e))?;
        let value = f(self, &mut tx)?;
        tx.commit().map_err(|e| self.err(&e))?;
        Ok(value)
    }

    /// Runs `f` in one transaction without the write lock (trace appends,
    /// which lock the chain head instead).
    pub(crate) fn transaction<T>(
        &self,
        f: impl FnOnce(&Postgres, &mut postgres::Transaction<'_>) -> Result<T, Error>,
    ) -> Result<T, Error> {
        self.writable()?;
        let mut client = self.client()?;
        let mut tx = client.transaction().map_err(|e| self.err(&e))?;
        let value = f(self, &mut tx)?;
        tx.commit().map_err(|e| self.err(&e))?;
        Ok(value)
    }

    /// Runs `f` with the connection, outside any transaction (reads).
    pub(crate) fn read<T>(
        &self,
        f: impl FnOnce(&Postgres, &mut postgres::Client) -> Result<T, Error>,
    ) -> Result<T, Error> {
        let mut client = self.client()?;
        f(self, &mut client)
    }

    /// The statement for `sql`, prepared once per connection.
    fn prepared(&self, c: &mut impl GenericClient, sql: &str) -> Result<Statement, Error> {
        if let Some(s) = self.statements.borrow().get(sql) {
            return Ok(s.clone());
        }
        let statement = c.prepare(sql).map_err(|e| self.err(&e))?;
        self.statements
            .borrow_mut()
            .insert(sql.to_string(), statement.clone());
        Ok(statement)
    }

    pub(crate) fn query(
        &self,
        c: &mut impl GenericClient,
        sql: &str,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<Vec<postgres::Row>, Error> {
        let statement = self.prepared(c, sql)?;
        c.query(&statement, params).map_err(|e| self.err(&e))
    }

    pub(crate) fn query_opt(
        &self,
        c: &mut impl GenericClient,
        sql: &str,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<Option<postgres::Row>, Error> {
        let statement = self.prepared(c, sql)?;
        c.query_opt(&statement, params).map_err(|e| self.err(&e))
    }

    pub(crate) fn execute(
        &self,
        c: &mut impl GenericClient,
        sql: &str,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<u64, Error> {
        let statement = self.prepared(c, sql)?;
        c.execute(&statement, params).map_err(|e| self.err(&e))
    }

    /// Column `i` of `row`; a value of the wrong type is a damaged database.
    pub(crate) fn col<'a, T: FromSql<'a>>(
        &self,
        row: &'a postgres::Row,
        i: usize,
    ) -> Result<T, Error> {
        row.try_get(i).map_err(|e| Error::Store {
            path: self.location.clone(),
            reason: format!("a stored value does not read back: {e}"),
            help: "the database was modified outside caio; restore it from a backup",
        })
    }

    /// A value that does not read back.
    pub(crate) fn corrupt(&self, reason: String) -> Error {
        Error::Store {
            path: self.location.clone(),
            reason,
            help: "the database was modified outside caio; restore it from a backup",
        }
    }

    /// Maps a failure of this connection.
    pub(crate) fn err(&self, e: &postgres::Error) -> Error {
        state(&self.location, e)
    }
}

impl Drop for Postgres {
    /// Leaves a healthy connection for the next store of this process
    /// (never one inside a copy's open transaction).
    fn drop(&mut self) {
        let Some(client) = self.client.get_mut().take() else {
            return;
        };
        if self.importing.get() || client.is_closed() {
            return;
        }
        let idle = Idle {
            key: self.key.clone(),
            client,
            statements: std::mem::take(self.statements.get_mut()),
            migrated: self.migrated.get(),
        };
        if let Ok(mut slot) = IDLE.lock() {
            *slot = Some(idle);
        }
    }
}

fn read_version(c: &mut impl GenericClient) -> Result<i64, postgres::Error> {
    let exists = c
        .query_one("SELECT to_regclass('caio_schema') IS NOT NULL", &[])?
        .try_get::<_, bool>(0)?;
    if !exists {
        return Ok(0);
    }
    Ok(
        c.query_opt("SELECT version FROM caio_schema WHERE singleton = 1", &[])?
            .map(|r| r.try_get::<_, i64>(0))
            .transpose()?
            .unwrap_or(0),
    )
}

/// A failure to connect: what happened and what to check. The URL in the
/// message has no password, and the driver's messages never hold one.
fn connection_error(location: &Path, e: &postgres::Error) -> Error {
    if e.as_db_error().is_some() {
        return state(location, e);
    }
    let text = error_text(e);
    let help = if text.contains("timed out") || text.contains("timeout") {
        "the server did not answer in time: check the host and port, the network and the firewall (connect_timeout in the URL sets the limit, 10 s by default)"
    } else if text.contains("TLS") || text.contains("tls") || text.contains("certificate") {
        "the TLS handshake failed: check sslmode and sslrootcert in the URL against the server's certificate"
    } else {
        "check that the server is running and that the URL's host and port are right"
    };
    Error::Store {
        path: location.to_path_buf(),
        reason: format!("cannot connect to the database: {text}"),
        help,
    }
}

/// The driver's message with its causes (the top-level text alone is often
/// just "error connecting to server").
fn error_text(e: &postgres::Error) -> String {
    use std::error::Error as _;
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let more = s.to_string();
        if !text.contains(&more) {
            text.push_str(": ");
            text.push_str(&more);
        }
        source = s.source();
    }
    text
}

const LOST_HELP: &str = "the transaction was rolled back whole by the server: nothing was half-written; retry once the server is reachable";

const BUSY_REASON: &str = "the trace or the registry is locked by another caio process";

/// Every PostgreSQL failure is a state error (exit 5) with the URL (without
/// its password) and a fix.
pub(crate) fn state(location: &Path, e: &postgres::Error) -> Error {
    let (reason, help) = if let Some(db) = e.as_db_error() {
        let code = db.code();
        let message = db.message().to_string();
        if *code == SqlState::LOCK_NOT_AVAILABLE {
            (
                BUSY_REASON.to_string(),
                "another host or process held the lock past the busy timeout (CAIO_BUSY_TIMEOUT_MS); retry",
            )
        } else if *code == SqlState::QUERY_CANCELED {
            (
                format!("the server cancelled a statement: {message}"),
                "a statement ran past the statement timeout; retry, and check the server's load",
            )
        } else if *code == SqlState::IDLE_IN_TRANSACTION_SESSION_TIMEOUT {
            (
                format!("the server ended the session: {message}"),
                LOST_HELP,
            )
        } else if *code == SqlState::ADMIN_SHUTDOWN || *code == SqlState::CRASH_SHUTDOWN {
            (
                format!("the server ended the connection: {message}"),
                LOST_HELP,
            )
        } else if *code == SqlState::CANNOT_CONNECT_NOW {
            (
                format!("the server is starting up or shutting down: {message}"),
                "retry once the server is up",
            )
        } else if *code == SqlState::INVALID_PASSWORD
            || *code == SqlState::INVALID_AUTHORIZATION_SPECIFICATION
        {
            (
                format!("the server refused the login: {message}"),
                "check the user and the password (in the URL or in PGPASSWORD)",
            )
        } else if *code == SqlState::INVALID_CATALOG_NAME {
            (
                format!("no such database: {message}"),
                "create the database (`createdb NAME`), or fix the database name in the URL",
            )
        } else if *code == SqlState::INSUFFICIENT_PRIVILEGE {
            (
                format!("permission denied: {message}"),
                "grant the database user the right to create and use tables in the database",
            )
        } else if *code == SqlState::T_R_SERIALIZATION_FAILURE
            || *code == SqlState::T_R_DEADLOCK_DETECTED
        {
            (
                format!("the transaction conflicted with another one: {message}"),
                "nothing was written; retry",
            )
        } else if *code == SqlState::DISK_FULL {
            (
                "the database server's disk is full".to_string(),
                "free some space on the server and retry",
            )
        } else {
            (
                format!(
                    "the server reported an error: {message} (SQLSTATE {})",
                    code.code()
                ),
                "this is unexpected; keep the database for inspection and report it",
            )
        }
    } else if e.is_closed() {
        (
            "the connection to the database server was lost".to_string(),
            LOST_HELP,
        )
    } else {
        (
            format!("the database connection failed: {}", error_text(e)),
            LOST_HELP,
        )
    };
    Error::Store {
        path: location.to_path_buf(),
        reason,
        help,
    }
}
