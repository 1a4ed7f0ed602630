//! Enforcement at the command edge (SPEC §10), and the customer's view of
//! it (`caio license status`).
//!
//! Enforcement is opt-in: without a trusted vendor key nothing is gated. With
//! one, a command that needs a feature requires an installed license that
//! verifies, carries the feature, is not revoked by the installed list and is
//! valid now; for 14 days after expiry it is still honoured with a warning.
//! The clock guard refuses a clock more than 24 h behind the latest time seen.
//!
//! Keys embedded at build time (`CAIO_VENDOR_KEYS`) are the only keys such a
//! build trusts: a customer cannot add their own key to issue themselves a
//! license. Without embedded keys, the home's trusted keys apply.

use crate::app::vendor_keys;
use crate::error::Error;
use caio_core::license::claims::{self, License, Standing, valid_through};
use caio_core::license::envelope::{self, format_time};
use caio_core::license::keys::{KeySource, PublicKey, TrustedKeys};
use caio_core::license::revocation::{self, RevocationList};
use caio_core::license::{CLOCK_GUARD, Feature, GRACE, Refusal, earlier, later};
use caio_store::home::Home;
use caio_store::{Store, StoreOptions};
use jiff::Timestamp;
use serde::Serialize;

/// Requires each of `features` at `now`; returns warnings to show (grace
/// period). `home` is `None` when no home can be resolved (stateless use).
/// The home is opened once, however many features a command needs.
pub fn require(
    home: Option<&Home>,
    options: &StoreOptions,
    features: &[Feature],
    now: Timestamp,
) -> Result<Vec<String>, Error> {
    require_with(home, &vendor_keys::embedded_keys()?, options, features, now)
}

/// [`require`] with the embedded keys given, for tests.
pub fn require_with(
    home: Option<&Home>,
    embedded: &[PublicKey],
    options: &StoreOptions,
    features: &[Feature],
    now: Timestamp,
) -> Result<Vec<String>, Error> {
    let mut store = open(home, options)?;
    require_in(store.as_mut(), embedded, features, now)
}

/// [`require_with`] in a store the command has opened already (`None`:
/// there is no home), so that the command opens it once.
pub fn require_in(
    mut store: Option<&mut Store>,
    embedded: &[PublicKey],
    features: &[Feature],
    now: Timestamp,
) -> Result<Vec<String>, Error> {
    let keys = trusted_keys(embedded, store.as_deref())?;
    let mut warnings = Vec::new();
    let Some(&first) = features.first() else {
        return Ok(warnings);
    };
    if keys.is_empty() {
        return Ok(warnings);
    }
    let Some(store) = store.as_mut() else {
        return Err(Error::Unlicensed {
            feature: first.as_str(),
            reason: "no license is installed".into(),
        });
    };
    store.check_clock(now)?;
    let revocations = installed_revocations(store, &keys, &mut warnings)?;
    let installed = store.installed_licenses()?;
    for &feature in features {
        grant(
            store,
            &keys,
            revocations.as_ref(),
            &installed,
            feature,
            now,
            &mut warnings,
        )?;
    }
    Ok(warnings)
}

