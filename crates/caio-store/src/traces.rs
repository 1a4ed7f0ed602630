//! The trace tables: appending records to the chain (one `BEGIN IMMEDIATE`
//! transaction per call or per batch chunk, so concurrent processes never
//! lose, duplicate or skip a seq), reading them back, checkpoints, and the
//! content-addressed inputs of stateless decisions.

use super::Sqlite;
use crate::error::Error;
use caio_core::circuit;
use caio_core::trace::check::{Chunk, StoredObservation};
use caio_core::trace::{self, Prepared, Row};
use rusqlite::{OptionalExtension, params};
use serde::Serialize;

/// Where a record landed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Appended {
    /// Its position in the chain, from 1.
    pub seq: i64,
    /// Its chain hash (serialised as hex).
    #[serde(serialize_with = "as_hex")]
    pub hash: [u8; 32],
}

fn as_hex<S: serde::Serializer>(h: &[u8; 32], s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&trace::hex(h))
}

/// An input of a stateless decision, kept by hash for replay.
#[derive(Debug, Clone)]
pub struct Input {
    pub(crate) hash: String,
    /// `contract` or `policy_set`.
    pub(crate) kind: &'static str,
    pub(crate) body: String,
}

/// One stored record, as listed.
#[derive(Debug, Clone, Serialize)]
pub struct Listed {
    /// Its position in the chain.
    pub seq: i64,
    /// The decision id (first 32 hex characters of its hash).
    pub decision_id: String,
    /// When the decision was made, RFC 3339.
    pub at: String,
    /// routed, no_route or refused.
    pub outcome: String,
    /// The chosen service ids, comma-separated.
    pub services: String,
    /// Who asked.
    pub principal: String,
    /// How `--execute` ended (`succeeded`, `failed`, `not_started`); `None`
    /// when the call was not executed.
    pub execution: Option<String>,
    /// What its caller reported (`trace outcome`): `ok`, or `error` when
    /// any reported call failed; `None` when none was reported.
    pub reported: Option<String>,
}

/// Filters of `trace list` and `trace stats`.
#[derive(Debug, Clone, Default)]
pub struct TraceFilter {
    /// Decisions with every one of these audit terms (kind, value): a
    /// chosen `service`, the `principal`, the `tenant`, a requested
    /// `capability`, a first-rejecting `stage`, a rejecting `rule`, the
    /// `outcome`, how it was `executed` (`ok`, `failed`).
    pub terms: Vec<(&'static str, String)>,
    /// Decisions at or after this RFC 3339 time.
    pub since: Option<String>,
    /// Decisions before this RFC 3339 time.
    pub until: Option<String>,
    /// At most this many, newest first.
    pub limit: Option<usize>,
}

/// What became of an outcome record.
#[derive(Debug)]
pub enum OutcomeAppend {
    /// Appended; what the service's circuit did.
    Appended {
        /// Where it landed.
        appended: Appended,
        /// The circuit changes of the fold.
        changes: Vec<(String, circuit::Change)>,
    },
    /// The decision already has an outcome for that service, at `seq`.
    AlreadyReported {
        /// The earlier outcome's seq.
        seq: i64,
    },
}

/// An outcome record ready for the chain.
#[derive(Debug, Clone)]
pub struct PreparedOutcome {
    /// The record.
    pub record: trace::outcome::OutcomeRecord,
    /// `JCS(record)`.
    pub body: String,
}

/// A stored checkpoint.
#[derive(Debug, Clone, Serialize)]
pub struct StoredCheckpoint {
    /// The chain's size at the checkpoint.
    pub seq: i64,
    /// The chain head then, in hex.
    pub hash: String,
    /// The signed checkpoint note.
    pub note: String,
    /// When it was made, RFC 3339.
    pub at: String,
}

impl Sqlite {
    /// Appends records in order, in one transaction, with the inputs they
    /// need for replay.
    pub fn append_traces(
        &mut self,
        records: &[Prepared],
        inputs: &[Input],
    ) -> Result<Vec<Appended>, Error> {
        let path = self.path.clone();
        self.write(|tx| append(tx, &path, records, inputs))
    }

