//! Registry tables: contract versions addressed by content hash, services and
//! their status, the capability and tag indexes, and the event history.

use super::Sqlite;
use crate::error::{ContractRefusal, Error};
use crate::forms::{self, Entry};
use caio_core::canonical;
use caio_core::contract::ServiceContract;
use caio_core::lifecycle::{Active, AddAction, ServiceStatus, plan_add};
use caio_core::time::timestamp;
use rusqlite::{OptionalExtension, Transaction, params};
use serde::Serialize;

/// Who did something and when, recorded with every change.
#[derive(Debug, Clone)]
pub struct Change {
    /// When.
    pub now: jiff::Timestamp,
    /// The operating-system user, or what the caller knows of who acted.
    pub actor: String,
}

/// One contract to add and where it came from (for messages).
pub struct NewContract<'a> {
    /// The validated contract.
    pub contract: &'a ServiceContract,
    /// Where it was read from (a path), for refusals.
    pub source: &'a str,
}

/// The result of adding one contract.
#[derive(Debug, Clone, Serialize)]
pub struct Registration {
    /// The service.
    pub service_id: String,
    /// The contract's version.
    pub version: String,
    /// The contract's content hash ([`contract_hash`]).
    pub hash: String,
    /// Added, upgraded, replaced or unchanged.
    pub action: AddAction,
    /// The version this one replaced, if any.
    pub previous_version: Option<String>,
}

/// A registered service with its active contract.
#[derive(Debug, Clone, Serialize)]
pub struct ServiceRecord {
    /// The service.
    pub service_id: String,
    /// The version of this contract.
    pub version: String,
    /// The contract's content hash ([`contract_hash`]).
    pub hash: String,
    /// The service's status (active, degraded, drained, disabled).
    pub status: ServiceStatus,
    /// Why the status was last set, if a reason was given.
    pub status_reason: Option<String>,
    /// When the status was last set, RFC 3339.
    pub status_changed_at: Option<String>,
    /// When this version was added, RFC 3339.
    pub added_at: String,
    /// Whether this version is the one routing uses (false for an older
    /// version, or for any version of a removed service).
    pub active: bool,
    /// The contract as stored.
    pub contract: ServiceContract,
}

/// One service of a capability form as stored: its contract is parsed
/// only when something reads it (SPEC §12: a route reads the compiled form).
#[derive(Debug)]
pub struct FormService {
    /// The contract's content hash ([`contract_hash`]).
    pub hash: String,
    /// The service's status.
    pub status: ServiceStatus,
    /// Why the status was last set, if a reason was given.
    pub status_reason: Option<String>,
    /// When the status was last set, RFC 3339.
    pub status_changed_at: Option<String>,
    /// When this version was added, RFC 3339.
    pub added_at: String,
    /// The active contract, parsed on first read.
    pub contract: caio_core::contract::StoredContract,
}

impl FormService {
    /// The service record, its contract parsed; an error (naming `path`,
    /// the database) when the stored body cannot be read back.
    pub fn into_record(self, path: &std::path::Path) -> Result<ServiceRecord, Error> {
        let contract = self
            .contract
            .get()
            .ok_or_else(|| Error::unreadable_contract(path, &self.contract))?
            .clone();
        Ok(ServiceRecord {
            service_id: contract.service_id.clone(),
            version: contract.version.clone(),
            hash: self.hash,
            status: self.status,
            status_reason: self.status_reason,
            status_changed_at: self.status_changed_at,
            added_at: self.added_at,
            active: true,
            contract,
        })
    }
}

/// The candidates of one capability as a route reads them: one stored row
/// (see the `forms` module), valid for the registry epoch it was built at.
#[derive(Debug)]
pub struct CapabilityForm<S = FormService> {
    /// The active services offering the capability, ordered by id (as
    /// the reader chose to keep them).
    pub services: Vec<S>,
    /// The trace object of that candidate set (kind `candidates`): the
    /// contract versions and statuses of `services`, in their order.
    pub candidates: caio_core::trace::v2::Object,
    /// The compiled form of `services`, in their order: what routing
    /// reads of them.
    pub compiled: caio_core::routing::Compiled,
}

