//! A decision together with what it was made from: the policy set, the
//! contract versions and the stats. What the trace records and replay
//! rebuilds.

use super::{Candidate, Decision, Identity, ServiceStats};
use crate::lifecycle::ServiceStatus;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::rc::Rc;

/// A contract version the router considered, with its status then.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContractRef {
    /// The service.
    pub service_id: String,
    /// The contract version.
    pub version: String,
    /// Its content address: hex BLAKE3 of the contract's canonical JSON.
    pub hash: String,
    /// The service's status at the time.
    pub status: ServiceStatus,
    /// Why the status was set, when someone said.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_reason: Option<String>,
}

/// A decision and what it was made from.
#[derive(Debug, Clone, Serialize)]
pub struct Routed {
    /// The decision.
    pub decision: Decision,
    /// Who asked.
    pub identity: Identity,
    /// Hash of the policy set applied.
    pub policy_set: String,
    /// How many rules it holds.
    pub policy_rules: usize,
    /// Every contract version considered, by service id (shared by the
    /// decisions a router makes over one candidate list).
    pub contracts: Rc<[ContractRef]>,
    /// The execution stats used, for services that have any.
    pub stats: BTreeMap<String, ServiceStats>,
    /// The decision's time (Unix ms) that h recovered to, when stats were
    /// read with a clock.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decided_at_ms: Option<i64>,
    /// Things the caller should tell the user (ignored token, …).
    #[serde(skip)]
    pub notes: Vec<String>,
}

impl Routed {
    /// `decision` with what it was made from, as every router assembles
    /// it: `candidates` become the contract versions considered
    /// ([`Routed::contract_refs`]), the stats are those of the candidates
    /// with any history, and the policy set is named by its hash and
    /// size. No notes: the caller adds its own.
    pub fn new(
        decision: Decision,
        identity: Identity,
        candidates: &[Candidate<'_>],
        policy_set: String,
        policy_rules: usize,
        contract_hash: impl Fn(usize) -> String,
    ) -> Routed {
        let contracts = Routed::contract_refs(candidates, contract_hash);
        Routed::with_contracts(
            decision,
            identity,
            candidates,
            contracts,
            policy_set,
            policy_rules,
        )
    }

    /// [`Routed::new`] with the contract versions of `candidates` built
    /// beforehand ([`Routed::contract_refs`] of the same list): what a
    /// router making many decisions over one candidate list does.
    pub fn with_contracts(
        decision: Decision,
        identity: Identity,
        candidates: &[Candidate<'_>],
        contracts: Rc<[ContractRef]>,
        policy_set: String,
        policy_rules: usize,
    ) -> Routed {
        let stats = candidates
            .iter()
            .filter(|c| c.stats != ServiceStats::default())
            .map(|c| (c.contract.service_id().to_string(), c.stats))
            .collect();
        Routed {
            decision,
            identity,
            policy_set,
            policy_rules,
            contracts,
            stats,
            decided_at_ms: None,
            notes: Vec::new(),
        }
    }

    /// The contract versions `candidates` stand for, with their statuses,
    /// sorted by service id; `contract_hash(i)` is the content hash of
    /// `candidates[i]`'s contract.
    pub fn contract_refs(
        candidates: &[Candidate<'_>],
        contract_hash: impl Fn(usize) -> String,
    ) -> Rc<[ContractRef]> {
        let mut contracts: Vec<ContractRef> = candidates
            .iter()
            .enumerate()
            .map(|(i, c)| ContractRef {
                service_id: c.contract.service_id().to_string(),
                version: c.contract.version().to_string(),
                hash: contract_hash(i),
                status: c.status,
                status_reason: c.status_reason.map(str::to_string),
            })
            .collect();
        contracts.sort_by(|a, b| a.service_id.cmp(&b.service_id));
        contracts.into()
    }
}
