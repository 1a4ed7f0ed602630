//! The store's errors: what went wrong with the home, its database or a
//! record in it. Most are state errors (exit 5); the rest name something the
//! user asked for that the store refuses.

use miette::Diagnostic;
use std::path::PathBuf;

/// Errors of the home and its database.
#[derive(Debug, thiserror::Error, Diagnostic)]
pub enum Error {
    /// None of `--home`, `CAIO_HOME`, `XDG_DATA_HOME` and `HOME` names a
    /// home.
    #[error("cannot determine where caio keeps its state")]
    #[diagnostic(
        code(caio::no_home),
        help("pass --home DIR, or set CAIO_HOME, XDG_DATA_HOME or HOME")
    )]
    NoHome,

    /// The home or its `keys/` directory cannot be created, or is not a
    /// directory.
    #[error("cannot use {} as the caio home: {reason}", path.display())]
    #[diagnostic(
        code(caio::home),
        help("choose another directory with --home DIR or CAIO_HOME, or fix its permissions")
    )]
    Home {
        /// The directory.
        path: PathBuf,
        /// Why, in words.
        reason: String,
    },

    /// A command that only reads found no database in the home.
    #[error("no registry at {}", path.display())]
    #[diagnostic(
        code(caio::no_registry),
        help(
            "run `caio registry add <contracts>` first, or pass --home to point at an existing home"
        )
    )]
    NoRegistry {
        /// The home.
        path: PathBuf,
    },

    /// SQLite or the file system failed, or the database holds something
    /// that does not read back (it was modified outside caio).
    #[error("{}: {reason}", path.display())]
    #[diagnostic(code(caio::store))]
    Store {
        /// The database, or the file concerned.
        path: PathBuf,
        /// What went wrong.
        reason: String,
        /// What the user can do about it.
        #[help]
        help: &'static str,
    },

    /// The database URL (`--database`, `CAIO_DATABASE_URL`, `--to`) is not
    /// one caio can use. The URL is shown without its password.
    #[error("the database URL {url} cannot be used: {reason}")]
    #[diagnostic(
        code(caio::database_url),
        help(
            "write it as postgres://USER[:PASSWORD]@HOST[:PORT]/DBNAME[?sslmode=verify-full&sslrootcert=FILE]"
        )
    )]
    DatabaseUrl {
        /// The URL, without its password.
        url: String,
        /// What is wrong with it.
        reason: String,
    },

    /// `store migrate` was pointed at a database that already holds caio
    /// state.
    #[error("{url} already holds caio state ({what}); the copy needs an empty database")]
    #[diagnostic(
        code(caio::store_not_empty),
        help(
            "create an empty database (`createdb NAME`) and migrate into it; a fleet database is filled once, from one home"
        )
    )]
    NotEmpty {
        /// The target, without its password.
        url: String,
        /// What it holds, e.g. `12 row(s) in traces`.
        what: String,
    },

    /// A newer caio wrote the database.
    #[error("{} has schema version {found}; this caio understands up to {supported}", path.display())]
    #[diagnostic(
        code(caio::newer_schema),
        help("a newer caio wrote this database: upgrade caio, or use another --home")
    )]
    NewerSchema {
        /// The database file.
        path: PathBuf,
        /// Its schema version (`PRAGMA user_version`).
        found: i64,
        /// The newest this caio knows, [`SCHEMA_VERSION`](crate::SCHEMA_VERSION).
        supported: i64,
    },

    /// No registered service has this id (or it was removed).
    #[error("no service `{id}` in the registry")]
    #[diagnostic(code(caio::unknown_service))]
    UnknownService {
        /// The id asked for.
        id: String,
        /// A similar id, or how to look at the removed service.
        #[help]
        help: String,
    },

    /// The service never had this version.
    #[error("{service_id} has no version {version}")]
    #[diagnostic(code(caio::unknown_version))]
    UnknownVersion {
        /// The service.
        service_id: String,
        /// The version asked for.
        version: String,
        /// The versions it had.
        #[help]
        help: String,
    },

    /// `registry add` stored nothing: some contracts were refused.
    #[error("nothing was stored: {} refused", if refusals.len() == 1 { "1 contract".to_string() } else { format!("{} contracts", refusals.len()) })]
    #[diagnostic(
        code(caio::registry_add),
        help(
            "fix the refusals above and run the same `caio registry add` again; it is all or nothing"
        )
    )]
    AddRefused {
        /// Why each refused contract was refused.
        #[related]
        refusals: Vec<ContractRefusal>,
    },

    /// `principal add` with a name in use (or once used).
    #[error("principal `{name}` already exists")]
    #[diagnostic(
        code(caio::principal_exists),
        help("choose another name; names are never reused, so past decisions stay unambiguous")
    )]
    PrincipalExists {
        /// The name.
        name: String,
    },

    /// No principal has this name.
    #[error("no principal `{name}`")]
    #[diagnostic(
        code(caio::unknown_principal),
        help("`caio principal list` shows the principals")
    )]
    UnknownPrincipal {
        /// The name.
        name: String,
    },

    /// A key file cannot be created, is unreadable, readable by others or
    /// not a key.
    #[error("cannot use the key file {}: {reason}", path.display())]
    #[diagnostic(
        code(caio::key),
        help(
            "the key files in the caio home's keys/ directory must be regular files that only their owner can read (mode 0600)"
        )
    )]
    Key {
        /// The key file.
        path: PathBuf,
        /// Why, in words.
        reason: String,
    },

    /// The contracts of a stateless route price in several currencies.
    #[error("the contracts price in several currencies: {}", currencies.join(", "))]
    #[diagnostic(
        code(caio::currency),
        help(
            "routing compares costs, so one set of contracts uses one currency; convert the prices"
        )
    )]
    MixedCurrencies {
        /// The currencies, sorted.
        currencies: Vec<String>,
    },

    /// A license (or revocation list) cannot be issued as asked.
    #[error("cannot issue this license: {reason}")]
    #[diagnostic(
        code(caio::license::issue),
        help("check --customer, --features, --not-before and --expires")
    )]
    LicenseRequest {
        /// Why, in words.
        reason: String,
    },

    /// No issued (or installed) license has this id, or the prefix names several.
    #[error("no {among} license `{id}`")]
    #[diagnostic(code(caio::license::unknown))]
    UnknownLicense {
        /// `issued` or `installed`.
        among: &'static str,
        /// The id or prefix asked for.
        id: String,
        /// How to find the id, or the licenses the prefix matches.
        #[help]
        help: String,
    },

    /// A license id too short to be a safe prefix, or not an id at all.
    #[error("`{id}` does not name a license: {reason}")]
    #[diagnostic(
        code(caio::license::id),
        help(
            "give the full license id (32 hex characters) or a prefix of at least 8 of them that only one license starts with; `caio license list` shows the ids of issued licenses, `caio license status` those installed"
        )
    )]
    LicenseId {
        /// What was given.
        id: String,
        /// Why it does not name a license.
        reason: String,
    },

    /// A revocation list would be signed from a database with no history
    /// for the key: its sequence would restart, and customers holding a
    /// later list would refuse it.
    #[error(
        "this database has never issued a license or a revocation list with key {key_id}: the list would be #{next}, and a customer holding a later list from the database that did refuses it"
    )]
    #[diagnostic(
        code(caio::license::revocations_history),
        help(
            "sign revocation lists from the sales-ops home that issued the licenses (--home DIR); if this database is that home's successor, pass --sequence N with N above the last list customers hold (`caio license status` shows it)"
        )
    )]
    RevocationsWithoutHistory {
        /// The signing key.
        key_id: String,
        /// The sequence the list would get.
        next: u64,
    },

    /// `--sequence N` not above the lists this database published.
    #[error(
        "revocation list #{asked} would not be newer than list #{last}, already published from this database"
    )]
    #[diagnostic(
        code(caio::license::revocations_sequence),
        help(
            "customers only install a list with a higher sequence than theirs: pass a larger --sequence, or leave it out to get #{last}+1"
        )
    )]
    RevocationsSequence {
        /// The sequence asked for.
        asked: u64,
        /// The highest sequence published from this database.
        last: u64,
    },

    /// A revocation list no newer than the installed one.
    #[error("revocation list #{offered} is not newer than the installed list #{installed}")]
    #[diagnostic(
        code(caio::license::revocations_not_newer),
        help(
            "an installed revocation list is only replaced by one with a higher sequence; get the vendor's latest list"
        )
    )]
    RevocationsNotNewer {
        /// The installed list's sequence.
        installed: u64,
        /// The offered list's sequence.
        offered: u64,
    },

    /// The clock guard: the system clock is more than 24 hours behind the
    /// latest time caio has seen.
    #[error(
        "the system clock ({now}) is more than 24 hours behind the latest time caio has seen ({latest}): the clock was set back"
    )]
    #[diagnostic(
        code(caio::license::clock_tampered),
        help("set the system clock to the correct time (NTP) and retry")
    )]
    ClockTampered {
        /// The system clock, RFC 3339.
        now: String,
        /// The latest time seen, RFC 3339.
        latest: String,
    },
}

