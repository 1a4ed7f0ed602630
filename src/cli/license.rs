//! `caio license keygen|issue|verify|list|revoke|revocations|install|trust|status`,
//! and the feature check other commands call before they work.

use super::{GlobalArgs, busy_timeout, open_store, resolve_home};
use crate::app::license_gate::{self as enforce, Status};
use crate::app::vendor_keys;
use crate::error::{Error, Exit};
use crate::ui::Ui;
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
                ui.json(&r)?;
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
                ui.json(&RevocationsJson {
                    sequence: list.sequence(),
                    issued_at: &list.claims.issued_at,
                    key_id: &list.claims.key_id,
                    revoked: &list.claims.revoked,
                    revocation_list: &list.text,
                })?;
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
    use std::io::Read;
    let fail = |path: &Path, e: std::io::Error| Error::LicenseInput {
        what,
        path: path.display().to_string(),
        reason: e.to_string(),
    };
    let text = match (text, file) {
        (Some(text), _) => text,
        (None, Some(path)) if path == Path::new("-") => {
            let mut text = String::new();
            std::io::stdin()
                .take(caio_core::license::envelope::MAX_LEN as u64 + 1)
                .read_to_string(&mut text)
                .map_err(|e| fail(path, e))?;
            text
        }
        (None, Some(path)) => {
            let mut text = String::new();
            std::fs::File::open(path)
                .and_then(|f| {
                    f.take(caio_core::license::envelope::MAX_LEN as u64 + 1)
                        .read_to_string(&mut text)
                })
                .map_err(|e| fail(path, e))?;
            text
        }
        (None, None) => return Ok(None),
    };
    Ok(Some(text.trim().to_string()))
}

fn keygen(out: &Path, ui: &mut Ui) -> Result<Exit, Error> {
    let files = vendor_keys::keygen(out)?;
    if ui.is_json() {
        ui.json(&files)?;
        return Ok(Exit::Success);
    }
    let mut table = ui.table(&[]);
    table.add_row(vec!["key id".to_string(), files.key_id.clone()]);
    table.add_row(vec![
        "private key".to_string(),
        format!(
            "{} (mode 0600: keep it secret)",
            files.private_key.display()
        ),
    ]);
    table.add_row(vec![
        "public key".to_string(),
        files.public_key.display().to_string(),
    ]);
    table.add_row(vec![
        "public key (PEM)".to_string(),
        files.public_key_pem.display().to_string(),
    ]);
    ui.table_out(table)?;
    ui.status(
        "give vendor.pub to customers (`caio license trust vendor.pub`) or build it into caio \
         (CAIO_VENDOR_KEYS); anyone with vendor.key can issue licenses",
    );
    Ok(Exit::Success)
}

#[derive(Serialize)]
struct IssuedJson<'a> {
    license: &'a str,
    claims: &'a Claims,
    valid_through: String,
}

fn issued(license: &License, store: &Store, now: Timestamp, ui: &mut Ui) -> Result<Exit, Error> {
    if now >= license.expires_at {
        ui.warn(format_args!(
            "this license is already expired (valid through {})",
            license.valid_through()
        ));
    }
    if ui.is_json() {
        ui.json(&IssuedJson {
            license: &license.text,
            claims: &license.claims,
            valid_through: license.valid_through(),
        })?;
        return Ok(Exit::Success);
    }
    ui.line(&license.text)?;
    let c = &license.claims;
    ui.status(format_args!(
        "issued license {} to {}: {}; valid {} through {}; recorded in {}",
        c.id,
        c.customer,
        c.features.join(", "),
        &c.not_before[..10],
        license.valid_through(),
        store.path().display()
    ));
    Ok(Exit::Success)
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
struct VerifyJson<'a> {
    valid: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    claims: Option<&'a Claims>,
    #[serde(skip_serializing_if = "Option::is_none")]
    valid_through: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    days_left: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    key: Option<KeyJson>,
    #[serde(skip_serializing_if = "Option::is_none")]
    revocation_list: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    refusal: Option<RefusalJson>,
}

#[derive(Serialize)]
struct KeyJson {
    key_id: String,
    source: KeySource,
}

#[derive(Serialize)]
struct RefusalJson {
    kind: &'static str,
    message: String,
}