    /// Appends an outcome record (`trace outcome`) in one transaction with
    /// its observation and the fold of the attempt it stands for into the
    /// service's stats, as an executed attempt is folded. Refused (nothing
    /// written) when the decision already has an outcome for that service.
    pub fn append_outcome(
        &mut self,
        outcome: &PreparedOutcome,
        now: jiff::Timestamp,
    ) -> Result<OutcomeAppend, Error> {
        let path = self.path.clone();
        self.write(|tx| {
            let err = |e| super::state(&path, e);
            let record = &outcome.record;
            let earlier: Option<i64> = tx
                .prepare_cached(
                    "SELECT seq FROM traces WHERE refers_to = ?1 AND services = ?2",
                )
                .and_then(|mut s| {
                    s.query_row(params![record.decision.seq, record.service_id], |r| {
                        r.get(0)
                    })
                    .optional()
                })
                .map_err(err)?;
            if let Some(seq) = earlier {
                return Ok(OutcomeAppend::AlreadyReported { seq });
            }
            let (seq, prev) = head(tx, &path)?;
            let seq = seq + 1;
            let hash = trace::chain_hash(&prev, &outcome.body);
            tx.prepare_cached(
                "INSERT INTO traces (seq, prev, hash, decision_id, at, outcome, services, principal, record, kind, refers_to)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
            )
            .and_then(|mut s| {
                s.execute(params![
                    seq,
                    trace::hex(&prev),
                    trace::hex(&hash),
                    trace::decision_id(&hash),
                    record.at,
                    record.status.as_str(),
                    record.service_id,
                    record.principal,
                    outcome.body,
                    trace::outcome::KIND,
                    record.decision.seq,
                ])
            })
            .map_err(err)?;
            let attempt = record.attempt();
            let observed = caio_core::trace::outcome::Observation::of(&attempt, "reported");
            observe(tx, seq, &record.at, std::iter::once(observed)).map_err(err)?;
            let term = match record.status {
                trace::outcome::Status::Ok => "ok",
                trace::outcome::Status::Error => "failed",
            };
            TermIds::default()
                .insert(tx, trace::term::EXECUTED, term, record.decision.seq)
                .map_err(err)?;
            let changes = super::stats::fold(tx, &path, std::slice::from_ref(&attempt), now)?;
            Ok(OutcomeAppend::Appended {
                appended: Appended { seq, hash },
                changes,
            })
        })
    }

    /// The outcome records of a decision: `(seq, service, status)`, in
    /// seq order.
    pub fn outcomes_of(&self, decision_seq: i64) -> Result<Vec<(i64, String, String)>, Error> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT seq, services, outcome FROM traces WHERE refers_to = ?1 ORDER BY seq",
            )
            .map_err(|e| self.err(e))?;
        stmt.query_map([decision_seq], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .map_err(|e| self.err(e))?
            .collect::<Result<_, _>>()
            .map_err(|e| self.err(e))
    }

    /// Maps the database file into memory for a long sequential read
    /// (`trace verify`): SQLite then reads pages where they lie instead of
    /// copying each one (up to its compiled-in limit, 2 GiB; the rest is
    /// read as before).
    pub fn map_for_reading(&self) -> Result<(), Error> {
        self.conn
            .pragma_update(None, "mmap_size", 1i64 << 40)
            .map_err(|e| self.err(e))
    }

