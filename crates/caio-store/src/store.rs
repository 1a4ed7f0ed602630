//! The one store interface (SPEC §13, §15): every command reads and writes
//! its state through [`Store`], whichever database holds it — the home's
//! SQLite file (the default) or a PostgreSQL database shared by a fleet.
//! Both sides take the same arguments and give the same results; each
//! method here only chooses the side.

use crate::Sqlite;
use crate::audit::Count;
use crate::error::Error;
use crate::home::Home;
use crate::licenses::{
    InstalledLicense, LicenseFilter, LicenseRecord, Revocation, RevocationsInstall,
};
use crate::observations::{CandidateHistogram, PrunedTotals};
use crate::pg::{DatabaseUrl, Postgres};
use crate::policies::{Applied, InstalledSet};
use crate::principals::{NewPrincipal, PrincipalRecord};
use crate::registry::{
    CapabilityForm, Change, FormService, History, ListFilter, NewContract, Registration,
    ServiceRecord,
};
use crate::retention::{Anchor, Removed};
use crate::traces::{
    Appended, Input, Listed, OutcomeAppend, PreparedOutcome, StoredCheckpoint, TraceFilter,
};
use crate::wal::Checkpoints;
use caio_core::attempt::Attempt;
use caio_core::circuit;
use caio_core::contract::ServiceContract;
use caio_core::health::Health;
use caio_core::license::{License, PublicKey, RevocationList, VendorKey};
use caio_core::lifecycle::ServiceStatus;
use caio_core::policy::PolicySet;
use caio_core::principal::{AuthFailure, Principal, Principals};
use caio_core::slo::Counts;
use caio_core::trace::{Prepared, Row};
use jiff::Timestamp;
use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

/// Which database holds the state.
#[derive(Debug, Clone, Default)]
pub enum Database {
    /// The home's SQLite file, `caio.db` (the default).
    #[default]
    Home,
    /// A PostgreSQL database shared by the hosts of a fleet
    /// (`--database` / `CAIO_DATABASE_URL`); the home still holds the keys.
    Postgres(DatabaseUrl),
}

/// How to open the store.
#[derive(Debug, Clone)]
pub struct StoreOptions {
    /// Which database.
    pub database: Database,
    /// How long to wait for another process holding a lock: SQLite's busy
    /// timeout, PostgreSQL's lock timeout.
    pub busy_timeout: Duration,
}

impl Default for StoreOptions {
    fn default() -> StoreOptions {
        StoreOptions {
            database: Database::Home,
            busy_timeout: crate::DEFAULT_BUSY_TIMEOUT,
        }
    }
}

/// An open caio store.
pub struct Store {
    backend: Backend,
}

enum Backend {
    Sqlite(Sqlite),
    Postgres(Box<Postgres>),
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("at", &self.path()).finish()
    }
}

/// Calls the same method on whichever side this store is.
macro_rules! side {
    ($self:ident . $method:ident ( $($arg:expr),* )) => {
        match &$self.backend {
            Backend::Sqlite(s) => s.$method($($arg),*),
            Backend::Postgres(p) => p.$method($($arg),*),
        }
    };
    (mut $self:ident . $method:ident ( $($arg:expr),* )) => {
        match &mut $self.backend {
            Backend::Sqlite(s) => s.$method($($arg),*),
            Backend::Postgres(p) => p.$method($($arg),*),
        }
    };
}

impl Store {
    /// Opens the SQLite database of `home`, creating the home (0700) and
    /// the file (0600) when missing, and migrating to the current schema.
    pub fn open(home: &Home, busy_timeout: Duration) -> Result<Store, Error> {
        Ok(Store::sqlite(Sqlite::open(home, busy_timeout)?))
    }

    /// Opens the existing SQLite database of `home` for a command that only
    /// reads: a missing home or database is reported, never created.
    pub fn open_existing(home: &Home, busy_timeout: Duration) -> Result<Store, Error> {
        Ok(Store::sqlite(Sqlite::open_existing(home, busy_timeout)?))
    }

