//! Dynamic shell completion: the scripts in `completions/` call `caio`
//! itself (`CAIO_COMPLETE=<shell> caio -- <words>`), so subcommands and
//! flags always match this binary, and the values that live in a home —
//! service ids, principal names, decision ids, license ids — are completed
//! from it.
//!
//! Completion only reads: a missing or unreadable home completes nothing,
//! and no error is ever printed into the shell.

use caio_store::home::{Home, HomeEnv};
use caio_store::pg::DatabaseUrl;
use caio_store::{Database, Store, StoreOptions};
use clap_complete::engine::CompletionCandidate;
use std::ffi::OsString;
use std::path::PathBuf;
use std::time::Duration;

/// The environment variable that asks `caio` for completions.
pub const VAR: &str = "CAIO_COMPLETE";

/// How long completion waits for a database another caio holds.
const BUSY: Duration = Duration::from_millis(200);

/// At most this many decision ids are offered, newest first.
const DECISIONS: usize = 200;

/// The home the command line being completed names: its `--home DIR`, else
/// `CAIO_HOME`, else the default.
fn home() -> Option<Home> {
    let args: Vec<OsString> = std::env::args_os().collect();
    let mut given: Option<PathBuf> = None;
    let mut it = args.iter().skip_while(|a| *a != "--").skip(1);
    while let Some(arg) = it.next() {
        let text = arg.to_string_lossy();
        if text == "--home" {
            given = it.next().map(PathBuf::from);
        } else if let Some(dir) = text.strip_prefix("--home=") {
            given = Some(PathBuf::from(dir));
        }
    }
    let given = given.or_else(|| {
        std::env::var_os("CAIO_HOME")
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    });
    Home::resolve(given.as_deref(), &HomeEnv::from_process()).ok()
}

/// The store, when there is one; completion never creates it. With
/// `CAIO_DATABASE_URL`, the fleet's database, given 2 s to answer.
fn store() -> Option<Store> {
    let home = home()?;
    let url = std::env::var("CAIO_DATABASE_URL")
        .ok()
        .filter(|v| !v.is_empty());
    let Some(mut url) = url else {
        if !home.db_path().is_file() {
            return None;
        }
        return Store::open_existing(&home, BUSY).ok();
    };
    if !url.contains("connect_timeout=") {
        url.push(if url.contains('?') { '&' } else { '?' });
        url.push_str("connect_timeout=2");
    }
    let options = StoreOptions {
        database: Database::Postgres(DatabaseUrl::parse(&url).ok()?),
        busy_timeout: BUSY,
    };
    Store::open_existing_with(&home, &options).ok()
}

fn candidate(value: &str, help: String) -> CompletionCandidate {
    CompletionCandidate::new(value).help(Some(help.into()))
}

/// Registered service ids, with their status and version.
pub fn services() -> Vec<CompletionCandidate> {
    let Some(store) = store() else {
        return Vec::new();
    };
    store
        .list_services(&caio_store::registry::ListFilter::default())
        .unwrap_or_default()
        .iter()
        .map(|s| {
            candidate(
                &s.service_id,
                format!("{} {}", s.status.as_str(), s.version),
            )
        })
        .collect()
}

/// Principal names whose token is not revoked, with tenant and trust.
pub fn principals() -> Vec<CompletionCandidate> {
    let Some(store) = store() else {
        return Vec::new();
    };
    store
        .list_principals()
        .unwrap_or_default()
        .iter()
        .filter(|p| p.revoked_at.is_none())
        .map(|p| {
            use caio_core::contract::Trust;
            let tenant = p.tenant.as_deref().unwrap_or("no tenant");
            let trust = match p.trust {
                Trust::Low => "low",
                Trust::Medium => "medium",
                Trust::High => "high",
            };
            candidate(&p.name, format!("{tenant}, trust {trust}"))
        })
        .collect()
}

/// Recent decision ids, newest first, with seq, outcome and services.
pub fn decisions() -> Vec<CompletionCandidate> {
    let Some(store) = store() else {
        return Vec::new();
    };
    let filter = caio_store::traces::TraceFilter {
        limit: Some(DECISIONS),
        ..caio_store::traces::TraceFilter::default()
    };
    store
        .list_traces(&filter)
        .unwrap_or_default()
        .iter()
        .map(|t| {
            candidate(
                &t.decision_id,
                format!("seq {} {} {}", t.seq, t.outcome, t.services),
            )
        })
        .collect()
}

/// Licenses issued from this home, with customer and validity.
pub fn issued_licenses() -> Vec<CompletionCandidate> {
    let Some(store) = store() else {
        return Vec::new();
    };
    let filter = caio_store::licenses::LicenseFilter::default();
    store
        .list_licenses(&filter, jiff::Timestamp::now())
        .unwrap_or_default()
        .iter()
        .map(|l| {
            candidate(
                &l.id,
                format!("{}, through {}, {}", l.customer, l.valid_through, l.status),
            )
        })
        .collect()
}

/// Licenses installed on this instance.
pub fn installed_licenses() -> Vec<CompletionCandidate> {
    let Some(store) = store() else {
        return Vec::new();
    };
    store
        .installed_licenses()
        .unwrap_or_default()
        .iter()
        .map(|l| candidate(&l.id, format!("installed {}", l.installed_at)))
        .collect()
}