/// Filters of `registry list`; `None` matches everything.
#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    /// Services offering this capability type.
    pub capability: Option<String>,
    /// Services with this tag.
    pub tag: Option<String>,
    /// Services with this status.
    pub status: Option<ServiceStatus>,
    /// Services of this provider.
    pub provider: Option<String>,
}

/// One version of a service in its history.
#[derive(Debug, Clone, Serialize)]
pub struct VersionEntry {
    /// The version.
    pub version: String,
    /// Its contract's content hash.
    pub hash: String,
    /// When it became active, RFC 3339.
    pub added_at: String,
    /// Who added it.
    pub added_by: String,
    /// How it came in: added, upgraded or replaced.
    pub how: String,
    /// What ended its time as the active version, if something did.
    pub replaced: Option<Replacement>,
    /// Whether it is the version routing uses now.
    pub active: bool,
}

/// What ended a version's time as the active one.
#[derive(Debug, Clone, Serialize)]
pub struct Replacement {
    /// When, RFC 3339.
    pub at: String,
    /// Who.
    pub by: String,
    /// upgraded, replaced or removed.
    pub how: String,
    /// The version that took over (none when the service was removed).
    pub version: Option<String>,
}

/// Every event of a service, in order.
#[derive(Debug, Clone, Serialize)]
pub struct Event {
    /// When, RFC 3339.
    pub at: String,
    /// added, upgraded, replaced, removed, status or circuit.
    pub kind: String,
    /// The version concerned (additions and removals).
    pub version: Option<String>,
    /// Its contract's content hash (additions and removals).
    pub hash: Option<String>,
    /// What changed, in words (status changes, circuit resets,
    /// re-registrations).
    pub detail: Option<String>,
    /// Who.
    pub actor: String,
}

/// A service's history (`registry history`), removed services included.
#[derive(Debug, Clone, Serialize)]
pub struct History {
    /// The service.
    pub service_id: String,
    /// Every version that became active, oldest first.
    pub versions: Vec<VersionEntry>,
    /// Every event, in order.
    pub events: Vec<Event>,
}

/// The content address of a contract: BLAKE3 of its canonical JSON, in hex.
pub fn contract_hash(contract: &ServiceContract) -> Result<(String, String), canonical::JcsError> {
    let body = canonical::to_jcs(contract)?;
    Ok((content_address(&body), body))
}

/// The content address of a contract's canonical JSON text (the body a
/// registry stores): BLAKE3 of it, in hex.
pub fn content_address(body: &str) -> String {
    blake3::hash(body.as_bytes()).to_hex().to_string()
}

