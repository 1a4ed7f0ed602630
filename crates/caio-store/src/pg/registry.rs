//! The registry on PostgreSQL: the same tables and results as
//! [`crate::registry`].

use super::Postgres;
use crate::error::{ContractRefusal, Error};
use crate::forms::{self, Entry};
use crate::registry::{
    CapabilityForm, Change, Event, FormService, History, ListFilter, NewContract, Registration,
    ServiceRecord, contract_hash, versions_from_events,
};
use caio_core::contract::ServiceContract;
use caio_core::lifecycle::{Active, AddAction, ServiceStatus, plan_add};
use caio_core::time::timestamp;
use postgres::{GenericClient, Transaction};

const SERVICE_COLUMNS: &str = "s.service_id, cv.version, cv.hash, s.status, s.status_reason,
        s.status_changed_at, cv.added_at, cv.body";

impl Postgres {
    pub(crate) fn add_contracts(
        &self,
        contracts: &[NewContract<'_>],
        replace: bool,
        change: &Change,
    ) -> Result<Vec<Registration>, Error> {
        let at = timestamp(change.now);
        self.write(|pg, tx| {
            let mut refusals = Vec::new();
            let mut done = Vec::new();
            let mut currency: Option<String> = pg
                .query_opt(tx, "SELECT value FROM settings WHERE key = 'currency'", &[])?
                .map(|r| pg.col(&r, 0))
                .transpose()?;
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
                    path: pg.location.clone(),
                    reason: format!("cannot hash {}: {err}", c.service_id),
                    help: "check the contract's numbers",
                })?;
                let active: Option<(String, String)> = pg
                    .query_opt(
                        tx,
                        "SELECT cv.version, cv.hash FROM services s
                         JOIN contract_versions cv ON cv.hash = s.active_hash
                         WHERE s.service_id = $1",
                        &[&c.service_id],
                    )?
                    .map(|r| Ok::<_, Error>((pg.col(&r, 0)?, pg.col(&r, 1)?)))
                    .transpose()?;
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
                    pg.store_version(tx, c, &hash, &body, &at, &change.actor, &action)?;
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
                pg.execute(
                    tx,
                    "INSERT INTO settings (key, value) VALUES ('currency', $1)
                     ON CONFLICT (key) DO NOTHING",
                    &[&cur],
                )?;
            }
            Ok(done)
        })
    }

    pub(crate) fn list_services(&self, filter: &ListFilter) -> Result<Vec<ServiceRecord>, Error> {
        let ListFilter {
            capability,
            tag,
            status,
            provider,
        } = filter;
        let status = status.map(ServiceStatus::as_str);
        self.read(|pg, c| {
            let rows = pg.query(
                c,
                &format!(
                    "SELECT {SERVICE_COLUMNS}, true
                     FROM services s JOIN contract_versions cv ON cv.hash = s.active_hash
                     WHERE ($1::text IS NULL OR EXISTS (SELECT 1 FROM capability_index ci
                            WHERE ci.service_id = s.service_id AND ci.capability = $1))
                       AND ($2::text IS NULL OR EXISTS (SELECT 1 FROM service_tags t
                            WHERE t.service_id = s.service_id AND t.tag = $2))
                       AND ($3::text IS NULL OR s.status = $3)
                       AND ($4::text IS NULL OR s.provider = $4)
                     ORDER BY s.service_id"
                ),
                &[capability, tag, &status, provider],
            )?;
            rows.iter().map(|r| pg.service(r)).collect()
        })
    }

    pub(crate) fn capability_form<S>(
        &self,
        capability: &str,
        mut make: impl FnMut(FormService) -> S,
    ) -> Result<CapabilityForm<S>, Error> {
        self.read(|pg, c| {
            let stored = pg.query_opt(
                c,
                "SELECT f.body FROM capability_forms f
                 JOIN registry_epoch e ON e.n = f.epoch
                 WHERE f.capability = $1",
                &[&capability],
            )?;
            if let Some(row) = stored {
                let bytes: &[u8] = pg.col(&row, 0)?;
                let form = forms::read_form(
                    bytes,
                    bytes.len() as u64,
                    |reason| pg.corrupt(reason),
                    &mut make,
                )?;
                if let Some(form) = form {
                    return Ok(form);
                }
            }
            // The epoch before the tables (see `forms`).
            let epoch = pg.query_opt(c, "SELECT n FROM registry_epoch", &[])?;
            let epoch: i64 = match &epoch {
                Some(row) => pg.col(row, 0)?,
                None => return Err(pg.corrupt("the registry epoch is missing".into())),
            };
            let rows = pg.query(
                c,
                &format!(
                    "SELECT {SERVICE_COLUMNS}, true
                     FROM capability_index ci
                     JOIN services s ON s.service_id = ci.service_id
                     JOIN contract_versions cv ON cv.hash = s.active_hash
                     WHERE ci.capability = $1
                     ORDER BY ci.service_id"
                ),
                &[&capability],
            )?;
            let entries = rows
                .iter()
                .map(|r| pg.entry(r))
                .collect::<Result<Vec<_>, _>>()?;
            let (form, body) = forms::build(&entries, |reason| pg.corrupt(reason), &mut make)?;
            // Best effort, as in SQLite: a form that cannot be stored is
            // built again by a later route.
            if pg.writable().is_ok() {
                let _ = c.execute(
                    "INSERT INTO capability_forms (capability, epoch, body)
                     SELECT $1, $2, $3 WHERE (SELECT n FROM registry_epoch) = $2
                     ON CONFLICT (capability) DO UPDATE
                     SET epoch = EXCLUDED.epoch, body = EXCLUDED.body",
                    &[&capability, &epoch, &body],
                );
            }
            Ok(form)
        })
    }

    pub(crate) fn capabilities(&self) -> Result<Vec<String>, Error> {
        self.read(|pg, c| {
            pg.query(
                c,
                "SELECT DISTINCT ci.capability
                 FROM capability_index ci
                 JOIN services s ON s.service_id = ci.service_id
                 WHERE s.active_hash IS NOT NULL
                 ORDER BY ci.capability",
                &[],
            )?
            .iter()
            .map(|r| pg.col(r, 0))
            .collect()
        })
    }

    pub(crate) fn show_service(
        &self,
        id: &str,
        version: Option<&str>,
    ) -> Result<ServiceRecord, Error> {
        let row = self.read(|pg, c| {
            pg.query_opt(
                c,
                &format!(
                    "SELECT {SERVICE_COLUMNS}, cv.hash IS NOT DISTINCT FROM s.active_hash
                     FROM services s JOIN contract_versions cv ON cv.service_id = s.service_id
                     WHERE s.service_id = $1
                       AND (CASE WHEN $2::text IS NULL THEN cv.hash IS NOT DISTINCT FROM s.active_hash
                                 ELSE cv.version = $2 END)
                     ORDER BY cv.added_at DESC, cv.rowid DESC LIMIT 1"
                ),
                &[&id, &version],
            )
        })?;
        match (row, version) {
            (Some(row), _) => self.service(&row),
            (None, None) => Err(self.unknown_service(id)),
            (None, Some(wanted)) => {
                let known: Vec<String> = self.read(|pg, c| {
                    pg.query(
                        c,
                        "SELECT version FROM contract_versions WHERE service_id = $1
                         GROUP BY version ORDER BY min(added_at), min(rowid)",
                        &[&id],
                    )?
                    .iter()
                    .map(|r| pg.col(r, 0))
                    .collect()
                })?;
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

    pub(crate) fn history(&self, id: &str) -> Result<History, Error> {
        let events: Vec<Event> = self.read(|pg, c| {
            pg.query(
                c,
                "SELECT at, kind, version, hash, detail, actor FROM service_events
                 WHERE service_id = $1 ORDER BY id",
                &[&id],
            )?
            .iter()
            .map(|r| {
                Ok(Event {
                    at: pg.col(r, 0)?,
                    kind: pg.col(r, 1)?,
                    version: pg.col(r, 2)?,
                    hash: pg.col(r, 3)?,
                    detail: pg.col(r, 4)?,
                    actor: pg.col(r, 5)?,
                })
            })
            .collect::<Result<_, Error>>()
        })?;
        if events.is_empty() {
            return Err(self.unknown_service(id));
        }
        Ok(History {
            service_id: id.to_string(),
            versions: versions_from_events(&events),
            events,
        })
    }

    pub(crate) fn set_status(
        &self,
        id: &str,
        status: ServiceStatus,
        reason: Option<&str>,
        change: &Change,
    ) -> Result<ServiceStatus, Error> {
        let at = timestamp(change.now);
        let previous = self.write(|pg, tx| {
            let previous: Option<String> = pg
                .query_opt(
                    tx,
                    "SELECT status FROM services WHERE service_id = $1 AND active_hash IS NOT NULL",
                    &[&id],
                )?
                .map(|r| pg.col(&r, 0))
                .transpose()?;
            let Some(previous) = previous else {
                return Ok(None);
            };
            pg.execute(
                tx,
                "UPDATE services SET status = $2, status_reason = $3, status_changed_at = $4
                 WHERE service_id = $1",
                &[&id, &status.as_str(), &reason, &at],
            )?;
            let detail = match reason {
                Some(r) => format!("{previous} -> {status}: {r}"),
                None => format!("{previous} -> {status}"),
            };
            pg.event(
                tx,
                id,
                &at,
                "status",
                None,
                None,
                Some(&detail),
                &change.actor,
            )?;
            Ok(Some(
                ServiceStatus::parse(&previous).unwrap_or(ServiceStatus::Active),
            ))
        })?;
        previous.ok_or_else(|| self.unknown_service(id))
    }

    pub(crate) fn remove_service(&self, id: &str, change: &Change) -> Result<String, Error> {
        let at = timestamp(change.now);
        let removed = self.write(|pg, tx| {
            let active: Option<(String, String)> = pg
                .query_opt(
                    tx,
                    "SELECT cv.version, cv.hash FROM services s
                     JOIN contract_versions cv ON cv.hash = s.active_hash
                     WHERE s.service_id = $1",
                    &[&id],
                )?
                .map(|r| Ok::<_, Error>((pg.col(&r, 0)?, pg.col(&r, 1)?)))
                .transpose()?;
            let Some((version, hash)) = active else {
                return Ok(None);
            };
            pg.execute(
                tx,
                "DELETE FROM capability_index WHERE service_id = $1",
                &[&id],
            )?;
            pg.execute(tx, "DELETE FROM service_tags WHERE service_id = $1", &[&id])?;
            pg.execute(
                tx,
                "UPDATE services SET active_hash = NULL, removed_at = $2 WHERE service_id = $1",
                &[&id, &at],
            )?;
            pg.event(
                tx,
                id,
                &at,
                "removed",
                Some(&version),
                Some(&hash),
                None,
                &change.actor,
            )?;
            Ok(Some(version))
        })?;
        removed.ok_or_else(|| self.unknown_service(id))
    }

    pub(crate) fn contract_by_hash(&self, hash: &str) -> Result<Option<ServiceContract>, Error> {
        self.contract_body(hash)?
            .map(|b| self.parse_body(&b))
            .transpose()
    }

    /// A contract version's stored body by its content hash, removed or
    /// not.
    pub(crate) fn contract_body(&self, hash: &str) -> Result<Option<String>, Error> {
        self.read(|pg, c| {
            pg.query_opt(
                c,
                "SELECT body FROM contract_versions WHERE hash = $1",
                &[&hash],
            )?
            .map(|r| pg.col(&r, 0))
            .transpose()
        })
    }

    fn unknown_service(&self, id: &str) -> Error {
        let removed: Option<String> = self
            .read(|pg, c| {
                pg.query_opt(
                    c,
                    "SELECT removed_at FROM services WHERE service_id = $1 AND active_hash IS NULL",
                    &[&id],
                )?
                .map(|r| pg.col::<Option<String>>(&r, 0))
                .transpose()
                .map(Option::flatten)
            })
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
            .read(|pg, c| {
                pg.query(
                    c,
                    "SELECT service_id FROM services WHERE active_hash IS NOT NULL",
                    &[],
                )?
                .iter()
                .map(|r| pg.col(r, 0))
                .collect()
            })
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

    /// A row of `SERVICE_COLUMNS` and whether the version is active.
    fn service(&self, r: &postgres::Row) -> Result<ServiceRecord, Error> {
        self.entry(r)?
            .record(self.col(r, 8)?, |reason| self.corrupt(reason))
    }

    /// A row of `SERVICE_COLUMNS`, borrowed.
    fn entry<'r>(&self, r: &'r postgres::Row) -> Result<Entry<'r>, Error> {
        Ok(Entry {
            service_id: self.col(r, 0)?,
            version: self.col(r, 1)?,
            hash: self.col(r, 2)?,
            status: self.col(r, 3)?,
            status_reason: self.col(r, 4)?,
            status_changed_at: self.col(r, 5)?,
            added_at: self.col(r, 6)?,
            body: self.col(r, 7)?,
        })
    }

    #[allow(clippy::too_many_arguments)]
    fn store_version(
        &self,
        tx: &mut Transaction<'_>,
        c: &ServiceContract,
        hash: &str,
        body: &str,
        at: &str,
        actor: &str,
        action: &AddAction,
    ) -> Result<(), Error> {
        let id = &c.service_id;
        let re_registered: bool = self
            .query_opt(
                tx,
                "SELECT removed_at IS NOT NULL FROM services WHERE service_id = $1",
                &[id],
            )?
            .map(|r| self.col(&r, 0))
            .transpose()?
            .unwrap_or(false);
        self.execute(
            tx,
            "INSERT INTO contract_versions (hash, service_id, version, body, added_at)
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (hash) DO NOTHING",
            &[&hash, id, &c.version, &body, &at],
        )?;
        self.execute(
            tx,
            "INSERT INTO services (service_id, active_hash, provider) VALUES ($1, $2, $3)
             ON CONFLICT (service_id) DO UPDATE SET active_hash = $2, provider = $3, removed_at = NULL",
            &[id, &hash, &c.provider],
        )?;
        if re_registered {
            // A removed service comes back as a new registration: active again.
            self.execute(
                tx,
                "UPDATE services SET status = 'active', status_reason = NULL, status_changed_at = $2
                 WHERE service_id = $1",
                &[id, &at],
            )?;
        }
        self.execute(
            tx,
            "DELETE FROM capability_index WHERE service_id = $1",
            &[id],
        )?;
        self.execute(tx, "DELETE FROM service_tags WHERE service_id = $1", &[id])?;
        let capabilities: Vec<&str> = c.capabilities.iter().map(|k| k.kind.as_str()).collect();
        self.execute(
            tx,
            "INSERT INTO capability_index (capability, service_id)
             SELECT DISTINCT unnest($1::text[]), $2 ON CONFLICT DO NOTHING",
            &[&capabilities, id],
        )?;
        let tags: Vec<&str> = c.tags.iter().map(String::as_str).collect();
        self.execute(
            tx,
            "INSERT INTO service_tags (tag, service_id)
             SELECT DISTINCT unnest($1::text[]), $2 ON CONFLICT DO NOTHING",
            &[&tags, id],
        )?;
        self.event(
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
    pub(crate) fn event(
        &self,
        tx: &mut impl GenericClient,
        service_id: &str,
        at: &str,
        kind: &str,
        version: Option<&str>,
        hash: Option<&str>,
        detail: Option<&str>,
        actor: &str,
    ) -> Result<(), Error> {
        self.execute(
            tx,
            "INSERT INTO service_events (service_id, at, kind, version, hash, detail, actor)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
            &[&service_id, &at, &kind, &version, &hash, &detail, &actor],
        )
        .map(drop)
    }
}
