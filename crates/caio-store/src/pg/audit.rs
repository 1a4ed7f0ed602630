//! The PostgreSQL side of what records index beyond their lookup columns
//! — audit terms, observations of services, outcome records — and of the
//! queries over them (`trace list` filters, `trace stats`, `caio slo`,
//! `caio metrics`) and retention (`trace prune`), with the same results as
//! the SQLite side.

use super::Postgres;
use crate::audit::Count;
use crate::error::Error;
use crate::observations::{CandidateHistogram, PRUNED_TOTALS, PrunedTotals};
use crate::retention::{ANCHOR, Anchor, Removed};
use crate::traces::{Appended, Listed, OutcomeAppend, PreparedOutcome, TraceFilter};
use caio_core::circuit;
use caio_core::metrics::CANDIDATE_BUCKETS;
use caio_core::slo::Counts;
use caio_core::trace::{self, outcome::Observation};
use postgres::GenericClient;
use postgres::types::ToSql;
use std::collections::{BTreeMap, HashMap};

/// How many decisions of a term are counted, at most, to pick the driver.
const DRIVER_PROBE: i64 = 10_000;

/// A time window of fewer records than this is turned into a seq range.
const WINDOW_PROBE: i64 = 50_000;

/// A query parameter of a statement built at run time.
type Param = Box<dyn ToSql + Sync>;

impl Postgres {
    /// Records that `seq` has the term `(kind, value)`.
    pub(crate) fn add_term(
        &self,
        c: &mut impl GenericClient,
        known: &mut HashMap<(String, String), i64>,
        kind: &str,
        value: &str,
        seq: i64,
    ) -> Result<(), Error> {
        let key = (kind.to_string(), value.to_string());
        let id = match known.get(&key) {
            Some(id) => *id,
            None => {
                self.execute(
                    c,
                    "INSERT INTO trace_term_values (kind, value) VALUES ($1, $2)
                     ON CONFLICT (kind, value) DO NOTHING",
                    &[&kind, &value],
                )?;
                let row = self
                    .query_opt(
                        c,
                        "SELECT id FROM trace_term_values WHERE kind = $1 AND value = $2",
                        &[&kind, &value],
                    )?
                    .ok_or_else(|| self.corrupt(format!("the term {kind}={value} vanished")))?;
                let id: i64 = self.col(&row, 0)?;
                known.insert(key, id);
                id
            }
        };
        self.execute(
            c,
            "INSERT INTO trace_terms (term, seq) VALUES ($1, $2) ON CONFLICT DO NOTHING",
            &[&id, &seq],
        )?;
        Ok(())
    }

    /// Records the terms `(kind, value, seq)` (values stored first when
    /// new) in two statements; returns how many rows were new.
    pub(crate) fn add_terms(
        &self,
        c: &mut impl GenericClient,
        terms: &[(&str, &str, i64)],
    ) -> Result<u64, Error> {
        if terms.is_empty() {
            return Ok(0);
        }
        let mut values: Vec<(&str, &str)> = terms.iter().map(|t| (t.0, t.1)).collect();
        values.sort_unstable();
        values.dedup();
        let kinds: Vec<&str> = values.iter().map(|v| v.0).collect();
        let texts: Vec<&str> = values.iter().map(|v| v.1).collect();
        self.execute(
            c,
            "INSERT INTO trace_term_values (kind, value)
             SELECT * FROM unnest($1::text[], $2::text[])
             ON CONFLICT (kind, value) DO NOTHING",
            &[&kinds, &texts],
        )?;
        let kinds: Vec<&str> = terms.iter().map(|t| t.0).collect();
        let texts: Vec<&str> = terms.iter().map(|t| t.1).collect();
        let seqs: Vec<i64> = terms.iter().map(|t| t.2).collect();
        self.execute(
            c,
            "INSERT INTO trace_terms (term, seq)
             SELECT v.id, r.seq FROM unnest($1::text[], $2::text[], $3::bigint[]) AS r(kind, value, seq)
             JOIN trace_term_values v ON v.kind = r.kind AND v.value = r.value
             ON CONFLICT DO NOTHING",
            &[&kinds, &texts, &seqs],
        )
    }