    /// Fills `chunk` with the records from `from` on, in seq order — at
    /// most `max` of them, and no more once their text reaches `max_bytes`
    /// — and the audit term and observation rows of the seqs from `from` to
    /// the last record read (`trace verify`). The chunk's strings are
    /// reused.
    pub fn read_trace_chunk(
        &self,
        from: i64,
        max: usize,
        max_bytes: usize,
        chunk: &mut Chunk,
    ) -> Result<(), Error> {
        chunk.clear();
        let err = |e| self.err(e);
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT seq, prev, hash, record, decision_id, at, outcome, services, principal, kind, refers_to, executed, candidates FROM traces
                 WHERE seq >= ?1 ORDER BY seq LIMIT ?2",
            )
            .map_err(err)?;
        let limit = i64::try_from(max).unwrap_or(i64::MAX);
        let mut rows = stmt.query(params![from, limit]).map_err(err)?;
        let mut bytes = 0;
        while bytes < max_bytes
            && let Some(r) = rows.next().map_err(err)?
        {
            let row = chunk.next_row();
            fill_row(r, row).map_err(err)?;
            bytes += row.record.len();
        }
        let Some(last) = chunk.rows().last().map(|r| r.seq) else {
            return Ok(());
        };
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT seq, term FROM trace_terms INDEXED BY trace_terms_by_seq
                 WHERE seq >= ?1 AND seq <= ?2 ORDER BY seq, term",
            )
            .map_err(err)?;
        let mut rows = stmt.query(params![from, last]).map_err(err)?;
        while let Some(r) = rows.next().map_err(err)? {
            chunk
                .terms
                .push((r.get(0).map_err(err)?, r.get(1).map_err(err)?));
        }
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT seq, n, service_id, at, result, latency_ms, cost, violations, source
                 FROM trace_observations WHERE seq >= ?1 AND seq <= ?2 ORDER BY seq, n",
            )
            .map_err(err)?;
        let mut rows = stmt.query(params![from, last]).map_err(err)?;
        while let Some(r) = rows.next().map_err(err)? {
            let o = (|| -> rusqlite::Result<StoredObservation> {
                Ok(StoredObservation {
                    seq: r.get(0)?,
                    n: r.get(1)?,
                    service_id: r.get(2)?,
                    at: r.get(3)?,
                    result: r.get(4)?,
                    latency_ms: r.get(5)?,
                    cost: r.get(6)?,
                    violations: r.get(7)?,
                    source: r.get(8)?,
                })
            })()
            .map_err(err)?;
            chunk.observations.push(o);
        }
        Ok(())
    }

    /// Every stored audit term value: `(id, kind, value)`.
    pub fn term_values(&self) -> Result<Vec<(i64, String, String)>, Error> {
        let mut stmt = self
            .conn
            .prepare("SELECT id, kind, value FROM trace_term_values")
            .map_err(|e| self.err(e))?;
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .map_err(|e| self.err(e))?
            .collect::<Result<_, _>>()
            .map_err(|e| self.err(e))
    }

    /// The audit term ids stored for one record, ascending.
    pub fn terms_of(&self, seq: i64) -> Result<Vec<i64>, Error> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT term FROM trace_terms INDEXED BY trace_terms_by_seq
                 WHERE seq = ?1 ORDER BY term",
            )
            .map_err(|e| self.err(e))?;
        stmt.query_map([seq], |r| r.get(0))
            .map_err(|e| self.err(e))?
            .collect::<Result<_, _>>()
            .map_err(|e| self.err(e))
    }

    /// The number of records and the chain head.
    pub fn trace_head(&self) -> Result<(i64, [u8; 32]), Error> {
        let head: Option<(i64, String)> = self
            .conn
            .query_row(
                "SELECT seq, hash FROM traces ORDER BY seq DESC LIMIT 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
            .map_err(|e| self.err(e))?;
        Ok(match head {
            None => (0, trace::GENESIS),
            Some((seq, hash)) => (seq, trace::unhex32(&hash).unwrap_or(trace::GENESIS)),
        })
    }

    /// One record by seq.
    pub fn trace_by_seq(&self, seq: i64) -> Result<Option<Row>, Error> {
        self.conn
            .query_row(
                "SELECT seq, prev, hash, record, decision_id, at, outcome, services, principal, kind, refers_to, executed, candidates FROM traces WHERE seq = ?1",
                [seq],
                row,
            )
            .optional()
            .map_err(|e| self.err(e))
    }

    /// Records whose decision id starts with `prefix` (at most two, to tell
    /// a unique prefix from an ambiguous one).
    pub fn traces_by_decision(&self, prefix: &str) -> Result<Vec<Row>, Error> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT seq, prev, hash, record, decision_id, at, outcome, services, principal, kind, refers_to, executed, candidates FROM traces
                 WHERE decision_id >= ?1 AND decision_id < ?2 ORDER BY seq LIMIT 2",
            )
            .map_err(|e| self.err(e))?;
        let upper = format!("{prefix}g");
        stmt.query_map(params![prefix, upper], row)
            .map_err(|e| self.err(e))?
            .collect::<Result<_, _>>()
            .map_err(|e| self.err(e))
    }

    /// Visits every record from `from` on, in seq order, with the time it
    /// was appended; stops early when `f` returns false. Rows are handed
    /// over, so a visitor can keep one without copying it.
    pub fn for_each_trace<E: From<Error>>(
        &self,
        from: i64,
        since: Option<&str>,
        mut f: impl FnMut(Row) -> Result<bool, E>,
    ) -> Result<(), E> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT seq, prev, hash, record, decision_id, at, outcome, services, principal, kind, refers_to, executed, candidates FROM traces
                 WHERE seq >= ?1 AND (?2 IS NULL OR at >= ?2) ORDER BY seq",
            )
            .map_err(|e| self.err(e))?;
        let mut rows = stmt.query(params![from, since]).map_err(|e| self.err(e))?;
        while let Some(r) = rows.next().map_err(|e| self.err(e))? {
            let row = row(r).map_err(|e| self.err(e))?;
            if !f(row)? {
                break;
            }
        }
        Ok(())
    }

    /// Stores a signed checkpoint.
    pub fn add_checkpoint(&mut self, cp: &StoredCheckpoint) -> Result<(), Error> {
        let path = self.path.clone();
        self.write(|tx| {
            tx.execute(
                "INSERT INTO trace_checkpoints (seq, hash, note, at) VALUES (?1, ?2, ?3, ?4)",
                params![cp.seq, cp.hash, cp.note, cp.at],
            )
            .map(drop)
            .map_err(|e| super::state(&path, e))
        })
    }

    /// Every stored checkpoint, oldest first.
    pub fn checkpoints(&self) -> Result<Vec<StoredCheckpoint>, Error> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT seq, hash, note, at FROM trace_checkpoints ORDER BY id")
            .map_err(|e| self.err(e))?;
        stmt.query_map([], |r| {
            Ok(StoredCheckpoint {
                seq: r.get(0)?,
                hash: r.get(1)?,
                note: r.get(2)?,
                at: r.get(3)?,
            })
        })
        .map_err(|e| self.err(e))?
        .collect::<Result<_, _>>()
        .map_err(|e| self.err(e))
    }

    /// An input of a stateless decision, by hash.
    pub fn trace_input(&self, hash: &str) -> Result<Option<String>, Error> {
        self.conn
            .query_row(
                "SELECT body FROM trace_inputs WHERE hash = ?1",
                [hash],
                |r| r.get(0),
            )
            .optional()
            .map_err(|e| self.err(e))
    }

    /// The kind and body of a trace object.
    pub fn trace_object(&self, hash: &str) -> Result<Option<(String, String)>, Error> {
        self.conn
            .prepare_cached("SELECT kind, body FROM trace_objects WHERE hash = ?1")
            .and_then(|mut s| {
                s.query_row([hash], |r| Ok((r.get(0)?, r.get(1)?)))
                    .optional()
            })
            .map_err(|e| self.err(e))
    }

    /// Every trace object, in hash order (what `trace export` writes first).
    pub fn for_each_trace_object<E: From<Error>>(
        &self,
        mut f: impl FnMut(&str, &str, &str) -> Result<(), E>,
    ) -> Result<(), E> {
        let mut stmt = self
            .conn
            .prepare("SELECT hash, kind, body FROM trace_objects ORDER BY hash")
            .map_err(|e| self.err(e))?;
        let mut rows = stmt.query([]).map_err(|e| self.err(e))?;
        while let Some(r) = rows.next().map_err(|e| self.err(e))? {
            let (hash, kind, body): (String, String, String) = (
                r.get(0).map_err(|e| self.err(e))?,
                r.get(1).map_err(|e| self.err(e))?,
                r.get(2).map_err(|e| self.err(e))?,
            );
            f(&hash, &kind, &body)?;
        }
        Ok(())
    }

    /// A value from the settings table.
    pub fn setting(&self, key: &str) -> Result<Option<String>, Error> {
        self.conn
            .query_row("SELECT value FROM settings WHERE key = ?1", [key], |r| {
                r.get(0)
            })
            .optional()
            .map_err(|e| self.err(e))
    }

    /// Sets a value in the settings table, replacing any earlier one.
    pub fn set_setting(&mut self, key: &str, value: &str) -> Result<(), Error> {
        let path = self.path.clone();
        self.write(|tx| {
            tx.execute(
                "INSERT INTO settings (key, value) VALUES (?1, ?2)
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                params![key, value],
            )
            .map(drop)
            .map_err(|e| super::state(&path, e))
        })
    }

    /// Sets a value in the settings table if it has none yet; returns the
    /// value in force.
    pub fn setting_or_insert(&mut self, key: &str, value: &str) -> Result<String, Error> {
        let path = self.path.clone();
        self.write(|tx| {
            let err = |e| super::state(&path, e);
            tx.execute(
                "INSERT OR IGNORE INTO settings (key, value) VALUES (?1, ?2)",
                params![key, value],
            )
            .map_err(err)?;
            tx.query_row("SELECT value FROM settings WHERE key = ?1", [key], |r| {
                r.get(0)
            })
            .map_err(err)
        })
    }
}