    /// Opens the store `options` name, creating what is missing: the home
    /// (which holds the keys either way) and the SQLite file, or the
    /// PostgreSQL schema; migrates to the current schema.
    pub fn open_with(home: &Home, options: &StoreOptions) -> Result<Store, Error> {
        match &options.database {
            Database::Home => Store::open(home, options.busy_timeout),
            Database::Postgres(url) => {
                home.create()?;
                let pg = Postgres::connect(url, options.busy_timeout)?;
                pg.migrate()?;
                Ok(Store::postgres(pg))
            }
        }
    }

    /// Opens the existing store `options` name for a command that needs
    /// state: a home without a database, or a PostgreSQL database without
    /// caio's schema, is reported, never created.
    pub fn open_existing_with(home: &Home, options: &StoreOptions) -> Result<Store, Error> {
        match &options.database {
            Database::Home => Store::open_existing(home, options.busy_timeout),
            Database::Postgres(url) => {
                let pg = Postgres::connect(url, options.busy_timeout)?;
                pg.migrate_existing()?;
                Ok(Store::postgres(pg))
            }
        }
    }

    /// The existing store, or `None` when there is none yet (commands that
    /// look at state only when some exists, such as the licence gate).
    pub fn open_if_exists(home: &Home, options: &StoreOptions) -> Result<Option<Store>, Error> {
        match &options.database {
            Database::Home if !home.db_path().is_file() => Ok(None),
            _ => match Store::open_existing_with(home, options) {
                Ok(store) => Ok(Some(store)),
                Err(Error::NoRegistry { .. }) => Ok(None),
                Err(e) => Err(e),
            },
        }
    }

    pub(crate) fn sqlite(s: Sqlite) -> Store {
        Store {
            backend: Backend::Sqlite(s),
        }
    }

    pub(crate) fn postgres(p: Postgres) -> Store {
        Store {
            backend: Backend::Postgres(Box::new(p)),
        }
    }

    /// Where the state is: the SQLite file, or the PostgreSQL URL without
    /// its password.
    pub fn path(&self) -> &Path {
        side!(self.path())
    }

    /// Whether the state is in a PostgreSQL database.
    pub fn is_postgres(&self) -> bool {
        matches!(self.backend, Backend::Postgres(_))
    }

    /// The SQLite connection, for reads (and for the invariant checks that
    /// tamper with stored traces); `None` on PostgreSQL. Writes go through
    /// the store's own methods.
    pub fn conn(&self) -> Option<&rusqlite::Connection> {
        match &self.backend {
            Backend::Sqlite(s) => Some(s.conn()),
            Backend::Postgres(_) => None,
        }
    }

    pub(crate) fn as_sqlite(&self) -> Option<&Sqlite> {
        match &self.backend {
            Backend::Sqlite(s) => Some(s),
            Backend::Postgres(_) => None,
        }
    }

    pub(crate) fn as_postgres(&mut self) -> Option<&mut Postgres> {
        match &mut self.backend {
            Backend::Sqlite(_) => None,
            Backend::Postgres(p) => Some(&mut **p),
        }
    }

    // --- registry

