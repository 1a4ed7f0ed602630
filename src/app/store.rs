//! Moving a home's state into a fleet database (SPEC §15): `caio store
//! migrate --to URL` copies the home's SQLite database into an empty
//! PostgreSQL database in one transaction, then verifies the copy before it
//! commits — the trace chain recomputed from the first record (objects and
//! checkpoints included), the same head as the source's, and a sample of
//! decisions replayed with the same result on both sides. A copy that does
//! not verify is rolled back: the target is left empty.

use crate::app::trace::{self as traces, Failure, Progress, VerifyOptions};
use crate::error::Error;
use caio_store::home::Home;
use caio_store::pg::DatabaseUrl;
use caio_store::pg::copy::TableCount;
use caio_store::{Database, Store, StoreOptions};
use serde::Serialize;
use std::time::Duration;

/// How many decisions the verification replays on both sides, at most
/// (spread evenly over the chain, the first and the last included).
pub const REPLAY_SAMPLE: i64 = 64;

/// What `store migrate` did.
#[derive(Debug, Serialize)]
pub struct Migrated {
    /// The source, the home's SQLite file.
    pub from: String,
    /// The target, without its password.
    pub to: String,
    /// Rows copied, table by table.
    pub tables: Vec<TableCount>,
    /// The trace's length.
    pub records: i64,
    /// The chain head, the same on both sides (hex).
    pub head: String,
    /// Checkpoints verified in the copy.
    pub checkpoints: usize,
    /// Decisions replayed on both sides, with the same result.
    pub replayed: usize,
}

/// Copies the home's database into the empty database `to`, verifies the
/// copy, and commits it; or rolls it back and says why.
pub fn migrate(
    home: &Home,
    to: &DatabaseUrl,
    busy_timeout: Duration,
    progress: &dyn Progress,
) -> Result<Migrated, Failure> {
    let source = Store::open_existing(home, busy_timeout)?;
    let options = StoreOptions {
        database: Database::Postgres(to.clone()),
        busy_timeout,
    };
    let mut target = Store::open_with(home, &options)?;
    let imported = target.import_from(&source)?;
    match verify(home, &source, &target, to, progress) {
        Ok((records, head, checkpoints, replayed)) => {
            target.finish_import(true)?;
            Ok(Migrated {
                from: source.path().display().to_string(),
                to: to.to_string(),
                tables: imported.tables,
                records,
                head,
                checkpoints,
                replayed,
            })
        }
        Err(e) => {
            target.finish_import(false)?;
            Err(e)
        }
    }
}

/// Checks the uncommitted copy against the source: the chain, the head,
/// and a replay sample. Returns the length, head, checkpoints and replays.
fn verify(
    home: &Home,
    source: &Store,
    target: &Store,
    to: &DatabaseUrl,
    progress: &dyn Progress,
) -> Result<(i64, String, usize, usize), Failure> {
    let unverified = |reason: String| {
        Failure::State(Error::CopyUnverified {
            target: to.to_string(),
            reason,
        })
    };
    let (records, head) = source.trace_head()?;
    let copied = target.trace_head()?;
    if copied != (records, head) {
        return Err(unverified(format!(
            "the source's trace has {records} record(s), the copy's {}",
            copied.0
        )));
    }
    let options = VerifyOptions {
        from: 1,
        files: &[],
        archives: &[],
        public_key: None,
        replay: false,
    };
    let report = traces::verify(target, home, &options, &mut |_| {}, progress)?;
    if let Some(b) = &report.first_break {
        return Err(unverified(format!("the copied chain does not verify: {b}")));
    }
    let sample = sample(records);
    for seq in &sample {
        let id = seq.to_string();
        let before = replay_result(source, &id);
        let after = replay_result(target, &id);
        if before != after {
            return Err(unverified(format!(
                "seq {seq} replays differently: {before} in the home, {after} in the copy"
            )));
        }
    }
    Ok((
        records,
        caio_core::trace::hex(&head),
        report.checkpoints,
        sample.len(),
    ))
}

/// Up to [`REPLAY_SAMPLE`] seqs spread evenly over `1..=records`.
fn sample(records: i64) -> Vec<i64> {
    if records <= 0 {
        return Vec::new();
    }
    let n = records.min(REPLAY_SAMPLE);
    let mut seqs: Vec<i64> = (0..n)
        .map(|i| {
            1 + if n == 1 {
                0
            } else {
                i * (records - 1) / (n - 1)
            }
        })
        .collect();
    seqs.dedup();
    seqs
}

/// A replay's result, as text to compare.
fn replay_result(store: &Store, id: &str) -> String {
    match traces::replay(store, id) {
        Ok(r) => format!(
            "identical={} differences={:?} missing={:?}",
            r.identical, r.differences, r.missing
        ),
        // The message names the database, which differs between the sides.
        Err(Failure::State(_)) => "a state error".to_string(),
        Err(Failure::Input(e)) => format!("error: {e}"),
    }
}

#[cfg(test)]
mod tests {
    use super::sample;

    #[test]
    fn the_sample_spans_the_chain() {
        assert!(sample(0).is_empty());
        assert_eq!(sample(1), [1]);
        assert_eq!(sample(3), [1, 2, 3]);
        let s = sample(1000);
        assert_eq!(s.len(), 64);
        assert_eq!((s[0], s[63]), (1, 1000));
        assert!(s.windows(2).all(|w| w[0] < w[1]));
    }
}