/// Overwrites `row` with a stored row (the columns of [`row`]), reusing
/// its strings.
fn fill_row(r: &rusqlite::Row<'_>, row: &mut Row) -> rusqlite::Result<()> {
    fn text(r: &rusqlite::Row<'_>, i: usize, into: &mut String) -> rusqlite::Result<()> {
        let value = r.get_ref(i)?;
        let text = value.as_str().map_err(|e| match e {
            rusqlite::types::FromSqlError::InvalidType => {
                rusqlite::Error::InvalidColumnType(i, format!("column {i}"), value.data_type())
            }
            e => rusqlite::Error::FromSqlConversionFailure(i, value.data_type(), Box::new(e)),
        })?;
        if into.capacity() > (1 << 20) && into.capacity() > 2 * text.len() {
            // A slot that once held a large record does not keep its size.
            *into = text.to_string();
        } else {
            into.clear();
            into.push_str(text);
        }
        Ok(())
    }
    row.seq = r.get(0)?;
    text(r, 1, &mut row.prev)?;
    text(r, 2, &mut row.hash)?;
    text(r, 3, &mut row.record)?;
    let index = row.index.get_or_insert_with(Default::default);
    text(r, 4, &mut index.decision_id)?;
    text(r, 5, &mut index.at)?;
    text(r, 6, &mut index.outcome)?;
    text(r, 7, &mut index.services)?;
    text(r, 8, &mut index.principal)?;
    text(r, 9, &mut index.kind)?;
    index.refers_to = r.get(10)?;
    index.executed = r.get(11)?;
    index.candidates = r.get(12)?;
    Ok(())
}

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Row> {
    Ok(Row {
        seq: r.get(0)?,
        prev: r.get(1)?,
        hash: r.get(2)?,
        record: r.get(3)?,
        index: Some(caio_core::trace::Index {
            decision_id: r.get(4)?,
            at: r.get(5)?,
            outcome: r.get(6)?,
            services: r.get(7)?,
            principal: r.get(8)?,
            kind: r.get(9)?,
            refers_to: r.get(10)?,
            executed: r.get(11)?,
            candidates: r.get(12)?,
        }),
    })
}

