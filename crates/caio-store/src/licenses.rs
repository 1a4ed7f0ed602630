//! License records. The vendor side (sales ops): customers, issued licenses,
//! revocations, published revocation lists. The customer side: trusted
//! vendor keys, installed licenses, the installed revocation list and the
//! clock guard's latest time seen.

use super::{Sqlite, state};
use crate::error::Error;
use caio_core::license::claims::{days_until, valid_through};
use caio_core::license::envelope::{format_time, parse_time};
use caio_core::license::revocation::{self, RevokedLicense};
use caio_core::license::{CLOCK_GUARD, License, PublicKey, RevocationList, VendorKey, earlier};
use jiff::{SignedDuration, Timestamp};
use rusqlite::{OptionalExtension, params};
use serde::Serialize;

/// A license's status in the vendor's records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
#[serde(rename_all = "snake_case")]
pub enum LicenseStatus {
    /// Not revoked and not expired (including licenses that start later).
    Active,
    /// Past its expiry, not revoked.
    Expired,
    /// Revoked with `caio license revoke`.
    Revoked,
}

impl std::fmt::Display for LicenseStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            LicenseStatus::Active => "active",
            LicenseStatus::Expired => "expired",
            LicenseStatus::Revoked => "revoked",
        })
    }
}

/// An issued license as `license list` shows it.
#[derive(Debug, Clone, Serialize)]
pub struct LicenseRecord {
    /// The license id (32 hex characters).
    pub id: String,
    /// The customer it was issued to.
    pub customer: String,
    /// The features it unlocks, sorted.
    pub features: Vec<String>,
    /// Seats bought (informational).
    pub seats: u64,
    /// When it was issued, RFC 3339.
    pub issued_at: String,
    /// First instant of validity (inclusive), RFC 3339.
    pub not_before: String,
    /// First instant of invalidity (exclusive), RFC 3339.
    pub expires_at: String,
    /// The last valid day, e.g. `2027-12-31` for `expires_at` 2028-01-01T00:00:00Z.
    pub valid_through: String,
    /// Days until expiry, a started day counting as one; ≤ 0 once expired.
    pub days_left: i64,
    /// Active, expired or revoked, now.
    pub status: LicenseStatus,
    /// When it was revoked, if it was.
    pub revoked_at: Option<String>,
    /// Why it was revoked, if it was.
    pub revoke_reason: Option<String>,
    /// Who revoked it, if it was revoked.
    pub revoked_by: Option<String>,
    /// The id of the key that signed it.
    pub key_id: String,
    /// Who issued it: the name of the signing key (`license keygen
    /// --name`), else the operating-system user.
    pub issued_by: String,
    /// The license this one renews, if it is a renewal.
    pub renews: Option<String>,
    /// The license text, to send again.
    pub license: String,
}

/// Which licenses `license list` shows.
#[derive(Debug, Clone, Default)]
pub struct LicenseFilter {
    /// Only the license with this full id.
    pub id: Option<String>,
    /// Exact customer name, case-insensitive.
    pub customer: Option<String>,
    /// Only licenses with this status.
    pub status: Option<LicenseStatus>,
    /// Active licenses whose expiry falls within this window from now.
    pub expiring_within: Option<SignedDuration>,
}

/// What `license revoke` did.
#[derive(Debug, Clone, Serialize)]
pub struct Revocation {
    /// The revoked license's full id.
    pub id: String,
    /// Its customer.
    pub customer: String,
    /// When it was revoked, RFC 3339 (the first revocation's time).
    pub revoked_at: String,
    /// Why (the first revocation's reason).
    pub reason: String,
    /// False when the license was already revoked (the first revocation stands).
    pub changed: bool,
}

/// A license installed on a customer's instance.
#[derive(Debug, Clone)]
pub struct InstalledLicense {
    /// The license id.
    pub id: String,
    /// The license text, to verify again on every use.
    pub text: String,
    /// When it was installed, RFC 3339.
    pub installed_at: String,
}

/// What installing a revocation list did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum RevocationsInstall {
    /// Installed.
    Installed {
        /// The sequence of the list it replaced, if any.
        replaced: Option<u64>,
    },
    /// The same list was already installed.
    Unchanged,
}

