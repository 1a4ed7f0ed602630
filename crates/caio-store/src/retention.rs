//! Retention (SPEC §9): removing a pruned range of the trace in one
//! transaction, and the anchor — the seq and hash of the last pruned
//! record — from which the live chain still verifies. What the pruned
//! records counted is added to [`PrunedTotals`], so metrics counters never
//! go down.

use super::Sqlite;
use crate::error::Error;
use crate::observations::{PRUNED_TOTALS, PrunedTotals};
use caio_core::metrics::CANDIDATE_BUCKETS;
use rusqlite::{OptionalExtension, params};
use serde::{Deserialize, Serialize};

/// The settings key of the [`Anchor`].
pub(crate) const ANCHOR: &str = "trace_anchor";

/// Where the live chain starts after a prune: the last pruned record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Anchor {
    /// Its seq: the live chain starts at `seq + 1`.
    pub seq: i64,
    /// Its chain hash, hex: the live chain's first link.
    pub hash: String,
}

/// What a prune removed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Removed {
    /// Records.
    pub records: u64,
    /// Objects no live record references any more.
    pub objects: u64,
}

impl Sqlite {
    /// The anchor of the last prune, if the trace was ever pruned.
    pub fn trace_anchor(&self) -> Result<Option<Anchor>, Error> {
        Ok(self
            .setting(ANCHOR)?
            .and_then(|text| serde_json::from_str(&text).ok()))
    }

    /// The first live seq at or after `at` (RFC 3339): records before it
    /// are all older than `at`.
    pub fn first_seq_at_or_after(&self, at: &str) -> Result<Option<i64>, Error> {
        self.conn
            .query_row("SELECT min(seq) FROM traces WHERE at >= ?1", [at], |r| {
                r.get(0)
            })
            .map_err(|e| self.err(e))
    }

    /// The first live seq (`None` for an empty trace).
    pub fn first_live_seq(&self) -> Result<Option<i64>, Error> {
        self.conn
            .query_row("SELECT min(seq) FROM traces", [], |r| r.get(0))
            .map_err(|e| self.err(e))
    }

