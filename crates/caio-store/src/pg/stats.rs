//! Execution stats and circuits on PostgreSQL, shared by the fleet. An
//! update locks the rows it folds into (`SELECT … FOR UPDATE`, inside the
//! write transaction), so executions on different hosts never lose one
//! another's attempts.

use super::Postgres;
use crate::error::Error;
use crate::registry::Change;
use crate::stats::Recorded;
use crate::traces::Input;
use caio_core::attempt::Attempt;
use caio_core::circuit::{self, Circuit};
use caio_core::health::Health;
use caio_core::trace::Prepared;
use postgres::GenericClient;
use std::collections::BTreeMap;

const COLUMNS: &str = "service_id, successes, failures, rejections, ewma_success, ewma_latency_ms,
    latencies, guarantee_violations, consecutive_failures, times_opened, opened_at_ms, open_until_ms,
    spend, observed_at_ms";

fn count(x: i64) -> u64 {
    u64::try_from(x).unwrap_or(0)
}

fn small(x: i64) -> u32 {
    u32::try_from(x.max(0)).unwrap_or(u32::MAX)
}

impl Postgres {
    pub(crate) fn all_health(&self) -> Result<BTreeMap<String, Health>, Error> {
        self.read(|pg, c| {
            let rows = pg.query(c, &format!("SELECT {COLUMNS} FROM service_stats"), &[])?;
            rows.iter().map(|r| pg.health_row(r)).collect()
        })
    }

    pub(crate) fn health_for_capability(
        &self,
        capability: &str,
    ) -> Result<BTreeMap<String, Health>, Error> {
        self.read(|pg, c| {
            let rows = pg.query(
                c,
                &format!(
                    "SELECT {COLUMNS} FROM service_stats WHERE service_id IN
                     (SELECT service_id FROM capability_index WHERE capability = $1)"
                ),
                &[&capability],
            )?;
            rows.iter().map(|r| pg.health_row(r)).collect()
        })
    }

    pub(crate) fn health(&self, service_id: &str) -> Result<Option<Health>, Error> {
        self.read(|pg, c| pg.read_health(c, service_id, false))
    }

    pub(crate) fn record_attempts(
        &self,
        attempts: &[Attempt],
        now: jiff::Timestamp,
    ) -> Result<Vec<(String, circuit::Change)>, Error> {
        if attempts.is_empty() {
            return Ok(Vec::new());
        }
        self.write(|pg, tx| pg.fold(tx, attempts, now))
    }

    /// The stats of an execution and its trace record in one transaction
    /// (the write lock, then the chain head): neither is kept without the
    /// other.
    pub(crate) fn record_execution(
        &self,
        attempts: &[Attempt],
        now: jiff::Timestamp,
        records: &[Prepared],
        inputs: &[Input],
    ) -> Result<Recorded, Error> {
        self.write(|pg, tx| {
            let changes = pg.fold(tx, attempts, now)?;
            let appended = pg.append_in(tx, records, inputs)?;
            Ok(Recorded { changes, appended })
        })
    }

    /// Folds `attempts` into the stats inside the write transaction `tx`,
    /// each row locked as it is read: the one code path of executed
    /// attempts and reported outcomes.
    pub(crate) fn fold(
        &self,
        tx: &mut postgres::Transaction<'_>,
        attempts: &[Attempt],
        now: jiff::Timestamp,
    ) -> Result<Vec<(String, circuit::Change)>, Error> {
        let now_ms = now.as_millisecond();
        let at = caio_core::time::timestamp(now);
        let mut changes = Vec::new();
        let mut touched: BTreeMap<&str, Health> = BTreeMap::new();
        for a in attempts {
            let id = a.service_id.as_str();
            if !touched.contains_key(id) {
                let loaded = self.read_health(tx, id, true)?.unwrap_or_default();
                touched.insert(id, loaded);
            }
            if let Some(h) = touched.get_mut(id)
                && let Some(change) = h.record(a, now_ms)
            {
                changes.push((id.to_string(), change));
            }
        }
        for (id, h) in &touched {
            self.write_health(tx, id, h, &at)?;
        }
        Ok(changes)
    }

