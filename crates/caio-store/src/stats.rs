//! The `service_stats` table: execution stats per service (SPEC §8), read
//! for routing, folded with each execution's attempts in one write
//! transaction (so concurrent `caio` processes never lose an update), and
//! reset by `registry set-status … --reset-circuit`.

use super::Sqlite;
use super::registry::{Change, event};
use crate::error::Error;
use caio_core::attempt::Attempt;
use caio_core::circuit::{self, Circuit};
use caio_core::health::Health;
use rusqlite::{OptionalExtension, Transaction, params};
use std::collections::BTreeMap;

const COLUMNS: &str = "service_id, successes, failures, rejections, ewma_success, ewma_latency_ms,
    latencies, guarantee_violations, consecutive_failures, times_opened, opened_at_ms, open_until_ms,
    spend, observed_at_ms";

/// A row before its latency window is parsed.
struct Raw {
    service_id: String,
    successes: i64,
    failures: i64,
    rejections: i64,
    ewma_success: f64,
    ewma_latency_ms: Option<f64>,
    latencies: String,
    guarantee_violations: i64,
    consecutive_failures: i64,
    times_opened: i64,
    opened_at_ms: Option<i64>,
    open_until_ms: Option<i64>,
    spend: f64,
    observed_at_ms: Option<i64>,
}

fn raw(r: &rusqlite::Row<'_>) -> rusqlite::Result<Raw> {
    Ok(Raw {
        service_id: r.get(0)?,
        successes: r.get(1)?,
        failures: r.get(2)?,
        rejections: r.get(3)?,
        ewma_success: r.get(4)?,
        ewma_latency_ms: r.get(5)?,
        latencies: r.get(6)?,
        guarantee_violations: r.get(7)?,
        consecutive_failures: r.get(8)?,
        times_opened: r.get(9)?,
        opened_at_ms: r.get(10)?,
        open_until_ms: r.get(11)?,
        spend: r.get(12)?,
        observed_at_ms: r.get(13)?,
    })
}

fn count(x: i64) -> u64 {
    u64::try_from(x).unwrap_or(0)
}

fn small(x: i64) -> u32 {
    u32::try_from(x.max(0)).unwrap_or(u32::MAX)
}

impl Raw {
    fn health(self, store_path: &std::path::Path) -> Result<(String, Health), Error> {
        let latencies: Vec<f64> = serde_json::from_str(&self.latencies).map_err(|e| Error::Store {
            path: store_path.to_path_buf(),
            reason: format!(
                "the latency window of {} cannot be read: {e}",
                self.service_id
            ),
            help: "the database was modified outside caio; `caio registry set-status <id> active --reset-circuit` does not repair it, restore a backup",
        })?;
        let finite = |x: f64| if x.is_finite() { Some(x) } else { None };
        Ok((
            self.service_id,
            Health {
                successes: count(self.successes),
                failures: count(self.failures),
                rejections: count(self.rejections),
                ewma_success: finite(self.ewma_success).unwrap_or(1.0).clamp(0.0, 1.0),
                ewma_latency_ms: self.ewma_latency_ms.and_then(finite),
                latencies: latencies.into_iter().filter(|x| x.is_finite()).collect(),
                guarantee_violations: count(self.guarantee_violations),
                circuit: Circuit {
                    consecutive_failures: small(self.consecutive_failures),
                    times_opened: small(self.times_opened),
                    opened_at_ms: self.opened_at_ms,
                    open_until_ms: self.open_until_ms,
                },
                spend: finite(self.spend).unwrap_or(0.0).max(0.0),
                observed_at_ms: self.observed_at_ms,
            },
        ))
    }
}

impl Sqlite {
    /// Every service's stats, by id.
    pub fn all_health(&self) -> Result<BTreeMap<String, Health>, Error> {
        self.health_where("1", [])
    }

    /// The stats of the services offering `capability` (registry routing).
    pub(crate) fn health_for_capability(
        &self,
        capability: &str,
    ) -> Result<BTreeMap<String, Health>, Error> {
        self.health_where(
            "service_id IN (SELECT service_id FROM capability_index WHERE capability = ?1)",
            [capability],
        )
    }

    /// One service's stats, if it was ever executed.
    pub fn health(&self, service_id: &str) -> Result<Option<Health>, Error> {
        Ok(self
            .health_where("service_id = ?1", [service_id])?
            .remove(service_id))
    }

    fn health_where<P: rusqlite::Params>(
        &self,
        condition: &str,
        params: P,
    ) -> Result<BTreeMap<String, Health>, Error> {
        let mut stmt = self
            .conn
            .prepare_cached(&format!(
                "SELECT {COLUMNS} FROM service_stats WHERE {condition}"
            ))
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map(params, raw)
            .map_err(|e| self.err(e))?
            .collect::<Result<Vec<Raw>, _>>()
            .map_err(|e| self.err(e))?;
        rows.into_iter().map(|r| r.health(&self.path)).collect()
    }

