//! The routing core (SPEC §5, §6): pure — no SQLite, no clock, no I/O, no
//! hash-map order. Given a request, the caller's identity, the candidate
//! contracts with their status and stats, and the policy set, [`route`]
//! returns a [`Decision`]: every candidate with its terms or rejections, the
//! chosen service(s), the control signal, the composed guarantees and a
//! one-line summary.
//!
//! - [`pipeline`] runs the seven stages for one candidate;
//! - [`score`] holds the master equation and its terms;
//! - [`chain`] composes guarantees and searches the best feasible chain;
//! - [`guard`] is the panic guard: a half-open probe when every
//!   otherwise-eligible candidate's circuit is open;
//! - [`tiebreak`] is the seeded ChaCha20 shuffle among equal scores.

pub(crate) mod chain;
pub(crate) mod guard;
pub mod pipeline;
mod routed;
pub(crate) mod score;
pub mod tiebreak;

pub use routed::{ContractRef, Routed};

use crate::contract::ServiceContract;
use crate::lifecycle::ServiceStatus;
use crate::policy::PolicySet;
use crate::principal::{AuthFailure, Principal};
use crate::request::{Request, Weights};
use serde::{Deserialize, Serialize};

/// Scores closer than this are ties.
pub(crate) const TIE_EPSILON: f64 = 1e-9;

/// What execution history says about a service (SPEC §8); the default is
/// "no history".
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct ServiceStats {
    /// EWMA of observed success (1 = always succeeded); `None` without history.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub success_rate: Option<f64>,
    /// How many latencies were observed.
    #[serde(default)]
    pub observations: u64,
    /// The observed p95 latency over the recent window.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_p95_ms: Option<f64>,
    /// The circuit breaker is open: the service is skipped.
    #[serde(default)]
    pub circuit_open: bool,
    /// When the open circuit opened (Unix milliseconds, from the edge's
    /// clock): the panic guard probes the circuit that opened earliest.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub circuit_opened_at_ms: Option<i64>,
}

/// Observations needed before the observed p95 may replace the declared one.
pub(crate) const MIN_OBSERVATIONS: u64 = 20;

/// One service the router may consider.
#[derive(Debug, Clone, Copy)]
pub struct Candidate<'a> {
    pub contract: &'a ServiceContract,
    pub status: ServiceStatus,
    pub status_reason: Option<&'a str>,
    pub stats: ServiceStats,
}

impl<'a> Candidate<'a> {
    pub fn active(contract: &'a ServiceContract) -> Candidate<'a> {
        Candidate {
            contract,
            status: ServiceStatus::Active,
            status_reason: None,
            stats: ServiceStats::default(),
        }
    }
}

/// Who is asking.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Identity {
    /// No token.
    Anonymous,
    /// A token that maps to a stored principal.
    Authenticated { principal: Principal },
    /// A principal given on the command line (stateless mode only).
    Simulated { principal: Principal },
    /// A token that was refused.
    Refused { failure: AuthFailure },
}

impl Identity {
    pub fn from_auth(result: Result<Principal, AuthFailure>, had_token: bool) -> Identity {
        match result {
            Ok(principal) if had_token => Identity::Authenticated { principal },
            Ok(_) => Identity::Anonymous,
            Err(failure) => Identity::Refused { failure },
        }
    }

    /// The principal policies and access rules see (anonymous when refused).
    pub(crate) fn principal(&self) -> Principal {
        match self {
            Identity::Authenticated { principal } | Identity::Simulated { principal } => {
                principal.clone()
            }
            Identity::Anonymous | Identity::Refused { .. } => Principal::anonymous(),
        }
    }

    pub(crate) fn is_anonymous(&self) -> bool {
        matches!(self, Identity::Anonymous | Identity::Refused { .. })
    }

    /// The name recorded in decisions.
    pub(crate) fn name(&self) -> String {
        match self {
            Identity::Refused { .. } => "(refused)".into(),
            other => other.principal().name,
        }
    }
}

/// The pipeline stages, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    Status,
    Capability,
    Access,
    Privacy,
    Policy,
    Requirement,
    Preference,
}

