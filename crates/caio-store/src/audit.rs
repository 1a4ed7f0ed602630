//! Audit queries over the audit index (`trace_terms`): `trace list`
//! filters and `trace stats` counts. A filter on terms is driven by the
//! term with the fewest decisions (its `(term, seq)` index walked newest
//! first) and checks the others by index lookups, so a query never reads
//! the records; a time filter narrows the seqs through the time index.

use super::Sqlite;
use crate::error::Error;
use crate::traces::{Listed, TraceFilter};
use rusqlite::types::Value;

/// How many decisions of a term are counted, at most, to pick the driver.
const DRIVER_PROBE: i64 = 10_000;

/// A time window of fewer records than this is turned into a seq range.
const WINDOW_PROBE: i64 = 50_000;

/// A filter resolved against the index.
struct Plan {
    /// The term ids, the most selective first; `None` when a term is
    /// unknown (nothing matches).
    terms: Option<Vec<i64>>,
    /// The seq range the time filter allows.
    lo: i64,
    hi: i64,
}

/// Decisions by one audit term's value.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Count {
    /// The term's value.
    pub value: String,
    /// How many decisions have it.
    pub decisions: u64,
}

impl Sqlite {
    fn plan(&self, filter: &TraceFilter) -> Result<Plan, Error> {
        let err = |e| self.err(e);
        let mut ids = Vec::new();
        for (kind, value) in &filter.terms {
            let id: Option<i64> = self
                .conn
                .prepare_cached("SELECT id FROM trace_term_values WHERE kind = ?1 AND value = ?2")
                .and_then(|mut s| {
                    use rusqlite::OptionalExtension;
                    s.query_row(rusqlite::params![kind, value], |r| r.get(0))
                        .optional()
                })
                .map_err(err)?;
            let Some(id) = id else {
                return Ok(Plan {
                    terms: None,
                    lo: 0,
                    hi: 0,
                });
            };
            let n: i64 = self
                .conn
                .prepare_cached(
                    "SELECT count(*) FROM (SELECT 1 FROM trace_terms WHERE term = ?1 LIMIT ?2)",
                )
                .and_then(|mut s| s.query_row(rusqlite::params![id, DRIVER_PROBE], |r| r.get(0)))
                .map_err(err)?;
            ids.push((n, id));
        }
        ids.sort();
        let (lo, hi) = self.window(filter)?;
        Ok(Plan {
            terms: Some(ids.into_iter().map(|(_, id)| id).collect()),
            lo,
            hi,
        })
    }