impl Sqlite {
    /// Adds contracts in one transaction: every contract is stored or none is.
    pub fn add_contracts(
        &mut self,
        contracts: &[NewContract<'_>],
        replace: bool,
        change: &Change,
    ) -> Result<Vec<Registration>, Error> {
        let path = self.path.clone();
        let at = timestamp(change.now);
        self.write(|tx| {
            let e = |err| super::state(&path, err);
            let mut refusals = Vec::new();
            let mut done = Vec::new();
            let mut currency: Option<String> = tx
                .query_row(
                    "SELECT value FROM settings WHERE key = 'currency'",
                    [],
                    |r| r.get(0),
                )
                .optional()
                .map_err(e)?;
            for new in contracts {
                let c = new.contract;
                match &currency {
                    Some(cur) if *cur != c.cost.currency => {
                        refusals.push(ContractRefusal {
                            path: new.source.to_string(),
                            message: format!(
                                "{} prices in {}, but this registry uses {cur}",
                                c.service_id, c.cost.currency
                            ),
                            help: format!(
                                "one registry holds one currency: convert the prices to {cur}"
                            ),
                        });
                        continue;
                    }
                    Some(_) => {}
                    None => currency = Some(c.cost.currency.clone()),
                }
                let (hash, body) = contract_hash(c).map_err(|err| Error::Store {
                    path: path.clone(),
                    reason: format!("cannot hash {}: {err}", c.service_id),
                    help: "check the contract's numbers",
                })?;
                let active: Option<(String, String)> = tx
                    .query_row(
                        "SELECT cv.version, cv.hash FROM services s
                         JOIN contract_versions cv ON cv.hash = s.active_hash
                         WHERE s.service_id = ?1",
                        [&c.service_id],
                        |r| Ok((r.get(0)?, r.get(1)?)),
                    )
                    .optional()
                    .map_err(e)?;
                let plan = plan_add(
                    active
                        .as_ref()
                        .map(|(version, hash)| Active { version, hash }),
                    &c.version,
                    &hash,
                    replace,
                );
                let action = match plan {
                    Ok(action) => action,
                    Err(refusal) => {
                        refusals.push(ContractRefusal {
                            path: new.source.to_string(),
                            message: format!("{}: {}", c.service_id, refusal.message()),
                            help: refusal.help(),
                        });
                        continue;
                    }
                };
                if action != AddAction::Unchanged {
                    store_version(tx, c, &hash, &body, &at, &change.actor, &action).map_err(e)?;
                }
                done.push(Registration {
                    service_id: c.service_id.clone(),
                    version: c.version.clone(),
                    hash,
                    action,
                    previous_version: active.map(|(v, _)| v),
                });
            }
            if !refusals.is_empty() {
                return Err(Error::AddRefused { refusals });
            }
            if let Some(cur) = currency {
                tx.execute(
                    "INSERT INTO settings (key, value) VALUES ('currency', ?1)
                     ON CONFLICT (key) DO NOTHING",
                    [cur],
                )
                .map_err(e)?;
            }
            Ok(done)
        })
    }

    /// Active services matching `filter`, ordered by id.
    pub fn list_services(&self, filter: &ListFilter) -> Result<Vec<ServiceRecord>, Error> {
        let mut stmt = self
            .conn
            .prepare_cached(&format!(
                "{SELECT_SERVICE}
                 WHERE (?1 IS NULL OR EXISTS (SELECT 1 FROM capability_index ci
                        WHERE ci.service_id = s.service_id AND ci.capability = ?1))
                   AND (?2 IS NULL OR EXISTS (SELECT 1 FROM service_tags t
                        WHERE t.service_id = s.service_id AND t.tag = ?2))
                   AND (?3 IS NULL OR s.status = ?3)
                   AND (?4 IS NULL OR s.provider = ?4)
                 ORDER BY s.service_id"
            ))
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map(
                params![
                    filter.capability,
                    filter.tag,
                    filter.status.map(ServiceStatus::as_str),
                    filter.provider
                ],
                raw_service,
            )
            .map_err(|e| self.err(e))?;
        rows.map(|row| self.record_of(&row.map_err(|e| self.err(e))?))
            .collect()
    }

    /// Active services offering `capability`, read through the capability
    /// index: only those contracts are parsed. Each is handed to `make` as
    /// it is read.
    pub fn capability_form<S>(
        &self,
        capability: &str,
        mut make: impl FnMut(FormService) -> S,
    ) -> Result<CapabilityForm<S>, Error> {
        if let Some(form) = self.stored_form(capability, &mut make)? {
            return Ok(form);
        }
        // The epoch before the tables (see `forms`).
        let epoch: i64 = self
            .conn
            .query_row("SELECT n FROM registry_epoch", [], |r| r.get(0))
            .map_err(|e| self.err(e))?;
        // Driven by the index (capability, service_id): only the services
        // offering the capability are visited, already in id order.
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT s.service_id, cv.version, cv.hash, s.status, s.status_reason,
                        s.status_changed_at, cv.added_at, cv.body, 1
                 FROM capability_index ci
                 JOIN services s ON s.service_id = ci.service_id
                 JOIN contract_versions cv ON cv.hash = s.active_hash
                 WHERE ci.capability = ?1
                 ORDER BY ci.service_id",
            )
            .map_err(|e| self.err(e))?;
        let raws = stmt
            .query_map([capability], raw_service)
            .map_err(|e| self.err(e))?
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| self.err(e))?;
        let entries: Vec<Entry<'_>> = raws.iter().map(RawService::entry).collect();
        let (form, body) = forms::build(&entries, |reason| self.corrupt(reason), make)?;
        self.keep_form(capability, epoch, &body);
        Ok(form)
    }

    /// `capability`'s stored form, when it is one of the current registry
    /// epoch and of this caio's format (one query, one row). The row's body is read
    /// as it is decoded (incremental blob I/O), in one read transaction, so
    /// the whole form is never held in memory at once.
    fn stored_form<S>(
        &self,
        capability: &str,
        make: impl FnMut(FormService) -> S,
    ) -> Result<Option<CapabilityForm<S>>, Error> {
        let tx = self.conn.unchecked_transaction().map_err(|e| self.err(e))?;
        let row: Option<i64> = tx
            .prepare_cached(
                "SELECT f.rowid FROM capability_forms f
                 JOIN registry_epoch e ON e.n = f.epoch
                 WHERE f.capability = ?1",
            )
            .and_then(|mut stmt| stmt.query_row([capability], |r| r.get(0)).optional())
            .map_err(|e| self.err(e))?;
        let Some(row) = row else {
            return Ok(None);
        };
        let blob = tx
            .blob_open(rusqlite::MAIN_DB, "capability_forms", "body", row, true)
            .map_err(|e| self.err(e))?;
        let len = blob.len() as u64;
        let form = forms::read_form(
            std::io::BufReader::with_capacity(64 << 10, blob),
            len,
            |reason| self.corrupt(reason),
            make,
        )?;
        tx.finish().map_err(|e| self.err(e))?;
        Ok(form)
    }

    /// Stores the form of `capability` built at `epoch`, unless the
    /// registry changed since. Best effort: a form is a cache, and one that
    /// cannot be stored now (another process writing, a read-only file) is
    /// built again by a later route. It never waits for a lock.
    fn keep_form(&self, capability: &str, epoch: i64, body: &[u8]) {
        if self.conn.busy_timeout(std::time::Duration::ZERO).is_err() {
            return;
        }
        let stored = self.conn.execute(
            "INSERT INTO capability_forms (capability, epoch, body)
             SELECT ?1, ?2, ?3 WHERE (SELECT n FROM registry_epoch) = ?2
             ON CONFLICT (capability) DO UPDATE SET epoch = excluded.epoch, body = excluded.body",
            params![capability, epoch, body],
        );
        if stored.is_ok_and(|rows| rows > 0) {
            self.wrote.set(true);
        }
        let _ = self.conn.busy_timeout(self.busy_timeout);
    }

    /// Every capability type some registered service offers, sorted (what
    /// "did you mean" picks from when a request names another).
    pub fn capabilities(&self) -> Result<Vec<String>, Error> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT DISTINCT ci.capability
                 FROM capability_index ci
                 JOIN services s ON s.service_id = ci.service_id
                 WHERE s.active_hash IS NOT NULL
                 ORDER BY ci.capability",
            )
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([], |r| r.get::<_, String>(0))
            .map_err(|e| self.err(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.err(e))
    }

    /// One service: its active version, or `version` from its history (also
    /// for a removed service, whose versions stay for replay).
    pub fn show_service(&self, id: &str, version: Option<&str>) -> Result<ServiceRecord, Error> {
        let raw = self
            .conn
            .query_row(
                "SELECT s.service_id, cv.version, cv.hash, s.status, s.status_reason,
                        s.status_changed_at, cv.added_at, cv.body, cv.hash IS s.active_hash
                 FROM services s JOIN contract_versions cv ON cv.service_id = s.service_id
                 WHERE s.service_id = ?1
                   AND (CASE WHEN ?2 IS NULL THEN cv.hash IS s.active_hash ELSE cv.version = ?2 END)
                 ORDER BY cv.added_at DESC, cv.rowid DESC LIMIT 1",
                params![id, version],
                raw_service,
            )
            .optional()
            .map_err(|e| self.err(e))?;
        match (raw, version) {
            (Some(raw), _) => self.record_of(&raw),
            (None, None) => Err(self.unknown_service(id)),
            (None, Some(wanted)) => {
                let known = self.versions_of(id)?;
                if known.is_empty() {
                    return Err(self.unknown_service(id));
                }
                Err(Error::UnknownVersion {
                    service_id: id.to_string(),
                    version: wanted.to_string(),
                    help: format!("known versions: {}", known.join(", ")),
                })
            }
        }
    }

    /// Every version and event of a service, removed services included.
    pub fn history(&self, id: &str) -> Result<History, Error> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT at, kind, version, hash, detail, actor FROM service_events
                 WHERE service_id = ?1 ORDER BY id",
            )
            .map_err(|e| self.err(e))?;
        let events: Vec<Event> = stmt
            .query_map([id], |r| {
                Ok(Event {
                    at: r.get(0)?,
                    kind: r.get(1)?,
                    version: r.get(2)?,
                    hash: r.get(3)?,
                    detail: r.get(4)?,
                    actor: r.get(5)?,
                })
            })
            .map_err(|e| self.err(e))?
            .collect::<Result<_, _>>()
            .map_err(|e| self.err(e))?;
        if events.is_empty() {
            return Err(self.unknown_service(id));
        }
        Ok(History {
            service_id: id.to_string(),
            versions: versions_from_events(&events),
            events,
        })
    }

    /// Sets a service's status, recording reason, time and actor.
    pub fn set_status(
        &mut self,
        id: &str,
        status: ServiceStatus,
        reason: Option<&str>,
        change: &Change,
    ) -> Result<ServiceStatus, Error> {
        let at = timestamp(change.now);
        let path = self.path.clone();
        let previous = self.write(|tx| {
            let e = |err| super::state(&path, err);
            let previous: Option<String> = tx
                .query_row(
                    "SELECT status FROM services WHERE service_id = ?1 AND active_hash IS NOT NULL",
                    [id],
                    |r| r.get(0),
                )
                .optional()
                .map_err(e)?;
            let Some(previous) = previous else {
                return Ok(None);
            };
            tx.execute(
                "UPDATE services SET status = ?2, status_reason = ?3, status_changed_at = ?4
                 WHERE service_id = ?1",
                params![id, status.as_str(), reason, at],
            )
            .map_err(e)?;
            let detail = match reason {
                Some(r) => format!("{previous} -> {status}: {r}"),
                None => format!("{previous} -> {status}"),
            };
            event(
                tx,
                id,
                &at,
                "status",
                None,
                None,
                Some(&detail),
                &change.actor,
            )
            .map_err(e)?;
            Ok(Some(
                ServiceStatus::parse(&previous).unwrap_or(ServiceStatus::Active),
            ))
        })?;
        // The error (with its suggestion scan) is built only when needed.
        previous.ok_or_else(|| self.unknown_service(id))
    }

    /// Deregisters a service; its versions and history stay for replay.
    pub fn remove_service(&mut self, id: &str, change: &Change) -> Result<String, Error> {
        let at = timestamp(change.now);
        let path = self.path.clone();
        let removed = self.write(|tx| {
            let e = |err| super::state(&path, err);
            let active: Option<(String, String)> = tx
                .query_row(
                    "SELECT cv.version, cv.hash FROM services s
                     JOIN contract_versions cv ON cv.hash = s.active_hash
                     WHERE s.service_id = ?1",
                    [id],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()
                .map_err(e)?;
            let Some((version, hash)) = active else {
                return Ok(None);
            };
            tx.execute("DELETE FROM capability_index WHERE service_id = ?1", [id])
                .map_err(e)?;
            tx.execute("DELETE FROM service_tags WHERE service_id = ?1", [id])
                .map_err(e)?;
            tx.execute(
                "UPDATE services SET active_hash = NULL, removed_at = ?2 WHERE service_id = ?1",
                params![id, at],
            )
            .map_err(e)?;
            event(
                tx,
                id,
                &at,
                "removed",
                Some(&version),
                Some(&hash),
                None,
                &change.actor,
            )
            .map_err(e)?;
            Ok(Some(version))
        })?;
        removed.ok_or_else(|| self.unknown_service(id))
    }

    /// A contract version by its content hash (for replay), removed or not.
    pub fn contract_by_hash(&self, hash: &str) -> Result<Option<ServiceContract>, Error> {
        self.contract_body(hash)?
            .map(|b| self.parse_body(&b))
            .transpose()
    }

    /// A contract version's stored body by its content hash, removed or
    /// not.
    pub fn contract_body(&self, hash: &str) -> Result<Option<String>, Error> {
        self.conn
            .prepare_cached("SELECT body FROM contract_versions WHERE hash = ?1")
            .and_then(|mut s| s.query_row([hash], |r| r.get(0)).optional())
            .map_err(|e| self.err(e))
    }

    fn versions_of(&self, id: &str) -> Result<Vec<String>, Error> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT DISTINCT version FROM contract_versions WHERE service_id = ?1 ORDER BY added_at",
            )
            .map_err(|e| self.err(e))?;
        stmt.query_map([id], |r| r.get(0))
            .map_err(|e| self.err(e))?
            .collect::<Result<_, _>>()
            .map_err(|e| self.err(e))
    }

    fn unknown_service(&self, id: &str) -> Error {
        let removed: Option<String> = self
            .conn
            .query_row(
                "SELECT removed_at FROM services WHERE service_id = ?1 AND active_hash IS NULL",
                [id],
                |r| r.get(0),
            )
            .optional()
            .ok()
            .flatten();
        if let Some(at) = removed {
            return Error::UnknownService {
                id: id.to_string(),
                help: format!(
                    "`{id}` was removed at {at}; `caio registry history {id}` lists its versions \
                     and `caio registry show {id} --version V` shows one"
                ),
            };
        }
        let ids: Vec<String> = self
            .conn
            .prepare_cached("SELECT service_id FROM services WHERE active_hash IS NOT NULL")
            .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect())
            .unwrap_or_default();
        let names: Vec<&str> = ids.iter().map(String::as_str).collect();
        let help = match caio_core::shape::did_you_mean(id, &names) {
            Some(s) => format!("did you mean `{s}`? `caio registry list` shows the services"),
            None => "`caio registry list` shows the registered services".to_string(),
        };
        Error::UnknownService {
            id: id.to_string(),
            help,
        }
    }

    fn parse_body(&self, body: &str) -> Result<ServiceContract, Error> {
        forms::parse_contract(body, |reason| self.corrupt(reason))
    }

    fn record_of(&self, raw: &RawService) -> Result<ServiceRecord, Error> {
        raw.entry()
            .record(raw.active, |reason| self.corrupt(reason))
    }
}