impl Sqlite {
    /// Records a license just issued (and its customer on first sight);
    /// `renews` names the license it renews.
    pub fn record_license(
        &mut self,
        license: &License,
        issued_by: &str,
        renews: Option<&str>,
        now: Timestamp,
    ) -> Result<(), Error> {
        let c = &license.claims;
        let features = serde_json::to_string(&c.features).unwrap_or_else(|_| "[]".into());
        let path = self.path.clone();
        self.write(|tx| {
            tx.execute(
                "INSERT INTO license_customers (name, created_at) VALUES (?1, ?2)
                 ON CONFLICT (name) DO NOTHING",
                params![c.customer, format_time(now)],
            )
            .map_err(|e| state(&path, e))?;
            tx.execute(
                "INSERT INTO licenses (id, customer, features, seats, issued_at, not_before,
                                       expires_at, key_id, issued_by, license, renews)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
                params![
                    c.id,
                    c.customer,
                    features,
                    c.seats as i64,
                    c.issued_at,
                    c.not_before,
                    c.expires_at,
                    c.key_id,
                    issued_by,
                    license.text,
                    renews
                ],
            )
            .map_err(|e| state(&path, e))?;
            Ok(())
        })
    }

    /// Issued licenses matching `filter`, soonest expiry first.
    pub fn list_licenses(
        &self,
        filter: &LicenseFilter,
        now: Timestamp,
    ) -> Result<Vec<LicenseRecord>, Error> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT l.id, l.customer, l.features, l.seats, l.issued_at, l.not_before,
                        l.expires_at, l.key_id, l.issued_by, l.license, r.revoked_at, r.reason,
                        r.revoked_by, l.renews
                 FROM licenses l LEFT JOIN license_revocations r ON r.license_id = l.id
                 WHERE (?1 IS NULL OR l.customer = ?1 COLLATE NOCASE)
                   AND (?2 IS NULL OR l.id = ?2)
                 ORDER BY l.expires_at, l.id",
            )
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([filter.customer.as_deref(), filter.id.as_deref()], |r| {
                Ok((
                    (
                        r.get::<_, String>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, String>(2)?,
                        r.get::<_, i64>(3)?,
                        r.get::<_, String>(4)?,
                        r.get::<_, String>(5)?,
                    ),
                    (
                        r.get::<_, String>(6)?,
                        r.get::<_, String>(7)?,
                        r.get::<_, String>(8)?,
                        r.get::<_, String>(9)?,
                        r.get::<_, Option<String>>(10)?,
                        r.get::<_, Option<String>>(11)?,
                    ),
                    (
                        r.get::<_, Option<String>>(12)?,
                        r.get::<_, Option<String>>(13)?,
                    ),
                ))
            })
            .map_err(|e| self.err(e))?;
        let horizon = filter
            .expiring_within
            .map(|w| caio_core::license::later(now, w));
        let mut out = Vec::new();
        for row in rows {
            let (
                (id, customer, features, seats, issued_at, not_before),
                (expires_at, key_id, issued_by, license, revoked_at, revoke_reason),
                (revoked_by, renews),
            ) = row.map_err(|e| self.err(e))?;
            let expiry = parse_time(&expires_at)
                .ok_or_else(|| self.corrupt_license(&id, "bad expires_at"))?;
            let status = if revoked_at.is_some() {
                LicenseStatus::Revoked
            } else if now >= expiry {
                LicenseStatus::Expired
            } else {
                LicenseStatus::Active
            };
            if filter.status.is_some_and(|s| s != status) {
                continue;
            }
            if let Some(horizon) = horizon
                && (status != LicenseStatus::Active || expiry > horizon)
            {
                continue;
            }
            out.push(LicenseRecord {
                features: serde_json::from_str(&features)
                    .map_err(|_| self.corrupt_license(&id, "bad features"))?,
                seats: u64::try_from(seats).unwrap_or(0),
                valid_through: valid_through(expiry),
                days_left: days_until(now, expiry),
                status,
                id,
                customer,
                issued_at,
                not_before,
                expires_at,
                revoked_at,
                revoke_reason,
                revoked_by,
                key_id,
                issued_by,
                renews,
                license,
            });
        }
        Ok(out)
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
        let path = self.path.clone();
        let at = format_time(now);
        self.write(|tx| {
            let license_id = resolve_id(tx, &path, Ids::Issued, id)?;
            let customer: String = tx
                .query_row(
                    "SELECT customer FROM licenses WHERE id = ?1",
                    [&license_id],
                    |r| r.get(0),
                )
                .map_err(|e| state(&path, e))?;
            let existing: Option<(String, String)> = tx
                .query_row(
                    "SELECT revoked_at, reason FROM license_revocations WHERE license_id = ?1",
                    [&license_id],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()
                .map_err(|e| state(&path, e))?;
            if let Some((revoked_at, reason)) = existing {
                return Ok(Revocation {
                    id: license_id,
                    customer,
                    revoked_at,
                    reason,
                    changed: false,
                });
            }
            tx.execute(
                "INSERT INTO license_revocations (license_id, revoked_at, reason, revoked_by)
                 VALUES (?1, ?2, ?3, ?4)",
                params![license_id, at, reason, actor],
            )
            .map_err(|e| state(&path, e))?;
            Ok(Revocation {
                id: license_id,
                customer,
                revoked_at: at.clone(),
                reason: reason.to_string(),
                changed: true,
            })
        })
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
        let path = self.path.clone();
        let key_id = key.public().key_id().to_string();
        self.write(|tx| {
            let last: i64 = tx
                .query_row(
                    "SELECT coalesce(max(sequence), 0) FROM revocation_lists",
                    [],
                    |r| r.get(0),
                )
                .map_err(|e| state(&path, e))?;
            let last = u64::try_from(last).unwrap_or(0);
            let sequence = match sequence {
                Some(asked) if asked <= last => {
                    return Err(Error::RevocationsSequence { asked, last });
                }
                Some(asked) => asked,
                None => {
                    let history: i64 = tx
                        .query_row(
                            "SELECT (SELECT count(*) FROM licenses WHERE key_id = ?1)
                                  + (SELECT count(*) FROM revocation_lists WHERE key_id = ?1)",
                            [&key_id],
                            |r| r.get(0),
                        )
                        .map_err(|e| state(&path, e))?;
                    if history == 0 {
                        return Err(Error::RevocationsWithoutHistory {
                            key_id: key_id.clone(),
                            next: last + 1,
                        });
                    }
                    last + 1
                }
            };
            let entries: Vec<RevokedLicense> = {
                let mut stmt = tx
                    .prepare_cached(
                        "SELECT license_id, revoked_at FROM license_revocations ORDER BY license_id",
                    )
                    .map_err(|e| state(&path, e))?;
                let rows = stmt
                    .query_map([], |r| {
                        Ok(RevokedLicense {
                            id: r.get(0)?,
                            revoked_at: r.get(1)?,
                        })
                    })
                    .map_err(|e| state(&path, e))?;
                rows.collect::<Result<_, _>>().map_err(|e| state(&path, e))?
            };
            let count = entries.len() as i64;
            let list = revocation::sign(entries, sequence, now, key)
                .map_err(|reason| Error::LicenseRequest { reason })?;
            tx.execute(
                "INSERT INTO revocation_lists (sequence, issued_at, key_id, entries, body)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![
                    sequence as i64,
                    list.claims.issued_at,
                    list.claims.key_id,
                    count,
                    list.text
                ],
            )
            .map_err(|e| state(&path, e))?;
            Ok(list)
        })
    }

    /// One issued license, named by its full id or a unique prefix of at
    /// least 8 characters.
    pub fn issued_license(&self, id: &str, now: Timestamp) -> Result<LicenseRecord, Error> {
        let full = resolve_id(&self.conn, &self.path, Ids::Issued, id)?;
        let filter = LicenseFilter {
            id: Some(full.clone()),
            ..LicenseFilter::default()
        };
        self.list_licenses(&filter, now)?
            .pop()
            .ok_or_else(|| self.corrupt_license(&full, "it vanished while read"))
    }

    /// The licenses that renew `id`, oldest first.
    pub fn renewals_of(&self, id: &str, now: Timestamp) -> Result<Vec<LicenseRecord>, Error> {
        let ids: Vec<String> = {
            let mut stmt = self
                .conn
                .prepare_cached("SELECT id FROM licenses WHERE renews = ?1 ORDER BY issued_at, id")
                .map_err(|e| self.err(e))?;
            let rows = stmt
                .query_map([id], |r| r.get(0))
                .map_err(|e| self.err(e))?;
            rows.collect::<Result<_, _>>().map_err(|e| self.err(e))?
        };
        ids.iter().map(|id| self.issued_license(id, now)).collect()
    }

    /// The spelling a customer was first recorded with, matched
    /// case-insensitively: `acme` finds `Acme`.
    pub fn customer_spelling(&self, name: &str) -> Result<Option<String>, Error> {
        self.conn
            .query_row(
                "SELECT name FROM license_customers WHERE name = ?1 COLLATE NOCASE
                 ORDER BY created_at, name LIMIT 1",
                [name],
                |r| r.get(0),
            )
            .optional()
            .map_err(|e| self.err(e))
    }

    /// Names a signing key: licenses issued with it record the name as
    /// `issued_by`. Naming a key again replaces the name.
    pub fn name_vendor_key(
        &mut self,
        key_id: &str,
        name: &str,
        now: Timestamp,
    ) -> Result<(), Error> {
        let path = self.path.clone();
        self.write(|tx| {
            tx.execute(
                "INSERT INTO vendor_keys (key_id, name, created_at) VALUES (?1, ?2, ?3)
                 ON CONFLICT (key_id) DO UPDATE SET name = excluded.name",
                params![key_id, name, format_time(now)],
            )
            .map(drop)
            .map_err(|e| state(&path, e))
        })
    }

    /// The name of a signing key, if it was given one.
    pub fn vendor_key_name(&self, key_id: &str) -> Result<Option<String>, Error> {
        self.conn
            .query_row(
                "SELECT name FROM vendor_keys WHERE key_id = ?1",
                [key_id],
                |r| r.get(0),
            )
            .optional()
            .map_err(|e| self.err(e))
    }

    /// Removes installed licenses: the one `id` names (its full id or a
    /// unique prefix of at least 8 characters), or all of them. Returns the
    /// ids removed. The installed revocation list stays: removing it would
    /// let a revoked license be installed again.
    pub fn uninstall_licenses(&mut self, id: Option<&str>) -> Result<Vec<String>, Error> {
        let path = self.path.clone();
        self.write(|tx| {
            let ids: Vec<String> = match id {
                Some(id) => vec![resolve_id(tx, &path, Ids::Installed, id)?],
                None => {
                    let mut stmt = tx
                        .prepare_cached("SELECT id FROM installed_licenses ORDER BY id")
                        .map_err(|e| state(&path, e))?;
                    let rows = stmt
                        .query_map([], |r| r.get(0))
                        .map_err(|e| state(&path, e))?;
                    rows.collect::<Result<_, _>>()
                        .map_err(|e| state(&path, e))?
                }
            };
            for id in &ids {
                tx.execute("DELETE FROM installed_licenses WHERE id = ?1", [id])
                    .map_err(|e| state(&path, e))?;
            }
            Ok(ids)
        })
    }

    /// Adds a vendor public key to the keys this home trusts; returns whether
    /// it is new.
    pub fn trust_key(&mut self, key: &PublicKey, now: Timestamp) -> Result<bool, Error> {
        let path = self.path.clone();
        self.write(|tx| {
            let n = tx
                .execute(
                    "INSERT INTO trusted_keys (key_id, public_key, added_at) VALUES (?1, ?2, ?3)
                     ON CONFLICT (key_id) DO NOTHING",
                    params![key.key_id(), key.to_text(), format_time(now)],
                )
                .map_err(|e| state(&path, e))?;
            Ok(n == 1)
        })
    }

    /// Stops trusting the vendor key `key_id`; returns the number of keys
    /// still trusted, or `None` when the key was not trusted.
    pub fn untrust_key(&mut self, key_id: &str) -> Result<Option<usize>, Error> {
        let path = self.path.clone();
        self.write(|tx| {
            let removed = tx
                .execute(
                    "DELETE FROM trusted_keys WHERE key_id = ?1",
                    params![key_id],
                )
                .map_err(|e| state(&path, e))?;
            if removed == 0 {
                return Ok(None);
            }
            let left: i64 = tx
                .query_row("SELECT COUNT(*) FROM trusted_keys", [], |r| r.get(0))
                .map_err(|e| state(&path, e))?;
            Ok(Some(usize::try_from(left).unwrap_or(0)))
        })
    }

    /// The vendor keys this home trusts, oldest first.
    pub fn trusted_keys(&self) -> Result<Vec<PublicKey>, Error> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT key_id, public_key FROM trusted_keys ORDER BY added_at, key_id")
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))
            .map_err(|e| self.err(e))?;
        rows.map(|row| {
            let (key_id, text) = row.map_err(|e| self.err(e))?;
            match PublicKey::parse(&text) {
                Ok(key) if key.key_id() == key_id => Ok(key),
                _ => Err(Error::Store {
                    path: self.path.clone(),
                    reason: format!("trusted key {key_id} is damaged"),
                    help: "the database was modified outside caio; run `caio license trust` with the vendor's key again",
                }),
            }
        })
        .collect()
    }

    /// Stores a verified license on this instance; returns whether it is new.
    pub fn install_license(&mut self, license: &License, now: Timestamp) -> Result<bool, Error> {
        let path = self.path.clone();
        self.write(|tx| {
            let n = tx
                .execute(
                    "INSERT INTO installed_licenses (id, license, installed_at) VALUES (?1, ?2, ?3)
                     ON CONFLICT (id) DO NOTHING",
                    params![license.claims.id, license.text, format_time(now)],
                )
                .map_err(|e| state(&path, e))?;
            Ok(n == 1)
        })
    }

    /// The licenses installed on this instance, latest first.
    pub fn installed_licenses(&self) -> Result<Vec<InstalledLicense>, Error> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT id, license, installed_at FROM installed_licenses
                 ORDER BY installed_at DESC, id",
            )
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([], |r| {
                Ok(InstalledLicense {
                    id: r.get(0)?,
                    text: r.get(1)?,
                    installed_at: r.get(2)?,
                })
            })
            .map_err(|e| self.err(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.err(e))
    }

    /// Installs a verified revocation list. Only a list with a higher
    /// sequence replaces the installed one; the comparison happens inside
    /// the write lock, so two concurrent installs cannot go backwards.
    pub fn install_revocations(
        &mut self,
        list: &RevocationList,
        now: Timestamp,
    ) -> Result<RevocationsInstall, Error> {
        let path = self.path.clone();
        let offered = list.sequence();
        self.write(|tx| {
            let installed: Option<(i64, String)> = tx
                .query_row(
                    "SELECT sequence, body FROM installed_revocations WHERE singleton = 1",
                    [],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()
                .map_err(|e| state(&path, e))?;
            let replaced = match installed {
                Some((sequence, body)) => {
                    let sequence = u64::try_from(sequence).unwrap_or(0);
                    if sequence == offered && body == list.text {
                        return Ok(RevocationsInstall::Unchanged);
                    }
                    if sequence >= offered {
                        return Err(Error::RevocationsNotNewer {
                            installed: sequence,
                            offered,
                        });
                    }
                    Some(sequence)
                }
                None => None,
            };
            tx.execute(
                "INSERT INTO installed_revocations (singleton, sequence, body, installed_at)
                 VALUES (1, ?1, ?2, ?3)
                 ON CONFLICT (singleton) DO UPDATE SET
                    sequence = excluded.sequence, body = excluded.body,
                    installed_at = excluded.installed_at",
                params![offered as i64, list.text, format_time(now)],
            )
            .map_err(|e| state(&path, e))?;
            Ok(RevocationsInstall::Installed { replaced })
        })
    }

    /// The installed revocation list's text, if any.
    pub fn installed_revocations(&self) -> Result<Option<String>, Error> {
        self.conn
            .query_row(
                "SELECT body FROM installed_revocations WHERE singleton = 1",
                [],
                |r| r.get(0),
            )
            .optional()
            .map_err(|e| self.err(e))
    }

    /// The latest time the clock guard has seen.
    pub fn latest_seen(&self) -> Result<Option<Timestamp>, Error> {
        let text: Option<String> = self
            .conn
            .query_row(
                "SELECT latest_seen FROM license_clock WHERE singleton = 1",
                [],
                |r| r.get(0),
            )
            .optional()
            .map_err(|e| self.err(e))?;
        Ok(text.as_deref().and_then(parse_time))
    }

    /// The clock guard: refuses a clock more than [`CLOCK_GUARD`] behind the
    /// latest time seen.
    pub fn check_clock(&self, now: Timestamp) -> Result<(), Error> {
        if let Some(latest) = self.latest_seen()?
            && now < earlier(latest, CLOCK_GUARD)
        {
            return Err(Error::ClockTampered {
                now: format_time(now),
                latest: format_time(latest),
            });
        }
        Ok(())
    }

    /// Records `now` as seen when it is later than the latest time seen (at
    /// most once a minute, so routing does not write on every call). The
    /// caller records only plausible times: those a valid licence allowed.
    pub fn record_seen(&mut self, now: Timestamp) -> Result<(), Error> {
        if let Some(latest) = self.latest_seen()?
            && now < caio_core::license::later(latest, SignedDuration::from_mins(1))
        {
            return Ok(());
        }
        let path = self.path.clone();
        let at = format_time(now);
        self.write(|tx| {
            tx.execute(
                "INSERT INTO license_clock (singleton, latest_seen) VALUES (1, ?1)
                 ON CONFLICT (singleton) DO UPDATE SET latest_seen = excluded.latest_seen
                 WHERE excluded.latest_seen > license_clock.latest_seen",
                [&at],
            )
            .map_err(|e| state(&path, e))?;
            Ok(())
        })
    }

    /// Sets the latest time seen to `to`, even backwards: the recovery from
    /// a latest time that no installed licence makes plausible.
    pub fn reset_seen(&mut self, to: Timestamp) -> Result<(), Error> {
        let path = self.path.clone();
        let at = format_time(to);
        self.write(|tx| {
            tx.execute(
                "INSERT INTO license_clock (singleton, latest_seen) VALUES (1, ?1)
                 ON CONFLICT (singleton) DO UPDATE SET latest_seen = excluded.latest_seen",
                [&at],
            )
            .map_err(|e| state(&path, e))?;
            Ok(())
        })
    }

    fn corrupt_license(&self, id: &str, what: &str) -> Error {
        Error::Store {
            path: self.path.clone(),
            reason: format!("license {id}: {what}"),
            help: "the database was modified outside caio; restore it from a backup",
        }
    }
}