/// Term ids by (kind, value), remembered within one transaction.
#[derive(Default)]
struct TermIds {
    /// Per kind (in `trace::term::ALL` order, then any other): value → id.
    known: [std::collections::HashMap<String, i64>; 9],
}

impl TermIds {
    /// The id of the term `(kind, value)`, stored first when new.
    fn id(
        &mut self,
        tx: &rusqlite::Transaction<'_>,
        kind: &str,
        value: &str,
    ) -> rusqlite::Result<i64> {
        let k = trace::term::ALL
            .iter()
            .position(|k| *k == kind)
            .unwrap_or(trace::term::ALL.len());
        if k < trace::term::ALL.len()
            && let Some(id) = self.known[k].get(value)
        {
            return Ok(*id);
        }
        tx.prepare_cached(
            "INSERT INTO trace_term_values (kind, value) VALUES (?1, ?2)
             ON CONFLICT (kind, value) DO NOTHING",
        )?
        .execute(params![kind, value])?;
        let id: i64 = tx
            .prepare_cached("SELECT id FROM trace_term_values WHERE kind = ?1 AND value = ?2")?
            .query_row(params![kind, value], |r| r.get(0))?;
        if k < trace::term::ALL.len() {
            self.known[k].insert(value.to_string(), id);
        }
        Ok(id)
    }

