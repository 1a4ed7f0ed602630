//! `caio license keygen|issue|renew|show|verify|list|revoke|revocations|install|uninstall|trust|status`,
//! and the feature check other commands call before they work.

use super::{GlobalArgs, open_store, resolve_home, store_options};
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
use clap_complete::ArgValueCandidates;
use jiff::Timestamp;
use serde::Serialize;
use std::path::{Path, PathBuf};

const ISSUE_HELP: &str = "\
Dates: --expires 2027-12-31 means valid through the end of that day in UTC (stored as the \
exclusive instant 2028-01-01T00:00:00Z), whatever the local time zone; an RFC 3339 time \
(2027-12-31T12:00:00Z) is that exact instant; 30d or +30d (or 52w) is that many days from \
today, through the end of that day. Without --not-before the license starts now. Past dates \
are accepted (for tests and re-issues). A customer already on record is matched \
case-insensitively and keeps the spelling it was first recorded with. Every license issued \
is recorded in the home's database (`caio license list`), with the name of the signing key \
as `issued_by`.";

const ID_HELP: &str = "\
A license is named by its full id (32 hex characters, as `caio license list` shows) or by a \
prefix of at least 8 of them that only one license starts with.";

const REVOCATIONS_HELP: &str = "\
The list carries every revocation recorded in this home and the sequence after the last list \
published from it; customers only install a list with a higher sequence than theirs. A home \
that never issued a license or a list with the key refuses to sign (its list would restart \
at #1, which customers holding a later list refuse) unless --sequence N says which number \
to use.";

const INSTALL_HELP: &str = "\
A license is verified before it is stored (its signature with a trusted vendor key, its \
dates, the installed revocation list). A revocation list only replaces the installed one \
when its sequence number is higher.";

mod install;
mod issue;
mod show;
mod trust;
mod verify;
mod when;
use install::*;
use issue::*;
use show::*;
use trust::*;
use verify::*;
use when::{When, parse_when};

#[derive(Debug, Subcommand)]
pub enum LicenseCommand {
    /// Create a vendor signing key: vendor.key (mode 0600), vendor.pub, vendor.pub.pem
    Keygen {
        /// Directory to write the three files into (created mode 0700 if missing; nothing is
        /// overwritten) [default: keys/ in the caio home, where `issue` looks]
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
        /// Who issues licenses with this key, recorded as `issued_by` of each
        /// [default: the operating-system user]
        #[arg(long, value_name = "NAME")]
        name: Option<String>,
    },

    /// Sign a license, record it, and print it
    #[command(after_help = ISSUE_HELP)]
    Issue {
        /// Customer name, as it appears in the license (matched case-insensitively with the
        /// customers on record)
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
        /// Last valid day (UTC) like 2027-12-31, an RFC 3339 time, or days from today like 365d
        #[arg(long, value_name = "DATE", value_parser = parse_when)]
        expires: When,
        /// First valid day (UTC), an RFC 3339 time, or days from today [default: now]
        #[arg(long, value_name = "DATE", value_parser = parse_when)]
        not_before: Option<When>,
        /// Seats bought (recorded in the license; caio does not count seats)
        #[arg(long, value_name = "N", default_value_t = 1,
              value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
        seats: u64,
        /// Signing key [default: keys/vendor.key in the caio home]
        #[arg(long, value_name = "FILE")]
        key: Option<PathBuf>,
    },

    /// Issue a renewal: a new license for the same customer, linked to the one it renews
    #[command(after_help = format!("{ID_HELP}\n\n{ISSUE_HELP}"))]
    Renew(RenewArgs),