fn verify(
    global: &GlobalArgs,
    input: LicenseInput,
    public_key: Option<PathBuf>,
    revocations: Option<PathBuf>,
    now: Timestamp,
    ui: &mut Ui,
) -> Result<Exit, Error> {
    let text = read_text("the license", input.license, input.file.as_deref())?.unwrap_or_default();
    let store = existing_store(global)?;
    let keys = match &public_key {
        Some(path) => TrustedKeys::new([(vendor_keys::load_public_key(path)?, KeySource::Given)]),
        None => enforce::trusted_keys(&vendor_keys::embedded_keys()?, store.as_ref())?,
    };
    if keys.is_empty() {
        return Err(Error::NoTrustedKey);
    }
    let list = match read_text("the revocation list", None, revocations.as_deref())? {
        Some(text) => Some(revocation::decode(&text, &keys)?),
        None => match store
            .as_ref()
            .map(Store::installed_revocations)
            .transpose()?
        {
            Some(Some(text)) => Some(revocation::decode(&text, &keys)?),
            _ => None,
        },
    };
    let verified = claims::decode(&text, &keys)
        .and_then(|license| license.check(now, list.as_ref()).map(|()| license));
    let license = match verified {
        Ok(license) => license,
        Err(refusal) if ui.is_json() => {
            ui.json(&VerifyJson {
                valid: false,
                claims: None,
                valid_through: None,
                days_left: None,
                key: None,
                revocation_list: None,
                refusal: Some(RefusalJson {
                    kind: refusal.kind(),
                    message: refusal.to_string(),
                }),
            })?;
            ui.error(&refusal);
            return Ok(Exit::Invalid);
        }
        Err(refusal) => return Err(Error::License(refusal)),
    };
    let days_left = claims::days_until(now, license.expires_at);
    if ui.is_json() {
        ui.json(&VerifyJson {
            valid: true,
            claims: Some(&license.claims),
            valid_through: Some(license.valid_through()),
            days_left: Some(days_left),
            key: Some(KeyJson {
                key_id: license.claims.key_id.clone(),
                source: license.key_source,
            }),
            revocation_list: list.as_ref().map(RevocationList::sequence),
            refusal: None,
        })?;
        return Ok(Exit::Success);
    }
    let c = &license.claims;
    let mut table = ui.table(&[]);
    let mut row = |k: &str, v: String| {
        table.add_row(vec![k.to_string(), v]);
    };
    row("status", "valid".into());
    row("license", c.id.clone());
    row("customer", c.customer.clone());
    row("features", c.features.join(", "));
    row("seats", c.seats.to_string());
    row("issued", c.issued_at.clone());
    row("valid from", c.not_before.clone());
    row(
        "valid through",
        format!("{} ({} days left)", license.valid_through(), days_left),
    );
    row("key", format!("{} ({})", c.key_id, license.key_source));
    row(
        "revocations",
        match &list {
            Some(list) => format!("not revoked (list #{})", list.sequence()),
            None => "no revocation list checked".into(),
        },
    );
    ui.table_out(table)?;
    Ok(Exit::Success)
}

fn list(licenses: &[LicenseRecord], ui: &mut Ui) -> Result<Exit, Error> {
    if ui.is_json() {
        ui.json(&serde_json::json!({ "licenses": licenses }))?;
        return Ok(Exit::Success);
    }
    if licenses.is_empty() {
        ui.status("no licenses match");
        return Ok(Exit::Success);
    }
    let mut table = ui.table(&[
        "ID",
        "CUSTOMER",
        "FEATURES",
        "SEATS",
        "VALID FROM",
        "VALID THROUGH",
        "DAYS LEFT",
        "STATUS",
    ]);
    for l in licenses {
        table.add_row(vec![
            l.id.clone(),
            l.customer.clone(),
            l.features.join(","),
            l.seats.to_string(),
            l.not_before.get(..10).unwrap_or(&l.not_before).to_string(),
            l.valid_through.clone(),
            if l.status == LicenseStatus::Active {
                l.days_left.to_string()
            } else {
                "-".into()
            },
            match &l.revoked_at {
                Some(at) => format!("revoked {}", at.get(..10).unwrap_or(at)),
                None => l.status.to_string(),
            },
        ]);
    }
    ui.table_out(table)?;
    Ok(Exit::Success)
}

#[derive(Serialize)]
struct RevocationsJson<'a> {
    sequence: u64,
    issued_at: &'a str,
    key_id: &'a str,
    revoked: &'a [revocation::RevokedLicense],
    revocation_list: &'a str,
}

#[derive(Serialize, Default)]
struct InstallJson {
    #[serde(skip_serializing_if = "Option::is_none")]
    license: Option<InstalledLicenseJson>,
    #[serde(skip_serializing_if = "Option::is_none")]
    revocations: Option<InstalledRevocationsJson>,
}

#[derive(Serialize)]
struct InstalledLicenseJson {
    id: String,
    customer: String,
    features: Vec<String>,
    valid_through: String,
    new: bool,
}