    /// Removes the live records through `through` — whose hash must be
    /// `hash`, and which must still start where `first` says (another
    /// prune did not run meanwhile) — in one transaction: their
    /// observations and audit terms, the objects only they referenced;
    /// adds what they counted to the pruned totals and sets the anchor to
    /// (`through`, `hash`). Refused (`None`, nothing changed) when the
    /// trace moved under it.
    pub fn prune_through(
        &mut self,
        first: i64,
        through: i64,
        hash: &str,
    ) -> Result<Option<Removed>, Error> {
        let path = self.path.clone();
        self.write(|tx| {
            let err = |e| super::state(&path, e);
            let live_first: Option<i64> = tx
                .query_row("SELECT min(seq) FROM traces", [], |r| r.get(0))
                .map_err(err)?;
            let at_through: Option<String> = tx
                .query_row("SELECT hash FROM traces WHERE seq = ?1", [through], |r| {
                    r.get(0)
                })
                .optional()
                .map_err(err)?;
            if live_first != Some(first) || at_through.as_deref() != Some(hash) {
                return Ok(None);
            }
            let mut totals: PrunedTotals = tx
                .query_row(
                    "SELECT value FROM settings WHERE key = ?1",
                    [PRUNED_TOTALS],
                    |r| r.get::<_, String>(0),
                )
                .optional()
                .map_err(err)?
                .and_then(|text| serde_json::from_str(&text).ok())
                .unwrap_or_default();
            {
                let mut stmt = tx
                    .prepare(
                        "SELECT v.value, count(*) FROM trace_term_values v
                         JOIN trace_terms t ON t.term = v.id
                         WHERE v.kind = 'outcome' AND t.seq <= ?1 GROUP BY v.value",
                    )
                    .map_err(err)?;
                let mut rows = stmt.query([through]).map_err(err)?;
                while let Some(r) = rows.next().map_err(err)? {
                    let (outcome, n): (String, i64) =
                        (r.get(0).map_err(err)?, r.get(1).map_err(err)?);
                    *totals.decisions.entry(outcome).or_insert(0) += n.max(0) as u64;
                }
            }
            {
                let mut stmt = tx
                    .prepare(
                        "SELECT result, count(*) FROM trace_observations
                         WHERE seq <= ?1 AND source = 'reported' GROUP BY result",
                    )
                    .map_err(err)?;
                let mut rows = stmt.query([through]).map_err(err)?;
                while let Some(r) = rows.next().map_err(err)? {
                    let (result, n): (String, i64) =
                        (r.get(0).map_err(err)?, r.get(1).map_err(err)?);
                    *totals.reported.entry(result).or_insert(0) += n.max(0) as u64;
                }
            }
            {
                let mut stmt = tx
                    .prepare(
                        "SELECT service_id, total(cost) FROM trace_observations
                         WHERE seq <= ?1 AND cost IS NOT NULL GROUP BY service_id",
                    )
                    .map_err(err)?;
                let mut rows = stmt.query([through]).map_err(err)?;
                while let Some(r) = rows.next().map_err(err)? {
                    let (service, cost): (String, f64) =
                        (r.get(0).map_err(err)?, r.get(1).map_err(err)?);
                    *totals.spend.entry(service).or_insert(0.0) += cost;
                }
            }
            {
                totals.candidate_buckets.resize(CANDIDATE_BUCKETS.len(), 0);
                let mut stmt = tx
                    .prepare(
                        "SELECT candidates, count(*) FROM traces
                         WHERE seq <= ?1 AND candidates IS NOT NULL GROUP BY candidates",
                    )
                    .map_err(err)?;
                let mut rows = stmt.query([through]).map_err(err)?;
                while let Some(r) = rows.next().map_err(err)? {
                    let (candidates, n): (i64, i64) =
                        (r.get(0).map_err(err)?, r.get(1).map_err(err)?);
                    let (candidates, n) = (candidates.max(0) as u64, n.max(0) as u64);
                    for (bucket, bound) in totals
                        .candidate_buckets
                        .iter_mut()
                        .zip(CANDIDATE_BUCKETS.iter())
                    {
                        if candidates <= *bound {
                            *bucket += n;
                        }
                    }
                    totals.candidates_count += n;
                    totals.candidates_sum += candidates as f64 * n as f64;
                }
            }
            for sql in [
                "DELETE FROM trace_observations WHERE seq <= ?1",
                "DELETE FROM trace_terms WHERE seq <= ?1",
            ] {
                tx.execute(sql, [through]).map_err(err)?;
            }
            let records = tx
                .execute("DELETE FROM traces WHERE seq <= ?1", [through])
                .map_err(err)?;
            let objects = tx
                .execute(
                    "DELETE FROM trace_objects WHERE hash IN
                     (SELECT hash FROM trace_object_uses WHERE last_seq <= ?1)",
                    [through],
                )
                .map_err(err)?;
            tx.execute(
                "DELETE FROM trace_object_uses WHERE last_seq <= ?1",
                [through],
            )
            .map_err(err)?;
            let anchor = Anchor {
                seq: through,
                hash: hash.to_string(),
            };
            for (key, value) in [
                (ANCHOR, serde_json::to_string(&anchor)),
                (PRUNED_TOTALS, serde_json::to_string(&totals)),
            ] {
                let value = value.map_err(|e| Error::Store {
                    path: path.clone(),
                    reason: format!("cannot write the prune's bookkeeping: {e}"),
                    help: "this is unexpected; report it",
                })?;
                tx.execute(
                    "INSERT INTO settings (key, value) VALUES (?1, ?2)
                     ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                    params![key, value],
                )
                .map_err(err)?;
            }
            Ok(Some(Removed {
                records: records as u64,
                objects: objects as u64,
            }))
        })
    }
}