    /// Show a license: its claims, where it stands, and its history (issued, renewed, revoked)
    #[command(after_help = format!("{ID_HELP} A license text (caio-lic-v1.…) is decoded and its signature checked with the keys this home knows.\n\nExit status: 0 shown, 1 unknown id or unreadable license."))]
    Show {
        /// A license id (or prefix) issued from this home, or a license text
        #[arg(
            value_name = "LICENSE_ID|LICENSE",
            add = ArgValueCandidates::new(super::complete::issued_licenses)
        )]
        license: String,
    },

    /// Check a license (format, signature, dates, revocation) and show its claims
    #[command(
        after_help = "An expired license within its 14-day grace period is honoured, as `caio route` \
honours it: it is reported as \"expired — in grace until …\" (exit 0, with a warning).\n\n\
Exit status: 0 valid (or in grace), 1 refused (the message says why)."
    )]
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
    #[command(after_help = ID_HELP)]
    Revoke {
        /// The license id, or a unique prefix of at least 8 of its 32 hex characters
        #[arg(value_name = "LICENSE_ID", add = ArgValueCandidates::new(super::complete::issued_licenses))]
        license_id: String,
        /// Why, kept in the vendor's records (not published)
        #[arg(long, value_name = "TEXT")]
        reason: String,
    },

    /// Sign and print the revocation list: every revoked license, next sequence number
    #[command(after_help = REVOCATIONS_HELP)]
    Revocations {
        /// Signing key [default: keys/vendor.key in the caio home]
        #[arg(long, value_name = "FILE")]
        key: Option<PathBuf>,
        /// The list's sequence number, above every list published before (only needed from a
        /// home that never issued with the key)
        #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..=(1u64 << 53)))]
        sequence: Option<u64>,
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

    /// Remove installed licenses from this instance: the one named, or all of them
    #[command(
        after_help = "The installed revocation list stays. With a trusted vendor key, \
licensed commands refuse to work once no valid license is left."
    )]
    Uninstall {
        /// The installed license to remove (full id or a unique prefix of at least 8
        /// characters) [default: every installed license]
        #[arg(
            value_name = "LICENSE_ID",
            add = ArgValueCandidates::new(super::complete::installed_licenses)
        )]
        license_id: Option<String>,
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

