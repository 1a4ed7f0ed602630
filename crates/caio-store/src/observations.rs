//! The observations index (`trace_observations`): one row per execution
//! attempt or reported outcome, by service and time, written with the
//! record that holds it. `caio slo` and `caio metrics` count from here.

use super::Store;
use crate::error::Error;
use caio_core::slo::Counts;
use rusqlite::params;

impl Store {
    /// A service's calls with `since <= at <= until` (RFC 3339 times as
    /// records write them).
    pub fn observation_counts(
        &self,
        service_id: &str,
        since: &str,
        until: &str,
    ) -> Result<Counts, Error> {
        self.conn
            .prepare_cached(
                "SELECT count(*) FILTER (WHERE result = 'success'),
                        count(*) FILTER (WHERE result = 'failure'),
                        count(*) FILTER (WHERE result = 'rejected'),
                        total(violations), total(cost)
                 FROM trace_observations
                 WHERE service_id = ?1 AND at >= ?2 AND at <= ?3",
            )
            .and_then(|mut s| {
                s.query_row(params![service_id, since, until], |r| {
                    let count = |i| r.get::<_, i64>(i).map(|x| u64::try_from(x).unwrap_or(0));
                    Ok(Counts {
                        successes: count(0)?,
                        failures: count(1)?,
                        rejected: count(2)?,
                        violations: r.get::<_, f64>(3)?.max(0.0) as u64,
                        spend: r.get(4)?,
                    })
                })
            })
            .map_err(|e| self.err(e))
    }

    /// The latencies of a service's successes with `since <= at <= until`.
    pub fn observed_latencies(
        &self,
        service_id: &str,
        since: &str,
        until: &str,
    ) -> Result<Vec<f64>, Error> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT latency_ms FROM trace_observations
                 WHERE service_id = ?1 AND at >= ?2 AND at <= ?3
                   AND result = 'success' AND latency_ms IS NOT NULL",
            )
            .map_err(|e| self.err(e))?;
        stmt.query_map(params![service_id, since, until], |r| r.get(0))
            .map_err(|e| self.err(e))?
            .collect::<Result<_, _>>()
            .map_err(|e| self.err(e))
    }
}
