//! The outcome use case (SPEC §9): a caller reports how a call that caio
//! routed went, and the trace and the service's stats learn from it as
//! from an executed attempt.

use super::trace::{Failure, Stored, TraceError, find, parse_decision};
use caio_core::circuit;
use caio_core::contract::ServiceContract;
use caio_core::routing::Outcome;
use caio_core::trace::outcome::{DecisionRef, OutcomeRecord, Report};
use caio_core::trace::{self, Row};
use caio_store::Store;
use caio_store::traces::{Appended, OutcomeAppend, PreparedOutcome};
use serde::Serialize;

/// A reported outcome, now in the trace.
#[derive(Debug, Serialize)]
pub struct Reported {
    /// The outcome record's seq.
    pub seq: i64,
    /// Its chain hash, hex.
    pub hash: String,
    /// Its own id (the first 32 hex characters of its hash).
    pub record_id: String,
    /// The record, as hashed.
    pub record: OutcomeRecord,
    /// What the service's circuit did.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub circuit: Option<&'static str>,
}

/// Reports `report` on the decision `id` (a decision id, a unique prefix
/// or a seq). `service` names the step's service of a chain (and, when
/// given for a one-service decision, must be its service). Refused (exit
/// 1, nothing written) for an unknown id, a record that is not a routed
/// decision, a decision `--execute` already ran, a service the decision
/// did not choose, or a second outcome of the same call.
pub fn report(
    store: &mut Store,
    id: &str,
    service: Option<&str>,
    report: &Report,
    now: jiff::Timestamp,
) -> Result<Reported, Failure> {
    let row = find(store, id)?;
    let stored = parse_decision(&row)?;
    let decision_id = row.hash.chars().take(32).collect::<String>();
    if stored.outcome() != Outcome::Routed {
        return Err(TraceError::NotRouted {
            id: decision_id,
            outcome: stored.outcome().as_str(),
        }
        .into());
    }
    if stored.executed() {
        return Err(TraceError::Executed { id: decision_id }.into());
    }
    let chosen = stored.chosen();
    let choice = match service {
        Some(s) => {
            chosen
                .iter()
                .find(|c| c.service_id == s)
                .ok_or_else(|| TraceError::NotChosen {
                    id: decision_id.clone(),
                    service: s.to_string(),
                    chosen: names(&chosen),
                })?
        }
        None if chosen.len() == 1 => &chosen[0],
        None => {
            return Err(TraceError::WhichStep {
                id: decision_id,
                chosen: names(&chosen),
            }
            .into());
        }
    };
    let contract = contract_of(store, &stored, &choice.service_id)?.ok_or_else(|| {
        TraceError::ContractGone {
            service: choice.service_id.clone(),
            version: choice.service_version.clone(),
        }
    })?;
    let record = OutcomeRecord::new(
        DecisionRef {
            decision_id: decision_id.clone(),
            hash: row.hash.clone(),
            seq: row.seq,
        },
        stored.principal(),
        &contract,
        &choice.service_version,
        report,
        caio_core::time::timestamp(now),
    )
    .map_err(|e| TraceError::BadReport(e.to_string()))?;
    let body =
        caio_core::canonical::to_jcs(&record).map_err(|e| TraceError::BadReport(e.to_string()))?;
    let prepared = PreparedOutcome { record, body };
    match store.append_outcome(&prepared, now)? {
        OutcomeAppend::AlreadyReported { seq } => Err(TraceError::AlreadyReported {
            id: decision_id,
            service: prepared.record.service_id,
            seq,
        }
        .into()),
        OutcomeAppend::Appended {
            appended: Appended { seq, hash },
            changes,
        } => Ok(Reported {
            seq,
            hash: trace::hex(&hash),
            record_id: trace::decision_id(&hash),
            record: prepared.record,
            circuit: changes.first().map(|(_, c)| match c {
                circuit::Change::Opened { .. } => "opened",
                circuit::Change::Closed => "closed",
            }),
        }),
    }
}

fn names(chosen: &[caio_core::routing::Choice]) -> String {
    chosen
        .iter()
        .map(|c| c.service_id.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// The contract version a stored decision chose for `service`: found by
/// the content hash its candidate set recorded, in the registry's history
/// or among the inputs a stateless route kept.
fn contract_of(
    store: &Store,
    stored: &Stored,
    service: &str,
) -> Result<Option<ServiceContract>, Failure> {
    let hash = match stored {
        Stored::V1(r) => r
            .contracts
            .iter()
            .find(|c| c.service_id == service)
            .map(|c| c.hash.clone()),
        Stored::V2(r) => {
            let body = super::trace::object(store, &r.objects.candidates, trace::v2::CANDIDATES)?;
            body.and_then(|b| trace::v2::parse_candidates(&b).ok())
                .and_then(|refs| refs.into_iter().find(|c| c.service_id == service))
                .map(|c| c.hash)
        }
    };
    let Some(hash) = hash else {
        return Ok(None);
    };
    if let Some(contract) = store.contract_by_hash(&hash)? {
        return Ok(Some(contract));
    }
    Ok(store
        .trace_input(&hash)?
        .and_then(|body| serde_json::from_str(&body).ok()))
}

/// The outcome records of the decision at `row`: `(seq, service, status)`.
pub fn outcomes_of(store: &Store, row: &Row) -> Result<Vec<(i64, String, String)>, Failure> {
    Ok(store.outcomes_of(row.seq)?)
}