const SELECT_SERVICE: &str = "SELECT s.service_id, cv.version, cv.hash, s.status, s.status_reason,
        s.status_changed_at, cv.added_at, cv.body, 1
 FROM services s JOIN contract_versions cv ON cv.hash = s.active_hash";

struct RawService {
    service_id: String,
    version: String,
    hash: String,
    status: String,
    status_reason: Option<String>,
    status_changed_at: Option<String>,
    added_at: String,
    body: String,
    active: bool,
}

impl RawService {
    fn entry(&self) -> Entry<'_> {
        Entry {
            service_id: &self.service_id,
            version: &self.version,
            hash: &self.hash,
            status: &self.status,
            status_reason: self.status_reason.as_deref(),
            status_changed_at: self.status_changed_at.as_deref(),
            added_at: &self.added_at,
            body: &self.body,
        }
    }
}

fn raw_service(r: &rusqlite::Row<'_>) -> rusqlite::Result<RawService> {
    Ok(RawService {
        service_id: r.get(0)?,
        version: r.get(1)?,
        hash: r.get(2)?,
        status: r.get(3)?,
        status_reason: r.get(4)?,
        status_changed_at: r.get(5)?,
        added_at: r.get(6)?,
        body: r.get(7)?,
        active: r.get(8)?,
    })
}

