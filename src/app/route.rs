//! The route use case: recording decisions in the trace (SPEC §9).

use crate::error::Error;
use caio_core::attempt::Attempt;
use caio_core::request::Request;
use caio_core::routing::Routed;
use caio_core::trace::{ExecutionRecord, Prepared};
use caio_store::router::Router;
use caio_store::traces::Appended;

/// Where a decision went in the trace.
pub struct Traced {
    /// First 32 hex characters of the record's chain hash.
    pub decision_id: String,
    /// `None` when nothing was appended (no home, or --dry-run).
    pub trace: Option<Appended>,
}

/// Appends the records of routed requests to the home's trace (one
/// transaction), or, without a home or with `dry_run`, computes the ids they
/// would get. `execution` (attempts and how it ended) goes into the first
/// record; `now` is the records' time.
pub fn trace(
    router: &mut Router,
    routed: &[(&Request, &Routed)],
    dry_run: bool,
    execution: Option<(Vec<Attempt>, ExecutionRecord)>,
    now: jiff::Timestamp,
) -> Result<Vec<Traced>, Error> {
    let at = caio_core::time::timestamp(now);
    let mut execution = execution;
    let prepared: Vec<Prepared> = routed
        .iter()
        .map(|(request, routed)| {
            let (mut record, objects) = caio_core::trace::record(request, routed, at.clone())?;
            if let Some((attempts, end)) = execution.take() {
                record.attempts = attempts;
                record.execution = Some(end);
            }
            Prepared::new(record, objects)
        })
        .collect::<Result<_, _>>()
        .map_err(|e| {
            Error::from(caio_store::Error::Store {
                path: "trace".into(),
                reason: format!("a decision has no canonical form: {e}"),
                help: "this is unexpected; report it with the request",
            })
        })?;
    let inputs = if dry_run {
        Vec::new()
    } else {
        router.take_inputs()
    };
    match router.store_mut() {
        Some(store) if !dry_run => Ok(store
            .append_traces(&prepared, &inputs)?
            .into_iter()
            .map(|a| Traced {
                decision_id: caio_core::trace::decision_id(&a.hash),
                trace: Some(a),
            })
            .collect()),
        store => {
            let mut prev = match store {
                Some(store) => store.trace_head()?.1,
                None => caio_core::trace::GENESIS,
            };
            Ok(prepared
                .iter()
                .map(|p| {
                    prev = caio_core::trace::chain_hash(&prev, &p.body);
                    Traced {
                        decision_id: caio_core::trace::decision_id(&prev),
                        trace: None,
                    }
                })
                .collect())
        }
    }
}