    pub(crate) fn reset_circuit(&self, service_id: &str, change: &Change) -> Result<bool, Error> {
        let at = caio_core::time::timestamp(change.now);
        let now_ms = change.now.as_millisecond();
        self.write(|pg, tx| {
            let Some(mut h) = pg.read_health(tx, service_id, true)? else {
                return Ok(false);
            };
            let state = h.circuit.state(now_ms);
            let was = state != circuit::State::Closed;
            h.reset();
            pg.write_health(tx, service_id, &h, &at)?;
            let detail = format!("circuit and h reset (was {})", state.as_str());
            pg.event(
                tx,
                service_id,
                &at,
                "circuit",
                None,
                None,
                Some(&detail),
                &change.actor,
            )?;
            Ok(was)
        })
    }

    /// One service's stats; `lock` holds its row until the transaction ends.
    fn read_health(
        &self,
        c: &mut impl GenericClient,
        id: &str,
        lock: bool,
    ) -> Result<Option<Health>, Error> {
        let sql = format!(
            "SELECT {COLUMNS} FROM service_stats WHERE service_id = $1{}",
            if lock { " FOR UPDATE" } else { "" }
        );
        self.query_opt(c, &sql, &[&id])?
            .map(|r| self.health_row(&r).map(|(_, h)| h))
            .transpose()
    }

    fn health_row(&self, r: &postgres::Row) -> Result<(String, Health), Error> {
        let service_id: String = self.col(r, 0)?;
        let latencies: String = self.col(r, 6)?;
        let latencies: Vec<f64> = serde_json::from_str(&latencies).map_err(|e| Error::Store {
            path: self.location.clone(),
            reason: format!("the latency window of {service_id} cannot be read: {e}"),
            help: "the database was modified outside caio; `caio registry set-status <id> active --reset-circuit` does not repair it, restore a backup",
        })?;
        let finite = |x: f64| if x.is_finite() { Some(x) } else { None };
        let ewma_success: f64 = self.col(r, 4)?;
        let ewma_latency_ms: Option<f64> = self.col(r, 5)?;
        let spend: f64 = self.col(r, 12)?;
        Ok((
            service_id,
            Health {
                successes: count(self.col(r, 1)?),
                failures: count(self.col(r, 2)?),
                rejections: count(self.col(r, 3)?),
                ewma_success: finite(ewma_success).unwrap_or(1.0).clamp(0.0, 1.0),
                ewma_latency_ms: ewma_latency_ms.and_then(finite),
                latencies: latencies.into_iter().filter(|x| x.is_finite()).collect(),
                guarantee_violations: count(self.col(r, 7)?),
                circuit: Circuit {
                    consecutive_failures: small(self.col(r, 8)?),
                    times_opened: small(self.col(r, 9)?),
                    opened_at_ms: self.col(r, 10)?,
                    open_until_ms: self.col(r, 11)?,
                },
                spend: finite(spend).unwrap_or(0.0).max(0.0),
                observed_at_ms: self.col(r, 13)?,
            },
        ))
    }

    fn write_health(
        &self,
        tx: &mut impl GenericClient,
        id: &str,
        h: &Health,
        at: &str,
    ) -> Result<(), Error> {
        let latencies = serde_json::to_string(&h.latencies).unwrap_or_else(|_| "[]".into());
        let c = &h.circuit;
        let int = |x: u64| i64::try_from(x).unwrap_or(i64::MAX);
        self.execute(
            tx,
            "INSERT INTO service_stats (service_id, successes, failures, rejections, ewma_success,
                 ewma_latency_ms, latencies, guarantee_violations, consecutive_failures, times_opened,
                 opened_at_ms, open_until_ms, updated_at, spend, observed_at_ms)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
             ON CONFLICT (service_id) DO UPDATE SET
                 successes = $2, failures = $3, rejections = $4, ewma_success = $5,
                 ewma_latency_ms = $6, latencies = $7, guarantee_violations = $8,
                 consecutive_failures = $9, times_opened = $10, opened_at_ms = $11,
                 open_until_ms = $12, updated_at = $13, spend = $14, observed_at_ms = $15",
            &[
                &id,
                &int(h.successes),
                &int(h.failures),
                &int(h.rejections),
                &h.ewma_success,
                &h.ewma_latency_ms,
                &latencies,
                &int(h.guarantee_violations),
                &i64::from(c.consecutive_failures),
                &i64::from(c.times_opened),
                &c.opened_at_ms,
                &c.open_until_ms,
                &at,
                &h.spend,
                &h.observed_at_ms,
            ],
        )
        .map(drop)
    }
}