fn store_version(
    tx: &Transaction<'_>,
    c: &ServiceContract,
    hash: &str,
    body: &str,
    at: &str,
    actor: &str,
    action: &AddAction,
) -> rusqlite::Result<()> {
    let id = &c.service_id;
    let re_registered: bool = tx
        .query_row(
            "SELECT removed_at IS NOT NULL FROM services WHERE service_id = ?1",
            [id],
            |r| r.get(0),
        )
        .optional()?
        .unwrap_or(false);
    tx.execute(
        "INSERT INTO contract_versions (hash, service_id, version, body, added_at)
         VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (hash) DO NOTHING",
        params![hash, id, c.version, body, at],
    )?;
    tx.execute(
        "INSERT INTO services (service_id, active_hash, provider) VALUES (?1, ?2, ?3)
         ON CONFLICT (service_id) DO UPDATE SET active_hash = ?2, provider = ?3, removed_at = NULL",
        params![id, hash, c.provider],
    )?;
    if re_registered {
        // A removed service comes back as a new registration: active again.
        tx.execute(
            "UPDATE services SET status = 'active', status_reason = NULL, status_changed_at = ?2
             WHERE service_id = ?1",
            params![id, at],
        )?;
    }
    tx.execute("DELETE FROM capability_index WHERE service_id = ?1", [id])?;
    tx.execute("DELETE FROM service_tags WHERE service_id = ?1", [id])?;
    let mut cap = tx.prepare_cached(
        "INSERT OR IGNORE INTO capability_index (capability, service_id) VALUES (?1, ?2)",
    )?;
    for capability in &c.capabilities {
        cap.execute(params![capability.kind, id])?;
    }
    let mut tag =
        tx.prepare_cached("INSERT OR IGNORE INTO service_tags (tag, service_id) VALUES (?1, ?2)")?;
    for t in &c.tags {
        tag.execute(params![t, id])?;
    }
    event(
        tx,
        id,
        at,
        action.as_str(),
        Some(&c.version),
        Some(hash),
        re_registered.then_some("re-registered after removal; status reset to active"),
        actor,
    )
}