/// The licenses an id is looked up among.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Ids {
    /// Issued from this (sales-ops) database.
    Issued,
    /// Installed on this instance.
    Installed,
}

impl Ids {
    /// The table, the noun and where to find the ids.
    pub(crate) fn describe(self) -> (&'static str, &'static str, &'static str) {
        match self {
            Ids::Issued => (
                "licenses",
                "issued",
                "`caio license list` shows the licenses issued from this home; pass --home to point at the sales-ops home",
            ),
            Ids::Installed => (
                "installed_licenses",
                "installed",
                "`caio license status` shows the installed licenses",
            ),
        }
    }
}

/// The shortest prefix that names a license: 8 hex characters are 32 bits,
/// so two licenses share one only by a rare accident, and then caio says so.
const MIN_PREFIX: usize = 8;

/// The full id of the license `id` names: a full id (32 hex characters,
/// any case) or a prefix of at least [`MIN_PREFIX`] characters that only
/// one license starts with.
fn resolve_id(
    conn: &rusqlite::Connection,
    path: &std::path::Path,
    among: Ids,
    id: &str,
) -> Result<String, Error> {
    let given = license_prefix(id)?;
    let (table, _, _) = among.describe();
    let matches: Vec<String> = {
        let mut stmt = conn
            .prepare_cached(&format!(
                "SELECT id FROM {table} WHERE substr(id, 1, ?2) = ?1 ORDER BY id LIMIT 3"
            ))
            .map_err(|e| state(path, e))?;
        let rows = stmt
            .query_map(params![given, given.len() as i64], |r| r.get(0))
            .map_err(|e| state(path, e))?;
        rows.collect::<Result<_, _>>().map_err(|e| state(path, e))?
    };
    one_license(among, given, matches)
}