    /// Folds an execution's attempts into the stats, in order, in one write
    /// transaction; returns what each circuit did.
    pub fn record_attempts(
        &mut self,
        attempts: &[Attempt],
        now: jiff::Timestamp,
    ) -> Result<Vec<(String, circuit::Change)>, Error> {
        if attempts.is_empty() {
            return Ok(Vec::new());
        }
        let path = self.path.clone();
        self.write(|tx| fold(tx, &path, attempts, now))
    }

    /// What `route --execute` writes, in one write transaction: the
    /// attempts folded into the stats (as [`Store::record_attempts`]) and
    /// the trace record of the call (as [`Store::append_traces`]), so
    /// neither is ever kept without the other.
    pub fn record_execution(
        &mut self,
        attempts: &[Attempt],
        now: jiff::Timestamp,
        records: &[caio_core::trace::Prepared],
        inputs: &[crate::traces::Input],
    ) -> Result<Recorded, Error> {
        let path = self.path.clone();
        self.write(|tx| {
            let changes = fold(tx, &path, attempts, now)?;
            let appended = crate::traces::append(tx, &path, records, inputs)?;
            Ok(Recorded { changes, appended })
        })
    }

    /// Closes a service's circuit, forgets its failures and openings and
    /// puts h back at its prior (counts, latencies and spend stay). Returns
    /// whether it was open or half-open; records the reset in the
    /// service's history.
    pub fn reset_circuit(&mut self, service_id: &str, change: &Change) -> Result<bool, Error> {
        let path = self.path.clone();
        let at = caio_core::time::timestamp(change.now);
        let now_ms = change.now.as_millisecond();
        self.write(|tx| {
            let Some(mut h) = read(tx, service_id, &path)? else {
                return Ok(false);
            };
            let state = h.circuit.state(now_ms);
            let was = state != circuit::State::Closed;
            h.reset();
            write(tx, service_id, &h, &at).map_err(|e| super::state(&path, e))?;
            let detail = format!("circuit and h reset (was {})", state.as_str());
            event(
                tx,
                service_id,
                &at,
                "circuit",
                None,
                None,
                Some(&detail),
                &change.actor,
            )
            .map_err(|e| super::state(&path, e))?;
            Ok(was)
        })
    }
}

/// What [`Store::record_execution`] wrote.
#[derive(Debug)]
pub struct Recorded {
    /// What each service's circuit did.
    pub changes: Vec<(String, circuit::Change)>,
    /// Where the trace records went.
    pub appended: Vec<crate::traces::Appended>,
}

/// Folds `attempts` into the stats inside the write transaction `tx`: the
/// one code path of executed attempts and reported outcomes.
pub(crate) fn fold(
    tx: &Transaction<'_>,
    path: &std::path::Path,
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
            let loaded = read(tx, id, path)?.unwrap_or_default();
            touched.insert(id, loaded);
        }
        if let Some(h) = touched.get_mut(id)
            && let Some(change) = h.record(a, now_ms)
        {
            changes.push((id.to_string(), change));
        }
    }
    for (id, h) in &touched {
        write(tx, id, h, &at).map_err(|e| super::state(path, e))?;
    }
    Ok(changes)
}

fn read(tx: &Transaction<'_>, id: &str, path: &std::path::Path) -> Result<Option<Health>, Error> {
    let row = tx
        .prepare_cached(&format!(
            "SELECT {COLUMNS} FROM service_stats WHERE service_id = ?1"
        ))
        .and_then(|mut s| s.query_row([id], raw).optional())
        .map_err(|e| super::state(path, e))?;
    row.map(|r| r.health(path).map(|(_, h)| h)).transpose()
}