    /// Adds contracts in one transaction: every contract is stored or none is.
    pub fn add_contracts(
        &mut self,
        contracts: &[NewContract<'_>],
        replace: bool,
        change: &Change,
    ) -> Result<Vec<Registration>, Error> {
        side!(mut self.add_contracts(contracts, replace, change))
    }

    /// Active services matching `filter`, ordered by id.
    pub fn list_services(&self, filter: &ListFilter) -> Result<Vec<ServiceRecord>, Error> {
        side!(self.list_services(filter))
    }

    /// Active services offering `capability`, read through the capability
    /// index: only those contracts are parsed.
    pub fn services_for_capability(&self, capability: &str) -> Result<Vec<ServiceRecord>, Error> {
        self.capability_form(capability, |s| s)?
            .services
            .into_iter()
            .map(|s| s.into_record(self.path()))
            .collect()
    }

    /// [`Store::services_for_capability`] with the trace object of that
    /// candidate set, as one stored form (see [`CapabilityForm`]): what a
    /// route reads. Each service is handed to `make` as it is read, so a
    /// caller holds only what it keeps of them.
    pub fn capability_form<S>(
        &self,
        capability: &str,
        make: impl FnMut(FormService) -> S,
    ) -> Result<CapabilityForm<S>, Error> {
        side!(self.capability_form(capability, make))
    }

    /// Every capability type some registered service offers, sorted.
    pub fn capabilities(&self) -> Result<Vec<String>, Error> {
        side!(self.capabilities())
    }

    /// One service: its active version, or `version` from its history (also
    /// for a removed service, whose versions stay for replay).
    pub fn show_service(&self, id: &str, version: Option<&str>) -> Result<ServiceRecord, Error> {
        side!(self.show_service(id, version))
    }

    /// Every version and event of a service, removed services included.
    pub fn history(&self, id: &str) -> Result<History, Error> {
        side!(self.history(id))
    }

    /// Sets a service's status, recording reason, time and actor; returns
    /// the status it had.
    pub fn set_status(
        &mut self,
        id: &str,
        status: ServiceStatus,
        reason: Option<&str>,
        change: &Change,
    ) -> Result<ServiceStatus, Error> {
        side!(mut self.set_status(id, status, reason, change))
    }

    /// Deregisters a service; its versions and history stay for replay.
    /// Returns the version that was active.
    pub fn remove_service(&mut self, id: &str, change: &Change) -> Result<String, Error> {
        side!(mut self.remove_service(id, change))
    }

    /// A contract version by its content hash (for replay), removed or not.
    pub fn contract_by_hash(&self, hash: &str) -> Result<Option<ServiceContract>, Error> {
        side!(self.contract_by_hash(hash))
    }

    /// A contract version's stored body (its canonical JSON, which its
    /// content hash is taken of) by that hash, removed or not.
    pub fn contract_body(&self, hash: &str) -> Result<Option<String>, Error> {
        side!(self.contract_body(hash))
    }

    // --- principals

    /// Creates a principal with a fresh token; stores only the keyed hash
    /// (the key is the home's `keys/principal.key`).
    pub fn add_principal(
        &mut self,
        home: &Home,
        principal: &Principal,
        now: Timestamp,
    ) -> Result<NewPrincipal, Error> {
        side!(mut self.add_principal(home, principal, now))
    }

    /// Every principal, revoked ones included, by name.
    pub fn list_principals(&self) -> Result<Vec<PrincipalRecord>, Error> {
        side!(self.list_principals())
    }

    /// Revokes a principal's token; the row stays so its decisions stay
    /// explainable. Returns false when it was already revoked.
    pub fn revoke_principal(&mut self, name: &str, now: Timestamp) -> Result<bool, Error> {
        side!(mut self.revoke_principal(name, now))
    }

    /// Turns a presented token into a principal (SPEC §4). The outer error is
    /// a state problem; the inner one is the refusal to trace.
    pub fn authenticate(
        &self,
        home: &Home,
        token: Option<&str>,
    ) -> Result<Result<Principal, AuthFailure>, Error> {
        if token.is_none() {
            return Ok(Ok(Principal::anonymous()));
        }
        Ok(self.principals(home)?.authenticate(token))
    }

    /// What authenticating a token reads, read once: the home's key and
    /// every stored principal (a batch authenticates all its lines with it).
    pub fn principals(&self, home: &Home) -> Result<Principals, Error> {
        side!(self.principals(home))
    }

    // --- policies

    /// Makes `set` the active policy set, in one transaction.
    pub fn apply_policy_set(
        &mut self,
        set: &PolicySet,
        sources: &[String],
        change: &Change,
    ) -> Result<Applied, Error> {
        side!(mut self.apply_policy_set(set, sources, change))
    }

    /// The active set, if one was ever applied.
    pub fn installed_policy_set(&self) -> Result<Option<InstalledSet>, Error> {
        side!(self.installed_policy_set())
    }

    /// The set routing must use: the installed one, or the empty set when
    /// none was ever applied. A stored set that no longer reads (edited
    /// outside caio) is a state error: routing never silently drops rules.
    pub fn active_policy_set(&self) -> Result<PolicySet, Error> {
        side!(self.active_policy_set())
    }

    /// A set used by a past decision, by hash (for replay).
    pub fn policy_set_by_hash(&self, hash: &str) -> Result<Option<PolicySet>, Error> {
        side!(self.policy_set_by_hash(hash))
    }

    // --- traces

    /// Appends records in order, in one transaction, with the inputs they
    /// need for replay. Appends from concurrent processes (and, on
    /// PostgreSQL, hosts) are serialised: seqs have no gaps and every
    /// record chains on the one before it.
    pub fn append_traces(
        &mut self,
        records: &[Prepared],
        inputs: &[Input],
    ) -> Result<Vec<Appended>, Error> {
        side!(mut self.append_traces(records, inputs))
    }

    /// Caps what the connection caches of the database at `kib` KiB (a
    /// SQLite connection caches 2 MiB of pages by default): a connection
    /// that only appends to the trace touches a few pages at the end of
    /// each table and index. The server caches for PostgreSQL.
    pub fn cap_page_cache(&self, kib: u32) -> Result<(), Error> {
        match &self.backend {
            Backend::Sqlite(s) => s.cap_page_cache(kib),
            Backend::Postgres(_) => Ok(()),
        }
    }

    /// Moves this connection's WAL checkpoints to a thread and a
    /// connection of their own, for a writer that appends many chunks in a
    /// row (`route --batch`): its commits no longer wait for the log to be
    /// copied and synced, except, now and then, for the end of it, so the
    /// log restarts instead of growing (see [`Checkpoints`]). Nothing to
    /// move on PostgreSQL.
    pub fn checkpoint_in_background(&mut self) -> Result<Checkpoints, Error> {
        match &mut self.backend {
            Backend::Sqlite(s) => s.checkpoint_in_background(),
            Backend::Postgres(_) => Ok(Checkpoints::none()),
        }
    }

    /// The number of records and the chain head.
    pub fn trace_head(&self) -> Result<(i64, [u8; 32]), Error> {
        side!(self.trace_head())
    }

    /// One record by seq.
    pub fn trace_by_seq(&self, seq: i64) -> Result<Option<Row>, Error> {
        side!(self.trace_by_seq(seq))
    }

    /// Records whose decision id starts with `prefix` (at most two, to tell
    /// a unique prefix from an ambiguous one).
    pub fn traces_by_decision(&self, prefix: &str) -> Result<Vec<Row>, Error> {
        side!(self.traces_by_decision(prefix))
    }

    /// Decisions matching `filter`, newest first (through the audit index).
    pub fn list_traces(&self, filter: &TraceFilter) -> Result<Vec<Listed>, Error> {
        side!(self.list_traces(filter))
    }

    /// Decisions matching `filter`, counted by each value of the audit term
    /// `by`, most first (ties by value).
    pub fn trace_stats(&self, by: &str, filter: &TraceFilter) -> Result<Vec<Count>, Error> {
        side!(self.trace_stats(by, filter))
    }

    /// Appends an outcome record (`trace outcome`) in one transaction with
    /// its observation, its decision's `executed` term and the fold of the
    /// attempt it stands for into the service's stats, as an executed
    /// attempt is folded. Refused (nothing written) when the decision
    /// already has an outcome for that service.
    pub fn append_outcome(
        &mut self,
        outcome: &PreparedOutcome,
        now: Timestamp,
    ) -> Result<OutcomeAppend, Error> {
        side!(mut self.append_outcome(outcome, now))
    }

    /// The outcome records of a decision: `(seq, service, status)`.
    pub fn outcomes_of(&self, decision_seq: i64) -> Result<Vec<(i64, String, String)>, Error> {
        side!(self.outcomes_of(decision_seq))
    }

    /// Prepares the connection for a long sequential read of the trace
    /// (SQLite maps the file into memory; nothing to do on PostgreSQL).
    pub fn map_for_reading(&self) -> Result<(), Error> {
        match &self.backend {
            Backend::Sqlite(s) => s.map_for_reading(),
            Backend::Postgres(_) => Ok(()),
        }
    }

    /// Fills `chunk` with the records from `from` on, in seq order (at
    /// most `max`, and no more once their text reaches `max_bytes`), and
    /// the audit term and observation rows of their seqs (`trace verify`).
    pub fn read_trace_chunk(
        &self,
        from: i64,
        max: usize,
        max_bytes: usize,
        chunk: &mut caio_core::trace::check::Chunk,
    ) -> Result<(), Error> {
        side!(self.read_trace_chunk(from, max, max_bytes, chunk))
    }

    /// Every stored audit term value: `(id, kind, value)`.
    pub fn term_values(&self) -> Result<Vec<(i64, String, String)>, Error> {
        side!(self.term_values())
    }

    /// The audit term ids stored for one record, ascending.
    pub fn terms_of(&self, seq: i64) -> Result<Vec<i64>, Error> {
        side!(self.terms_of(seq))
    }

    /// A service's calls with `since <= at <= until`.
    pub fn observation_counts(
        &self,
        service_id: &str,
        since: &str,
        until: &str,
    ) -> Result<Counts, Error> {
        side!(self.observation_counts(service_id, since, until))
    }

    /// The latencies of a service's successes with `since <= at <= until`.
    pub fn observed_latencies(
        &self,
        service_id: &str,
        since: &str,
        until: &str,
    ) -> Result<Vec<f64>, Error> {
        side!(self.observed_latencies(service_id, since, until))
    }

    /// Live decisions by outcome.
    pub fn decision_counts(&self) -> Result<BTreeMap<String, u64>, Error> {
        side!(self.decision_counts())
    }

    /// Live observations counted by `(source, result)`.
    pub fn observation_totals(&self) -> Result<BTreeMap<(String, String), u64>, Error> {
        side!(self.observation_totals())
    }

    /// What live observations cost, by service.
    pub fn spend_by_service(&self) -> Result<BTreeMap<String, f64>, Error> {
        side!(self.spend_by_service())
    }

    /// The candidates-per-decision histogram of the live decisions.
    pub fn candidate_histogram(&self, bounds: &[u64]) -> Result<CandidateHistogram, Error> {
        side!(self.candidate_histogram(bounds))
    }

    /// What pruned records had counted (zero before any prune).
    pub fn pruned_totals(&self) -> Result<PrunedTotals, Error> {
        side!(self.pruned_totals())
    }

    /// The anchor of the last prune, if the trace was ever pruned.
    pub fn trace_anchor(&self) -> Result<Option<Anchor>, Error> {
        side!(self.trace_anchor())
    }

    /// The first live seq at or after `at`.
    pub fn first_seq_at_or_after(&self, at: &str) -> Result<Option<i64>, Error> {
        side!(self.first_seq_at_or_after(at))
    }

    /// The first live seq (`None` for an empty trace).
    pub fn first_live_seq(&self) -> Result<Option<i64>, Error> {
        side!(self.first_live_seq())
    }

    /// Removes the live records `first..=through` (the last one's hash is
    /// `hash`) with what indexes them, in one transaction, keeping what
    /// they counted and the anchor; `None` (nothing changed) when the trace
    /// moved meanwhile.
    pub fn prune_through(
        &mut self,
        first: i64,
        through: i64,
        hash: &str,
    ) -> Result<Option<Removed>, Error> {
        side!(mut self.prune_through(first, through, hash))
    }

    /// Visits every record from `from` on (and at or after `since`), in seq
    /// order; stops early when `f` returns false.
    pub fn for_each_trace<E: From<Error>>(
        &self,
        from: i64,
        since: Option<&str>,
        f: impl FnMut(Row) -> Result<bool, E>,
    ) -> Result<(), E> {
        side!(self.for_each_trace(from, since, f))
    }

    /// Stores a signed checkpoint.
    pub fn add_checkpoint(&mut self, cp: &StoredCheckpoint) -> Result<(), Error> {
        side!(mut self.add_checkpoint(cp))
    }

    /// Every stored checkpoint, oldest first.
    pub fn checkpoints(&self) -> Result<Vec<StoredCheckpoint>, Error> {
        side!(self.checkpoints())
    }

    /// An input of a stateless decision, by hash.
    pub fn trace_input(&self, hash: &str) -> Result<Option<String>, Error> {
        side!(self.trace_input(hash))
    }

    /// The kind and body of a trace object.
    pub fn trace_object(&self, hash: &str) -> Result<Option<(String, String)>, Error> {
        side!(self.trace_object(hash))
    }

    /// Every trace object, in hash order (what `trace export` writes first).
    pub fn for_each_trace_object<E: From<Error>>(
        &self,
        f: impl FnMut(&str, &str, &str) -> Result<(), E>,
    ) -> Result<(), E> {
        side!(self.for_each_trace_object(f))
    }

    /// A value from the settings table.
    pub fn setting(&self, key: &str) -> Result<Option<String>, Error> {
        side!(self.setting(key))
    }

    /// Sets a value in the settings table, replacing any earlier one.
    pub fn set_setting(&mut self, key: &str, value: &str) -> Result<(), Error> {
        side!(mut self.set_setting(key, value))
    }

    /// Sets a value in the settings table if it has none yet; returns the
    /// value in force.
    pub fn setting_or_insert(&mut self, key: &str, value: &str) -> Result<String, Error> {
        side!(mut self.setting_or_insert(key, value))
    }

    // --- stats

    /// Every service's stats, by id.
    pub fn all_health(&self) -> Result<BTreeMap<String, Health>, Error> {
        side!(self.all_health())
    }

    /// The stats of the services offering `capability` (registry routing).
    pub(crate) fn health_for_capability(
        &self,
        capability: &str,
    ) -> Result<BTreeMap<String, Health>, Error> {
        side!(self.health_for_capability(capability))
    }

    /// One service's stats, if it was ever executed.
    pub fn health(&self, service_id: &str) -> Result<Option<Health>, Error> {
        side!(self.health(service_id))
    }

    /// Folds an execution's attempts into the stats, in order, in one write
    /// transaction; returns what each circuit did.
    pub fn record_attempts(
        &mut self,
        attempts: &[Attempt],
        now: Timestamp,
    ) -> Result<Vec<(String, circuit::Change)>, Error> {
        side!(mut self.record_attempts(attempts, now))
    }

    /// What `route --execute` writes, in one write transaction: the
    /// attempts folded into the stats (as [`Store::record_attempts`]) and
    /// the trace record of the call (as [`Store::append_traces`]), so
    /// neither is ever kept without the other.
    pub fn record_execution(
        &mut self,
        attempts: &[Attempt],
        now: Timestamp,
        records: &[Prepared],
        inputs: &[Input],
    ) -> Result<crate::stats::Recorded, Error> {
        side!(mut self.record_execution(attempts, now, records, inputs))
    }

    /// Closes a service's circuit, forgets its failures and openings and
    /// puts h back at its prior (counts, latencies and spend stay). Returns
    /// whether it was open or half-open; records the reset in the
    /// service's history.
    pub fn reset_circuit(&mut self, service_id: &str, change: &Change) -> Result<bool, Error> {
        side!(mut self.reset_circuit(service_id, change))
    }

    // --- licences

    /// Records a license just issued (and its customer on first sight);
    /// `renews` names the license it renews.
    pub fn record_license(
        &mut self,
        license: &License,
        issued_by: &str,
        renews: Option<&str>,
        now: Timestamp,
    ) -> Result<(), Error> {
        side!(mut self.record_license(license, issued_by, renews, now))
    }

    /// Issued licenses matching `filter`, soonest expiry first.
    pub fn list_licenses(
        &self,
        filter: &LicenseFilter,
        now: Timestamp,
    ) -> Result<Vec<LicenseRecord>, Error> {
        side!(self.list_licenses(filter, now))
    }

    /// Revokes an issued license, named by its id or a unique prefix of at
    /// least 8 characters. Revoking twice keeps the first revocation.
    pub fn revoke_license(
        &mut self,
        id: &str,
        reason: &str,
        actor: &str,
        now: Timestamp,
    ) -> Result<Revocation, Error> {
        side!(mut self.revoke_license(id, reason, actor, now))
    }

    /// Signs and records the next revocation list: every revocation so far,
    /// with the sequence after the last published one, or `sequence` when
    /// given (it must be higher). Without `sequence`, a database that never
    /// issued a license or a list with `key` is refused: its list would
    /// restart at a sequence customers holding a later one refuse.
    pub fn publish_revocations(
        &mut self,
        key: &VendorKey,
        sequence: Option<u64>,
        now: Timestamp,
    ) -> Result<RevocationList, Error> {
        side!(mut self.publish_revocations(key, sequence, now))
    }

    /// One issued license, named by its full id or a unique prefix of at
    /// least 8 characters.
    pub fn issued_license(&self, id: &str, now: Timestamp) -> Result<LicenseRecord, Error> {
        side!(self.issued_license(id, now))
    }

    /// The licenses that renew `id`, oldest first.
    pub fn renewals_of(&self, id: &str, now: Timestamp) -> Result<Vec<LicenseRecord>, Error> {
        side!(self.renewals_of(id, now))
    }

    /// The spelling a customer was first recorded with, matched
    /// case-insensitively: `acme` finds `Acme`.
    pub fn customer_spelling(&self, name: &str) -> Result<Option<String>, Error> {
        side!(self.customer_spelling(name))
    }

    /// Names a signing key: licenses issued with it record the name as
    /// `issued_by`. Naming a key again replaces the name.
    pub fn name_vendor_key(
        &mut self,
        key_id: &str,
        name: &str,
        now: Timestamp,
    ) -> Result<(), Error> {
        side!(mut self.name_vendor_key(key_id, name, now))
    }

    /// The name of a signing key, if it was given one.
    pub fn vendor_key_name(&self, key_id: &str) -> Result<Option<String>, Error> {
        side!(self.vendor_key_name(key_id))
    }

    /// Removes installed licenses: the one `id` names (its full id or a
    /// unique prefix of at least 8 characters), or all of them. Returns the
    /// ids removed. The installed revocation list stays.
    pub fn uninstall_licenses(&mut self, id: Option<&str>) -> Result<Vec<String>, Error> {
        side!(mut self.uninstall_licenses(id))
    }

    /// Adds a vendor public key to the keys trusted; returns whether it is
    /// new.
    pub fn trust_key(&mut self, key: &PublicKey, now: Timestamp) -> Result<bool, Error> {
        side!(mut self.trust_key(key, now))
    }

    /// Stops trusting the vendor key `key_id`; returns the number of keys
    /// still trusted, or `None` when the key was not trusted.
    pub fn untrust_key(&mut self, key_id: &str) -> Result<Option<usize>, Error> {
        side!(mut self.untrust_key(key_id))
    }

    /// The vendor keys trusted, oldest first.
    pub fn trusted_keys(&self) -> Result<Vec<PublicKey>, Error> {
        side!(self.trusted_keys())
    }

    /// Stores a verified license; returns whether it is new.
    pub fn install_license(&mut self, license: &License, now: Timestamp) -> Result<bool, Error> {
        side!(mut self.install_license(license, now))
    }

    /// The licenses installed, latest first.
    pub fn installed_licenses(&self) -> Result<Vec<InstalledLicense>, Error> {
        side!(self.installed_licenses())
    }

    /// Installs a verified revocation list. Only a list with a higher
    /// sequence replaces the installed one; the comparison happens inside
    /// the write transaction, so two concurrent installs cannot go
    /// backwards.
    pub fn install_revocations(
        &mut self,
        list: &RevocationList,
        now: Timestamp,
    ) -> Result<RevocationsInstall, Error> {
        side!(mut self.install_revocations(list, now))
    }

    /// The installed revocation list's text, if any.
    pub fn installed_revocations(&self) -> Result<Option<String>, Error> {
        side!(self.installed_revocations())
    }

    /// The latest time the clock guard has seen.
    pub fn latest_seen(&self) -> Result<Option<Timestamp>, Error> {
        side!(self.latest_seen())
    }

    /// The clock guard: refuses a clock more than
    /// [`CLOCK_GUARD`](caio_core::license::CLOCK_GUARD) behind the latest
    /// time seen.
    pub fn check_clock(&self, now: Timestamp) -> Result<(), Error> {
        side!(self.check_clock(now))
    }

    /// Records `now` as seen when it is later than the latest time seen (at
    /// most once a minute, so routing does not write on every call).
    pub fn record_seen(&mut self, now: Timestamp) -> Result<(), Error> {
        side!(mut self.record_seen(now))
    }

    /// Sets the latest time seen to `to`, even backwards.
    pub fn reset_seen(&mut self, to: Timestamp) -> Result<(), Error> {
        side!(mut self.reset_seen(to))
    }
}
