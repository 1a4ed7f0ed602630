//! The observations index (`trace_observations`): one row per execution
//! attempt or reported outcome, by service and time, written with the
//! record that holds it. `caio slo` and `caio metrics` count from here.

use super::Sqlite;
use crate::error::Error;
use caio_core::slo::Counts;
use rusqlite::params;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// What pruned records had counted, kept so that the counters
/// `caio metrics` prints never go down (settings key `pruned_totals`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PrunedTotals {
    /// Decisions by outcome.
    pub decisions: BTreeMap<String, u64>,
    /// Reported outcomes by status (`success`, `failure`, `rejected`).
    pub reported: BTreeMap<String, u64>,
    /// Decisions with at most each bound of
    /// [`caio_core::metrics::CANDIDATE_BUCKETS`] candidates (cumulative).
    pub candidate_buckets: Vec<u64>,
    /// Candidates over all pruned decisions.
    pub candidates_sum: f64,
    /// Pruned decisions with a candidate count.
    pub candidates_count: u64,
    /// Spend by service.
    pub spend: BTreeMap<String, f64>,
}

/// The candidates-per-decision histogram.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CandidateHistogram {
    /// Decisions with at most each bound (cumulative).
    pub buckets: Vec<u64>,
    /// All decisions counted.
    pub count: u64,
    /// Their candidates, summed.
    pub sum: f64,
}

impl Sqlite {
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

    /// Live decisions by outcome (through the audit index).
    pub fn decision_counts(&self) -> Result<BTreeMap<String, u64>, Error> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT v.value, count(*) FROM trace_term_values v
                 JOIN trace_terms t ON t.term = v.id
                 WHERE v.kind = 'outcome' GROUP BY v.value",
            )
            .map_err(|e| self.err(e))?;
        stmt.query_map([], |r| {
            Ok((r.get(0)?, u64::try_from(r.get::<_, i64>(1)?).unwrap_or(0)))
        })
        .map_err(|e| self.err(e))?
        .collect::<Result<_, _>>()
        .map_err(|e| self.err(e))
    }

    /// Live observations counted by `(source, result)`.
    pub fn observation_totals(&self) -> Result<BTreeMap<(String, String), u64>, Error> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT source, result, count(*) FROM trace_observations GROUP BY source, result",
            )
            .map_err(|e| self.err(e))?;
        stmt.query_map([], |r| {
            Ok((
                (r.get(0)?, r.get(1)?),
                u64::try_from(r.get::<_, i64>(2)?).unwrap_or(0),
            ))
        })
        .map_err(|e| self.err(e))?
        .collect::<Result<_, _>>()
        .map_err(|e| self.err(e))
    }

    /// What live observations cost, by service.
    pub fn spend_by_service(&self) -> Result<BTreeMap<String, f64>, Error> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT service_id, total(cost) FROM trace_observations
                 WHERE cost IS NOT NULL GROUP BY service_id",
            )
            .map_err(|e| self.err(e))?;
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .map_err(|e| self.err(e))?
            .collect::<Result<_, _>>()
            .map_err(|e| self.err(e))
    }

    /// The candidates-per-decision histogram of the live decisions, over
    /// `bounds` (ascending).
    pub fn candidate_histogram(&self, bounds: &[u64]) -> Result<CandidateHistogram, Error> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT candidates, count(*) FROM traces INDEXED BY traces_by_candidates
                 WHERE candidates IS NOT NULL GROUP BY candidates",
            )
            .map_err(|e| self.err(e))?;
        let mut rows = stmt.query([]).map_err(|e| self.err(e))?;
        let mut h = CandidateHistogram {
            buckets: vec![0; bounds.len()],
            ..CandidateHistogram::default()
        };
        while let Some(r) = rows.next().map_err(|e| self.err(e))? {
            let (candidates, n): (i64, i64) = (
                r.get(0).map_err(|e| self.err(e))?,
                r.get(1).map_err(|e| self.err(e))?,
            );
            let (candidates, n) = (
                u64::try_from(candidates).unwrap_or(0),
                u64::try_from(n).unwrap_or(0),
            );
            for (bucket, bound) in h.buckets.iter_mut().zip(bounds) {
                if candidates <= *bound {
                    *bucket += n;
                }
            }
            h.count += n;
            h.sum += candidates as f64 * n as f64;
        }
        Ok(h)
    }

    /// What pruned records had counted (zero before any prune).
    pub fn pruned_totals(&self) -> Result<PrunedTotals, Error> {
        Ok(self
            .setting(PRUNED_TOTALS)?
            .and_then(|text| serde_json::from_str(&text).ok())
            .unwrap_or_default())
    }
}

/// The settings key of [`PrunedTotals`].
pub(crate) const PRUNED_TOTALS: &str = "pruned_totals";
