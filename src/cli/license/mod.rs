//! `caio license keygen|issue|verify|list|revoke|revocations|install|trust|status`,
//! and the feature check other commands call before they work.

use super::{GlobalArgs, busy_timeout, open_store, resolve_home};
use crate::app::license_gate::{self as enforce, Status};
use crate::app::vendor_keys;
use crate::error::{Error, Exit};
use crate::ui::{Schema, Ui};
use caio_core::license::claims::{self, NewLicense};
use caio_core::license::keys::{self, KeySource, PublicKey, TrustedKeys};
use caio_core::license::revocation::{self, RevocationList};
use caio_core::license::{Claims, Feature, License, Refusal, Standing};
use caio_store::Store;
use caio_store::home::Home;
use caio_store::licenses::{LicenseFilter, LicenseRecord, LicenseStatus, RevocationsInstall};
use clap::Subcommand;
use jiff::Timestamp;
use jiff::civil::Date;
use serde::Serialize;
use std::path::{Path, PathBuf};

const ISSUE_HELP: &str = "\
--expires 2027-12-31 means valid through the end of that day in UTC (stored as the \
exclusive instant 2028-01-01T00:00:00Z), whatever the local time zone. Without \
--not-before the license starts now. Past dates are accepted (for tests and re-issues). \
Every license issued is recorded in the home's database (`caio license list`).";

const INSTALL_HELP: &str = "\
A license is verified before it is stored (its signature with a trusted vendor key, its \
dates, the installed revocation list). A revocation list only replaces the installed one \
when its sequence number is higher.";

mod install;
mod issue;
mod trust;
mod verify;
use install::*;
use issue::*;
use trust::*;
use verify::*;

#[derive(Debug, Subcommand)]
pub enum LicenseCommand {
    /// Create a vendor signing key: vendor.key (mode 0600), vendor.pub, vendor.pub.pem
    Keygen {
        /// Directory to write the three files into (created if missing; nothing is overwritten)
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
    },

    /// Sign a license, record it, and print it
    #[command(after_help = ISSUE_HELP)]
    Issue {
        /// Customer name, as it appears in the license
        #[arg(long, value_name = "NAME")]
        customer: String,
        /// Features granted, comma-separated
        #[arg(
            long,
            value_enum,
            value_delimiter = ',',
            required = true,
            value_name = "FEATURES"
        )]
        features: Vec<Feature>,
        /// Last valid day (UTC), e.g. 2027-12-31
        #[arg(long, value_name = "DATE", value_parser = parse_date)]
        expires: Date,
        /// First valid day (UTC) [default: now]
        #[arg(long, value_name = "DATE", value_parser = parse_date)]
        not_before: Option<Date>,
        /// Seats bought (recorded in the license; caio does not count seats)
        #[arg(long, value_name = "N", default_value_t = 1,
              value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
        seats: u64,
        /// Signing key [default: keys/vendor.key in the caio home]
        #[arg(long, value_name = "FILE")]
        key: Option<PathBuf>,
    },

    /// Check a license (format, signature, dates, revocation) and show its claims
    #[command(after_help = "Exit status: 0 valid, 1 refused (the message says why).")]
    Verify {
        #[command(flatten)]
        input: LicenseInput,
        /// Verify with this public key (vendor.pub or vendor.pub.pem) instead of the trusted keys
        #[arg(long, value_name = "FILE")]
        public_key: Option<PathBuf>,
        /// Check against this revocation list [default: the installed one]
        #[arg(long, value_name = "FILE")]
        revocations: Option<PathBuf>,
    },

    /// List issued licenses, soonest expiry first
    List {
        /// Only this customer's licenses (case-insensitive)
        #[arg(long, value_name = "NAME")]
        customer: Option<String>,
        /// Only licenses with this status
        #[arg(long, value_enum, value_name = "STATUS")]
        status: Option<LicenseStatus>,
        /// Only active licenses expiring within this window: 30d, 4w, 12h
        #[arg(long, value_name = "WINDOW", value_parser = parse_window)]
        expiring_within: Option<jiff::SignedDuration>,
    },

    /// Revoke an issued license (customers learn it from the next revocation list)
    Revoke {
        /// The license id (or a unique prefix of at least 8 characters)
        #[arg(value_name = "LICENSE_ID")]
        license_id: String,
        /// Why, kept in the vendor's records (not published)
        #[arg(long, value_name = "TEXT")]
        reason: String,
    },

    /// Sign and print the revocation list: every revoked license, next sequence number
    Revocations {
        /// Signing key [default: keys/vendor.key in the caio home]
        #[arg(long, value_name = "FILE")]
        key: Option<PathBuf>,
    },

    /// Install a license and/or a revocation list on this instance
    #[command(after_help = INSTALL_HELP)]
    Install {
        #[command(flatten)]
        input: InstallInput,
        /// A revocation list to install (from `caio license revocations`)
        #[arg(long, value_name = "FILE")]
        revocations: Option<PathBuf>,
    },

    /// Trust a vendor public key; from then on `caio route` needs a license
    Trust {
        /// vendor.pub or vendor.pub.pem
        #[arg(value_name = "FILE")]
        file: PathBuf,
    },

    /// Stop trusting a vendor key (a retired or compromised one); licenses it signed stop counting
    Untrust {
        /// The key id, as `caio license status` shows it (16 hex characters)
        #[arg(value_name = "KEY_ID")]
        key_id: String,
    },

    /// Show installed licenses, days left, grace state and the revocation list
    Status,
}

