//! The store's errors: what went wrong with the home, its database or a
//! record in it. Most are state errors (exit 5); the rest name something the
//! user asked for that the store refuses.

use miette::Diagnostic;
use std::path::PathBuf;

/// Errors of the home and its database.
#[derive(Debug, thiserror::Error, Diagnostic)]
pub enum Error {
    #[error("cannot determine where caio keeps its state")]
    #[diagnostic(
        code(caio::no_home),
        help("pass --home DIR, or set CAIO_HOME, XDG_DATA_HOME or HOME")
    )]
    NoHome,

    #[error("cannot use {} as the caio home: {reason}", path.display())]
    #[diagnostic(
        code(caio::home),
        help("choose another directory with --home DIR or CAIO_HOME, or fix its permissions")
    )]
    Home { path: PathBuf, reason: String },

    #[error("no registry at {}", path.display())]
    #[diagnostic(
        code(caio::no_registry),
        help(
            "run `caio registry add <contracts>` first, or pass --home to point at an existing home"
        )
    )]
    NoRegistry { path: PathBuf },

    #[error("{}: {reason}", path.display())]
    #[diagnostic(code(caio::store))]
    Store {
        path: PathBuf,
        reason: String,
        #[help]
        help: &'static str,
    },

    #[error("{} has schema version {found}; this caio understands up to {supported}", path.display())]
    #[diagnostic(
        code(caio::newer_schema),
        help("a newer caio wrote this database: upgrade caio, or use another --home")
    )]
    NewerSchema {
        path: PathBuf,
        found: i64,
        supported: i64,
    },

    #[error("no service `{id}` in the registry")]
    #[diagnostic(code(caio::unknown_service))]
    UnknownService {
        id: String,
        #[help]
        help: String,
    },

    #[error("{service_id} has no version {version}")]
    #[diagnostic(code(caio::unknown_version))]
    UnknownVersion {
        service_id: String,
        version: String,
        #[help]
        help: String,
    },

    #[error("nothing was stored: {} contract(s) refused", refusals.len())]
    #[diagnostic(
        code(caio::registry_add),
        help(
            "fix the refusals above and run the same `caio registry add` again; it is all or nothing"
        )
    )]
    AddRefused {
        #[related]
        refusals: Vec<ContractRefusal>,
    },

    #[error("principal `{name}` already exists")]
    #[diagnostic(
        code(caio::principal_exists),
        help("choose another name; names are never reused, so past decisions stay unambiguous")
    )]
    PrincipalExists { name: String },

    #[error("no principal `{name}`")]
    #[diagnostic(
        code(caio::unknown_principal),
        help("`caio principal list` shows the principals")
    )]
    UnknownPrincipal { name: String },

    #[error("cannot use the key file {}: {reason}", path.display())]
    #[diagnostic(
        code(caio::key),
        help(
            "the key files in the caio home's keys/ directory must be regular files that only their owner can read (mode 0600)"
        )
    )]
    Key { path: PathBuf, reason: String },

    #[error("the contracts price in several currencies: {}", currencies.join(", "))]
    #[diagnostic(
        code(caio::currency),
        help(
            "routing compares costs, so one set of contracts uses one currency; convert the prices"
        )
    )]
    MixedCurrencies { currencies: Vec<String> },

    #[error("cannot issue this license: {reason}")]
    #[diagnostic(
        code(caio::license::issue),
        help("check --customer, --features, --not-before and --expires")
    )]
    LicenseRequest { reason: String },

    #[error("no issued license `{id}`")]
    #[diagnostic(code(caio::license::unknown))]
    UnknownLicense {
        id: String,
        #[help]
        help: String,
    },

    #[error("revocation list #{offered} is not newer than the installed list #{installed}")]
    #[diagnostic(
        code(caio::license::revocations_not_newer),
        help(
            "an installed revocation list is only replaced by one with a higher sequence; get the vendor's latest list"
        )
    )]
    RevocationsNotNewer { installed: u64, offered: u64 },

    #[error(
        "the system clock ({now}) is more than 24 hours behind the latest time caio has seen ({latest}): the clock was set back"
    )]
    #[diagnostic(
        code(caio::license::clock_tampered),
        help("set the system clock to the correct time (NTP) and retry")
    )]
    ClockTampered { now: String, latest: String },
}

impl Error {
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
        )
    }
}

/// Why `registry add` refused one contract.
#[derive(Debug, thiserror::Error, Diagnostic)]
#[error("{path}: {message}")]
#[diagnostic(code(caio::registry_refused))]
pub struct ContractRefusal {
    pub path: String,
    pub message: String,
    #[help]
    pub help: String,
}