/// `id` as a lowercase prefix to look up, or why it cannot name a license.
pub(crate) fn license_prefix(id: &str) -> Result<String, Error> {
    let given = id.trim().to_ascii_lowercase();
    let bad = |reason: String| Error::LicenseId {
        id: id.to_string(),
        reason,
    };
    if given.is_empty() || !given.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(bad(
            "a license id is 32 hex characters (0-9, a-f), as `caio license list` shows".into(),
        ));
    }
    if given.len() > 32 {
        return Err(bad(format!(
            "it has {} characters, a license id 32",
            given.len()
        )));
    }
    if given.len() < MIN_PREFIX {
        return Err(bad(format!(
            "a prefix needs at least {MIN_PREFIX} characters, `{given}` has {}",
            given.len()
        )));
    }
    Ok(given)
}

/// The one license the ids `matches` (at most 3, sorted) of prefix `given`
/// name, or why there is none.
pub(crate) fn one_license(
    among: Ids,
    given: String,
    matches: Vec<String>,
) -> Result<String, Error> {
    let (_, noun, help) = among.describe();
    match matches.as_slice() {
        [one] => Ok(one.clone()),
        [] => Err(Error::UnknownLicense {
            among: noun,
            id: given,
            help: format!("no {noun} license has this id or starts with it; {help}"),
        }),
        _ => Err(Error::UnknownLicense {
            among: noun,
            id: given.clone(),
            help: format!(
                "several {noun} licenses start with `{given}` ({}, …); give more of the id",
                matches.join(", ")
            ),
        }),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;
    use crate::DEFAULT_BUSY_TIMEOUT;
    use crate::Store;
    use crate::home::Home;
    use caio_core::license::claims::{NewLicense, issue};
    use caio_core::license::{Feature, VendorKey};

    fn t(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    /// Two licenses whose ids share their first 8 characters: a prefix of
    /// 8 is refused as ambiguous, a longer one names one of them.
    #[test]
    fn an_ambiguous_prefix_lists_the_licenses_it_matches() {
        let tmp = tempfile::tempdir().unwrap();
        let home = Home {
            path: tmp.path().join("h"),
        };
        let mut store = Store::open(&home, DEFAULT_BUSY_TIMEOUT).unwrap();
        let key = VendorKey::from_seed(&[7; 32]);
        let now = t("2027-01-01T00:00:00Z");
        let new = NewLicense {
            customer: "Acme",
            features: &[Feature::Route],
            seats: 1,
            not_before: now,
            expires_at: t("2028-01-01T00:00:00Z"),
        };
        for id in [
            "abcdef01aaaaaaaaaaaaaaaaaaaaaaaa",
            "abcdef01bbbbbbbbbbbbbbbbbbbbbbbb",
        ] {
            let license = issue(&new, id.to_string(), now, &key).unwrap();
            store.record_license(&license, "test", None, now).unwrap();
        }
        let err = store.issued_license("abcdef01", now).unwrap_err();
        let help = miette::Diagnostic::help(&err).unwrap().to_string();
        assert!(
            help.contains("several issued licenses start with `abcdef01`")
                && help.contains("abcdef01aaaaaaaaaaaaaaaaaaaaaaaa")
                && help.contains("abcdef01bbbbbbbbbbbbbbbbbbbbbbbb"),
            "{help}"
        );
        let one = store.issued_license("ABCDEF01B", now).unwrap();
        assert_eq!(one.id, "abcdef01bbbbbbbbbbbbbbbbbbbbbbbb");
        assert!(matches!(
            store.issued_license("abcdef0", now),
            Err(Error::LicenseId { .. })
        ));
    }
}