    /// Records that `seq` has the term `(kind, value)`.
    fn insert(
        &mut self,
        tx: &rusqlite::Transaction<'_>,
        kind: &str,
        value: &str,
        seq: i64,
    ) -> rusqlite::Result<()> {
        let id = self.id(tx, kind, value)?;
        insert_terms(tx, &mut vec![(id, seq)])
    }
}

/// How many term rows one insert statement writes.
const TERM_ROWS_PER_INSERT: usize = 64;

/// Writes `(term, seq)` rows, in term order (each term's rows go to the
/// end of its range of the primary key), many per statement.
fn insert_terms(
    tx: &rusqlite::Transaction<'_>,
    rows: &mut Vec<(i64, i64)>,
) -> rusqlite::Result<()> {
    rows.sort_unstable();
    rows.dedup();
    let mut chunks = rows.chunks_exact(TERM_ROWS_PER_INSERT);
    if chunks.len() > 0 {
        let values = vec!["(?, ?)"; TERM_ROWS_PER_INSERT].join(", ");
        let mut many = tx.prepare_cached(&format!(
            "INSERT OR IGNORE INTO trace_terms (term, seq) VALUES {values}"
        ))?;
        for chunk in chunks.by_ref() {
            many.execute(rusqlite::params_from_iter(
                chunk.iter().flat_map(|(term, seq)| [term, seq]),
            ))?;
        }
    }
    let mut one =
        tx.prepare_cached("INSERT OR IGNORE INTO trace_terms (term, seq) VALUES (?1, ?2)")?;
    for (term, seq) in chunks.remainder() {
        one.execute(params![term, seq])?;
    }
    rows.clear();
    Ok(())
}

/// Migration 12's backfill: the last seq that references each object.
pub(crate) fn backfill_object_use(tx: &rusqlite::Transaction<'_>) -> rusqlite::Result<()> {
    let mut read = tx.prepare("SELECT seq, record FROM traces ORDER BY seq")?;
    let mut rows = read.query([])?;
    let mut used = tx.prepare("UPDATE trace_objects SET last_seq = ?1 WHERE hash = ?2")?;
    while let Some(r) = rows.next()? {
        let (seq, body): (i64, String) = (r.get(0)?, r.get(1)?);
        for (_, hash) in trace::referenced_objects(&body) {
            used.execute(params![seq, hash])?;
        }
    }
    Ok(())
}

