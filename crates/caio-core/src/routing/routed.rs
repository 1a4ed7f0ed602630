//! A decision together with what it was made from: the policy set, the
//! contract versions and the stats. What the trace records and replay
//! rebuilds.

use super::{Decision, Identity, ServiceStats};
use crate::lifecycle::ServiceStatus;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

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
    /// Every contract version considered, by service id.
    pub contracts: Vec<ContractRef>,
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