/// A license given as an argument or in a file.
#[derive(Debug, clap::Args)]
#[group(required = true, multiple = false)]
pub struct LicenseInput {
    /// The license text (caio-lic-v1.…)
    #[arg(value_name = "LICENSE")]
    license: Option<String>,
    /// Read the license from this file (`-` for stdin)
    #[arg(long, value_name = "F")]
    file: Option<PathBuf>,
}

/// `install`'s license, optional when a revocation list is given.
#[derive(Debug, clap::Args)]
#[group(required = false, multiple = false)]
pub struct InstallInput {
    /// The license text (caio-lic-v1.…)
    #[arg(value_name = "LICENSE", required_unless_present_any = ["file", "revocations"])]
    license: Option<String>,
    /// Read the license from this file (`-` for stdin)
    #[arg(long, value_name = "F")]
    file: Option<PathBuf>,
}

/// `2027-12-31`, and only that form.
fn parse_date(s: &str) -> Result<Date, String> {
    let shaped = s.len() == 10
        && s.bytes().enumerate().all(|(i, b)| {
            if i == 4 || i == 7 {
                b == b'-'
            } else {
                b.is_ascii_digit()
            }
        });
    let date = if shaped { s.parse::<Date>().ok() } else { None };
    date.ok_or_else(|| format!("`{s}` is not a date like 2027-12-31"))
}

/// `30d`, `4w`, `12h`; a bare number is days.
fn parse_window(s: &str) -> Result<jiff::SignedDuration, String> {
    let bad = || format!("`{s}` is not a window like 30d, 4w or 12h");
    let (number, hours) = match s.char_indices().last() {
        Some((i, 'd')) => (&s[..i], 24),
        Some((i, 'w')) => (&s[..i], 24 * 7),
        Some((i, 'h')) => (&s[..i], 1),
        _ => (s, 24),
    };
    let n: i64 = number.parse().map_err(|_| bad())?;
    if !(0..=100_000).contains(&n) {
        return Err(bad());
    }
    Ok(jiff::SignedDuration::from_hours(n * hours))
}