/// Migration 11's backfill: the candidate count and audit terms of every
/// record stored before it, derived as for a new record.
pub(crate) fn backfill_terms(tx: &rusqlite::Transaction<'_>) -> rusqlite::Result<()> {
    let mut terms = TermIds::default();
    let mut read = tx.prepare("SELECT seq, hash, record FROM traces ORDER BY seq")?;
    let mut rows = read.query([])?;
    while let Some(r) = rows.next()? {
        let (seq, hash, body): (i64, String, String) = (r.get(0)?, r.get(1)?, r.get(2)?);
        let Some(derived) = trace::unhex32(&hash).and_then(|h| trace::derive(&body, &h)) else {
            // A record that does not read is left for `trace verify`.
            continue;
        };
        tx.prepare_cached("UPDATE traces SET candidates = ?1 WHERE seq = ?2")?
            .execute(params![derived.index.candidates, seq])?;
        for (kind, value) in &derived.terms {
            terms.insert(tx, kind, value, seq)?;
        }
        if let Some((decision, (kind, value))) = &derived.on_decision {
            terms.insert(tx, kind, value, *decision)?;
        }
    }
    Ok(())
}

/// Migration 10's backfill: how each decision's `--execute` ended, and
/// what every record observed of services.
pub(crate) fn backfill_observations(tx: &rusqlite::Transaction<'_>) -> rusqlite::Result<()> {
    let mut read = tx.prepare("SELECT seq, at, record FROM traces ORDER BY seq")?;
    let mut rows = read.query([])?;
    while let Some(r) = rows.next()? {
        let (seq, at, body): (i64, String, String) = (r.get(0)?, r.get(1)?, r.get(2)?);
        if let Some(derived) = trace::derive(&body, &trace::GENESIS) {
            tx.prepare_cached("UPDATE traces SET executed = ?1 WHERE seq = ?2")?
                .execute(params![derived.index.executed, seq])?;
        }
        observe(
            tx,
            seq,
            &at,
            trace::outcome::observations(&body).into_iter(),
        )?;
    }
    Ok(())
}

/// The last seq and the chain head, read inside a write transaction.
pub(crate) fn head(
    tx: &rusqlite::Transaction<'_>,
    path: &std::path::Path,
) -> Result<(i64, [u8; 32]), Error> {
    let head: Option<(i64, String)> = tx
        .prepare_cached("SELECT seq, hash FROM traces ORDER BY seq DESC LIMIT 1")
        .and_then(|mut s| s.query_row([], |r| Ok((r.get(0)?, r.get(1)?))).optional())
        .map_err(|e| super::state(path, e))?;
    match head {
        None => Ok((0, trace::GENESIS)),
        Some((seq, hash)) => {
            let prev = trace::unhex32(&hash).ok_or_else(|| Error::Store {
                path: path.to_path_buf(),
                reason: format!("the trace head (seq {seq}) has a malformed hash"),
                help: "run `caio trace verify` to find the damage",
            })?;
            Ok((seq, prev))
        }
    }
}