/// Requires one feature of the installed licenses; a grace-period warning
/// goes to `warnings`.
fn grant(
    store: &mut Store,
    keys: &TrustedKeys,
    revocations: Option<&RevocationList>,
    installed: &[caio_store::licenses::InstalledLicense],
    feature: Feature,
    now: Timestamp,
    warnings: &mut Vec<String>,
) -> Result<(), Error> {
    let unlicensed = |reason: String| Error::Unlicensed {
        feature: feature.as_str(),
        reason,
    };
    if installed.is_empty() {
        return Err(unlicensed("no license is installed".into()));
    }
    let mut grace: Option<(License, Timestamp, i64)> = None;
    let mut refusals = Vec::new();
    let mut granted = Vec::new();
    for row in installed {
        let license = match claims::decode(&row.text, keys) {
            Ok(license) => license,
            Err(refusal) => {
                refusals.push(format!("installed license {}: {refusal}", short(&row.id)));
                continue;
            }
        };
        if !license.grants(feature) {
            granted.extend(license.claims.features.iter().cloned());
            continue;
        }
        match license.standing(now, revocations) {
            Standing::Valid { .. } => {
                // A licence allows this time: it is plausible, so it is seen.
                store.record_seen(now)?;
                return Ok(());
            }
            Standing::Grace {
                grace_ends,
                days_left,
            } => {
                if grace.as_ref().is_none_or(|(_, ends, _)| grace_ends > *ends) {
                    grace = Some((license, grace_ends, days_left));
                }
            }
            Standing::Refused(Refusal::Expired { valid_through }) => {
                refusals.push(format!(
                    "license {} for {} expired (valid through {valid_through}) and its \
                     {}-day grace period ended on {}",
                    short(&license.claims.id),
                    license.claims.customer,
                    GRACE.as_hours() / 24,
                    day(later(license.expires_at, GRACE)),
                ));
            }
            Standing::Refused(refusal @ Refusal::Revoked { .. }) => {
                refusals.push(refusal.to_string());
            }
            Standing::Refused(refusal) => {
                refusals.push(format!(
                    "{refusal} (license {} for {})",
                    short(&license.claims.id),
                    license.claims.customer
                ));
            }
        }
    }
    if let Some((license, grace_ends, days_left)) = grace {
        warnings.push(format!(
            "license {} for {} {} ({} left; it was valid through {}): `{feature}` keeps \
             working until then. Ask your vendor for a renewal and run `caio license install \
             <LICENSE>`",
            short(&license.claims.id),
            license.claims.customer,
            claims::in_grace(grace_ends),
            plural(days_left, "day"),
            license.valid_through(),
        ));
        store.record_seen(now)?;
        return Ok(());
    }
    if !refusals.is_empty() {
        return Err(unlicensed(refusals.join("; ")));
    }
    granted.sort();
    granted.dedup();
    Err(unlicensed(format!(
        "the installed license does not include `{feature}` (it grants: {})",
        granted.join(", ")
    )))
}

/// The store when it exists; enforcement never creates one.
fn open(home: Option<&Home>, options: &StoreOptions) -> Result<Option<Store>, Error> {
    match home {
        Some(home) => Ok(Store::open_if_exists(home, options)?),
        None => Ok(None),
    }
}

/// The keys this caio trusts: the embedded ones when the build has any,
/// else the home's.
pub fn trusted_keys(embedded: &[PublicKey], store: Option<&Store>) -> Result<TrustedKeys, Error> {
    if !embedded.is_empty() {
        return Ok(TrustedKeys::new(
            embedded.iter().map(|k| (k.clone(), KeySource::Embedded)),
        ));
    }
    let home = match store {
        Some(store) => store.trusted_keys()?,
        None => Vec::new(),
    };
    Ok(TrustedKeys::new(
        home.into_iter().map(|k| (k, KeySource::Home)),
    ))
}

/// The installed revocation list, re-verified with today's keys. One that no
/// longer verifies (its key is no longer trusted) is ignored with a warning.
fn installed_revocations(
    store: &Store,
    keys: &TrustedKeys,
    warnings: &mut Vec<String>,
) -> Result<Option<RevocationList>, Error> {
    let Some(text) = store.installed_revocations()? else {
        return Ok(None);
    };
    match revocation::decode(&text, keys) {
        Ok(list) => Ok(Some(list)),
        Err(refusal) => {
            warnings.push(format!(
                "the installed revocation list is ignored: {refusal}; install the vendor's \
                 latest list with `caio license install --revocations FILE`"
            ));
            Ok(None)
        }
    }
}