pub fn run(cmd: LicenseCommand, global: &GlobalArgs, ui: &mut Ui) -> Result<Exit, Error> {
    let now = Timestamp::now();
    match cmd {
        LicenseCommand::Keygen { out } => keygen(&out, ui),
        LicenseCommand::Issue {
            customer,
            features,
            expires,
            not_before,
            seats,
            key,
        } => {
            let home = resolve_home(global)?;
            let key = vendor_keys::load_vendor_key(&key_path(&home, key))?;
            let not_before = match not_before {
                Some(day) => caio_core::license::start_of(day),
                None => Ok(now),
            }
            .map_err(|reason| Error::from(caio_store::Error::LicenseRequest { reason }))?;
            let expires_at = caio_core::license::expiry_of(expires)
                .map_err(|reason| Error::from(caio_store::Error::LicenseRequest { reason }))?;
            let new = NewLicense {
                customer: &customer,
                features: &features,
                seats,
                not_before,
                expires_at,
            };
            let mut random = [0u8; 16];
            getrandom::fill(&mut random).map_err(|e| {
                Error::from(caio_store::Error::LicenseRequest {
                    reason: format!("the operating system's random generator failed: {e}"),
                })
            })?;
            let id = claims::id_from(&random);
            let license = claims::issue(&new, id, now, &key)
                .map_err(|reason| Error::from(caio_store::Error::LicenseRequest { reason }))?;
            let mut store = open_store(&home)?;
            store.record_license(&license, &super::registry::change().actor, now)?;
            issued(&license, &store, now, ui)
        }
        LicenseCommand::Verify {
            input,
            public_key,
            revocations,
        } => verify(global, input, public_key, revocations, now, ui),
        LicenseCommand::List {
            customer,
            status,
            expiring_within,
        } => {
            let filter = LicenseFilter {
                customer,
                status,
                expiring_within,
            };
            let licenses = match existing_store(global)? {
                Some(store) => store.list_licenses(&filter, now)?,
                None => Vec::new(),
            };
            list(&licenses, ui)
        }
        LicenseCommand::Revoke { license_id, reason } => {
            let Some(mut store) = existing_store(global)? else {
                return Err(Error::from(caio_store::Error::UnknownLicense {
                    id: license_id,
                    help: "no license was issued from this caio home; pass --home to point at the sales-ops home".into(),
                }));
            };
            let change = super::registry::change();
            let r = store.revoke_license(&license_id, &reason, &change.actor, now)?;
            if ui.is_json() {
                ui.json(Schema::LicenseRevoke, &r)?;
            } else if r.changed {
                ui.line(format_args!(
                    "revoked license {} ({}): {}",
                    r.id, r.customer, r.reason
                ))?;
                ui.status(
                    "customers learn it from the next revocation list: \
                     `caio license revocations --key vendor.key > revocations.caio`",
                );
            } else {
                ui.line(format_args!(
                    "license {} ({}) was already revoked on {}: {}",
                    r.id, r.customer, r.revoked_at, r.reason
                ))?;
            }
            Ok(Exit::Success)
        }
        LicenseCommand::Revocations { key } => {
            let home = resolve_home(global)?;
            let key = vendor_keys::load_vendor_key(&key_path(&home, key))?;
            let mut store = open_store(&home)?;
            let list = store.publish_revocations(&key, now)?;
            if ui.is_json() {
                ui.json(
                    Schema::LicenseRevocations,
                    &RevocationsJson {
                        sequence: list.sequence(),
                        issued_at: &list.claims.issued_at,
                        key_id: &list.claims.key_id,
                        revoked: &list.claims.revoked,
                        revocation_list: &list.text,
                    },
                )?;
            } else {
                ui.line(&list.text)?;
                ui.status(format_args!(
                    "revocation list #{}: {} revoked license(s), signed with key {}; customers \
                     install it with `caio license install --revocations FILE`",
                    list.sequence(),
                    list.claims.revoked.len(),
                    list.claims.key_id
                ));
            }
            Ok(Exit::Success)
        }
        LicenseCommand::Install { input, revocations } => {
            install(global, input, revocations.as_deref(), now, ui)
        }
        LicenseCommand::Trust { file } => trust(global, &file, now, ui),
        LicenseCommand::Untrust { key_id } => untrust(global, &key_id, ui),
        LicenseCommand::Status => {
            let home = resolve_home(global).ok();
            let embedded = vendor_keys::embedded_keys()?;
            let status = enforce::status(home.as_ref(), &embedded, busy_timeout(), now)?;
            show_status(&status, ui)
        }
    }
}

/// Requires `feature` before a command does its work (SPEC §10); prints the
/// grace-period warning, if any. Without a trusted vendor key it does nothing.
pub fn require(global: &GlobalArgs, feature: Feature) -> Result<Vec<String>, Error> {
    let home = resolve_home(global).ok();
    enforce::require(home.as_ref(), busy_timeout(), feature, Timestamp::now())
}

/// `--key FILE`, or `keys/vendor.key` in the home.
fn key_path(home: &Home, key: Option<PathBuf>) -> PathBuf {
    key.unwrap_or_else(|| home.keys_dir().join(keys::PRIVATE_FILE))
}

/// The text of a license or revocation list: an argument, a file, or stdin
/// (`-`), without surrounding whitespace (a file ends with a newline).
fn read_text(
    what: &'static str,
    text: Option<String>,
    file: Option<&Path>,
) -> Result<Option<String>, Error> {
    use caio_store::files;
    // An envelope is at most MAX_LEN bytes; a little more lets the parser
    // say "too long" rather than the reader.
    let limit = caio_core::license::envelope::MAX_LEN as u64 + 1;
    let fail = |path: &Path, e: files::ReadFailure| Error::LicenseInput {
        what,
        path: path.display().to_string(),
        reason: e.to_string(),
    };
    let text = match (text, file) {
        (Some(text), _) => text,
        (None, Some(path)) if path == Path::new("-") => {
            let bytes = files::read_stdin_bounded(limit).map_err(|e| fail(path, e))?;
            String::from_utf8(bytes).map_err(|_| {
                fail(
                    path,
                    files::ReadFailure::Io(std::io::ErrorKind::InvalidData.into()),
                )
            })?
        }
        (None, Some(path)) => files::read_bounded_text(path, limit).map_err(|e| fail(path, e))?,
        (None, None) => return Ok(None),
    };
    Ok(Some(text.trim().to_string()))
}

/// The home's database if it exists (verify and status never create one).
fn existing_store(global: &GlobalArgs) -> Result<Option<Store>, Error> {
    match resolve_home(global) {
        Ok(home) if home.db_path().is_file() => {
            Ok(Some(Store::open_existing(&home, busy_timeout())?))
        }
        _ => Ok(None),
    }
}

#[derive(Serialize)]
struct RevocationsJson<'a> {
    sequence: u64,
    issued_at: &'a str,
    key_id: &'a str,
    revoked: &'a [revocation::RevokedLicense],
    revocation_list: &'a str,
}
