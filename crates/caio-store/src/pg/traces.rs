//! The trace on PostgreSQL: one chain for the fleet. An append locks the
//! chain-head row for its transaction, so appends from every host are
//! serialised by the database: seqs have no gaps, and each record's hash
//! chains on the previous record whichever host wrote it. A chunk of
//! records (a `route --batch` chunk) is written with one multi-row insert
//! per table, the objects it references first, in the same transaction.

use super::{PAGE, Postgres};
use crate::error::Error;
use crate::traces::{Appended, Input, StoredCheckpoint};
use caio_core::trace::check::{Chunk, StoredObservation};
use caio_core::trace::{self, Index, Prepared, Row};
use std::collections::BTreeSet;

const ROW_COLUMNS: &str = "seq, prev, hash, record, decision_id, at, outcome, services, principal, kind, refers_to, executed, candidates";

/// What an append writes of one new record besides its body, read back
/// from the body.
struct NewRow<'a> {
    seq: i64,
    prev: String,
    hash: String,
    derived: trace::Derived,
    /// The objects it references: `(kind, hash)`.
    objects: Vec<(&'static str, std::borrow::Cow<'a, str>)>,
    observed: Vec<trace::outcome::Observation>,
}

impl Postgres {
    pub(crate) fn append_traces(
        &self,
        records: &[Prepared],
        inputs: &[Input],
    ) -> Result<Vec<Appended>, Error> {
        self.transaction(|pg, tx| pg.append_in(tx, records, inputs))
    }