impl Stage {
    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Status => "status",
            Stage::Capability => "capability",
            Stage::Access => "access",
            Stage::Privacy => "privacy",
            Stage::Policy => "policy",
            Stage::Requirement => "requirement",
            Stage::Preference => "preference",
        }
    }
}

/// Why a candidate was rejected.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rejection {
    pub stage: Stage,
    pub rule: String,
    pub message: String,
}

/// The six terms of the master equation for one eligible candidate.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Terms {
    pub q: f64,
    pub h: f64,
    pub t: f64,
    pub c: f64,
    pub l: f64,
    pub r: f64,
}

/// One candidate's evaluation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CandidateResult {
    pub service_id: String,
    pub service_version: String,
    pub eligible: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub score: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub terms: Option<Terms>,
    pub rejections: Vec<Rejection>,
    /// The rules of `prefer` policies that applied.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) preferred_by: Vec<String>,
    /// What the candidate would contribute to a route.
    pub(crate) metrics: Metrics,
}

/// The guarantees of one candidate for this request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Metrics {
    /// Declared p95, or the observed one when worse and well measured.
    pub(crate) latency_p95_ms: f64,
    pub(crate) availability: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) accuracy: Option<f64>,
    /// Estimated cost of the request.
    pub(crate) cost: f64,
    /// ρ: risk + unavailability + degradation, in [0, 1].
    pub(crate) risk: f64,
}

/// The chosen service of one step.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Choice {
    pub capability: String,
    pub service_id: String,
    pub service_version: String,
    pub score: f64,
    /// The panic guard chose this service although its circuit is open: a
    /// half-open probe (SPEC §8).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub probe: bool,
}

/// One step's candidates.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StepResult {
    pub(crate) capability: String,
    /// Eligible candidates first, best first; then the rejected, by id.
    pub candidates: Vec<CandidateResult>,
    pub(crate) summary: String,
}

impl StepResult {
    pub fn eligible(&self) -> impl Iterator<Item = &CandidateResult> {
        self.candidates.iter().filter(|c| c.eligible)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Routed,
    NoRoute,
    /// Authentication failed.
    Refused,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Routed => "routed",
            Outcome::NoRoute => "no_route",
            Outcome::Refused => "refused",
        }
    }
}

/// The control signal u* (SPEC §5): every component finite and in [0, 1].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Control {
    pub confidence: f64,
    pub latency_headroom: f64,
    pub budget_headroom: f64,
    pub risk: f64,
}

/// The guarantees of the chosen route, composed over a chain (SPEC §6).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Composed {
    pub latency_p95_ms: f64,
    pub availability: f64,
    /// The minimum declared accuracy; `None` when a step declares none.
    pub accuracy: Option<f64>,
    pub cost: f64,
    /// The currency of the costs (one per registry).
    pub currency: String,
    pub regions: Vec<String>,
    pub(crate) hosting: crate::contract::Hosting,
    pub(crate) retention_days: u64,
}

/// The outcome of routing one request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Decision {
    pub outcome: Outcome,
    pub principal: String,
    pub seed: u64,
    pub weights: Weights,
    pub steps: Vec<StepResult>,
    /// One per step when routed.
    pub chosen: Vec<Choice>,
    /// The total score (the sum of step scores for a chain).
    pub score: Option<f64>,
    pub control: Option<Control>,
    pub guarantees: Option<Composed>,
    /// Why nothing was routed, beyond the per-candidate rejections.
    pub reason: Option<String>,
    pub summary: String,
}

