//! The route use case: recording decisions in the trace (SPEC §9).

use crate::error::Error;
use caio_core::attempt::Attempt;
use caio_core::request::Request;
use caio_core::routing::Routed;
use caio_core::trace::{ExecutionRecord, Object, Prepared};
use caio_store::router::Router;
use caio_store::traces::Appended;
use std::sync::Arc;

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
    let prepared = prepare(router, routed, execution, now)?;
    append(router, &prepared, dry_run)
}

/// Appends records already prepared (one transaction), or, without a home
/// or with `dry_run`, computes the ids they would get.
pub fn append(
    router: &mut Router,
    prepared: &[Prepared],
    dry_run: bool,
) -> Result<Vec<Traced>, Error> {
    let inputs = if dry_run {
        Vec::new()
    } else {
        router.take_inputs()
    };
    match router.store_mut() {
        Some(store) if !dry_run => Ok(appended(store.append_traces(prepared, &inputs)?)),
        _ => unrecorded(router, prepared),
    }
}

/// The canonical records of routed requests (each candidate-set object
/// and the policy-set object built once per router), `execution`
/// (attempts and how it ended) in the first; `now` is the records' time.
pub(crate) fn prepare(
    router: &mut Router,
    routed: &[(&Request, &Routed)],
    execution: Option<(Vec<Attempt>, ExecutionRecord)>,
    now: jiff::Timestamp,
) -> Result<Vec<Prepared>, Error> {
    let at = caio_core::time::timestamp(now);
    let mut execution = execution;
    let mut prepared = Vec::with_capacity(routed.len());
    for (request, routed) in routed {
        let candidates = router.candidates_object(&routed.contracts)?;
        let policies = router.policies_object();
        prepared.push(
            record(request, routed, &at, candidates, policies, &mut execution)
                .map_err(no_canonical_form)?,
        );
    }
    Ok(prepared)
}

fn no_canonical_form(e: caio_core::canonical::JcsError) -> Error {
    Error::from(caio_store::Error::Store {
        path: "trace".into(),
        reason: format!("a decision has no canonical form: {e}"),
        help: "this is unexpected; report it with the request",
    })
}

/// Where appended records went.
pub(crate) fn appended(appended: Vec<Appended>) -> Vec<Traced> {
    appended
        .into_iter()
        .map(|a| Traced {
            decision_id: caio_core::trace::decision_id(&a.hash),
            trace: Some(a),
        })
        .collect()
}

/// The ids records would get after the home's chain head (or the genesis
/// without a home), nothing appended.
pub(crate) fn unrecorded(router: &mut Router, prepared: &[Prepared]) -> Result<Vec<Traced>, Error> {
    let mut prev = match router.store_mut() {
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

/// One decision's record; `execution` (attempts and how it ended) goes
/// into the first record that takes it.
fn record(
    request: &Request,
    routed: &Routed,
    at: &str,
    candidates: Arc<Object>,
    policies: Arc<Object>,
    execution: &mut Option<(Vec<Attempt>, ExecutionRecord)>,
) -> Result<Prepared, caio_core::canonical::JcsError> {
    let (mut digest, objects) =
        caio_core::trace::record_with(request, routed, at.to_string(), Some(candidates), policies)?;
    if let Some((attempts, end)) = execution.take() {
        digest.attempts = attempts;
        digest.execution = Some(end);
    }
    Prepared::new(&digest, objects)
}