/// What `caio license status` shows.
#[derive(Debug, Clone, Serialize)]
pub struct Status {
    /// Whether commands are gated (some vendor key is trusted).
    pub enforced: bool,
    pub trusted_keys: Vec<StatusKey>,
    pub licenses: Vec<InstalledStatus>,
    pub revocations: Option<StatusRevocations>,
    /// The clock guard's latest time seen.
    pub latest_seen: Option<String>,
    /// Whether the clock is more than 24 h behind `latest_seen`.
    pub clock_behind: bool,
    /// Whether `latest_seen` is later than any installed licence allows (it
    /// came from a run under a wrong clock; installing a licence resets it).
    pub clock_implausible: bool,
    pub warnings: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct StatusKey {
    pub key_id: String,
    pub source: KeySource,
}

#[derive(Debug, Clone, Serialize)]
pub struct StatusRevocations {
    pub sequence: u64,
    pub issued_at: String,
    pub revoked: usize,
}

/// An installed license and where it stands.
#[derive(Debug, Clone, Serialize)]
pub struct InstalledStatus {
    pub id: String,
    pub customer: Option<String>,
    pub features: Vec<String>,
    pub seats: Option<u64>,
    pub not_before: Option<String>,
    pub expires_at: Option<String>,
    pub valid_through: Option<String>,
    /// `valid`, `grace`, or the refusal kind (`expired`, `revoked`,
    /// `not_yet_valid`, `unknown_key`, …).
    pub state: String,
    /// Days of validity left (in grace: days of grace left).
    pub days_left: Option<i64>,
    /// Whole days since it expired (0 on the day it did); absent while it
    /// has not.
    pub expired_days_ago: Option<i64>,
    pub grace_ends: Option<String>,
    pub problem: Option<String>,
    pub installed_at: String,
}

/// The latest instant any installed licence makes plausible: its expiry
/// plus the grace period (`None` without a licence that verifies). A
/// latest-seen time beyond it came from a run under a wrong clock, since
/// such a run is refused and never recorded.
fn plausible_until(store: &Store, keys: &TrustedKeys) -> Result<Option<Timestamp>, Error> {
    Ok(store
        .installed_licenses()?
        .iter()
        .filter_map(|row| claims::decode(&row.text, keys).ok())
        .map(|l| later(l.expires_at, GRACE))
        .max())
}

/// After a licence or revocation list is installed: when the latest time
/// seen is later than every installed licence allows (a home locked out by
/// one run under a wildly wrong clock, recorded before caio checked
/// plausibility), it is reset to the newest issue time the vendor signed.
/// Returns the old and the new time when it was reset.
pub fn recover_clock(
    store: &mut Store,
    keys: &TrustedKeys,
) -> Result<Option<(String, String)>, Error> {
    let (Some(latest), Some(until)) = (store.latest_seen()?, plausible_until(store, keys)?) else {
        return Ok(None);
    };
    if latest <= until {
        return Ok(None);
    }
    let mut warnings = Vec::new();
    let list_issued = installed_revocations(store, keys, &mut warnings)?
        .and_then(|list| envelope::parse_time(&list.claims.issued_at));
    let signed = store
        .installed_licenses()?
        .iter()
        .filter_map(|row| claims::decode(&row.text, keys).ok())
        .map(|l| l.issued_at)
        .chain(list_issued)
        .max();
    let Some(signed) = signed else {
        return Ok(None);
    };
    store.reset_seen(signed)?;
    Ok(Some((format_time(latest), format_time(signed))))
}

/// The customer's view: keys, installed licenses and where they stand,
/// revocation list, clock. Reads only.
pub fn status(
    home: Option<&Home>,
    embedded: &[PublicKey],
    options: &StoreOptions,
    now: Timestamp,
) -> Result<Status, Error> {
    let store = open(home, options)?;
    let keys = trusted_keys(embedded, store.as_ref())?;
    let mut warnings = Vec::new();
    let mut out = Status {
        enforced: !keys.is_empty(),
        trusted_keys: keys
            .iter()
            .map(|k| StatusKey {
                key_id: k.key.key_id().to_string(),
                source: k.source,
            })
            .collect(),
        licenses: Vec::new(),
        revocations: None,
        latest_seen: None,
        clock_behind: false,
        clock_implausible: false,
        warnings: Vec::new(),
    };
    let Some(store) = store else {
        return Ok(out);
    };
    let revocations = installed_revocations(&store, &keys, &mut warnings)?;
    out.revocations = revocations.as_ref().map(|list| StatusRevocations {
        sequence: list.sequence(),
        issued_at: list.claims.issued_at.clone(),
        revoked: list.claims.revoked.len(),
    });
    let latest = store.latest_seen()?;
    out.latest_seen = latest.map(format_time);
    out.clock_behind = latest.is_some_and(|l| now < earlier(l, CLOCK_GUARD));
    out.clock_implausible = match (latest, plausible_until(&store, &keys)?) {
        (Some(latest), Some(until)) => latest > until,
        _ => false,
    };
    for row in store.installed_licenses()? {
        let mut entry = InstalledStatus {
            id: row.id.clone(),
            customer: None,
            features: Vec::new(),
            seats: None,
            not_before: None,
            expires_at: None,
            valid_through: None,
            state: String::new(),
            days_left: None,
            expired_days_ago: None,
            grace_ends: None,
            problem: None,
            installed_at: row.installed_at.clone(),
        };
        match claims::decode(&row.text, &keys) {
            Err(refusal) => {
                entry.state = refusal.kind().to_string();
                entry.problem = Some(refusal.to_string());
            }
            Ok(license) => {
                let c = &license.claims;
                entry.customer = Some(c.customer.clone());
                entry.features = c.features.clone();
                entry.seats = Some(c.seats);
                entry.not_before = Some(c.not_before.clone());
                entry.expires_at = Some(c.expires_at.clone());
                entry.valid_through = Some(valid_through(license.expires_at));
                if now >= license.expires_at {
                    entry.expired_days_ago = Some(claims::days_since(now, license.expires_at));
                }
                match license.standing(now, revocations.as_ref()) {
                    Standing::Valid { days_left } => {
                        entry.state = "valid".into();
                        entry.days_left = Some(days_left);
                    }
                    Standing::Grace {
                        grace_ends,
                        days_left,
                    } => {
                        entry.state = "grace".into();
                        entry.days_left = Some(days_left);
                        entry.grace_ends = Some(format_time(grace_ends));
                    }
                    Standing::Refused(refusal) => {
                        entry.state = refusal.kind().to_string();
                        entry.problem = Some(refusal.to_string());
                    }
                }
            }
        }
        out.licenses.push(entry);
    }
    out.warnings = warnings;
    Ok(out)
}

fn short(id: &str) -> &str {
    id.get(..12).unwrap_or(id)
}

fn day(t: Timestamp) -> String {
    t.to_zoned(jiff::tz::TimeZone::UTC).date().to_string()
}

fn plural(n: i64, unit: &str) -> String {
    if n == 1 {
        format!("1 {unit}")
    } else {
        format!("{n} {unit}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use caio_core::license::claims::{NewLicense, issue};
    use caio_core::license::keys::VendorKey;
    use caio_core::license::revocation::{RevokedLicense, sign};
    use caio_store::DEFAULT_BUSY_TIMEOUT;
    use caio_store::StoreOptions;

    fn t(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    struct Fixture {
        _tmp: tempfile::TempDir,
        home: Home,
        key: VendorKey,
    }

    impl Fixture {
        /// A home that trusts `key`.
        fn new() -> Fixture {
            let tmp = tempfile::tempdir().unwrap();
            let home = Home {
                path: tmp.path().join("home"),
            };
            let key = VendorKey::from_seed(&[5; 32]);
            let mut store = Store::open(&home, DEFAULT_BUSY_TIMEOUT).unwrap();
            store
                .trust_key(&key.public(), t("2027-01-01T00:00:00Z"))
                .unwrap();
            Fixture {
                _tmp: tmp,
                home,
                key,
            }
        }

        fn store(&self) -> Store {
            Store::open(&self.home, DEFAULT_BUSY_TIMEOUT).unwrap()
        }

        /// Installs a license valid from 2027-01-01 through 2027-12-31.
        fn install(&self, features: &[Feature]) -> License {
            let new = NewLicense {
                customer: "Acme",
                features,
                seats: 1,
                not_before: t("2027-01-01T00:00:00Z"),
                expires_at: t("2028-01-01T00:00:00Z"),
            };
            let license =
                issue(&new, "ab".repeat(16), t("2027-01-01T00:00:00Z"), &self.key).unwrap();
            self.store()
                .install_license(&license, t("2027-01-01T00:00:00Z"))
                .unwrap();
            license
        }

        fn require(&self, feature: Feature, now: &str) -> Result<Vec<String>, Error> {
            require_with(
                Some(&self.home),
                &[],
                &StoreOptions::default(),
                &[feature],
                t(now),
            )
        }
    }

    #[test]
    fn nothing_is_gated_without_a_trusted_key() {
        let tmp = tempfile::tempdir().unwrap();
        let home = Home {
            path: tmp.path().join("missing"),
        };
        let now = t("2027-06-01T00:00:00Z");
        assert!(
            require_with(
                Some(&home),
                &[],
                &StoreOptions::default(),
                &[Feature::Route],
                now
            )
            .unwrap()
            .is_empty()
        );
        assert!(
            require_with(None, &[], &StoreOptions::default(), &[Feature::Route], now)
                .unwrap()
                .is_empty()
        );
        assert!(!home.path.exists(), "enforcement never creates a home");
        // An embedded key gates even without a home.
        let embedded = [VendorKey::from_seed(&[1; 32]).public()];
        let err = require_with(
            None,
            &embedded,
            &StoreOptions::default(),
            &[Feature::Route],
            now,
        )
        .unwrap_err();
        assert!(err.to_string().contains("no license is installed"), "{err}");
    }

    #[test]
    fn grace_period_boundaries() {
        let f = Fixture::new();
        let err = f
            .require(Feature::Route, "2027-06-01T00:00:00Z")
            .unwrap_err();
        assert!(err.to_string().contains("no license is installed"), "{err}");
        f.install(&[Feature::Route]);
        assert!(
            f.require(Feature::Route, "2027-06-01T00:00:00Z")
                .unwrap()
                .is_empty()
        );
        assert!(
            f.require(Feature::Route, "2027-12-31T23:59:59Z")
                .unwrap()
                .is_empty()
        );
        let warnings = f.require(Feature::Route, "2028-01-01T00:00:00Z").unwrap();
        assert_eq!(warnings.len(), 1);
        assert!(
            warnings[0].contains("valid through 2027-12-31")
                && warnings[0]
                    .contains("expired — in grace until 2028-01-15T00:00:00Z (14 days left"),
            "{warnings:?}"
        );
        let warnings = f.require(Feature::Route, "2028-01-14T23:59:59Z").unwrap();
        assert!(warnings[0].contains("(1 day left;"), "{warnings:?}");
        let err = f
            .require(Feature::Route, "2028-01-15T00:00:00Z")
            .unwrap_err();
        assert_eq!(err.exit(), crate::Exit::Invalid);
        let text = err.to_string();
        assert!(
            text.contains("expired (valid through 2027-12-31)")
                && text.contains("grace period ended on 2028-01-15"),
            "{text}"
        );
        let help = miette::Diagnostic::help(&err).unwrap().to_string();
        assert!(help.contains("caio license install"), "{help}");
    }

    #[test]
    fn a_license_without_the_feature_is_refused() {
        let f = Fixture::new();
        f.install(&[Feature::Route]);
        let err = f
            .require(Feature::Execute, "2027-06-01T00:00:00Z")
            .unwrap_err();
        assert!(
            err.to_string()
                .contains("does not include `execute` (it grants: route)"),
            "{err}"
        );
    }

    #[test]
    fn not_yet_valid_is_refused() {
        let f = Fixture::new();
        f.install(&[Feature::Route]);
        // Issued (and valid from) 2027-01-01T00:00:00Z; 4 minutes earlier the
        // clock is within the tolerated skew, but the license has not started.
        let err = f
            .require(Feature::Route, "2026-12-31T23:56:00Z")
            .unwrap_err();
        assert!(err.to_string().contains("not valid yet"), "{err}");
        let err = f
            .require(Feature::Route, "2026-12-31T23:54:00Z")
            .unwrap_err();
        assert!(err.to_string().contains("system clock is behind"), "{err}");
    }

    #[test]
    fn an_installed_revocation_list_refuses_the_license() {
        let f = Fixture::new();
        let license = f.install(&[Feature::Route]);
        let list = sign(
            vec![RevokedLicense {
                id: license.claims.id.clone(),
                revoked_at: "2027-03-01T00:00:00Z".into(),
            }],
            1,
            t("2027-03-01T00:00:00Z"),
            &f.key,
        )
        .unwrap();
        f.store()
            .install_revocations(&list, t("2027-03-01T00:00:00Z"))
            .unwrap();
        let err = f
            .require(Feature::Route, "2027-06-01T00:00:00Z")
            .unwrap_err();
        assert!(
            err.to_string().contains("was revoked on 2027-03-01"),
            "{err}"
        );
    }

    /// One run with the clock 1,900 days ahead stored that time as the
    /// latest seen, and the home refused everything for years. Such a run is
    /// refused (past expiry and grace) and no longer recorded.
    #[test]
    fn a_run_under_a_wildly_wrong_clock_does_not_lock_the_home_out() {
        let f = Fixture::new();
        f.install(&[Feature::Route]);
        f.require(Feature::Route, "2027-02-01T00:00:00Z").unwrap();
        let err = f
            .require(Feature::Route, "2032-04-15T00:00:00Z")
            .unwrap_err();
        assert!(err.to_string().contains("needs a license"), "{err}");
        assert_eq!(
            f.store().latest_seen().unwrap(),
            Some(t("2027-02-01T00:00:00Z"))
        );
        f.require(Feature::Route, "2027-02-02T00:00:00Z").unwrap();
    }

    /// A home poisoned before plausibility was checked recovers when a
    /// licence is installed: the latest time seen is set back to the newest
    /// time the vendor signed, and `status` explains the lock-out first.
    #[test]
    fn installing_a_license_recovers_a_home_locked_out_by_a_wrong_clock() {
        let f = Fixture::new();
        f.install(&[Feature::Route]);
        f.store().reset_seen(t("2032-04-15T00:00:00Z")).unwrap();
        let err = f
            .require(Feature::Route, "2027-02-01T00:00:00Z")
            .unwrap_err();
        assert!(matches!(
            err,
            Error::State(caio_store::Error::ClockTampered { .. })
        ));
        let before = status(
            Some(&f.home),
            &[],
            &StoreOptions::default(),
            t("2027-02-01T00:00:00Z"),
        )
        .unwrap();
        assert!(before.clock_behind && before.clock_implausible);
        let mut store = f.store();
        let keys = trusted_keys(&[], Some(&store)).unwrap();
        let reset = recover_clock(&mut store, &keys).unwrap();
        assert_eq!(
            reset,
            Some((
                "2032-04-15T00:00:00Z".to_string(),
                "2027-01-01T00:00:00Z".to_string()
            ))
        );
        f.require(Feature::Route, "2027-02-01T00:00:00Z").unwrap();
        // A plausible latest time is never moved back: no bypass by reinstalling.
        assert_eq!(recover_clock(&mut store, &keys).unwrap(), None);
    }

    #[test]
    fn the_clock_guard_reports_a_clock_set_back() {
        let f = Fixture::new();
        f.install(&[Feature::Route]);
        f.require(Feature::Route, "2027-06-10T00:00:00Z").unwrap();
        // Within 24 h behind: tolerated (time zones changes, NTP corrections).
        f.require(Feature::Route, "2027-06-09T00:00:01Z").unwrap();
        let err = f
            .require(Feature::Route, "2027-06-08T23:59:59Z")
            .unwrap_err();
        assert!(
            matches!(err, Error::State(caio_store::Error::ClockTampered { .. })),
            "{err:?}"
        );
        assert!(err.to_string().contains("set back"), "{err}");
        // Moving forward again works, and the latest time only grows.
        f.require(Feature::Route, "2027-06-11T00:00:00Z").unwrap();
        assert_eq!(
            f.store().latest_seen().unwrap(),
            Some(t("2027-06-11T00:00:00Z"))
        );
    }

    #[test]
    fn every_feature_a_command_needs_is_required_in_one_check() {
        let f = Fixture::new();
        f.install(&[Feature::Route]);
        let now = t("2027-06-01T00:00:00Z");
        let both = [Feature::Route, Feature::Execute];
        let err =
            require_with(Some(&f.home), &[], &StoreOptions::default(), &both, now).unwrap_err();
        assert!(err.to_string().contains("execute"), "{err}");
        let f = Fixture::new();
        f.install(&both);
        assert!(
            require_with(Some(&f.home), &[], &StoreOptions::default(), &both, now)
                .unwrap()
                .is_empty()
        );
    }

    #[test]
    fn embedded_keys_are_the_only_anchor() {
        let f = Fixture::new();
        f.install(&[Feature::Route]);
        let now = t("2027-06-01T00:00:00Z");
        let embedded = [VendorKey::from_seed(&[6; 32]).public()];
        let err = require_with(
            Some(&f.home),
            &embedded,
            &StoreOptions::default(),
            &[Feature::Route],
            now,
        )
        .unwrap_err();
        assert!(err.to_string().contains("not trusted here"), "{err}");
        let ok = [f.key.public()];
        assert!(
            require_with(
                Some(&f.home),
                &ok,
                &StoreOptions::default(),
                &[Feature::Route],
                now
            )
            .unwrap()
            .is_empty()
        );
    }

    #[test]
    fn status_reports_grace() {
        let f = Fixture::new();
        f.install(&[Feature::Route, Feature::Execute]);
        let now = t("2028-01-04T00:00:00Z");
        let status = status(Some(&f.home), &[], &StoreOptions::default(), now).unwrap();
        assert!(status.enforced);
        assert_eq!(status.licenses.len(), 1);
        let l = &status.licenses[0];
        assert_eq!(l.state, "grace");
        assert_eq!(l.days_left, Some(11));
        assert_eq!(l.grace_ends.as_deref(), Some("2028-01-15T00:00:00Z"));
        assert_eq!(l.features, ["execute", "route"]);
    }
}