/// Routes `request` among `candidates` (any order; only those offering a
/// requested capability are considered).
pub fn route(
    request: &Request,
    identity: &Identity,
    candidates: &[Candidate<'_>],
    policies: &PolicySet,
) -> Decision {
    fn key<'c>(c: &Candidate<'c>) -> (&'c String, &'c String) {
        (&c.contract.service_id, &c.contract.version)
    }
    let mut sorted: Vec<&Candidate<'_>> = candidates.iter().collect();
    // The router hands candidates over in id order already.
    if !sorted.is_sorted_by(|a, b| key(a) <= key(b)) {
        sorted.sort_by(|a, b| key(a).cmp(&key(b)));
    }
    let steps = request.steps();
    let chained = request.is_chain();
    let principal = identity.principal();
    let weights = request.weights();
    let env = pipeline::Env {
        request,
        identity,
        principal: &principal,
        policies,
        chained,
    };
    let refused = matches!(identity, Identity::Refused { .. });
    let results: Vec<pipeline::StepEval<'_>> = steps
        .iter()
        .enumerate()
        .map(|(i, step)| {
            let eval = pipeline::evaluate_step(&env, i, step, &sorted);
            if chained || refused {
                eval
            } else {
                guard::panic_guard(&env, step, &sorted, eval)
            }
        })
        .collect();

    let pick = if refused {
        Err(Some("authentication failed".to_string()))
    } else if results.is_empty() {
        Err(Some("the request names no capability".to_string()))
    } else if chained {
        chain::best_chain(request, &results)
    } else {
        single(&results[0], request.seed)
    };
    let outcome = match (&pick, refused) {
        (_, true) => Outcome::Refused,
        (Ok(_), _) => Outcome::Routed,
        (Err(_), _) => Outcome::NoRoute,
    };
    let chosen_idx = pick.as_ref().ok().map(|(idx, _)| idx);
    let step_results: Vec<StepResult> = results
        .iter()
        .map(|eval| eval.result(chosen_idx.map(|c| c[eval.index])))
        .collect();
    let (chosen, score, control, guarantees) = match chosen_idx {
        Some(idx) => {
            let chosen: Vec<Choice> = results.iter().map(|e| e.choice(idx[e.index])).collect();
            let metrics: Vec<&Metrics> = results
                .iter()
                .map(|e| &e.candidates[idx[e.index]].metrics)
                .collect();
            let contracts: Vec<&ServiceContract> = results
                .iter()
                .map(|e| e.candidates[idx[e.index]].contract)
                .collect();
            let total: f64 = chosen.iter().map(|c| c.score).sum();
            let composed = chain::compose(&metrics, &contracts);
            let runner_up = pick.as_ref().ok().and_then(|(_, runner_up)| *runner_up);
            let control = score::control(request, total, runner_up, &composed, &metrics);
            (chosen, Some(total), Some(control), Some(composed))
        }
        None => (Vec::new(), None, None, None),
    };
    let reason = pick.err().flatten();
    let summary = summary_line(&step_results, reason.as_deref(), chained);
    Decision {
        outcome,
        principal: identity.name(),
        seed: request.seed,
        weights,
        steps: step_results,
        chosen,
        score,
        control,
        guarantees,
        reason,
        summary,
    }
}

/// The best eligible candidate of a single-step request, ties broken by the
/// seeded shuffle (SPEC §5).
fn single(
    eval: &pipeline::StepEval<'_>,
    seed: u64,
) -> Result<(Vec<usize>, Option<f64>), Option<String>> {
    let best = eval
        .candidates
        .iter()
        .filter_map(|c| c.score)
        .fold(f64::NEG_INFINITY, f64::max);
    if best == f64::NEG_INFINITY {
        return Err(None);
    }
    let tied: Vec<usize> = eval
        .candidates
        .iter()
        .enumerate()
        .filter(|(_, c)| c.score.is_some_and(|s| best - s <= TIE_EPSILON))
        .map(|(i, _)| i)
        .collect();
    // `candidates` is sorted by id, so `tied` is too.
    let pick = tiebreak::first_after_shuffle(&tied, seed);
    Ok((vec![pick], score::runner_up(eval, pick)))
}

/// `0/7 services eligible: 3 policy(eu-residency), 2 access(min_trust)`; for
/// a chain, one such clause per step.
fn summary_line(steps: &[StepResult], reason: Option<&str>, chained: bool) -> String {
    let mut parts: Vec<String> = if chained {
        steps
            .iter()
            .enumerate()
            .map(|(i, s)| format!("step {} {}: {}", i + 1, s.capability, s.summary))
            .collect()
    } else {
        steps.iter().map(|s| s.summary.clone()).collect()
    };
    if let Some(reason) = reason
        && chained
    {
        parts.push(reason.to_string());
    }
    parts.join("; ")
}