impl Error {
    /// A stored contract of the database at `path` that does not read back
    /// as the contract its entry names.
    pub(crate) fn unreadable_contract(
        path: &std::path::Path,
        contract: &caio_core::contract::StoredContract,
    ) -> Error {
        Error::Store {
            path: path.to_path_buf(),
            reason: caio_core::contract::unreadable(contract.service_id(), contract.version()),
            help: "the database was modified outside caio; restore it from a backup",
        }
    }

    /// Whether this is a state error (exit 5): the home or its database is
    /// missing, unreadable, locked or newer than this caio. The others are
    /// refusals of what was asked (exit 1).
    pub fn is_state(&self) -> bool {
        matches!(
            self,
            Error::NoHome
                | Error::Home { .. }
                | Error::NoRegistry { .. }
                | Error::Store { .. }
                | Error::NewerSchema { .. }
                | Error::Key { .. }
                | Error::DatabaseUrl { .. }
                | Error::NotEmpty { .. }
        )
    }
}

/// Why `registry add` refused one contract.
#[derive(Debug, thiserror::Error, Diagnostic)]
#[error("{path}: {message}")]
#[diagnostic(code(caio::registry_refused))]
pub struct ContractRefusal {
    pub(crate) path: String,
    pub(crate) message: String,
    #[help]
    pub(crate) help: String,
}
