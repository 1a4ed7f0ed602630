//! Licence records on PostgreSQL: the same tables and results as
//! [`crate::licenses`].

use super::Postgres;
use crate::error::Error;
use crate::licenses::{
    Ids, InstalledLicense, LicenseFilter, LicenseRecord, LicenseStatus, Revocation,
    RevocationsInstall, license_prefix, one_license,
};
use caio_core::license::claims::{days_until, valid_through};
use caio_core::license::envelope::{format_time, parse_time};
use caio_core::license::revocation::{self, RevokedLicense};
use caio_core::license::{CLOCK_GUARD, License, PublicKey, RevocationList, VendorKey, earlier};
use jiff::{SignedDuration, Timestamp};

impl Postgres {
    pub(crate) fn record_license(
        &self,
        license: &License,
        issued_by: &str,
        renews: Option<&str>,
        now: Timestamp,
    ) -> Result<(), Error> {
        let c = &license.claims;
        let features = serde_json::to_string(&c.features).unwrap_or_else(|_| "[]".into());
        let seats = i64::try_from(c.seats).unwrap_or(i64::MAX);
        self.write(|pg, tx| {
            pg.execute(
                tx,
                "INSERT INTO license_customers (name, created_at) VALUES ($1, $2)
                 ON CONFLICT (name) DO NOTHING",
                &[&c.customer, &format_time(now)],
            )?;
            pg.execute(
                tx,
                "INSERT INTO licenses (id, customer, features, seats, issued_at, not_before,
                                       expires_at, key_id, issued_by, license, renews)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
                &[
                    &c.id,
                    &c.customer,
                    &features,
                    &seats,
                    &c.issued_at,
                    &c.not_before,
                    &c.expires_at,
                    &c.key_id,
                    &issued_by,
                    &license.text,
                    &renews,
                ],
            )?;
            Ok(())
        })
    }

    pub(crate) fn list_licenses(
        &self,
        filter: &LicenseFilter,
        now: Timestamp,
    ) -> Result<Vec<LicenseRecord>, Error> {
        let LicenseFilter {
            id: only,
            customer,
            status: wanted,
            expiring_within,
        } = filter;
        let rows = self.read(|pg, c| {
            // SQLite's NOCASE folds ASCII letters only; so does lower() in
            // the "C" collation.
            pg.query(
                c,
                r#"SELECT l.id, l.customer, l.features, l.seats, l.issued_at, l.not_before,
                        l.expires_at, l.key_id, l.issued_by, l.license, r.revoked_at, r.reason,
                        r.revoked_by, l.renews
                 FROM licenses l LEFT JOIN license_revocations r ON r.license_id = l.id
                 WHERE ($1::text IS NULL OR lower(l.customer) = lower($1 COLLATE "C"))
                   AND ($2::text IS NULL OR l.id = $2)
                 ORDER BY l.expires_at, l.id"#,
                &[customer, only],
            )
        })?;
        let horizon = expiring_within.map(|w| caio_core::license::later(now, w));
        let mut out = Vec::new();
        for r in &rows {
            let id: String = self.col(r, 0)?;
            let expires_at: String = self.col(r, 6)?;
            let revoked_at: Option<String> = self.col(r, 10)?;
            let expiry = parse_time(&expires_at)
                .ok_or_else(|| self.corrupt(format!("license {id}: bad expires_at")))?;
            let status = if revoked_at.is_some() {
                LicenseStatus::Revoked
            } else if now >= expiry {
                LicenseStatus::Expired
            } else {
                LicenseStatus::Active
            };
            if wanted.is_some_and(|s| s != status) {
                continue;
            }
            if let Some(horizon) = horizon
                && (status != LicenseStatus::Active || expiry > horizon)
            {
                continue;
            }
            let features: String = self.col(r, 2)?;
            let seats: i64 = self.col(r, 3)?;
            out.push(LicenseRecord {
                features: serde_json::from_str(&features)
                    .map_err(|_| self.corrupt(format!("license {id}: bad features")))?,
                seats: u64::try_from(seats).unwrap_or(0),
                valid_through: valid_through(expiry),
                days_left: days_until(now, expiry),
                status,
                customer: self.col(r, 1)?,
                issued_at: self.col(r, 4)?,
                not_before: self.col(r, 5)?,
                expires_at,
                revoked_at,
                revoke_reason: self.col(r, 11)?,
                revoked_by: self.col(r, 12)?,
                key_id: self.col(r, 7)?,
                issued_by: self.col(r, 8)?,
                renews: self.col(r, 13)?,
                license: self.col(r, 9)?,
                id,
            });
        }
        Ok(out)
    }

    pub(crate) fn revoke_license(
        &self,
        id: &str,
        reason: &str,
        actor: &str,
        now: Timestamp,
    ) -> Result<Revocation, Error> {
        let at = format_time(now);
        self.write(|pg, tx| {
            let license_id = pg.resolve_id(tx, Ids::Issued, id)?;
            let customer: String = pg
                .query_opt(
                    tx,
                    "SELECT customer FROM licenses WHERE id = $1",
                    &[&license_id],
                )?
                .map(|r| pg.col(&r, 0))
                .transpose()?
                .ok_or_else(|| pg.corrupt(format!("license {license_id} vanished")))?;
            let existing = pg.query_opt(
                tx,
                "SELECT revoked_at, reason FROM license_revocations WHERE license_id = $1",
                &[&license_id],
            )?;
            if let Some(r) = existing {
                return Ok(Revocation {
                    id: license_id,
                    customer,
                    revoked_at: pg.col(&r, 0)?,
                    reason: pg.col(&r, 1)?,
                    changed: false,
                });
            }
            pg.execute(
                tx,
                "INSERT INTO license_revocations (license_id, revoked_at, reason, revoked_by)
                 VALUES ($1, $2, $3, $4)",
                &[&license_id, &at, &reason, &actor],
            )?;
            Ok(Revocation {
                id: license_id,
                customer,
                revoked_at: at.clone(),
                reason: reason.to_string(),
                changed: true,
            })
        })
    }

    pub(crate) fn publish_revocations(
        &self,
        key: &VendorKey,
        sequence: Option<u64>,
        now: Timestamp,
    ) -> Result<RevocationList, Error> {
        let key_id = key.public().key_id().to_string();
        self.write(|pg, tx| {
            let last: i64 = pg
                .query_opt(
                    tx,
                    "SELECT coalesce(max(sequence), 0) FROM revocation_lists",
                    &[],
                )?
                .map(|r| pg.col(&r, 0))
                .transpose()?
                .unwrap_or(0);
            let last = u64::try_from(last).unwrap_or(0);
            let sequence = match sequence {
                Some(asked) if asked <= last => {
                    return Err(Error::RevocationsSequence { asked, last });
                }
                Some(asked) => asked,
                None => {
                    let history: i64 = pg
                        .query_opt(
                            tx,
                            "SELECT (SELECT count(*) FROM licenses WHERE key_id = $1)
                                  + (SELECT count(*) FROM revocation_lists WHERE key_id = $1)",
                            &[&key_id],
                        )?
                        .map(|r| pg.col(&r, 0))
                        .transpose()?
                        .unwrap_or(0);
                    if history == 0 {
                        return Err(Error::RevocationsWithoutHistory {
                            key_id: key_id.clone(),
                            next: last + 1,
                        });
                    }
                    last + 1
                }
            };
            let entries: Vec<RevokedLicense> = pg
                .query(
                    tx,
                    "SELECT license_id, revoked_at FROM license_revocations ORDER BY license_id",
                    &[],
                )?
                .iter()
                .map(|r| {
                    Ok(RevokedLicense {
                        id: pg.col(r, 0)?,
                        revoked_at: pg.col(r, 1)?,
                    })
                })
                .collect::<Result<_, Error>>()?;
            let count = entries.len() as i64;
            let list = revocation::sign(entries, sequence, now, key)
                .map_err(|reason| Error::LicenseRequest { reason })?;
            pg.execute(
                tx,
                "INSERT INTO revocation_lists (sequence, issued_at, key_id, entries, body)
                 VALUES ($1, $2, $3, $4, $5)",
                &[
                    &(sequence as i64),
                    &list.claims.issued_at,
                    &list.claims.key_id,
                    &count,
                    &list.text,
                ],
            )?;
            Ok(list)
        })
    }

    pub(crate) fn issued_license(&self, id: &str, now: Timestamp) -> Result<LicenseRecord, Error> {
        let full = self.read(|pg, c| pg.resolve_id(c, Ids::Issued, id))?;
        let filter = LicenseFilter {
            id: Some(full.clone()),
            ..LicenseFilter::default()
        };
        self.list_licenses(&filter, now)?
            .pop()
            .ok_or_else(|| self.corrupt(format!("license {full}: it vanished while read")))
    }

    pub(crate) fn renewals_of(
        &self,
        id: &str,
        now: Timestamp,
    ) -> Result<Vec<LicenseRecord>, Error> {
        let ids: Vec<String> = self.read(|pg, c| {
            pg.query(
                c,
                "SELECT id FROM licenses WHERE renews = $1 ORDER BY issued_at, id",
                &[&id],
            )?
            .iter()
            .map(|r| pg.col(r, 0))
            .collect()
        })?;
        ids.iter().map(|id| self.issued_license(id, now)).collect()
    }

    pub(crate) fn customer_spelling(&self, name: &str) -> Result<Option<String>, Error> {
        self.read(|pg, c| {
            pg.query_opt(
                c,
                r#"SELECT name FROM license_customers WHERE lower(name) = lower($1 COLLATE "C")
                   ORDER BY created_at, name LIMIT 1"#,
                &[&name],
            )?
            .map(|r| pg.col(&r, 0))
            .transpose()
        })
    }

    pub(crate) fn name_vendor_key(
        &self,
        key_id: &str,
        name: &str,
        now: Timestamp,
    ) -> Result<(), Error> {
        self.write(|pg, tx| {
            pg.execute(
                tx,
                "INSERT INTO vendor_keys (key_id, name, created_at) VALUES ($1, $2, $3)
                 ON CONFLICT (key_id) DO UPDATE SET name = excluded.name",
                &[&key_id, &name, &format_time(now)],
            )
            .map(drop)
        })
    }

    pub(crate) fn vendor_key_name(&self, key_id: &str) -> Result<Option<String>, Error> {
        self.read(|pg, c| {
            pg.query_opt(
                c,
                "SELECT name FROM vendor_keys WHERE key_id = $1",
                &[&key_id],
            )?
            .map(|r| pg.col(&r, 0))
            .transpose()
        })
    }

    pub(crate) fn uninstall_licenses(&self, id: Option<&str>) -> Result<Vec<String>, Error> {
        self.write(|pg, tx| {
            let ids: Vec<String> = match id {
                Some(id) => vec![pg.resolve_id(tx, Ids::Installed, id)?],
                None => pg
                    .query(tx, "SELECT id FROM installed_licenses ORDER BY id", &[])?
                    .iter()
                    .map(|r| pg.col(r, 0))
                    .collect::<Result<_, Error>>()?,
            };
            for id in &ids {
                pg.execute(tx, "DELETE FROM installed_licenses WHERE id = $1", &[id])?;
            }
            Ok(ids)
        })
    }

    /// The full id of the license `id` names (see `crate::licenses`).
    fn resolve_id(
        &self,
        c: &mut impl postgres::GenericClient,
        among: Ids,
        id: &str,
    ) -> Result<String, Error> {
        let given = license_prefix(id)?;
        let (table, _, _) = among.describe();
        let matches: Vec<String> = self
            .query(
                c,
                &format!("SELECT id FROM {table} WHERE left(id, $2) = $1 ORDER BY id LIMIT 3"),
                &[&given, &(given.len() as i32)],
            )?
            .iter()
            .map(|r| self.col(r, 0))
            .collect::<Result<_, Error>>()?;
        one_license(among, given, matches)
    }

    pub(crate) fn trust_key(&self, key: &PublicKey, now: Timestamp) -> Result<bool, Error> {
        self.write(|pg, tx| {
            let n = pg.execute(
                tx,
                "INSERT INTO trusted_keys (key_id, public_key, added_at) VALUES ($1, $2, $3)
                 ON CONFLICT (key_id) DO NOTHING",
                &[&key.key_id(), &key.to_text(), &format_time(now)],
            )?;
            Ok(n == 1)
        })
    }

    pub(crate) fn untrust_key(&self, key_id: &str) -> Result<Option<usize>, Error> {
        self.write(|pg, tx| {
            let removed =
                pg.execute(tx, "DELETE FROM trusted_keys WHERE key_id = $1", &[&key_id])?;
            if removed == 0 {
                return Ok(None);
            }
            let left: i64 = pg
                .query_opt(tx, "SELECT count(*) FROM trusted_keys", &[])?
                .map(|r| pg.col(&r, 0))
                .transpose()?
                .unwrap_or(0);
            Ok(Some(usize::try_from(left).unwrap_or(0)))
        })
    }

    pub(crate) fn trusted_keys(&self) -> Result<Vec<PublicKey>, Error> {
        let rows: Vec<(String, String)> = self.read(|pg, c| {
            pg.query(
                c,
                "SELECT key_id, public_key FROM trusted_keys ORDER BY added_at, key_id",
                &[],
            )?
            .iter()
            .map(|r| Ok((pg.col(r, 0)?, pg.col(r, 1)?)))
            .collect()
        })?;
        rows.into_iter()
            .map(|(key_id, text)| match PublicKey::parse(&text) {
                Ok(key) if key.key_id() == key_id => Ok(key),
                _ => Err(Error::Store {
                    path: self.location.clone(),
                    reason: format!("trusted key {key_id} is damaged"),
                    help: "the database was modified outside caio; run `caio license trust` with the vendor's key again",
                }),
            })
            .collect()
    }

    pub(crate) fn install_license(&self, license: &License, now: Timestamp) -> Result<bool, Error> {
        self.write(|pg, tx| {
            let n = pg.execute(
                tx,
                "INSERT INTO installed_licenses (id, license, installed_at) VALUES ($1, $2, $3)
                 ON CONFLICT (id) DO NOTHING",
                &[&license.claims.id, &license.text, &format_time(now)],
            )?;
            Ok(n == 1)
        })
    }

    pub(crate) fn installed_licenses(&self) -> Result<Vec<InstalledLicense>, Error> {
        self.read(|pg, c| {
            pg.query(
                c,
                "SELECT id, license, installed_at FROM installed_licenses
                 ORDER BY installed_at DESC, id",
                &[],
            )?
            .iter()
            .map(|r| {
                Ok(InstalledLicense {
                    id: pg.col(r, 0)?,
                    text: pg.col(r, 1)?,
                    installed_at: pg.col(r, 2)?,
                })
            })
            .collect()
        })
    }

    pub(crate) fn install_revocations(
        &self,
        list: &RevocationList,
        now: Timestamp,
    ) -> Result<RevocationsInstall, Error> {
        let offered = list.sequence();
        self.write(|pg, tx| {
            let installed = pg.query_opt(
                tx,
                "SELECT sequence, body FROM installed_revocations WHERE singleton = 1",
                &[],
            )?;
            let replaced = match installed {
                Some(r) => {
                    let sequence = u64::try_from(pg.col::<i64>(&r, 0)?).unwrap_or(0);
                    let body: String = pg.col(&r, 1)?;
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
            pg.execute(
                tx,
                "INSERT INTO installed_revocations (singleton, sequence, body, installed_at)
                 VALUES (1, $1, $2, $3)
                 ON CONFLICT (singleton) DO UPDATE SET
                    sequence = excluded.sequence, body = excluded.body,
                    installed_at = excluded.installed_at",
                &[&(offered as i64), &list.text, &format_time(now)],
            )?;
            Ok(RevocationsInstall::Installed { replaced })
        })
    }

    pub(crate) fn installed_revocations(&self) -> Result<Option<String>, Error> {
        self.read(|pg, c| {
            pg.query_opt(
                c,
                "SELECT body FROM installed_revocations WHERE singleton = 1",
                &[],
            )?
            .map(|r| pg.col(&r, 0))
            .transpose()
        })
    }

    pub(crate) fn latest_seen(&self) -> Result<Option<Timestamp>, Error> {
        let text: Option<String> = self.read(|pg, c| {
            pg.query_opt(
                c,
                "SELECT latest_seen FROM license_clock WHERE singleton = 1",
                &[],
            )?
            .map(|r| pg.col(&r, 0))
            .transpose()
        })?;
        Ok(text.as_deref().and_then(parse_time))
    }

    pub(crate) fn check_clock(&self, now: Timestamp) -> Result<(), Error> {
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

    pub(crate) fn record_seen(&self, now: Timestamp) -> Result<(), Error> {
        if let Some(latest) = self.latest_seen()?
            && now < caio_core::license::later(latest, SignedDuration::from_mins(1))
        {
            return Ok(());
        }
        let at = format_time(now);
        self.write(|pg, tx| {
            pg.execute(
                tx,
                "INSERT INTO license_clock (singleton, latest_seen) VALUES (1, $1)
                 ON CONFLICT (singleton) DO UPDATE SET latest_seen = excluded.latest_seen
                 WHERE excluded.latest_seen > license_clock.latest_seen",
                &[&at],
            )
            .map(drop)
        })
    }

    pub(crate) fn reset_seen(&self, to: Timestamp) -> Result<(), Error> {
        let at = format_time(to);
        self.write(|pg, tx| {
            pg.execute(
                tx,
                "INSERT INTO license_clock (singleton, latest_seen) VALUES (1, $1)
                 ON CONFLICT (singleton) DO UPDATE SET latest_seen = excluded.latest_seen",
                &[&at],
            )
            .map(drop)
        })
    }
}