#[derive(Serialize)]
struct InstalledRevocationsJson {
    sequence: u64,
    #[serde(flatten)]
    outcome: RevocationsInstall,
}

fn install(
    global: &GlobalArgs,
    input: InstallInput,
    revocations: Option<&Path>,
    now: Timestamp,
    ui: &mut Ui,
) -> Result<Exit, Error> {
    let license_text = read_text("the license", input.license, input.file.as_deref())?;
    let list_text = read_text("the revocation list", None, revocations)?;
    let home = resolve_home(global)?;
    let mut store = open_store(&home)?;
    let keys = enforce::trusted_keys(&vendor_keys::embedded_keys()?, Some(&store))?;
    if keys.is_empty() {
        return Err(Error::NoTrustedKey);
    }
    store.observe_clock(now)?;
    let mut out = InstallJson::default();
    if let Some(text) = list_text {
        let list = revocation::decode(&text, &keys)?;
        list.check_time(now)?;
        let outcome = store.install_revocations(&list, now)?;
        if !ui.is_json() {
            match outcome {
                RevocationsInstall::Installed {
                    replaced: Some(old),
                } => ui.line(format_args!(
                    "installed revocation list #{} ({} revoked), replacing #{old}",
                    list.sequence(),
                    list.claims.revoked.len()
                ))?,
                RevocationsInstall::Installed { replaced: None } => ui.line(format_args!(
                    "installed revocation list #{} ({} revoked)",
                    list.sequence(),
                    list.claims.revoked.len()
                ))?,
                RevocationsInstall::Unchanged => ui.line(format_args!(
                    "revocation list #{} is already installed",
                    list.sequence()
                ))?,
            }
        }
        out.revocations = Some(InstalledRevocationsJson {
            sequence: list.sequence(),
            outcome,
        });
    }
    if let Some(text) = license_text {
        let installed = match store.installed_revocations()? {
            Some(text) => Some(revocation::decode(&text, &keys)?),
            None => None,
        };
        let license = claims::decode(&text, &keys)?;
        license.check_revocation(installed.as_ref())?;
        match license.check_time(now) {
            Ok(()) => {}
            Err(Refusal::NotYetValid { not_before }) => ui.warn(format_args!(
                "this license starts at {not_before}; until then the licenses already installed apply"
            )),
            // An expired license is still honoured during the grace period
            // (reinstalling on a new machine while a renewal is under way).
            Err(refusal @ Refusal::Expired { .. }) => match license.standing(now, None) {
                Standing::Grace { grace_ends, .. } => ui.warn(format_args!(
                    "{refusal}; it is honoured during the grace period, until {}",
                    caio_core::license::envelope::format_time(grace_ends)
                )),
                _ => return Err(refusal.into()),
            },
            Err(refusal) => return Err(refusal.into()),
        }
        let new = store.install_license(&license, now)?;
        let c = &license.claims;
        if !ui.is_json() {
            let left = match license.standing(now, None) {
                Standing::Grace { grace_ends, .. } => {
                    claims::grace_note(now, license.expires_at, grace_ends)
                }
                _ => format!("{} days left", claims::days_until(now, license.expires_at)),
            };
            ui.line(format_args!(
                "{} license {} for {}: {}; valid through {} ({left})",
                if new {
                    "installed"
                } else {
                    "already installed:"
                },
                c.id,
                c.customer,
                c.features.join(", "),
                license.valid_through(),
            ))?;
        }
        out.license = Some(InstalledLicenseJson {
            id: c.id.clone(),
            customer: c.customer.clone(),
            features: c.features.clone(),
            valid_through: license.valid_through(),
            new,
        });
    }
    if ui.is_json() {
        ui.json(&out)?;
    }
    Ok(Exit::Success)
}

fn trust(global: &GlobalArgs, file: &Path, now: Timestamp, ui: &mut Ui) -> Result<Exit, Error> {
    let key = vendor_keys::load_public_key(file)?;
    home_trust_allowed()?;
    let home = resolve_home(global)?;
    let mut store = open_store(&home)?;
    let new = store.trust_key(&key, now)?;
    if ui.is_json() {
        ui.json(&serde_json::json!({ "key_id": key.key_id(), "new": new }))?;
        return Ok(Exit::Success);
    }
    if new {
        ui.line(format_args!("trusted vendor key {}", key.key_id()))?;
        ui.status(
            "licenses are now enforced: `caio route` needs an installed license with the \
             `route` feature (`caio license install <LICENSE>`)",
        );
    } else {
        ui.line(format_args!(
            "vendor key {} was already trusted",
            key.key_id()
        ))?;
    }
    Ok(Exit::Success)
}