fn write(tx: &Transaction<'_>, id: &str, h: &Health, at: &str) -> rusqlite::Result<()> {
    let latencies = serde_json::to_string(&h.latencies).unwrap_or_else(|_| "[]".into());
    let c = &h.circuit;
    let int = |x: u64| i64::try_from(x).unwrap_or(i64::MAX);
    tx.prepare_cached(
        "INSERT INTO service_stats (service_id, successes, failures, rejections, ewma_success,
             ewma_latency_ms, latencies, guarantee_violations, consecutive_failures, times_opened,
             opened_at_ms, open_until_ms, updated_at, spend, observed_at_ms)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)
         ON CONFLICT (service_id) DO UPDATE SET
             successes = ?2, failures = ?3, rejections = ?4, ewma_success = ?5,
             ewma_latency_ms = ?6, latencies = ?7, guarantee_violations = ?8,
             consecutive_failures = ?9, times_opened = ?10, opened_at_ms = ?11,
             open_until_ms = ?12, updated_at = ?13, spend = ?14, observed_at_ms = ?15",
    )?
    .execute(params![
        id,
        int(h.successes),
        int(h.failures),
        int(h.rejections),
        h.ewma_success,
        h.ewma_latency_ms,
        latencies,
        int(h.guarantee_violations),
        c.consecutive_failures,
        c.times_opened,
        c.opened_at_ms,
        c.open_until_ms,
        at,
        h.spend,
        h.observed_at_ms
    ])?;
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;
    use crate::Store;
    use crate::home::Home;
    use caio_core::attempt::{AttemptResult, Next};

    fn store() -> (tempfile::TempDir, Store) {
        let tmp = tempfile::tempdir().unwrap();
        let home = Home {
            path: tmp.path().join("h"),
        };
        let store = Store::open(&home, super::super::DEFAULT_BUSY_TIMEOUT).unwrap();
        (tmp, store)
    }

    fn attempt(id: &str, result: AttemptResult, latency_ms: f64) -> Attempt {
        Attempt {
            status: Some(503),
            result,
            latency_ms,
            next: Next::Done,
            ..Attempt::new(id, "1.0.0", 1)
        }
    }

    fn at(ms: i64) -> jiff::Timestamp {
        jiff::Timestamp::from_millisecond(ms).unwrap()
    }

    /// A route call's record, for `record_execution`.
    fn prepared() -> caio_core::trace::Prepared {
        use caio_core::request::Request;
        use caio_core::routing::{Identity, Routed, route};
        let request = Request::for_capability("chat");
        let routed = Routed::new(
            route(
                &request,
                &Identity::Anonymous,
                &[],
                &caio_core::policy::PolicySet::default(),
            ),
            Identity::Anonymous,
            &[],
            "0".repeat(64),
            0,
            |_| String::new(),
        );
        let (record, objects) = caio_core::trace::record(
            &request,
            &routed,
            &caio_core::policy::PolicySet::default(),
            "2026-01-01T00:00:00Z".into(),
        )
        .unwrap();
        caio_core::trace::Prepared::new(&record, objects).unwrap()
    }

    #[test]
    fn an_execution_keeps_its_stats_and_its_record_together_or_neither() {
        let (_tmp, mut s) = store();
        let fail = [attempt("a", AttemptResult::Transient, 1.0)];
        let recorded = s
            .record_execution(&fail, at(1_000), &[prepared()], &[])
            .unwrap();
        assert_eq!(recorded.appended[0].seq, 1);
        assert_eq!(s.health("a").unwrap().unwrap().failures, 1);
        // A chain head that cannot be extended: the record fails, and the
        // stats of the same execution are not kept either.
        s.conn()
            .unwrap()
            .execute("UPDATE traces SET hash = 'damaged' WHERE seq = 1", [])
            .unwrap();
        assert!(
            s.record_execution(&fail, at(2_000), &[prepared()], &[])
                .is_err()
        );
        assert_eq!(s.health("a").unwrap().unwrap().failures, 1, "rolled back");
    }

    #[test]
    fn attempts_fold_into_stored_stats_across_calls() {
        let (_tmp, mut s) = store();
        assert!(s.all_health().unwrap().is_empty());
        s.record_attempts(
            &[
                attempt("a", AttemptResult::Transient, 1.0),
                attempt("a", AttemptResult::Success, 12.5),
                attempt("b", AttemptResult::Rejected, 3.0),
            ],
            at(1_000),
        )
        .unwrap();
        s.record_attempts(&[attempt("a", AttemptResult::Success, 7.5)], at(2_000))
            .unwrap();
        let a = s.health("a").unwrap().unwrap();
        assert_eq!((a.successes, a.failures), (2, 1));
        assert_eq!(a.latencies, [12.5, 7.5]);
        assert_eq!(a.observed_at_ms, Some(2_000));
        let b = s.health("b").unwrap().unwrap();
        assert_eq!(b.rejections, 1);
        assert_eq!(s.all_health().unwrap().len(), 2);
    }

    #[test]
    fn the_circuit_opens_persists_and_resets() {
        let (_tmp, mut s) = store();
        let fails: Vec<Attempt> = (0..5)
            .map(|_| attempt("a", AttemptResult::Transient, 1.0))
            .collect();
        let changes = s.record_attempts(&fails, at(10_000)).unwrap();
        assert_eq!(
            changes,
            [(
                "a".to_string(),
                circuit::Change::Opened {
                    until_ms: 40_000,
                    times: 1
                }
            )]
        );
        let h = s.health("a").unwrap().unwrap();
        assert!(h.stats(20_000).circuit_open);
        assert_eq!(h.stats(20_000).circuit_opened_at_ms, Some(10_000));
        let change = Change {
            now: at(20_000),
            actor: "ops".into(),
        };
        assert!(s.reset_circuit("a", &change).unwrap());
        let h = s.health("a").unwrap().unwrap();
        assert_eq!(h.circuit, Circuit::default());
        assert_eq!(h.ewma_success, 1.0, "h is back at its prior");
        assert_eq!(h.failures, 5, "counts stay");
        assert!(!s.reset_circuit("never-ran", &change).unwrap());
    }
}