/// Stores what a record observed of services, numbered in order.
fn observe(
    tx: &rusqlite::Transaction<'_>,
    seq: i64,
    at: &str,
    observed: impl Iterator<Item = caio_core::trace::outcome::Observation>,
) -> rusqlite::Result<()> {
    let mut insert = tx.prepare_cached(
        "INSERT INTO trace_observations (seq, n, service_id, at, result, latency_ms, cost, violations, source)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?;
    for (n, o) in observed.enumerate() {
        insert.execute(params![
            seq,
            n as i64,
            o.service_id,
            at,
            o.result,
            o.latency_ms,
            o.cost,
            o.violations,
            o.source
        ])?;
    }
    Ok(())
}

/// Appends `records` (and the stateless `inputs` they use) to the chain
/// inside the write transaction `tx`: each record with its lookup columns,
/// audit terms and observations, derived from the record as stored by the
/// code `trace verify` checks them with.
pub(crate) fn append(
    tx: &rusqlite::Transaction<'_>,
    path: &std::path::Path,
    records: &[Prepared],
    inputs: &[Input],
) -> Result<Vec<Appended>, Error> {
    let err = |e| super::state(path, e);
    for input in inputs {
        tx.prepare_cached(
            "INSERT OR IGNORE INTO trace_inputs (hash, kind, body) VALUES (?1, ?2, ?3)",
        )
        .and_then(|mut s| s.execute(params![input.hash, input.kind, input.body]))
        .map_err(err)?;
    }
    let (mut seq, mut prev) = head(tx, path)?;
    let mut out = Vec::with_capacity(records.len());
    let mut terms = TermIds::default();
    let mut insert = tx
        .prepare_cached(
            "INSERT INTO traces (seq, prev, hash, decision_id, at, outcome, services, principal, record, executed, candidates)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
        )
        .map_err(err)?;
    // An object is usually stored already (a candidate set is shared by
    // every route over it): asked for first, so its body — thousands of
    // services' worth — is not bound and compared again.
    let mut stored = tx
        .prepare_cached("SELECT 1 FROM trace_objects WHERE hash = ?1")
        .map_err(err)?;
    let mut object = tx
        .prepare_cached("INSERT INTO trace_objects (hash, kind, body) VALUES (?1, ?2, ?3)")
        .map_err(err)?;
    let mut used = tx
        .prepare_cached(
            "INSERT INTO trace_object_uses (hash, last_seq) VALUES (?2, ?1)
             ON CONFLICT (hash) DO UPDATE SET last_seq = excluded.last_seq",
        )
        .map_err(err)?;
    // Records of a batch share their objects: each is offered to the
    // table once per transaction, and its last use noted once.
    let mut offered: Vec<&str> = Vec::new();
    let mut last_use: Vec<(std::borrow::Cow<'_, str>, i64)> = Vec::new();
    let mut term_rows: Vec<(i64, i64)> = Vec::new();
    for p in records {
        for o in &p.objects {
            if offered.contains(&o.hash.as_str()) {
                continue;
            }
            offered.push(&o.hash);
            if !stored.exists([&o.hash]).map_err(err)? {
                object
                    .execute(params![o.hash, o.kind, o.body])
                    .map_err(err)?;
            }
        }
        seq += 1;
        let hash = trace::chain_hash(&prev, &p.body);
        let indexed = trace::Indexed::read(&p.body).ok_or_else(|| Error::Store {
            path: path.to_path_buf(),
            reason: "a new record does not read back as a decision".into(),
            help: "this is unexpected; report it with the request",
        })?;
        let index = indexed.index(&hash);
        insert
            .execute(params![
                seq,
                trace::hex(&prev),
                trace::hex(&hash),
                index.decision_id,
                index.at,
                index.outcome,
                index.services,
                index.principal,
                p.body,
                index.executed,
                index.candidates,
            ])
            .map_err(err)?;
        for (kind, value) in &indexed.terms {
            term_rows.push((terms.id(tx, kind, value).map_err(err)?, seq));
        }
        if indexed.may_observe() {
            let observed = indexed.observations().into_iter();
            observe(tx, seq, &indexed.at, observed).map_err(err)?;
        }
        for (_, hash) in indexed.objects {
            match last_use.iter_mut().find(|(h, _)| *h == hash) {
                Some(used) => used.1 = seq,
                None => last_use.push((hash, seq)),
            }
        }
        out.push(Appended { seq, hash });
        prev = hash;
    }
    insert_terms(tx, &mut term_rows).map_err(err)?;
    for (hash, seq) in &last_use {
        used.execute(params![seq, hash]).map_err(err)?;
    }
    Ok(out)
}