    /// Stores what records observed of services: `(seq, at, observation)`,
    /// numbered in order within each seq, in one statement.
    pub(crate) fn observe_many(
        &self,
        c: &mut impl GenericClient,
        observed: &[(i64, &str, Observation)],
    ) -> Result<(), Error> {
        if observed.is_empty() {
            return Ok(());
        }
        let mut ns: Vec<i64> = Vec::with_capacity(observed.len());
        for (i, (seq, _, _)) in observed.iter().enumerate() {
            let n = match i.checked_sub(1).map(|j| &observed[j]) {
                Some((prev, _, _)) if prev == seq => ns[i - 1] + 1,
                _ => 0,
            };
            ns.push(n);
        }
        let seqs: Vec<i64> = observed.iter().map(|o| o.0).collect();
        let ats: Vec<&str> = observed.iter().map(|o| o.1).collect();
        let services: Vec<&str> = observed.iter().map(|o| o.2.service_id.as_str()).collect();
        let results: Vec<&str> = observed.iter().map(|o| o.2.result).collect();
        let latencies: Vec<Option<f64>> = observed.iter().map(|o| o.2.latency_ms).collect();
        let costs: Vec<Option<f64>> = observed.iter().map(|o| o.2.cost).collect();
        let violations: Vec<i64> = observed.iter().map(|o| i64::from(o.2.violations)).collect();
        let sources: Vec<&str> = observed.iter().map(|o| o.2.source).collect();
        self.execute(
            c,
            "INSERT INTO trace_observations
                 (seq, n, service_id, at, result, latency_ms, cost, violations, source)
             SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[], $5::text[],
                                  $6::float8[], $7::float8[], $8::bigint[], $9::text[])",
            &[
                &seqs,
                &ns,
                &services,
                &ats,
                &results,
                &latencies,
                &costs,
                &violations,
                &sources,
            ],
        )
        .map(drop)
    }

    /// Stores what a record observed of services, numbered in order.
    pub(crate) fn observe(
        &self,
        c: &mut impl GenericClient,
        seq: i64,
        at: &str,
        observed: impl Iterator<Item = Observation>,
    ) -> Result<(), Error> {
        for (n, o) in observed.enumerate() {
            let violations = i64::from(o.violations);
            self.execute(
                c,
                "INSERT INTO trace_observations
                     (seq, n, service_id, at, result, latency_ms, cost, violations, source)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                &[
                    &seq,
                    &(n as i64),
                    &o.service_id,
                    &at,
                    &o.result,
                    &o.latency_ms,
                    &o.cost,
                    &violations,
                    &o.source,
                ],
            )?;
        }
        Ok(())
    }

    /// What a migration step needs beyond SQL, as SQLite's `BACKFILLS`:
    /// the derived data of the records stored before it.
    pub(crate) fn backfill(
        &self,
        tx: &mut postgres::Transaction<'_>,
        version: i64,
    ) -> Result<(), Error> {
        if !(10..=12).contains(&version) {
            return Ok(());
        }
        let mut known = HashMap::new();
        let mut after = 0i64;
        loop {
            let page = self.query(
                tx,
                "SELECT seq, at, hash, record FROM traces WHERE seq > $1 ORDER BY seq LIMIT 5000",
                &[&after],
            )?;
            if page.is_empty() {
                return Ok(());
            }
            for r in &page {
                let (seq, at, hash, body): (i64, String, String, String) = (
                    self.col(r, 0)?,
                    self.col(r, 1)?,
                    self.col(r, 2)?,
                    self.col(r, 3)?,
                );
                after = seq;
                let derived = trace::unhex32(&hash).and_then(|h| trace::derive(&body, &h));
                match version {
                    10 => {
                        if let Some(d) = &derived {
                            self.execute(
                                tx,
                                "UPDATE traces SET executed = $1 WHERE seq = $2",
                                &[&d.index.executed, &seq],
                            )?;
                        }
                        self.observe(
                            tx,
                            seq,
                            &at,
                            trace::outcome::observations(&body).into_iter(),
                        )?;
                    }
                    11 => {
                        let Some(d) = derived else { continue };
                        self.execute(
                            tx,
                            "UPDATE traces SET candidates = $1 WHERE seq = $2",
                            &[&d.index.candidates, &seq],
                        )?;
                        for (kind, value) in &d.terms {
                            self.add_term(tx, &mut known, kind, value, seq)?;
                        }
                        if let Some((decision, (kind, value))) = &d.on_decision {
                            self.add_term(tx, &mut known, kind, value, *decision)?;
                        }
                    }
                    _ => {
                        for (_, object) in trace::referenced_objects(&body) {
                            self.execute(
                                tx,
                                "UPDATE trace_objects SET last_seq = $1 WHERE hash = $2",
                                &[&seq, &object],
                            )?;
                        }
                    }
                }
            }
        }
    }

    pub(crate) fn append_outcome(
        &self,
        outcome: &PreparedOutcome,
        now: jiff::Timestamp,
    ) -> Result<OutcomeAppend, Error> {
        // The write lock (the stats fold), then the chain head.
        self.write(|pg, tx| {
            let record = &outcome.record;
            let earlier = pg.query_opt(
                tx,
                "SELECT seq FROM traces WHERE refers_to = $1 AND services = $2",
                &[&record.decision.seq, &record.service_id],
            )?;
            if let Some(r) = earlier {
                return Ok(OutcomeAppend::AlreadyReported { seq: pg.col(&r, 0)? });
            }
            let head = pg
                .query_opt(
                    tx,
                    "SELECT seq, hash FROM trace_head WHERE singleton = 1 FOR UPDATE",
                    &[],
                )?
                .ok_or_else(|| pg.corrupt("the trace head row is missing".into()))?;
            let seq: i64 = pg.col::<i64>(&head, 0)? + 1;
            let head_hash: String = pg.col(&head, 1)?;
            let prev = trace::unhex32(&head_hash)
                .ok_or_else(|| pg.corrupt(format!("the trace head (seq {}) has a malformed hash", seq - 1)))?;
            let hash = trace::chain_hash(&prev, &outcome.body);
            pg.execute(
                tx,
                "INSERT INTO traces (seq, prev, hash, decision_id, at, outcome, services, principal, record, kind, refers_to)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
                &[
                    &seq,
                    &trace::hex(&prev),
                    &trace::hex(&hash),
                    &trace::decision_id(&hash),
                    &record.at,
                    &record.status.as_str(),
                    &record.service_id,
                    &record.principal,
                    &outcome.body,
                    &trace::outcome::KIND,
                    &record.decision.seq,
                ],
            )?;
            pg.execute(
                tx,
                "UPDATE trace_head SET seq = $1, hash = $2 WHERE singleton = 1",
                &[&seq, &trace::hex(&hash)],
            )?;
            let attempt = record.attempt();
            pg.observe(tx, seq, &record.at, std::iter::once(Observation::of(&attempt, "reported")))?;
            let term = match record.status {
                trace::outcome::Status::Ok => "ok",
                trace::outcome::Status::Error => "failed",
            };
            pg.add_term(tx, &mut HashMap::new(), trace::term::EXECUTED, term, record.decision.seq)?;
            let changes: Vec<(String, circuit::Change)> =
                pg.fold(tx, std::slice::from_ref(&attempt), now)?;
            Ok(OutcomeAppend::Appended {
                appended: Appended { seq, hash },
                changes,
            })
        })
    }

    pub(crate) fn outcomes_of(
        &self,
        decision_seq: i64,
    ) -> Result<Vec<(i64, String, String)>, Error> {
        self.read(|pg, c| {
            pg.query(
                c,
                "SELECT seq, services, outcome FROM traces WHERE refers_to = $1 ORDER BY seq",
                &[&decision_seq],
            )?
            .iter()
            .map(|r| Ok((pg.col(r, 0)?, pg.col(r, 1)?, pg.col(r, 2)?)))
            .collect()
        })
    }

    pub(crate) fn term_values(&self) -> Result<Vec<(i64, String, String)>, Error> {
        self.read(|pg, c| {
            pg.query(c, "SELECT id, kind, value FROM trace_term_values", &[])?
                .iter()
                .map(|r| Ok((pg.col(r, 0)?, pg.col(r, 1)?, pg.col(r, 2)?)))
                .collect()
        })
    }

    pub(crate) fn terms_of(&self, seq: i64) -> Result<Vec<i64>, Error> {
        self.read(|pg, c| {
            pg.query(
                c,
                "SELECT term FROM trace_terms WHERE seq = $1 ORDER BY term",
                &[&seq],
            )?
            .iter()
            .map(|r| pg.col(r, 0))
            .collect()
        })
    }

    pub(crate) fn observation_counts(
        &self,
        service_id: &str,
        since: &str,
        until: &str,
    ) -> Result<Counts, Error> {
        self.read(|pg, c| {
            let r = pg
                .query_opt(
                    c,
                    "SELECT count(*) FILTER (WHERE result = 'success'),
                            count(*) FILTER (WHERE result = 'failure'),
                            count(*) FILTER (WHERE result = 'rejected'),
                            COALESCE(sum(violations), 0)::bigint,
                            COALESCE(sum(cost), 0)::double precision
                     FROM trace_observations
                     WHERE service_id = $1 AND at >= $2 AND at <= $3",
                    &[&service_id, &since, &until],
                )?
                .ok_or_else(|| pg.corrupt("an aggregate returned no row".into()))?;
            let count = |i| pg.col::<i64>(&r, i).map(|x| u64::try_from(x).unwrap_or(0));
            Ok(Counts {
                successes: count(0)?,
                failures: count(1)?,
                rejected: count(2)?,
                violations: count(3)?,
                spend: pg.col(&r, 4)?,
            })
        })
    }

    pub(crate) fn observed_latencies(
        &self,
        service_id: &str,
        since: &str,
        until: &str,
    ) -> Result<Vec<f64>, Error> {
        self.read(|pg, c| {
            pg.query(
                c,
                "SELECT latency_ms FROM trace_observations
                 WHERE service_id = $1 AND at >= $2 AND at <= $3
                   AND result = 'success' AND latency_ms IS NOT NULL",
                &[&service_id, &since, &until],
            )?
            .iter()
            .map(|r| pg.col(r, 0))
            .collect()
        })
    }

    pub(crate) fn decision_counts(&self) -> Result<BTreeMap<String, u64>, Error> {
        self.read(|pg, c| {
            pg.query(
                c,
                "SELECT v.value, count(*) FROM trace_term_values v
                 JOIN trace_terms t ON t.term = v.id
                 WHERE v.kind = 'outcome' GROUP BY v.value",
                &[],
            )?
            .iter()
            .map(|r| {
                Ok((
                    pg.col(r, 0)?,
                    u64::try_from(pg.col::<i64>(r, 1)?).unwrap_or(0),
                ))
            })
            .collect()
        })
    }

    pub(crate) fn observation_totals(&self) -> Result<BTreeMap<(String, String), u64>, Error> {
        self.read(|pg, c| {
            pg.query(
                c,
                "SELECT source, result, count(*) FROM trace_observations GROUP BY source, result",
                &[],
            )?
            .iter()
            .map(|r| {
                Ok((
                    (pg.col(r, 0)?, pg.col(r, 1)?),
                    u64::try_from(pg.col::<i64>(r, 2)?).unwrap_or(0),
                ))
            })
            .collect()
        })
    }

    pub(crate) fn spend_by_service(&self) -> Result<BTreeMap<String, f64>, Error> {
        self.read(|pg, c| {
            pg.query(
                c,
                "SELECT service_id, sum(cost) FROM trace_observations
                 WHERE cost IS NOT NULL GROUP BY service_id",
                &[],
            )?
            .iter()
            .map(|r| Ok((pg.col(r, 0)?, pg.col(r, 1)?)))
            .collect()
        })
    }

    pub(crate) fn candidate_histogram(&self, bounds: &[u64]) -> Result<CandidateHistogram, Error> {
        self.read(|pg, c| {
            let mut h = CandidateHistogram {
                buckets: vec![0; bounds.len()],
                ..CandidateHistogram::default()
            };
            for r in pg.query(
                c,
                "SELECT candidates, count(*) FROM traces
                 WHERE candidates IS NOT NULL GROUP BY candidates",
                &[],
            )? {
                let (candidates, n): (i64, i64) = (pg.col(&r, 0)?, pg.col(&r, 1)?);
                let (candidates, n) = (candidates.max(0) as u64, n.max(0) as u64);
                for (bucket, bound) in h.buckets.iter_mut().zip(bounds) {
                    if candidates <= *bound {
                        *bucket += n;
                    }
                }
                h.count += n;
                h.sum += candidates as f64 * n as f64;
            }
            Ok(h)
        })
    }

    pub(crate) fn pruned_totals(&self) -> Result<PrunedTotals, Error> {
        Ok(self
            .setting(PRUNED_TOTALS)?
            .and_then(|text| serde_json::from_str(&text).ok())
            .unwrap_or_default())
    }

    pub(crate) fn trace_anchor(&self) -> Result<Option<Anchor>, Error> {
        Ok(self
            .setting(ANCHOR)?
            .and_then(|text| serde_json::from_str(&text).ok()))
    }

    pub(crate) fn first_seq_at_or_after(&self, at: &str) -> Result<Option<i64>, Error> {
        self.read(|pg, c| {
            let r = pg
                .query_opt(c, "SELECT min(seq) FROM traces WHERE at >= $1", &[&at])?
                .ok_or_else(|| pg.corrupt("an aggregate returned no row".into()))?;
            pg.col(&r, 0)
        })
    }

    pub(crate) fn first_live_seq(&self) -> Result<Option<i64>, Error> {
        self.read(|pg, c| {
            let r = pg
                .query_opt(c, "SELECT min(seq) FROM traces", &[])?
                .ok_or_else(|| pg.corrupt("an aggregate returned no row".into()))?;
            pg.col(&r, 0)
        })
    }

    pub(crate) fn prune_through(
        &self,
        first: i64,
        through: i64,
        hash: &str,
    ) -> Result<Option<Removed>, Error> {
        // The write lock, then the chain head: no append runs meanwhile.
        self.write(|pg, tx| {
            pg.query_opt(
                tx,
                "SELECT seq FROM trace_head WHERE singleton = 1 FOR UPDATE",
                &[],
            )?;
            let live_first: Option<i64> = pg
                .query_opt(tx, "SELECT min(seq) FROM traces", &[])?
                .map(|r| pg.col(&r, 0))
                .transpose()?
                .flatten();
            let at_through: Option<String> = pg
                .query_opt(tx, "SELECT hash FROM traces WHERE seq = $1", &[&through])?
                .map(|r| pg.col(&r, 0))
                .transpose()?;
            if live_first != Some(first) || at_through.as_deref() != Some(hash) {
                return Ok(None);
            }
            let mut totals: PrunedTotals = pg
                .query_opt(
                    tx,
                    "SELECT value FROM settings WHERE key = $1",
                    &[&PRUNED_TOTALS],
                )?
                .map(|r| pg.col::<String>(&r, 0))
                .transpose()?
                .and_then(|text| serde_json::from_str(&text).ok())
                .unwrap_or_default();
            for r in pg.query(
                tx,
                "SELECT v.value, count(*) FROM trace_term_values v
                 JOIN trace_terms t ON t.term = v.id
                 WHERE v.kind = 'outcome' AND t.seq <= $1 GROUP BY v.value",
                &[&through],
            )? {
                let (outcome, n): (String, i64) = (pg.col(&r, 0)?, pg.col(&r, 1)?);
                *totals.decisions.entry(outcome).or_insert(0) += n.max(0) as u64;
            }
            for r in pg.query(
                tx,
                "SELECT result, count(*) FROM trace_observations
                 WHERE seq <= $1 AND source = 'reported' GROUP BY result",
                &[&through],
            )? {
                let (result, n): (String, i64) = (pg.col(&r, 0)?, pg.col(&r, 1)?);
                *totals.reported.entry(result).or_insert(0) += n.max(0) as u64;
            }
            for r in pg.query(
                tx,
                "SELECT service_id, sum(cost) FROM trace_observations
                 WHERE seq <= $1 AND cost IS NOT NULL GROUP BY service_id",
                &[&through],
            )? {
                let (service, cost): (String, f64) = (pg.col(&r, 0)?, pg.col(&r, 1)?);
                *totals.spend.entry(service).or_insert(0.0) += cost;
            }
            totals.candidate_buckets.resize(CANDIDATE_BUCKETS.len(), 0);
            for r in pg.query(
                tx,
                "SELECT candidates, count(*) FROM traces
                 WHERE seq <= $1 AND candidates IS NOT NULL GROUP BY candidates",
                &[&through],
            )? {
                let (candidates, n): (i64, i64) = (pg.col(&r, 0)?, pg.col(&r, 1)?);
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
            pg.execute(
                tx,
                "DELETE FROM trace_observations WHERE seq <= $1",
                &[&through],
            )?;
            pg.execute(tx, "DELETE FROM trace_terms WHERE seq <= $1", &[&through])?;
            let records = pg.execute(tx, "DELETE FROM traces WHERE seq <= $1", &[&through])?;
            let objects = pg.execute(
                tx,
                "DELETE FROM trace_objects WHERE hash IN
                 (SELECT hash FROM trace_object_uses WHERE last_seq <= $1)",
                &[&through],
            )?;
            pg.execute(
                tx,
                "DELETE FROM trace_object_uses WHERE last_seq <= $1",
                &[&through],
            )?;
            let anchor = Anchor {
                seq: through,
                hash: hash.to_string(),
            };
            for (key, value) in [
                (ANCHOR, serde_json::to_string(&anchor)),
                (PRUNED_TOTALS, serde_json::to_string(&totals)),
            ] {
                let value = value.map_err(|e| {
                    pg.corrupt(format!("cannot write the prune's bookkeeping: {e}"))
                })?;
                pg.execute(
                    tx,
                    "INSERT INTO settings (key, value) VALUES ($1, $2)
                     ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                    &[&key, &value],
                )?;
            }
            Ok(Some(Removed { records, objects }))
        })
    }

    /// The term ids of `filter`, most selective first (`None`: a term no
    /// record has), and the seq range of its time window.
    fn plan(
        &self,
        c: &mut postgres::Client,
        filter: &TraceFilter,
    ) -> Result<(Option<Vec<i64>>, i64, i64), Error> {
        let mut ids = Vec::new();
        for (kind, value) in &filter.terms {
            let Some(r) = self.query_opt(
                c,
                "SELECT id FROM trace_term_values WHERE kind = $1 AND value = $2",
                &[kind, value],
            )?
            else {
                return Ok((None, 0, 0));
            };
            let id: i64 = self.col(&r, 0)?;
            let n: i64 = self
                .query_opt(
                    c,
                    "SELECT count(*) FROM (SELECT 1 FROM trace_terms WHERE term = $1 LIMIT $2) p",
                    &[&id, &DRIVER_PROBE],
                )?
                .map(|r| self.col(&r, 0))
                .transpose()?
                .unwrap_or(0);
            ids.push((n, id));
        }
        ids.sort();
        let (lo, hi) = if filter.since.is_none() && filter.until.is_none() {
            (0, i64::MAX)
        } else {
            let since = filter.since.clone().unwrap_or_default();
            let until = filter.until.clone();
            let n: i64 = self
                .query_opt(
                    c,
                    "SELECT count(*) FROM (SELECT 1 FROM traces
                     WHERE at >= $1 AND ($2::text IS NULL OR at < $2) LIMIT $3) p",
                    &[&since, &until, &WINDOW_PROBE],
                )?
                .map(|r| self.col(&r, 0))
                .transpose()?
                .unwrap_or(0);
            if n >= WINDOW_PROBE {
                (0, i64::MAX)
            } else {
                let r = self
                    .query_opt(
                        c,
                        "SELECT min(seq), max(seq) FROM traces
                         WHERE at >= $1 AND ($2::text IS NULL OR at < $2)",
                        &[&since, &until],
                    )?
                    .ok_or_else(|| self.corrupt("an aggregate returned no row".into()))?;
                let (lo, hi): (Option<i64>, Option<i64>) = (self.col(&r, 0)?, self.col(&r, 1)?);
                (lo.unwrap_or(1), hi.unwrap_or(0))
            }
        };
        Ok((Some(ids.into_iter().map(|(_, id)| id).collect()), lo, hi))
    }

    /// The conditions beyond a driving term (the other terms, the times),
    /// their parameters appended to `args`.
    fn conditions(
        alias: &str,
        terms: &[i64],
        filter: &TraceFilter,
        args: &mut Vec<Param>,
    ) -> String {
        let mut sql = String::new();
        for id in terms {
            args.push(Box::new(*id));
            sql.push_str(&format!(
                " AND EXISTS (SELECT 1 FROM trace_terms x WHERE x.term = ${} AND x.seq = {alias}.seq)",
                args.len()
            ));
        }
        for (op, time) in [(">=", &filter.since), ("<", &filter.until)] {
            if let Some(time) = time {
                args.push(Box::new(time.clone()));
                sql.push_str(&format!(" AND t.at {op} ${}", args.len()));
            }
        }
        sql
    }

    pub(crate) fn list_traces(&self, filter: &TraceFilter) -> Result<Vec<Listed>, Error> {
        self.read(|pg, c| {
            let (terms, lo, hi) = pg.plan(c, filter)?;
            let Some(terms) = terms else {
                return Ok(Vec::new());
            };
            let mut args: Vec<Param> = vec![Box::new(lo), Box::new(hi)];
            let columns =
                "t.seq, t.decision_id, t.at, t.outcome, t.services, t.principal, t.executed,
                    (SELECT CASE WHEN count(*) = 0 THEN NULL
                                 WHEN count(*) FILTER (WHERE o.outcome = 'error') > 0 THEN 'error'
                                 ELSE 'ok' END
                     FROM traces o WHERE o.refers_to = t.seq)";
            let sql = match terms.split_first() {
                Some((driver, others)) => {
                    args.push(Box::new(*driver));
                    let driver_arg = args.len();
                    let more = Postgres::conditions("d", others, filter, &mut args);
                    format!(
                        "SELECT {columns} FROM trace_terms d JOIN traces t ON t.seq = d.seq
                         WHERE d.term = ${driver_arg} AND d.seq BETWEEN $1 AND $2{more}
                         ORDER BY d.seq DESC LIMIT ${}",
                        args.len() + 1
                    )
                }
                None => {
                    let more = Postgres::conditions("t", &[], filter, &mut args);
                    format!(
                        "SELECT {columns} FROM traces t
                         WHERE t.kind = 'decision' AND t.seq BETWEEN $1 AND $2{more}
                         ORDER BY t.seq DESC LIMIT ${}",
                        args.len() + 1
                    )
                }
            };
            args.push(Box::new(
                filter.limit.map(|l| i64::try_from(l).unwrap_or(i64::MAX)),
            ));
            let refs: Vec<&(dyn ToSql + Sync)> = args.iter().map(|a| &**a).collect();
            pg.query(c, &sql, &refs)?
                .iter()
                .map(|r| {
                    Ok(Listed {
                        seq: pg.col(r, 0)?,
                        decision_id: pg.col(r, 1)?,
                        at: pg.col(r, 2)?,
                        outcome: pg.col(r, 3)?,
                        services: pg.col(r, 4)?,
                        principal: pg.col(r, 5)?,
                        execution: pg.col(r, 6)?,
                        reported: pg.col(r, 7)?,
                    })
                })
                .collect()
        })
    }

    pub(crate) fn trace_stats(&self, by: &str, filter: &TraceFilter) -> Result<Vec<Count>, Error> {
        self.read(|pg, c| {
            let (terms, lo, hi) = pg.plan(c, filter)?;
            let Some(terms) = terms else {
                return Ok(Vec::new());
            };
            let mut args: Vec<Param> = vec![Box::new(lo), Box::new(hi), Box::new(by.to_string())];
            let time = filter.since.is_some() || filter.until.is_some();
            let sql = match terms.split_first() {
                Some((driver, others)) => {
                    args.push(Box::new(*driver));
                    let driver_arg = args.len();
                    let more = Postgres::conditions("d", others, filter, &mut args);
                    let join = if time { "JOIN traces t ON t.seq = d.seq" } else { "" };
                    format!(
                        "SELECT v.value, count(*) AS n FROM trace_terms d {join}
                         JOIN trace_terms g ON g.seq = d.seq
                         JOIN trace_term_values v ON v.id = g.term
                         WHERE d.term = ${driver_arg} AND d.seq BETWEEN $1 AND $2 AND v.kind = $3{more}
                         GROUP BY v.value ORDER BY n DESC, v.value"
                    )
                }
                None => {
                    let more = Postgres::conditions("g", &[], filter, &mut args);
                    let join = if time { "JOIN traces t ON t.seq = g.seq" } else { "" };
                    format!(
                        "SELECT v.value, count(*) AS n FROM trace_term_values v
                         JOIN trace_terms g ON g.term = v.id {join}
                         WHERE v.kind = $3 AND g.seq BETWEEN $1 AND $2{more}
                         GROUP BY v.value ORDER BY n DESC, v.value"
                    )
                }
            };
            let refs: Vec<&(dyn ToSql + Sync)> = args.iter().map(|a| &**a).collect();
            pg.query(c, &sql, &refs)?
                .iter()
                .map(|r| {
                    Ok(Count {
                        value: pg.col(r, 0)?,
                        decisions: u64::try_from(pg.col::<i64>(r, 1)?).unwrap_or(0),
                    })
                })
                .collect()
        })
    }
}