/// `license renew`'s arguments.
#[derive(Debug, clap::Args)]
pub struct RenewArgs {
    /// The license to renew
    #[arg(value_name = "LICENSE_ID", add = ArgValueCandidates::new(super::complete::issued_licenses))]
    license_id: String,
    /// Last valid day (UTC) like 2028-12-31, an RFC 3339 time, or days from today like +365d
    #[arg(long, value_name = "DATE", value_parser = parse_when)]
    expires: When,
    /// First valid day of the renewal [default: now]
    #[arg(long, value_name = "DATE", value_parser = parse_when)]
    not_before: Option<When>,
    /// Features granted [default: those of the license renewed]
    #[arg(long, value_enum, value_delimiter = ',', value_name = "FEATURES")]
    features: Option<Vec<Feature>>,
    /// Seats bought [default: those of the license renewed]
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
    seats: Option<u64>,
    /// Signing key [default: keys/vendor.key in the caio home]
    #[arg(long, value_name = "FILE")]
    key: Option<PathBuf>,
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
        LicenseCommand::Keygen { out, name } => keygen(global, out, name, now, ui),
        LicenseCommand::Issue {
            customer,
            features,
            expires,
            not_before,
            seats,
            key,
        } => {
            let request = Issue {
                customer: &customer,
                features: &features,
                expires,
                not_before,
                seats,
                renews: None,
            };
            issue(global, &request, key, now, ui)
        }
        LicenseCommand::Renew(args) => renew(global, args, now, ui),
        LicenseCommand::Show { license } => show(global, &license, now, ui),
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
                id: None,
                customer,
                status,
                expiring_within,
            };
            let licenses = match existing_store(global)? {
                Some(store) => store.list_licenses(&filter, now)?,
                None => Vec::new(),
            };
            list(&licenses, now, ui)
        }
        LicenseCommand::Revoke { license_id, reason } => {
            let Some(mut store) = existing_store(global)? else {
                return Err(Error::from(caio_store::Error::UnknownLicense {
                    among: "issued",
                    id: license_id,
                    help: "no license was issued from this caio home; pass --home to point at the sales-ops home".into(),
                }));
            };
            let actor = vendor_actor(global, &store)?;
            let r = store.revoke_license(&license_id, &reason, &actor, now)?;
            if ui.is_json() {
                ui.json(Schema::LicenseRevoke, &r)?;
            } else if r.changed {
                ui.line(format_args!(
                    "revoked license {} ({}): {}",
                    r.id, r.customer, r.reason
                ))?;
                ui.status(
                    "customers learn it from the next revocation list: \
                     `caio license revocations > revocations.caio`",
                );
            } else {
                ui.line(format_args!(
                    "license {} ({}) was already revoked on {}: {}",
                    r.id, r.customer, r.revoked_at, r.reason
                ))?;
            }
            Ok(Exit::Success)
        }
        LicenseCommand::Revocations { key, sequence } => {
            let home = resolve_home(global)?;
            let key = vendor_keys::load_vendor_key(&key_path(&home, key))?;
            let mut store = open_store(global, &home)?;
            let list = store.publish_revocations(&key, sequence, now)?;
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
                    "revocation list #{}: {}, signed with key {}; customers \
                     install it with `caio license install --revocations FILE`",
                    list.sequence(),
                    crate::ui::count(
                        list.claims.revoked.len(),
                        "revoked license",
                        "revoked licenses"
                    ),
                    list.claims.key_id
                ));
            }
            Ok(Exit::Success)
        }
        LicenseCommand::Install { input, revocations } => {
            install(global, input, revocations.as_deref(), now, ui)
        }
        LicenseCommand::Uninstall { license_id } => uninstall(global, license_id.as_deref(), ui),
        LicenseCommand::Trust { file } => trust(global, &file, now, ui),
        LicenseCommand::Untrust { key_id } => untrust(global, &key_id, ui),
        LicenseCommand::Status => {
            let home = resolve_home(global).ok();
            let embedded = vendor_keys::embedded_keys()?;
            let status = enforce::status(home.as_ref(), &embedded, &store_options(global)?, now)?;
            show_status(&status, ui)
        }
    }
}

/// Requires each of `features` before a command does its work (SPEC §10);
/// returns the grace-period warnings, if any. Without a trusted vendor key
/// it does nothing.
pub fn require(global: &GlobalArgs, features: &[Feature]) -> Result<Vec<String>, Error> {
    let home = resolve_home(global).ok();
    enforce::require(
        home.as_ref(),
        &store_options(global)?,
        features,
        Timestamp::now(),
    )
}

/// [`require`] in the store a command has opened already.
pub fn require_in(store: &mut Store, features: &[Feature]) -> Result<Vec<String>, Error> {
    enforce::require_in(
        Some(store),
        &vendor_keys::embedded_keys()?,
        features,
        Timestamp::now(),
    )
}

/// Who acts for the vendor in this home, for its records: the name of the
/// home's signing key (`keygen --name`), else the operating-system user.
fn vendor_actor(global: &GlobalArgs, store: &Store) -> Result<String, Error> {
    let own = resolve_home(global)
        .ok()
        .map(|h| h.keys_dir().join(keys::PUBLIC_FILE))
        .filter(|p| p.is_file())
        .and_then(|p| vendor_keys::load_public_key(&p).ok());
    if let Some(key) = own
        && let Some(name) = store.vendor_key_name(key.key_id())?
    {
        return Ok(name);
    }
    Ok(super::registry::change().actor)
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

/// The store if it exists (verify and status never create one).
fn existing_store(global: &GlobalArgs) -> Result<Option<Store>, Error> {
    match resolve_home(global) {
        Ok(home) => Ok(Store::open_if_exists(&home, &store_options(global)?)?),
        Err(_) => Ok(None),
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