    /// The seq range that holds every record of the time window: exact
    /// (the window's least and greatest seq, read from the time index) when
    /// the window holds fewer than [`WINDOW_PROBE`] records; else all seqs,
    /// and each row's time is checked on its own.
    fn window(&self, filter: &TraceFilter) -> Result<(i64, i64), Error> {
        if filter.since.is_none() && filter.until.is_none() {
            return Ok((0, i64::MAX));
        }
        let err = |e| self.err(e);
        let since = filter.since.as_deref().unwrap_or("");
        let until = filter.until.as_deref();
        let n: i64 = self
            .conn
            .prepare_cached(
                "SELECT count(*) FROM (SELECT 1 FROM traces
                 WHERE at >= ?1 AND (?2 IS NULL OR at < ?2) LIMIT ?3)",
            )
            .and_then(|mut s| {
                s.query_row(rusqlite::params![since, until, WINDOW_PROBE], |r| r.get(0))
            })
            .map_err(err)?;
        if n >= WINDOW_PROBE {
            return Ok((0, i64::MAX));
        }
        let (lo, hi): (Option<i64>, Option<i64>) = self
            .conn
            .prepare_cached(
                "SELECT min(seq), max(seq) FROM traces
                 WHERE at >= ?1 AND (?2 IS NULL OR at < ?2)",
            )
            .and_then(|mut s| {
                s.query_row(rusqlite::params![since, until], |r| {
                    Ok((r.get(0)?, r.get(1)?))
                })
            })
            .map_err(err)?;
        Ok((lo.unwrap_or(1), hi.unwrap_or(0)))
    }

    /// The conditions on the decision `alias.seq` beyond a driving term:
    /// the other terms, and the times.
    fn conditions(
        alias: &str,
        terms: &[i64],
        filter: &TraceFilter,
        args: &mut Vec<Value>,
    ) -> String {
        let mut sql = String::new();
        for id in terms {
            args.push(Value::Integer(*id));
            sql.push_str(&format!(
                " AND EXISTS (SELECT 1 FROM trace_terms x WHERE x.term = ?{} AND x.seq = {alias}.seq)",
                args.len()
            ));
        }
        for (op, time) in [(">=", &filter.since), ("<", &filter.until)] {
            if let Some(time) = time {
                args.push(Value::Text(time.clone()));
                sql.push_str(&format!(" AND t.at {op} ?{}", args.len()));
            }
        }
        sql
    }

    /// Decisions matching `filter`, newest first.
    pub fn list_traces(&self, filter: &TraceFilter) -> Result<Vec<Listed>, Error> {
        let plan = self.plan(filter)?;
        let Some(terms) = plan.terms else {
            return Ok(Vec::new());
        };
        let mut args: Vec<Value> = vec![Value::Integer(plan.lo), Value::Integer(plan.hi)];
        let columns = "t.seq, t.decision_id, t.at, t.outcome, t.services, t.principal, t.executed,
                (SELECT CASE WHEN count(*) = 0 THEN NULL
                             WHEN sum(o.outcome = 'error') > 0 THEN 'error'
                             ELSE 'ok' END
                 FROM traces o WHERE o.refers_to = t.seq)";
        let sql = match terms.split_first() {
            Some((driver, others)) => {
                args.push(Value::Integer(*driver));
                let driver_arg = args.len();
                let more = Sqlite::conditions("d", others, filter, &mut args);
                format!(
                    "SELECT {columns} FROM trace_terms d JOIN traces t ON t.seq = d.seq
                     WHERE d.term = ?{driver_arg} AND d.seq BETWEEN ?1 AND ?2{more}
                     ORDER BY d.seq DESC LIMIT ?{}",
                    args.len() + 1
                )
            }
            None => {
                let more = Sqlite::conditions("t", &[], filter, &mut args);
                format!(
                    "SELECT {columns} FROM traces t
                     WHERE t.kind = 'decision' AND t.seq BETWEEN ?1 AND ?2{more}
                     ORDER BY t.seq DESC LIMIT ?{}",
                    args.len() + 1
                )
            }
        };
        args.push(Value::Integer(filter.limit.map_or(-1, |l| l as i64)));
        let mut stmt = self.conn.prepare(&sql).map_err(|e| self.err(e))?;
        stmt.query_map(rusqlite::params_from_iter(args), |r| {
            Ok(Listed {
                seq: r.get(0)?,
                decision_id: r.get(1)?,
                at: r.get(2)?,
                outcome: r.get(3)?,
                services: r.get(4)?,
                principal: r.get(5)?,
                execution: r.get(6)?,
                reported: r.get(7)?,
            })
        })
        .map_err(|e| self.err(e))?
        .collect::<Result<_, _>>()
        .map_err(|e| self.err(e))
    }

    /// Decisions matching `filter`, counted by each value of the audit
    /// term `by`, most first (ties by value).
    pub fn trace_stats(&self, by: &str, filter: &TraceFilter) -> Result<Vec<Count>, Error> {
        let plan = self.plan(filter)?;
        let Some(terms) = plan.terms else {
            return Ok(Vec::new());
        };
        let mut args: Vec<Value> = vec![
            Value::Integer(plan.lo),
            Value::Integer(plan.hi),
            Value::Text(by.to_string()),
        ];
        let time = filter.since.is_some() || filter.until.is_some();
        let sql = match terms.split_first() {
            // Driven by the most selective filter term: each of its
            // decisions' terms of kind `by`, through the seq index.
            Some((driver, others)) => {
                args.push(Value::Integer(*driver));
                let driver_arg = args.len();
                let more = Sqlite::conditions("d", others, filter, &mut args);
                let join = if time {
                    "JOIN traces t ON t.seq = d.seq"
                } else {
                    ""
                };
                format!(
                    "SELECT v.value, count(*) AS n FROM trace_terms d {join}
                     JOIN trace_terms g INDEXED BY trace_terms_by_seq ON g.seq = d.seq
                     JOIN trace_term_values v ON v.id = g.term
                     WHERE d.term = ?{driver_arg} AND d.seq BETWEEN ?1 AND ?2 AND v.kind = ?3{more}
                     GROUP BY v.value ORDER BY n DESC, v.value"
                )
            }
            None => {
                let more = Sqlite::conditions("g", &[], filter, &mut args);
                let join = if time {
                    "JOIN traces t ON t.seq = g.seq"
                } else {
                    ""
                };
                format!(
                    "SELECT v.value, count(*) AS n FROM trace_term_values v
                     JOIN trace_terms g ON g.term = v.id {join}
                     WHERE v.kind = ?3 AND g.seq BETWEEN ?1 AND ?2{more}
                     GROUP BY v.value ORDER BY n DESC, v.value"
                )
            }
        };
        let mut stmt = self.conn.prepare(&sql).map_err(|e| self.err(e))?;
        stmt.query_map(rusqlite::params_from_iter(args), |r| {
            Ok(Count {
                value: r.get(0)?,
                decisions: u64::try_from(r.get::<_, i64>(1)?).unwrap_or(0),
            })
        })
        .map_err(|e| self.err(e))?
        .collect::<Result<_, _>>()
        .map_err(|e| self.err(e))
    }
}