/// Keys built into caio are the only trust anchor of such a build: the
/// home's trusted keys cannot be changed there.
fn home_trust_allowed() -> Result<(), Error> {
    let embedded = vendor_keys::embedded_keys()?;
    if embedded.is_empty() {
        return Ok(());
    }
    Err(Error::EmbeddedTrustOnly {
        keys: embedded
            .iter()
            .map(|k| k.key_id())
            .collect::<Vec<_>>()
            .join(", "),
    })
}

fn untrust(global: &GlobalArgs, key_id: &str, ui: &mut Ui) -> Result<Exit, Error> {
    home_trust_allowed()?;
    let home = resolve_home(global)?;
    let mut store = open_store(&home)?;
    let Some(left) = store.untrust_key(key_id)? else {
        let keys = store.trusted_keys()?;
        let trusted: Vec<&str> = keys.iter().map(PublicKey::key_id).collect();
        let help = if trusted.is_empty() {
            "this home trusts no vendor key".to_string()
        } else {
            let close = caio_core::shape::did_you_mean(key_id, &trusted)
                .map(|s| format!("did you mean `{s}`? "))
                .unwrap_or_default();
            format!("{close}trusted keys: {}", trusted.join(", "))
        };
        return Err(Error::UnknownTrustedKey {
            key_id: key_id.to_string(),
            help,
        });
    };
    if ui.is_json() {
        ui.json(&serde_json::json!({ "key_id": key_id, "trusted_keys_left": left }))?;
        return Ok(Exit::Success);
    }
    ui.line(format_args!("vendor key {key_id} is no longer trusted"))?;
    if left == 0 {
        ui.status("no trusted vendor key is left: licenses are no longer enforced");
    } else {
        ui.status(format!(
            "{left} trusted vendor key{} left; licenses signed by {key_id} no longer count",
            if left == 1 { "" } else { "s" }
        ));
    }
    Ok(Exit::Success)
}

fn show_status(status: &Status, ui: &mut Ui) -> Result<Exit, Error> {
    for warning in &status.warnings {
        ui.warn(warning);
    }
    if ui.is_json() {
        ui.json(status)?;
        return Ok(Exit::Success);
    }
    let mut table = ui.table(&[]);
    let mut row = |k: &str, v: String| {
        table.add_row(vec![k.to_string(), v]);
    };
    row(
        "enforcement",
        if status.enforced {
            let keys: Vec<String> = status
                .trusted_keys
                .iter()
                .map(|k| format!("{} ({})", k.key_id, k.source))
                .collect();
            format!("on: trusted vendor keys {}", keys.join(", "))
        } else {
            "off: no trusted vendor key, nothing is gated".into()
        },
    );
    if status.licenses.is_empty() {
        row("license", "none installed".into());
    }
    for l in &status.licenses {
        row("license", l.id.clone());
        if let Some(customer) = &l.customer {
            row("  customer", customer.clone());
            row("  features", l.features.join(", "));
            row("  seats", l.seats.unwrap_or_default().to_string());
            row(
                "  valid",
                format!(
                    "{} through {}",
                    l.not_before
                        .as_deref()
                        .and_then(|t| t.get(..10))
                        .unwrap_or("?"),
                    l.valid_through.as_deref().unwrap_or("?")
                ),
            );
        }
        row(
            "  state",
            match (l.state.as_str(), l.days_left) {
                ("valid", Some(days)) => format!("valid, {days} days left"),
                ("grace", Some(days)) => format!(
                    "{}, in the grace period until {} ({days} days left): renew now",
                    claims::expired_ago(l.expired_days_ago.unwrap_or(0)),
                    l.grace_ends.as_deref().unwrap_or("?")
                ),
                _ => format!(
                    "{}: {}",
                    l.state.replace('_', " "),
                    l.problem.as_deref().unwrap_or("")
                ),
            },
        );
    }
    row(
        "revocations",
        match &status.revocations {
            Some(r) => format!(
                "list #{} issued {}, {} revoked",
                r.sequence, r.issued_at, r.revoked
            ),
            None => "no list installed".into(),
        },
    );
    row(
        "clock",
        match (&status.latest_seen, status.clock_behind) {
            (Some(latest), true) => {
                format!("more than 24 h behind the latest time seen ({latest}): set back?")
            }
            (Some(latest), false) => format!("ok (latest seen {latest})"),
            (None, _) => "not checked yet".into(),
        },
    );
    ui.table_out(table)?;
    Ok(Exit::Success)
}