    /// Appends inside the transaction `tx`, which locks the chain head
    /// until it ends.
    pub(crate) fn append_in(
        &self,
        tx: &mut postgres::Transaction<'_>,
        records: &[Prepared],
        inputs: &[Input],
    ) -> Result<Vec<Appended>, Error> {
        let pg = self;
        {
            // The chain head, locked until this transaction ends: an append
            // from another process or host waits here, then reads the head
            // this one leaves.
            let head = pg
                .query_opt(
                    tx,
                    "SELECT seq, hash FROM trace_head WHERE singleton = 1 FOR UPDATE",
                    &[],
                )?
                .ok_or_else(|| pg.corrupt("the trace head row is missing".into()))?;
            let mut seq: i64 = pg.col(&head, 0)?;
            let head_hash: String = pg.col(&head, 1)?;
            let mut prev = trace::unhex32(&head_hash).ok_or_else(|| Error::Store {
                path: pg.location.clone(),
                reason: format!("the trace head (seq {seq}) has a malformed hash"),
                help: "run `caio trace verify` to find the damage",
            })?;
            if !inputs.is_empty() {
                let hashes: Vec<&str> = inputs.iter().map(|i| i.hash.as_str()).collect();
                let kinds: Vec<&str> = inputs.iter().map(|i| i.kind).collect();
                let bodies: Vec<&str> = inputs.iter().map(|i| i.body.as_str()).collect();
                pg.execute(
                    tx,
                    "INSERT INTO trace_inputs (hash, kind, body)
                     SELECT * FROM unnest($1::text[], $2::text[], $3::text[])
                     ON CONFLICT (hash) DO NOTHING",
                    &[&hashes, &kinds, &bodies],
                )?;
            }
            let mut seen = BTreeSet::new();
            let mut objects: Vec<&trace::Object> = records
                .iter()
                .flat_map(|p| &p.objects)
                .map(|o| &**o)
                .filter(|o| seen.insert(o.hash.as_str()))
                .collect();
            if !objects.is_empty() {
                // Only the objects not stored yet travel: a candidate set
                // of thousands of services is usually there already.
                let hashes: Vec<&str> = objects.iter().map(|o| o.hash.as_str()).collect();
                let stored: BTreeSet<String> = pg
                    .query(
                        tx,
                        "SELECT hash FROM trace_objects WHERE hash = ANY($1)",
                        &[&hashes],
                    )?
                    .iter()
                    .map(|r| pg.col(r, 0))
                    .collect::<Result<_, Error>>()?;
                objects.retain(|o| !stored.contains(&o.hash));
            }
            if !objects.is_empty() {
                let hashes: Vec<&str> = objects.iter().map(|o| o.hash.as_str()).collect();
                let kinds: Vec<&str> = objects.iter().map(|o| o.kind).collect();
                let bodies: Vec<&str> = objects.iter().map(|o| o.body.as_str()).collect();
                pg.execute(
                    tx,
                    "INSERT INTO trace_objects (hash, kind, body)
                     SELECT * FROM unnest($1::text[], $2::text[], $3::text[])
                     ON CONFLICT (hash) DO NOTHING",
                    &[&hashes, &kinds, &bodies],
                )?;
            }
            if records.is_empty() {
                return Ok(Vec::new());
            }
            let n = records.len();
            let mut out = Vec::with_capacity(n);
            let mut rows = Vec::with_capacity(n);
            for p in records {
                seq += 1;
                let hash = trace::chain_hash(&prev, &p.body);
                // The columns, terms and observations come from the record
                // as stored, by the code `trace verify` checks them with.
                let indexed = trace::Indexed::read(&p.body).ok_or_else(|| {
                    pg.corrupt("a new record does not read back as a decision".into())
                })?;
                let observed = match indexed.may_observe() {
                    true => indexed.observations(),
                    false => Vec::new(),
                };
                rows.push(NewRow {
                    seq,
                    prev: trace::hex(&prev),
                    hash: trace::hex(&hash),
                    derived: indexed.derived(&hash),
                    objects: indexed.objects,
                    observed,
                });
                out.push(Appended { seq, hash });
                prev = hash;
            }
            let seqs: Vec<i64> = rows.iter().map(|d| d.seq).collect();
            let prevs: Vec<&str> = rows.iter().map(|d| d.prev.as_str()).collect();
            let hashes: Vec<&str> = rows.iter().map(|d| d.hash.as_str()).collect();
            let ids: Vec<&str> = rows
                .iter()
                .map(|d| d.derived.index.decision_id.as_str())
                .collect();
            let ats: Vec<&str> = rows.iter().map(|d| d.derived.index.at.as_str()).collect();
            let outcomes: Vec<&str> = rows
                .iter()
                .map(|d| d.derived.index.outcome.as_str())
                .collect();
            let services: Vec<&str> = rows
                .iter()
                .map(|d| d.derived.index.services.as_str())
                .collect();
            let principals: Vec<&str> = rows
                .iter()
                .map(|d| d.derived.index.principal.as_str())
                .collect();
            let executed: Vec<Option<&str>> = rows
                .iter()
                .map(|d| d.derived.index.executed.as_deref())
                .collect();
            let candidates: Vec<Option<i64>> =
                rows.iter().map(|d| d.derived.index.candidates).collect();
            let bodies: Vec<&str> = records.iter().map(|p| p.body.as_str()).collect();
            pg.execute(
                tx,
                "INSERT INTO traces (seq, prev, hash, decision_id, at, outcome, services, principal, record, executed, candidates)
                 SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[],
                                      $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::bigint[])",
                &[
                    &seqs, &prevs, &hashes, &ids, &ats, &outcomes, &services, &principals, &bodies,
                    &executed, &candidates,
                ],
            )?;
            // The term rows, observations and last uses of the whole chunk,
            // one statement each.
            let mut terms: Vec<(&str, &str, i64)> = Vec::new();
            let mut last_use: Vec<(&str, i64)> = Vec::new();
            let mut observed: Vec<(i64, &str, trace::outcome::Observation)> = Vec::new();
            for NewRow {
                seq,
                derived: d,
                objects,
                observed: observations,
                ..
            } in &mut rows
            {
                terms.extend(
                    d.terms
                        .iter()
                        .map(|(kind, value)| (*kind, value.as_str(), *seq)),
                );
                for (_, hash) in objects.iter() {
                    match last_use.iter_mut().find(|(h, _)| *h == hash) {
                        Some(used) => used.1 = *seq,
                        None => last_use.push((hash, *seq)),
                    }
                }
                let at = d.index.at.as_str();
                observed.extend(observations.drain(..).map(|o| (*seq, at, o)));
            }
            let added = pg.add_terms(tx, &terms)?;
            if added != terms.len() as u64 {
                return Err(pg.corrupt(format!(
                    "{} of {} audit term rows of new records were written",
                    added,
                    terms.len()
                )));
            }
            if !last_use.is_empty() {
                let hashes: Vec<&str> = last_use.iter().map(|u| u.0).collect();
                let seqs: Vec<i64> = last_use.iter().map(|u| u.1).collect();
                pg.execute(
                    tx,
                    "INSERT INTO trace_object_uses (hash, last_seq)
                     SELECT * FROM unnest($1::text[], $2::bigint[])
                     ON CONFLICT (hash) DO UPDATE SET last_seq = excluded.last_seq",
                    &[&hashes, &seqs],
                )?;
            }
            pg.observe_many(tx, &observed)?;
            pg.execute(
                tx,
                "UPDATE trace_head SET seq = $1, hash = $2 WHERE singleton = 1",
                &[&seq, &trace::hex(&prev)],
            )?;
            Ok(out)
        }
    }

    pub(crate) fn trace_head(&self) -> Result<(i64, [u8; 32]), Error> {
        let head = self.read(|pg, c| {
            pg.query_opt(
                c,
                "SELECT seq, hash FROM trace_head WHERE singleton = 1",
                &[],
            )?
            .map(|r| Ok::<_, Error>((pg.col::<i64>(&r, 0)?, pg.col::<String>(&r, 1)?)))
            .transpose()
        })?;
        Ok(match head {
            None => (0, trace::GENESIS),
            Some((seq, hash)) => (seq, trace::unhex32(&hash).unwrap_or(trace::GENESIS)),
        })
    }

    pub(crate) fn trace_by_seq(&self, seq: i64) -> Result<Option<Row>, Error> {
        self.read(|pg, c| {
            pg.query_opt(
                c,
                &format!("SELECT {ROW_COLUMNS} FROM traces WHERE seq = $1"),
                &[&seq],
            )?
            .map(|r| pg.row(&r))
            .transpose()
        })
    }

    pub(crate) fn traces_by_decision(&self, prefix: &str) -> Result<Vec<Row>, Error> {
        let upper = format!("{prefix}g");
        self.read(|pg, c| {
            pg.query(
                c,
                &format!(
                    "SELECT {ROW_COLUMNS} FROM traces
                     WHERE decision_id >= $1 AND decision_id < $2 ORDER BY seq LIMIT 2"
                ),
                &[&prefix, &upper],
            )?
            .iter()
            .map(|r| pg.row(r))
            .collect()
        })
    }

    /// Visits the records page by page: no statement outlives the statement
    /// timeout, and the visitor may use the store between pages.
    pub(crate) fn for_each_trace<E: From<Error>>(
        &self,
        from: i64,
        since: Option<&str>,
        mut f: impl FnMut(Row) -> Result<bool, E>,
    ) -> Result<(), E> {
        let mut next = from;
        loop {
            let page: Vec<Row> = self.read(|pg, c| {
                pg.query(
                    c,
                    &format!(
                        "SELECT {ROW_COLUMNS} FROM traces
                         WHERE seq >= $1 AND ($2::text IS NULL OR at >= $2) ORDER BY seq LIMIT $3"
                    ),
                    &[&next, &since, &PAGE],
                )?
                .iter()
                .map(|r| pg.row(r))
                .collect()
            })?;
            let full = page.len() as i64 == PAGE;
            for row in page {
                next = row.seq + 1;
                if !f(row)? {
                    return Ok(());
                }
            }
            if !full {
                return Ok(());
            }
        }
    }

    /// The records from `from` on (at most `max`) and the term and
    /// observation rows of their seqs. (Rows are only ever added with their
    /// own record, but for the `executed` row an outcome adds to its
    /// decision, which `trace verify` reads again when it is missing.)
    pub(crate) fn read_trace_chunk(
        &self,
        from: i64,
        max: usize,
        max_bytes: usize,
        chunk: &mut Chunk,
    ) -> Result<(), Error> {
        chunk.clear();
        let limit = i64::try_from(max).unwrap_or(i64::MAX);
        self.read(|pg, c| {
            let rows = pg.query(
                c,
                &format!("SELECT {ROW_COLUMNS} FROM traces WHERE seq >= $1 ORDER BY seq LIMIT $2"),
                &[&from, &limit],
            )?;
            let mut bytes = 0;
            for r in &rows {
                if bytes >= max_bytes {
                    break;
                }
                let row = chunk.next_row();
                *row = pg.row(r)?;
                bytes += row.record.len();
            }
            let Some(last) = chunk.rows().last().map(|r| r.seq) else {
                return Ok(());
            };
            for r in pg.query(
                c,
                "SELECT seq, term FROM trace_terms WHERE seq >= $1 AND seq <= $2 ORDER BY seq, term",
                &[&from, &last],
            )? {
                chunk.terms.push((pg.col(&r, 0)?, pg.col(&r, 1)?));
            }
            for r in pg.query(
                c,
                "SELECT seq, n, service_id, at, result, latency_ms, cost, violations, source
                 FROM trace_observations WHERE seq >= $1 AND seq <= $2 ORDER BY seq, n",
                &[&from, &last],
            )? {
                chunk.observations.push(StoredObservation {
                    seq: pg.col(&r, 0)?,
                    n: pg.col(&r, 1)?,
                    service_id: pg.col(&r, 2)?,
                    at: pg.col(&r, 3)?,
                    result: pg.col(&r, 4)?,
                    latency_ms: pg.col(&r, 5)?,
                    cost: pg.col(&r, 6)?,
                    violations: pg.col(&r, 7)?,
                    source: pg.col(&r, 8)?,
                });
            }
            Ok(())
        })
    }

    pub(crate) fn add_checkpoint(&self, cp: &StoredCheckpoint) -> Result<(), Error> {
        self.write(|pg, tx| {
            pg.execute(
                tx,
                "INSERT INTO trace_checkpoints (seq, hash, note, at) VALUES ($1, $2, $3, $4)",
                &[&cp.seq, &cp.hash, &cp.note, &cp.at],
            )
            .map(drop)
        })
    }

    pub(crate) fn checkpoints(&self) -> Result<Vec<StoredCheckpoint>, Error> {
        self.read(|pg, c| {
            pg.query(
                c,
                "SELECT seq, hash, note, at FROM trace_checkpoints ORDER BY id",
                &[],
            )?
            .iter()
            .map(|r| {
                Ok(StoredCheckpoint {
                    seq: pg.col(r, 0)?,
                    hash: pg.col(r, 1)?,
                    note: pg.col(r, 2)?,
                    at: pg.col(r, 3)?,
                })
            })
            .collect()
        })
    }

    pub(crate) fn trace_input(&self, hash: &str) -> Result<Option<String>, Error> {
        self.read(|pg, c| {
            pg.query_opt(c, "SELECT body FROM trace_inputs WHERE hash = $1", &[&hash])?
                .map(|r| pg.col(&r, 0))
                .transpose()
        })
    }

    pub(crate) fn trace_object(&self, hash: &str) -> Result<Option<(String, String)>, Error> {
        self.read(|pg, c| {
            pg.query_opt(
                c,
                "SELECT kind, body FROM trace_objects WHERE hash = $1",
                &[&hash],
            )?
            .map(|r| Ok((pg.col(&r, 0)?, pg.col(&r, 1)?)))
            .transpose()
        })
    }

    pub(crate) fn for_each_trace_object<E: From<Error>>(
        &self,
        mut f: impl FnMut(&str, &str, &str) -> Result<(), E>,
    ) -> Result<(), E> {
        let mut after = String::new();
        loop {
            let page: Vec<(String, String, String)> = self.read(|pg, c| {
                pg.query(
                    c,
                    "SELECT hash, kind, body FROM trace_objects WHERE hash > $1
                     ORDER BY hash LIMIT $2",
                    &[&after, &PAGE],
                )?
                .iter()
                .map(|r| Ok((pg.col(r, 0)?, pg.col(r, 1)?, pg.col(r, 2)?)))
                .collect()
            })?;
            let full = page.len() as i64 == PAGE;
            for (hash, kind, body) in &page {
                f(hash, kind, body)?;
            }
            match page.into_iter().last() {
                Some((hash, _, _)) if full => after = hash,
                _ => return Ok(()),
            }
        }
    }

    pub(crate) fn setting(&self, key: &str) -> Result<Option<String>, Error> {
        self.read(|pg, c| {
            pg.query_opt(c, "SELECT value FROM settings WHERE key = $1", &[&key])?
                .map(|r| pg.col(&r, 0))
                .transpose()
        })
    }

    pub(crate) fn set_setting(&self, key: &str, value: &str) -> Result<(), Error> {
        self.write(|pg, tx| {
            pg.execute(
                tx,
                "INSERT INTO settings (key, value) VALUES ($1, $2)
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                &[&key, &value],
            )
            .map(drop)
        })
    }

    pub(crate) fn setting_or_insert(&self, key: &str, value: &str) -> Result<String, Error> {
        self.write(|pg, tx| {
            pg.execute(
                tx,
                "INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING",
                &[&key, &value],
            )?;
            let row = pg
                .query_opt(tx, "SELECT value FROM settings WHERE key = $1", &[&key])?
                .ok_or_else(|| pg.corrupt(format!("the setting {key} vanished")))?;
            pg.col(&row, 0)
        })
    }

    fn row(&self, r: &postgres::Row) -> Result<Row, Error> {
        Ok(Row {
            seq: self.col(r, 0)?,
            prev: self.col(r, 1)?,
            hash: self.col(r, 2)?,
            record: self.col(r, 3)?,
            index: Some(Index {
                decision_id: self.col(r, 4)?,
                at: self.col(r, 5)?,
                outcome: self.col(r, 6)?,
                services: self.col(r, 7)?,
                principal: self.col(r, 8)?,
                kind: self.col(r, 9)?,
                refers_to: self.col(r, 10)?,
                executed: self.col(r, 11)?,
                candidates: self.col(r, 12)?,
            }),
        })
    }
}