#[allow(clippy::too_many_arguments)]
pub(super) fn event(
    tx: &Transaction<'_>,
    service_id: &str,
    at: &str,
    kind: &str,
    version: Option<&str>,
    hash: Option<&str>,
    detail: Option<&str>,
    actor: &str,
) -> rusqlite::Result<()> {
    tx.prepare_cached(
        "INSERT INTO service_events (service_id, at, kind, version, hash, detail, actor)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![service_id, at, kind, version, hash, detail, actor])?;
    Ok(())
}

/// Folds the event log into one entry per version that became active.
pub(crate) fn versions_from_events(events: &[Event]) -> Vec<VersionEntry> {
    let mut versions: Vec<VersionEntry> = Vec::new();
    for ev in events {
        match ev.kind.as_str() {
            "added" | "upgraded" | "replaced" => {
                if let Some(last) = versions.last_mut().filter(|v| v.replaced.is_none()) {
                    last.active = false;
                    last.replaced = Some(Replacement {
                        at: ev.at.clone(),
                        by: ev.actor.clone(),
                        how: ev.kind.clone(),
                        version: ev.version.clone(),
                    });
                }
                versions.push(VersionEntry {
                    version: ev.version.clone().unwrap_or_default(),
                    hash: ev.hash.clone().unwrap_or_default(),
                    added_at: ev.at.clone(),
                    added_by: ev.actor.clone(),
                    how: ev.kind.clone(),
                    replaced: None,
                    active: true,
                });
            }
            "removed" => {
                if let Some(last) = versions.last_mut().filter(|v| v.replaced.is_none()) {
                    last.active = false;
                    last.replaced = Some(Replacement {
                        at: ev.at.clone(),
                        by: ev.actor.clone(),
                        how: "removed".into(),
                        version: None,
                    });
                }
            }
            _ => {}
        }
    }
    versions
}
